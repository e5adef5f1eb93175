"""The sync engine: push the outbox, then pull the scope's changes, as named stages.

Each stage is safe to cut off at any instant: an outbox entry leaves only in the
transaction that stores the hub's answer, and a pulled page is applied in the same
transaction that advances the cursor. A retried stage repeats nothing harmful: the
hub answers a redelivered entry with its first answer, and re-applying a page is an
idempotent upsert.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import sqltypes

from cp2desk.collection import collection_paused
from cp2desk.local_db.models import (
    MODEL_BY_TABLE,
    REPLICATED,
    Deployment,
    OutboxEntry,
    Reoffer,
    SyncIssue,
)
from cp2desk.local_db.replica import Replica
from cp2desk.sync import restore
from cp2desk.sync.client import HubClient
from cp2desk.sync.protocol import (
    MAX_PULL_PAGE,
    Answer,
    Change,
    PullPage,
    read_columns,
    table_layout,
)

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): total is 0 when unknown."""


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    refused: int = 0
    reoffered: int = 0
    """Rows offered again to a hub restored from backup."""
    restored: bool = False
    """The hub's history changed (it was restored from backup), noticed or still being
    dealt with during this sync."""
    issues: list[str] = field(default_factory=list)

    def summary(self) -> str:
        restored = (
            f"; the hub was restored from a backup, {self.reoffered} of your changes sent again"
            if self.restored
            else ""
        )
        return (
            f"pushed {self.pushed}, pulled {self.pulled}, "
            f"conflicts {self.conflicts}, refused {self.refused}{restored}"
        )


class SyncEngine:
    def __init__(
        self,
        replica: Replica,
        client: HubClient,
        batch_size: int = 200,
        page_size: int | None = None,
        first_screens: Callable[[], dt.date] | None = None,
    ) -> None:
        self.replica = replica
        self.client = client
        self.batch_size = batch_size
        self.page_size = page_size
        """Rows a pull page asks for; None: adapt to the link (`next_page_size`)."""
        self.first_screens = first_screens
        """Today, for a first sync's first pass (`first_pass`); None: no such pass."""
        self._adaptive: int | None = None

    def sync(self, progress: Progress | None = None) -> SyncReport:
        report = SyncReport()
        progress = progress or (lambda *_: None)
        self.push(report, progress)
        self.first_pass(report, progress)
        self.pull(report, progress)
        if report.restored:  # what the restored hub lacked is queued first: push, pull back
            self.push(report, progress)
            self.pull(report, progress)
        with self.replica.write() as session:
            self.replica.set_state(session, "last_sync_at", dt.datetime.now().isoformat())
        return report

    def cursor(self) -> int:
        """The sequence this replica has pulled to (what the live channel asks after)."""
        with self.replica.read() as session:
            return int(self.replica.get_state(session, "cursor") or 0)

    # --- push -----------------------------------------------------------------------

    def push(self, report: SyncReport, progress: Progress) -> None:
        """Push the outbox in batches. A hub whose history is not the one this device last
        pulled from (restored from backup) applies nothing: the pull notices the restore,
        and the rows the hub lacks are offered before any change made since. Until the pull
        has queued them (`restore.queue`), the outbox waits."""
        if restore.holding(self.replica):
            report.restored = True
            return
        total = self.replica.pending_count()
        done = 0
        while True:
            with self.replica.read() as session:
                entries = session.scalars(
                    select(OutboxEntry).order_by(OutboxEntry.position).limit(self.batch_size)
                ).all()
                known = self.replica.get_state(session, "history_id") or ""
            if not entries:
                return
            response = self.client.push([_change(e) for e in entries], known)
            if known and response.history_id and response.history_id != known:
                report.restored = True
                return
            by_key = {a.key: a for a in response.answers}
            with self.replica.write() as session:
                for entry in entries:
                    answer = by_key.get(entry.key)
                    if answer is not None:
                        self._settle(session, entry, answer, report)
            done += len(entries)
            progress("push", done, max(total, done))
            if len(by_key) < len(entries):
                return  # the hub answered part of the batch; the rest waits for next time

    def _settle(self, session: Session, entry: OutboxEntry, answer: Answer, report) -> None:
        """Store the hub's answer and let the entry go, in one transaction."""
        session.execute(delete(OutboxEntry).where(OutboxEntry.position == entry.position))
        if answer.outcome == "applied":
            report.pushed += 1
            return
        if answer.outcome == "conflict":
            report.conflicts += 1
        else:
            report.refused += 1
        report.issues.append(answer.reason)
        session.add(
            SyncIssue(
                kind=answer.outcome,
                table_name=entry.table_name,
                row_id=entry.row_id,
                summary=entry.summary,
                reason=answer.reason,
                local_json=entry.row_json,
                hub_json=json.dumps(answer.row) if answer.row else "",
                at=dt.datetime.now(),
            )
        )
        later = session.scalar(
            select(OutboxEntry.position).where(OutboxEntry.row_id == entry.row_id).limit(1)
        )
        if later is None:  # no newer local edit of this row: return to the hub's truth
            _restore(session, entry, answer)

    # --- pull -----------------------------------------------------------------------

    def pull(self, report: SyncReport, progress: Progress) -> None:
        """Pull pages until the hub has no more, fetching and decoding the next page while
        this one is applied (the hub's work, the decoding and the device's inserts
        overlap). The cursor advances only in the transaction that applies a page; a page
        fetched ahead is simply re-fetched if the sync stops before applying it. Pages are
        hundreds of thousands of small acyclic objects: the cyclic collector waits."""
        with collection_paused(), ThreadPoolExecutor(1, thread_name_prefix="pull-ahead") as ahead:
            while True:
                with self.replica.read() as session:
                    cursor = int(self.replica.get_state(session, "cursor") or 0)
                    scope_key = self.replica.get_state(session, "scope_key") or ""
                    known = self.replica.get_state(session, "history_id") or ""
                future = ahead.submit(self._fetch, cursor, scope_key)
                while True:
                    page = future.result()
                    if known and page.history_id and page.history_id != known:
                        restore.hold(self.replica, page.history_id, page.scope_key)
                        report.restored = True
                        break  # start again from cursor 0, holding what this device made
                    if page.reset:
                        self._reset(page.scope_key, page.history_id)
                        break  # start again from cursor 0 with the new scope
                    if page.more:
                        future = ahead.submit(self._fetch, page.cursor, page.scope_key)
                    self._apply(page, report)
                    progress("pull", report.pulled, 0)
                    if not page.more:
                        report.reoffered += restore.queue(self.replica)
                        return

    def first_pass(self, report: SyncReport, progress: Progress) -> None:
        """On a replica's very first sync: the rows of today's and the coming sessions'
        screens first (everything but the attendance of past sessions, most of a
        sub-county's rows), so on a slow link the register or the overview opens while
        the rest arrives. The rows are applied, the cursor stays at 0: the pull that
        follows brings everything, these rows again among it (a few percent more)."""
        if self.first_screens is None:
            return
        with self.replica.read() as session:
            if self.replica.get_state(session, "cursor") or self.replica.get_state(
                session, "history_id"
            ):
                return  # not a first sync
        today, cursor, got = self.first_screens(), 0, 0
        while True:
            progress("first", got, 0)
            page = self.client.pull(cursor, "", None, today)
            if page.reset or not page.tables and not page.more:
                break
            decoded = decode_page(page, self.replica.engine.dialect)
            with self.replica.write() as session:
                got += apply_page(session, decoded)
            cursor = page.cursor
            if not page.more:
                break
        progress("ready", got, 0)

    def _fetch(self, cursor: int, scope_key: str) -> DecodedPage:
        asked = self.page_size or self._adaptive
        started = time.monotonic()
        try:
            page = self.client.pull(cursor, scope_key, asked)
        except Exception:
            self._adaptive = None  # a failed page: back to the hub's own page size
            raise
        if self.page_size is None:
            rows = sum(len(t.rows) for t in page.tables)
            self._adaptive = next_page_size(rows, page.more, time.monotonic() - started)
        return decode_page(page, self.replica.engine.dialect)

    def _apply(self, page: DecodedPage, report: SyncReport) -> None:
        """Apply one page and advance the cursor, in one transaction."""
        with self.replica.write() as session:
            report.pulled += apply_page(session, page)
            self.replica.set_state(session, "cursor", str(page.cursor))
            self.replica.set_state(session, "scope_key", page.scope_key)
            if page.history_id:
                self.replica.set_state(session, "history_id", page.history_id)
            self.replica.clock.observe(page.last_hlc)
            self.replica.set_state(session, "clock", str(self.replica.clock.last))

    def _reset(self, scope_key: str, history_id: str) -> None:
        """The scope changed: drop what was pulled (keeping unsent changes, and rows held
        for a restored hub), pull afresh."""
        with self.replica.write() as session:
            kept = select(OutboxEntry.row_id).union(select(Reoffer.row_id))
            for model in REPLICATED:
                session.execute(delete(model).where(model.id.not_in(kept)))
            self.replica.set_state(session, "cursor", "0")
            self.replica.set_state(session, "scope_key", scope_key)
            if history_id:
                self.replica.set_state(session, "history_id", history_id)


def _change(entry: OutboxEntry) -> Change:
    return Change(
        key=entry.key,
        table=entry.table_name,
        row=json.loads(entry.row_json),
        fields=[f for f in entry.fields.split(",") if f],
        base_hlc=entry.base_hlc,
    )


FAST_PAGE_SECONDS = 1.0
SLOW_PAGE_SECONDS = 8.0
SMALLEST_PAGE = 500


def next_page_size(rows: int, more: bool, seconds: float) -> int | None:
    """The page size to ask for next, from how the last page came: a full page that came
    fast (a good link) asks for twice as many rows, up to the protocol's largest page, so
    a bootstrap takes fewer, larger transactions; a page that came slowly (a poor link)
    asks for half, so a dropped connection loses less. None: the hub's own size."""
    if not more or not rows:
        return None
    if seconds < FAST_PAGE_SECONDS:
        return min(2 * rows, MAX_PULL_PAGE)
    if seconds > SLOW_PAGE_SECONDS:
        return max(rows // 2, SMALLEST_PAGE)
    return rows


@dataclass
class DecodedPage:
    """A pull page checked and decoded, its rows ready to insert as they are."""

    cursor: int
    more: bool
    reset: bool
    scope_key: str
    tables: list[tuple[str, tuple[str, ...], list[tuple]]]  # (table, columns, rows)
    last_hlc: int = 0
    history_id: str = ""


def decode_page(page: PullPage, dialect) -> DecodedPage:
    """Decode every table of a page (ProtocolError if any of it is damaged) into rows of
    the values the replica stores, exactly as the ORM would store them (`storer`)."""
    tables, last_hlc = [], 0
    for table_page in page.tables:
        columns, cells = read_columns(page, table_page)
        if not cells:
            continue
        _, storers = _upsert(table_page.table, columns, dialect)
        last_hlc = max([last_hlc, *(v for v in cells[columns.index("hlc")] if v is not None)])
        for i, store in storers:
            cells[i] = list(map(store, cells[i]))
        tables.append((table_page.table, columns, list(zip(*cells, strict=True))))
    return DecodedPage(
        page.cursor, page.more, page.reset, page.scope_key, tables, last_hlc, page.history_id
    )


def apply_page(session: Session, page: DecodedPage) -> int:
    """Upsert a page's rows, except rows with unsent local changes (those win until pushed)
    and rows held for a restored hub that it has only in an older version (`restore`)."""
    pending = set(session.scalars(select(OutboxEntry.row_id)))
    held = restore.held(session)
    connection = session.connection()
    count = 0
    for table, columns, rows in page.tables:
        if pending:
            at = columns.index("id")
            rows = [r for r in rows if r[at] not in pending]
        if held:
            rows = restore.settle(session, held, columns, rows)
        if rows:
            # The hub is the truth: a row it sends replaces any local row it collides with.
            sql, _ = _upsert(table, columns, connection.dialect)
            connection.exec_driver_sql(sql, rows)
            count += len(rows)
    return count


@cache
def _upsert(table_name: str, columns: tuple[str, ...], dialect) -> tuple[str, list]:
    table = MODEL_BY_TABLE[table_name].__table__
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    sql = (
        f"INSERT OR REPLACE INTO {quote(table_name)} ({names}) "
        f"VALUES ({', '.join('?' * len(columns))})"
    )
    storers = [(i, storer(table.c[c].type, dialect)) for i, c in enumerate(columns)]
    return sql, [(i, s) for i, s in storers if s is not None]


def storer(column_type, dialect) -> Callable | None:
    """What turns a decoded value into the value stored: the bind processor of the
    column's type, except on SQLite for dates, times and booleans, where C-level
    equivalents do the same in a fraction of the time (ISO text as SQLite's default
    storage formats write it, cut before any UTC offset as those ignore it; a bool as it
    is, since sqlite3 binds True and False as 1 and 0). A test holds them to the same
    output as the bind processors."""
    impl = column_type.dialect_impl(dialect)
    if dialect.name == "sqlite":
        if isinstance(impl, sqltypes.Boolean):
            return None
        for kind, store in _SQLITE_TEXT:
            if isinstance(impl, kind):
                return store
    return impl.bind_processor(dialect)


_SQLITE_TEXT = (
    (sqltypes.DateTime, lambda v: v if v is None else v.isoformat(" ", "microseconds")[:26]),
    (sqltypes.Date, lambda v: v if v is None else v.isoformat()[:10]),
    (sqltypes.Time, lambda v: v if v is None else v.isoformat("microseconds")[:15]),
)


def _restore(session: Session, entry: OutboxEntry, answer: Answer) -> None:
    """Undo a change the hub did not take: drop the local row, put back the hub's."""
    model = MODEL_BY_TABLE[entry.table_name]
    session.execute(delete(model).where(model.id == entry.row_id))
    if entry.table_name == "redeployment":  # the move's new deployment never happened
        started = json.loads(entry.row_json).get("to_deployment_id")
        session.execute(delete(Deployment).where(Deployment.id == started))
    if answer.row:
        table = answer.table or entry.table_name
        _, _, parsers = table_layout(table)
        row = dict(answer.row)
        for name, parse in parsers.items():
            if isinstance(row.get(name), str):
                row[name] = parse(row[name])
        session.execute(insert(MODEL_BY_TABLE[table]).prefix_with("OR REPLACE"), [row])
