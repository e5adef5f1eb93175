"""The `cp2hub` command: serve the hub, migrate its database, seed demo data, compute claims.

Every command first brings the database to the newest schema, so a hub never runs
against tables older than its code. Failures a person can act on (a database that
cannot be reached, demo data that would overwrite real data) are one line on
stderr and exit status 2, never a traceback; the password in a URL is never shown.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence

from pydantic import ValidationError
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from cp2hub import devices_cli, payments_cli, portal_cli
from cp2hub.cli_commands import command_maker
from cp2hub.db import Database, redacted
from cp2hub.demo.accounts import SECOND_ADMIN
from cp2hub.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, SIZES, DatabaseNotEmpty, seed_demo
from cp2hub.schema import current_revision, upgrade
from cp2hub.settings import Settings

EXIT_USER_ERROR = 2


class CliError(Exception):
    """A failure explained to the user in one line."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (so tests can call it in-process)."""
    args = _parser().parse_args(argv)
    try:
        return args.command(args)
    except CliError as error:
        print(f"cp2hub: {error}", file=sys.stderr)
        return EXIT_USER_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cp2hub", description="The CP2 hub server.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the hub's HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes (more use more cores; writes still take turns on SQLite)",
    )
    serve.add_argument(
        "--proxy-headers",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="take the client's address and scheme from X-Forwarded-For/-Proto, when sent "
        "by an address of --forwarded-allow-ips (default: on)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        default=None,
        metavar="ADDRESSES",
        help="the reverse proxy's addresses or networks, comma-separated (default: "
        "$FORWARDED_ALLOW_IPS, else 127.0.0.1); never '*' where clients reach the hub directly",
    )
    serve.add_argument(
        "--log-level", choices=["debug", "info", "warning"], default="info",
        help="the least a line must matter to be logged (one JSON object a line, on stderr)",
    )  # fmt: skip
    _database_option(serve)
    serve.set_defaults(command=_serve)

    migrate = commands.add_parser("migrate", help="upgrade the database to the newest schema")
    _database_option(migrate)
    migrate.set_defaults(command=_migrate)

    seed = commands.add_parser("seed-demo", help="fill an empty database with demo data")
    seed.add_argument("--size", choices=list(SIZES), default="small")
    seed.add_argument("--seed", type=int, default=2026, help="same seed, same data")
    seed.add_argument("--today", type=_date, default=None, help="YYYY-MM-DD the exam runs around")
    seed.add_argument("--reset", action="store_true", help="empty the database first")
    _database_option(seed)
    seed.set_defaults(command=_seed_demo)

    claims = commands.add_parser(
        "compute-claims", help="compute every officer's claim of a series from its attendance"
    )
    claims.add_argument("--series", required=True, metavar="CODE", help="e.g. KCSE-2026")
    _database_option(claims)
    claims.set_defaults(command=_compute_claims)

    restored = commands.add_parser(
        "restored",
        help="after restoring the database from a backup copied byte for byte: give its "
        "history a new identity, so every device offers again what the backup lacks",
    )
    _database_option(restored)
    restored.set_defaults(command=_restored)

    command = command_maker(commands, _database_option, _open_from_args, CliError)
    portal_cli.add_commands(command)
    devices_cli.add_commands(command)
    payments_cli.add_commands(command)
    return parser


def _open_from_args(args: argparse.Namespace) -> tuple[Database, str]:
    url = _url(args)
    return _open(url), url


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL (default: $CP2HUB_DATABASE_URL, else a SQLite file in the user data folder)",
    )


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


# --- commands -----------------------------------------------------------------------


def _serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from cp2hub import history, logs
    from cp2hub.app import create_app, settled

    url = _url(args)
    settings = _settings(url)
    with logs.Held("alembic") as migrations:
        db = _open(url)
    refusal = settings.refusal(db.engine.dialect.name)
    if refusal:
        db.dispose()
        raise CliError(refusal)
    logs.configure(args.log_level)
    migrations.replay()
    where = {"schema": current_revision(db), "history_id": history.identity(db)}
    logging.getLogger("cp2hub").info(
        "cp2hub: serving %s on http://%s:%s", _show(url), args.host, args.port,
        extra={"event": "serving", **where},
    )  # fmt: skip
    proxy = {"proxy_headers": args.proxy_headers, "forwarded_allow_ips": args.forwarded_allow_ips}
    counts = None
    logged = {"log_config": logs.config(args.log_level), "log_level": args.log_level}
    logged["access_log"] = False  # each request's line is logs.RequestLog's
    try:
        if args.workers > 1:  # each worker opens the database the parent has migrated
            db.dispose()
            os.environ["CP2HUB_DATABASE_URL"] = url
            # The workers count in files here, summed by whichever answers /metrics
            # (cp2hub.metrics); private to this hub, and gone when it stops.
            counts = tempfile.mkdtemp(prefix="cp2hub-metrics-")
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = counts
            uvicorn.run(
                "cp2hub.app:app_from_environment",
                factory=True,
                workers=args.workers,
                host=args.host,
                port=args.port,
                **proxy,
                **logged,
            )
        else:
            uvicorn.run(
                settled(create_app(db, settings)),
                host=args.host,
                port=args.port,
                **proxy,
                **logged,
            )
    finally:
        db.dispose()
        if counts is not None:
            del os.environ["PROMETHEUS_MULTIPROC_DIR"]
            shutil.rmtree(counts, ignore_errors=True)
    return 0


def _settings(url: str) -> Settings:
    try:
        return Settings(database_url=url)
    except ValidationError as exc:
        where = ", ".join(f"CP2HUB_{str(e['loc'][0]).upper()}: {e['msg']}" for e in exc.errors())
        raise CliError(f"a setting is not valid ({where})") from None


def _migrate(args: argparse.Namespace) -> int:
    url = _url(args)
    db = _open(url)
    try:
        print(f"{_show(url)} is at schema revision {current_revision(db)} (newest)")
    finally:
        db.dispose()
    return 0


def _seed_demo(args: argparse.Namespace) -> int:
    url = _url(args)
    db = _open(url)
    started = time.perf_counter()
    try:
        counts = seed_demo(db, args.size, args.seed, args.today, reset=args.reset)
    except DatabaseNotEmpty as error:
        raise CliError(str(error)) from None
    finally:
        db.dispose()
    seconds = time.perf_counter() - started
    print(f"Seeded {args.size} demo data (seed {args.seed}) into {_show(url)} in {seconds:.1f} s:")
    print("  " + ", ".join(f"{table} {count:,}" for table, count in counts.items()))
    print(f"Demo accounts, password {DEMO_PASSWORD!r}:")
    for role, phone in DEMO_ACCOUNTS.items():
        print(f"  {role:<15} {phone}")
    print(f"  {'admin (second)':<15} {SECOND_ADMIN}   approves the batches the first prepares")
    return 0


def _restored(args: argparse.Namespace) -> int:
    from cp2hub.history import new_seed

    url = _url(args)
    db = _open(url)
    try:
        with db.write() as session:
            identity = new_seed(session)
    finally:
        db.dispose()
    print(
        f"The history of {_show(url)} is now {identity}: each device offers again what it "
        "made and pulls from the start at its next sync."
    )
    return 0


def _compute_claims(args: argparse.Namespace) -> int:
    from cp2hub.claims import UnknownSeries, compute_claims

    url = _url(args)
    db = _open(url)
    try:
        summary = compute_claims(db, args.series)
    except UnknownSeries as error:
        raise CliError(error.message) from None
    finally:
        db.dispose()
    print("\n".join(summary.lines()))
    return 0


# --- the database -------------------------------------------------------------------


def _url(args: argparse.Namespace) -> str:
    return args.database_url or Settings().resolved_database_url()


def _open(url: str) -> Database:
    """The database at `url`, upgraded to the newest schema; CliError if unreachable."""
    try:
        db = Database(url)
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        raise CliError(
            f"not a usable database URL {_show(url)}: {_first_line(error, url)}"
        ) from None
    try:
        upgrade(db)
    except DBAPIError as error:
        db.dispose()
        reason = _first_line(error.orig or error, url)
        raise CliError(f"cannot reach the database {_show(url)}: {reason}") from None
    return db


def _show(url: str) -> str:
    """The URL with its password hidden, even when it does not parse."""
    try:
        return redacted(url)
    except (ArgumentError, ValueError):
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def _first_line(error: BaseException, url: str) -> str:
    """The error's first line, with the URL's password blanked should a driver echo it."""
    text = (str(error).strip().splitlines() or [type(error).__name__])[0].strip()
    match = re.search(r"://[^:/@]*:([^@]*)@", url)
    if match and match.group(1):
        text = text.replace(match.group(1), "***")
    return text


if __name__ == "__main__":
    sys.exit(main())
