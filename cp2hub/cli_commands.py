"""`cp2hub` commands that work on the hub's database, added to its command line the same
way: each opens the database, runs, closes it, and turns a refusal into one line."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from cp2hub.db import Database
from cp2hub.errors import HubError
from cp2hub.settings import Settings

OpenDb = Callable[[argparse.Namespace], tuple[Database, str]]
Run = Callable[[argparse.Namespace, Database, Settings], None]
CommandMaker = Callable[[str, str, Run], argparse.ArgumentParser]


def command_maker(
    commands, database_option: Callable, open_db: OpenDb, error: type[Exception]
) -> CommandMaker:
    """`command(name, help, run)` adds a subcommand to `commands` that runs `run(args, db,
    settings)`; `open_db(args)` -> (database, url); a HubError becomes `error`."""

    def command(name: str, help_text: str, run: Run) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, help=help_text)
        database_option(parser)
        parser.set_defaults(command=lambda args: _run(run, args, open_db, error))
        return parser

    return command


def _run(run: Run, args: argparse.Namespace, open_db: OpenDb, error) -> int:
    db, url = open_db(args)
    try:
        run(args, db, Settings(database_url=url))
    except HubError as exc:
        raise error(exc.message) from None
    finally:
        db.dispose()
    return 0
