"""The `cp2desk` command: the app, the demo on an embedded hub, and a one-off sync."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import tempfile
from pathlib import Path

ROLES = ("centre_manager", "tsc_director", "scde", "knec_clerk", "admin", "professional")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cp2desk", description="CP2 Desk for exam field officers")
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="open the app (the default)")
    run.add_argument("--hub", default=os.environ.get("CP2DESK_HUB_URL", ""))
    run.add_argument(
        "--exit-after", type=float, default=0, help="quit after this many seconds (smoke tests)"
    )
    demo = commands.add_parser("demo", help="open the app on an embedded hub with demo data")
    demo.add_argument("--role", choices=ROLES, default="centre_manager")
    demo.add_argument(
        "--home", type=Path, help="keep the demo's files here (default: a new temp folder)"
    )
    demo.add_argument("--size", default="small", choices=("small", "medium"))
    demo.add_argument("--exit-after", type=float, default=0, help=argparse.SUPPRESS)
    sync = commands.add_parser("sync", help="sync once from the command line")
    sync.add_argument("--hub", required=True, help="the hub's address, e.g. https://cp2.example")
    sync.add_argument("--phone", required=True)
    sync.add_argument("--password", help="defaults to asking; offline-unlock password")
    export = commands.add_parser("export", help="save the changes not yet synced to a file")
    export.add_argument("--hub", required=True)
    export.add_argument("--phone", required=True)
    export.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "export":
        return _export(args)
    if args.command == "sync":
        return _sync(args)
    if args.command == "demo":
        return _demo(args)
    hub = getattr(args, "hub", "") or os.environ.get("CP2DESK_HUB_URL", "")
    return _run(hub, exit_after=getattr(args, "exit_after", 0))


def _no_screen() -> bool:
    """On Linux with no screen and no Qt platform chosen, say so (Qt would abort)."""
    missing = (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    )
    if missing:
        print(
            "CP2 Desk needs a screen, and this session has none (no DISPLAY). Run it on a "
            "desktop, or under a virtual screen: xvfb-run cp2desk ...",
            file=sys.stderr,
        )
    return missing


def _run(hub_url: str, **sign_in) -> int:
    if _no_screen():
        return 2
    from cp2desk.ui.app import run

    return run(hub_url=hub_url, **sign_in)


def _demo(args) -> int:
    if _no_screen():
        return 2
    from cp2desk.embedded_hub import EmbeddedHub
    from cp2hub.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

    home = args.home or Path(tempfile.mkdtemp(prefix="cp2desk-demo-"))
    os.environ.setdefault("CP2DESK_HOME", str(home / "desk"))
    print(f"Starting the demo hub in {home} ...", flush=True)
    hub = EmbeddedHub(home / "hub", size=args.size)
    url = hub.start()
    phone = DEMO_ACCOUNTS[args.role]
    print(f"Demo hub at {url}; signing in as {args.role} ({phone}, password {DEMO_PASSWORD})")
    print(f"The CP2 portal, for any browser: {url}/ (sign in as above, or create an account)")
    try:
        return _run(url, phone=phone, password=DEMO_PASSWORD, exit_after=args.exit_after)
    finally:
        hub.stop()


def _sync(args) -> int:
    from cp2desk.local_db.errors import ReplicaError
    from cp2desk.services import account as accounts
    from cp2desk.sync.errors import SyncError

    password = args.password or getpass.getpass("Password: ")
    try:
        try:
            acc = accounts.sign_in(args.hub, args.phone, password)
        except SyncError as exc:
            if exc.code not in ("unreachable", "hub_failed"):
                raise
            acc = accounts.unlock_offline(args.hub, args.phone, password)
        pending = acc.replica.pending_count()
        print(f"Signed in as {acc.phone}; {pending} change(s) waiting to sync.")

        def progress(stage: str, done: int, total: int) -> None:
            print(f"\r{stage}: {done}" + (f"/{total}" if total else ""), end="", flush=True)

        report = acc.engine.sync(progress)
        print(f"\nSync finished: {report.summary()}.")
        for reason in report.issues:
            print(f"  - {reason}")
        acc.replica.dispose()
        return 0
    except (SyncError, ReplicaError) as exc:
        print(f"Sync failed: {exc.message}", file=sys.stderr)
        if getattr(exc, "reference", None):
            print(f"Reference: {exc.reference} (for the help desk)", file=sys.stderr)
        return 1


def _export(args) -> int:
    from cp2desk import paths
    from cp2desk.local_db.errors import ReplicaError
    from cp2desk.local_db.replica import Replica
    from cp2desk.sync.export import export_pending
    from cp2desk.sync.phones import InvalidPhone, normalise_phone

    try:
        path = paths.replica_path(args.hub, normalise_phone(args.phone))
    except InvalidPhone as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if not path.exists():
        print(f"No data for {args.phone} on this computer.", file=sys.stderr)
        return 1
    try:
        replica = Replica(path)
    except ReplicaError as exc:
        print(f"Export failed: {exc.message}", file=sys.stderr)
        return 1
    try:
        count = export_pending(replica, args.out)
    except ReplicaError as exc:
        print(f"Export failed: {exc.message}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Export failed: cannot write {args.out}: {exc.strerror}.", file=sys.stderr)
        return 1
    finally:
        replica.dispose()
    print(f"Saved {count} unsynced change(s) to {args.out}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
