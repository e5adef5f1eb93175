"""`cp2hub` commands for the devices users signed in on.

    cp2hub devices [--phone P] [--sort last-seen|created] [--limit N]   newest seen first
    cp2hub revoke-device ID                                 end a device's sign-in for good

A device id may be shortened to its first 8 characters, as listed. The same functions
serve the hub's /admin/devices API (`cp2hub.devices`).
"""

from __future__ import annotations

import datetime as dt

from cp2hub import devices
from cp2hub.accounts import local_number, phone_of
from cp2hub.cli_commands import CommandMaker
from cp2hub.db import Database
from cp2hub.settings import Settings


def add_commands(command: CommandMaker) -> None:
    """Add the commands to `cp2hub` with its `command(name, help, run)`."""

    listing = command("devices", "list the devices users signed in on", _devices)
    listing.add_argument("--phone", help="only this user's devices")
    listing.add_argument(
        "--sort",
        choices=("last-seen", "created"),
        default="last-seen",
        help="most recently seen (default) or newest first",
    )
    listing.add_argument("--limit", type=int, default=200)
    revoke = command("revoke-device", "revoke a device: it can no longer sign in or sync", _revoke)
    revoke.add_argument("device", help="the device's id, or its first 8 characters as listed")


def _devices(args, db: Database, _settings: Settings) -> None:
    phone = phone_of(args.phone) if args.phone else None
    with db.read() as session:
        lines = devices.listing(session, phone, args.sort.replace("-", "_"), max(args.limit, 1))
    if not lines:
        print("No devices" + (f" of {local_number(phone)}." if phone else "."))
    for line in lines:
        print(describe(line))


def _revoke(args, db: Database, _settings: Settings) -> None:
    with db.write() as session:
        line = devices.revoke(session, args.device)
    print(
        f"Revoked device {line.short_id} ({line.name or 'unnamed'}) of "
        f"{line.user_name or local_number(line.phone)}: it can no longer sign in or sync."
    )


def describe(line: devices.DeviceLine) -> str:
    """One device on one line: id, who, roles, name, app, created, last seen, revoked."""
    state = f"REVOKED {_when(line.revoked_at)}" if line.revoked_at else "active"
    return (
        f"{line.short_id}  {local_number(line.phone)}  {line.user_name or '-'}  "
        f"[{', '.join(line.roles) or '-'}]  {line.name or '-'!r}  "
        f"app {line.app_version or 'unknown'}  created {_when(line.created_at)}  "
        f"seen {_when(line.last_seen_at)}  {state}"
    )


def _when(moment: dt.datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "never"
