"""The check a replica file passes before the app opens it for writing.

A replica holds the only copy of changes the hub has not received yet, so a file the
app cannot trust is refused with `ReplicaUnreadable` instead of being repaired,
migrated or overwritten. The check reads the file through a read-only SQLite
connection: whatever the verdict, the file's bytes stay as they were.

Every open checks the header, the size the header promises (a truncated copy) and
the schema. SQLite's `PRAGMA quick_check` reads every page, about 1.5 ms per MB from
the page cache and ten times that from a cold disk, so at open it runs only on files
up to `QUICK_CHECK_MAX_BYTES` (a centre's replica is far below it) to keep the app's
cold start short; `check_file(path, thorough=True)` runs it on any file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cp2desk.local_db.errors import ReplicaUnreadable

SQLITE_HEADER = b"SQLite format 3\x00"
QUICK_CHECK_MAX_BYTES = 16 * 2**20
SQLITE_CORRUPT = 11
SQLITE_NOTADB = 26


def sqlite_code(exc: BaseException) -> int | None:
    """The primary SQLite result code of `exc` (or of the DB-API error it wraps)."""
    exc = getattr(exc, "orig", None) or exc
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def check_file(path: Path, *, thorough: bool | None = None) -> str | None:
    """The schema revision of the replica at `path`; None for a new (absent or empty) file.

    Raises `ReplicaUnreadable` for a file that is not SQLite, is damaged, or belongs to
    another application; a revision this app does not know is left to the caller, which
    can tell an older revision from a newer one. `thorough` forces (or skips) SQLite's
    page-by-page quick check; by default it runs on files of moderate size.
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
    size = path.stat().st_size
    with path.open("rb") as file:
        header = file.read(100)
    if not header.startswith(SQLITE_HEADER):
        raise ReplicaUnreadable(path, "it is not a CP2 Desk data file (not an SQLite database)")
    promised = _promised_size(header)
    if promised > size and not _has_wal(path):
        raise ReplicaUnreadable(path, f"it is truncated ({size:,} of {promised:,} bytes)")
    if thorough is None:
        thorough = size <= QUICK_CHECK_MAX_BYTES
    try:
        return _read_revision(path, thorough)
    except sqlite3.DatabaseError as exc:
        if sqlite_code(exc) in (SQLITE_CORRUPT, SQLITE_NOTADB):
            raise ReplicaUnreadable(path, f"it is damaged (SQLite: {exc})") from exc
        raise


def _promised_size(header: bytes) -> int:
    """The file size the header promises (pages x page size); 0 if it promises nothing.

    The in-header page count is trusted only when "version-valid-for" matches the change
    counter, as SQLite itself does. A header cut short promises at least its 100 bytes.
    """
    if len(header) < 100:
        return 100
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if header[24:28] != header[92:96]:
        return 0
    return pages * page_size


def _has_wal(path: Path) -> bool:
    """A non-empty write-ahead log may hold pages past the end of the main file."""
    wal = path.with_name(path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def _read_revision(path: Path, thorough: bool) -> str | None:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        if thorough:
            problems = [row[0] for row in connection.execute("PRAGMA quick_check(5)")]
            if problems != ["ok"]:
                raise ReplicaUnreadable(path, f"it is damaged (SQLite: {'; '.join(problems)})")
        tables = {
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        if not tables:
            return None
        if "alembic_version" not in tables:
            raise ReplicaUnreadable(path, "it belongs to another application")
        revisions = [
            row[0] for row in connection.execute("SELECT version_num FROM alembic_version")
        ]
        if len(revisions) != 1:
            raise ReplicaUnreadable(path, "its schema version is missing or ambiguous")
        return revisions[0]
    finally:
        connection.close()
