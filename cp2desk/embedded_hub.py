"""A hub inside the desktop process, for `cp2desk demo`: loopback only, seeded demo data.

Imported only by the demo command, so the desktop app itself never loads the hub. It
runs in demo mode, so a password from Create an account can be read in the SMS outbox
(`cp2hub sms-outbox --database-url sqlite:///<folder>/demo-hub.sqlite3`).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path


def session_series(db) -> list[str]:
    """The codes of the series that have attendance to pay for."""
    from sqlalchemy import select

    from cp2hub.models import Attendance, ExamSession, Series

    with db.read() as session:
        query = (
            select(Series.code)
            .join(ExamSession, ExamSession.series_id == Series.id)
            .join(Attendance, Attendance.session_id == ExamSession.id)
            .distinct()
        )
        return list(session.scalars(query))


class EmbeddedHub:
    """A real hub (FastAPI over SQLite) served by uvicorn in a background thread."""

    def __init__(self, folder: Path, size: str = "small") -> None:
        import uvicorn

        from cp2hub.app import create_app
        from cp2hub.claims import compute_claims
        from cp2hub.db import Database
        from cp2hub.demo.seed import seed_demo
        from cp2hub.schema import has_data, upgrade
        from cp2hub.settings import Settings

        folder.mkdir(parents=True, exist_ok=True)
        self.db = Database(f"sqlite:///{folder / 'demo-hub.sqlite3'}")
        upgrade(self.db)
        if not has_data(self.db):
            seed_demo(self.db, size=size)
            # As KNEC would after the first sittings: claims from the attendance so far.
            for series in session_series(self.db):
                compute_claims(self.db, series)
        app = create_app(self.db, Settings(mode="demo", sms_backend="outbox"))
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="embedded-hub", daemon=True)
        self.url = ""

    def start(self, timeout: float = 20.0) -> str:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("The demo hub did not start.")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.db.dispose()
