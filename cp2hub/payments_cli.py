"""`cp2hub` commands for paying claims (the same functions as the console and the API).

    cp2hub payments                                        the latest batches
    cp2hub payments-prepare --series CODE [--county C] --as PHONE
    cp2hub payments-approve BATCH --as PHONE               another admin than the preparer
    cp2hub payments-run BATCH --as PHONE                   again after a stop: only the unpaid
    cp2hub payments-cancel BATCH --as PHONE
    cp2hub payments-bank-file BATCH --as PHONE [--output FILE]
    cp2hub payments-bank-paid BATCH --reference REF --as PHONE
    cp2hub payments-release PAYMENT --as PHONE             in doubt, never received by the provider
    cp2hub payments-audit [--batch BATCH] [--csv]

`--as` names the administrator acting (their phone), who proves it with their password
(CP2HUB_ADMIN_PASSWORD, else asked at the terminal; the same check and lockout as
signing in): every act is in the audit log under their name, and maker-checker holds on
the command line too, since nobody acts as another administrator by typing their number. A batch may be
named by the first 8 characters of its id, as listed.
"""

from __future__ import annotations

import getpass
import os
import sys
from functools import partial
from pathlib import Path

from cp2hub import auth
from cp2hub.accounts import phone_of
from cp2hub.cli_commands import CommandMaker
from cp2hub.db import Database
from cp2hub.errors import HubError
from cp2hub.payments import audit, bank_file, batches, reconcile
from cp2hub.payments.audit import Actor
from cp2hub.payments.backends import backend
from cp2hub.payments.run import CHUNK, run_batch
from cp2hub.settings import Settings
from cp2hub.sms import gateway


def add_commands(command: CommandMaker) -> None:
    """Add the commands to `cp2hub` with its `command(name, help, run)`."""
    command("payments", "list the latest payment batches", _list)
    prepare = command("payments-prepare", "prepare a batch of a series' payable claims", _prepare)
    prepare.add_argument("--series", required=True, metavar="CODE", help="e.g. KCSE-2026")
    prepare.add_argument("--county", help="one county's claims (code or name); default: all")
    _as(prepare)
    for name, help_text, run in (
        ("payments-approve", "approve a batch another administrator prepared", _approve),
        ("payments-cancel", "cancel a batch not yet run", _cancel),
    ):
        _as(_batch(command(name, help_text, run)))
    paying = _as(_batch(command(
        "payments-run", "pay an approved batch (again after a stop: only the unpaid)", _run
    )))  # fmt: skip
    paying.add_argument(
        "--chunk", type=int, default=CHUNK, help=f"payments a transaction (default {CHUNK:,})"
    )
    bank = _as(_batch(command("payments-bank-file", "write a batch's bank transfer file", _bank)))
    bank.add_argument("--output", type=Path, help="the CSV file (default: its own name, here)")
    paid = _as(_batch(command("payments-bank-paid", "the bank paid a batch's file", _bank_paid)))
    paid.add_argument("--reference", required=True, help="the bank's reference for the transfer")
    release = _as(
        command("payments-release", "queue again a payment the provider never received", _release)
    )
    release.add_argument("payment", help="the payment's id")
    log = command("payments-audit", "print the payments' audit log", _audit)
    log.add_argument("--batch", help="one batch's lines")
    log.add_argument("--csv", action="store_true", help="the whole log as CSV")


def _as(parser):
    parser.add_argument(
        "--as", dest="admin", required=True, metavar="PHONE", help="the administrator acting"
    )
    return parser


def _batch(parser):
    parser.add_argument("batch", help="the batch's id, or its first 8 characters as listed")
    return parser


PASSWORD_VARIABLE = "CP2HUB_ADMIN_PASSWORD"


def _actor(db: Database, phone: str, settings: Settings) -> Actor:
    """The administrator `--as` names, once their password proved it is them."""
    number = phone_of(phone)
    with db.read() as session:
        actor = Actor.admin(session, number)
    password = os.environ.get(PASSWORD_VARIABLE) or _asked(phone)
    auth.signed_in_user(db, number, password, settings)
    return actor


def _asked(phone: str) -> str:
    if not sys.stdin.isatty():
        raise HubError(
            f"Give the password of the administrator {phone}: set {PASSWORD_VARIABLE}, or run "
            "the command at a terminal to be asked for it."
        )
    return getpass.getpass(f"Password of the administrator {phone}: ")


def _list(_args, db: Database, _settings: Settings) -> None:
    with db.read() as session:
        lines = batches.listing(session)
    if not lines:
        print("No payment batches.")
    for line in lines:
        print(describe(line))


def describe(line: batches.BatchLine) -> str:
    states = ", ".join(f"{s} {n:,}" for s, (n, _a) in sorted(line.by_status.items()))
    return (
        f"{line.short_id}  {line.series_code}  {line.county}  {line.status}  "
        f"{line.count:,} claims  KSh {line.total:,}  paid KSh {line.paid:,}  "
        f"prepared by {line.prepared_by}, approved by {line.approved_by or '-'}  [{states}]"
    )


def _prepare(args, db: Database, settings: Settings) -> None:
    actor = _actor(db, args.admin, settings)
    with db.write() as session:
        line = batches.prepare(session, args.series, args.county, actor)
    print(f"Prepared {describe(line)}")
    print("Another administrator approves it: cp2hub payments-approve " + line.short_id)


def _approve(args, db: Database, settings: Settings) -> None:
    actor = _actor(db, args.admin, settings)
    with db.write() as session:
        print(f"Approved {describe(batches.approve(session, args.batch, actor))}")


def _cancel(args, db: Database, settings: Settings) -> None:
    actor = _actor(db, args.admin, settings)
    with db.write() as session:
        print(f"Cancelled {describe(batches.cancel(session, args.batch, actor))}")


def _run(args, db: Database, settings: Settings) -> None:
    actor = _actor(db, args.admin, settings)
    sms = partial(gateway, settings)
    summary = run_batch(db, args.batch, actor, backend(settings, db), sms, max(args.chunk, 1))
    print("\n".join(summary.lines()))


def _bank(args, db: Database, settings: Settings) -> None:
    actor = _actor(db, args.admin, settings)
    with db.write() as session:
        name, text = bank_file.of_batch(session, args.batch, actor)
    path = args.output or Path(name)
    path.write_text(text, encoding="utf-8")
    print(f"Wrote {path} ({text.count(chr(10)) - 1:,} payments).")


def _bank_paid(args, db: Database, settings: Settings) -> None:
    actor = _actor(db, args.admin, settings)
    with db.write() as session:
        count = reconcile.confirm_bank_file(
            session, args.batch, args.reference, actor, gateway(settings, session)
        )
    print(f"{count:,} bank payments marked paid, ref {args.reference}.")


def _release(args, db: Database, settings: Settings) -> None:
    actor = _actor(db, args.admin, settings)
    with db.write() as session:
        payment = reconcile.release(session, args.payment, actor)
    print(f"Payment {payment.id[:8]} is queued again: the next run sends it.")


def _audit(args, db: Database, _settings: Settings) -> None:
    with db.read() as session:
        if args.csv:
            print(audit.export_csv(session, args.batch), end="")
            return
        lines = audit.lines(session, args.batch)
    for a in lines:
        print(
            f"{a.at:%Y-%m-%d %H:%M:%S}  {a.actor}  {a.action}  {(a.batch_id or '-')[:8]}  "
            f"{a.count:,}  KSh {a.amount:,}  {a.detail}"
        )
