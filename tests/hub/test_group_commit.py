"""Group commit: writes handed in at the same moment share one transaction, and one
job's failure fails no other. On SQLite, processes take turns through a lock file."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import event, func, select

from cp2hub.auth import utcnow
from cp2hub.db import Database
from cp2hub.models import SmsMessage
from cp2hub.schema import upgrade


@pytest.fixture
def db(hub_database: Database) -> Database:
    return hub_database


def message_job(phone: str, fail: bool = False):
    def job(session):
        session.add(SmsMessage(phone=phone, body="hello", at=utcnow()))
        session.flush()
        if fail:
            raise ValueError(f"job {phone} failed")
        return phone

    return job


def run_jobs(session, jobs):
    """Group commit's simplest work: each item is a function of the session."""
    return [job(session) for job in jobs]


def run_weighed_jobs(session, jobs):
    """The same work, handed in with a weight: a job's `weight` attribute."""
    return run_jobs(session, jobs)


def submit(db: Database, job, run=run_jobs):
    weigh = (lambda job: job.weight) if run is run_weighed_jobs else None
    return db.grouped(run, weigh).submit(job)


def phones(db: Database) -> set[str]:
    with db.read() as s:
        return set(s.scalars(select(SmsMessage.phone)))


def run_together(
    db: Database, jobs: dict[str, object], run=run_jobs
) -> tuple[dict[str, object], int]:
    """Hand every job in while another job holds the turn, then let them all go: the
    results (or errors) by name, and how many transactions committed."""
    commits: list[int] = []
    listener = lambda conn: commits.append(1)  # noqa: E731
    event.listen(db.write_engine, "commit", listener)
    started, release = threading.Event(), threading.Event()

    def blocker(session):
        session.execute(select(1))  # a transaction of its own on every backend
        started.set()
        release.wait(10)
        return "blocker"

    results: dict[str, object] = {}

    def hand_in(name, job):
        try:
            results[name] = submit(db, job, run)
        except ValueError as exc:
            results[name] = exc

    blocker.weight = 1
    threads = [threading.Thread(target=hand_in, args=("blocker", blocker))]
    threads[0].start()
    started.wait(10)
    deadline = time.monotonic() + 10
    for n, item in enumerate(jobs.items(), 1):  # one by one: they queue in this order
        threads.append(threading.Thread(target=hand_in, args=item))
        threads[-1].start()
        while db.grouped(run).waiting < n and time.monotonic() < deadline:
            time.sleep(0.002)
    release.set()
    for t in threads:
        t.join(10)
    event.remove(db.write_engine, "commit", listener)
    assert results.pop("blocker") == "blocker"
    return results, len(commits)


def test_jobs_waiting_together_share_one_commit(db):
    names = [f"2547000000{n:02d}" for n in range(8)]
    results, commits = run_together(db, {n: message_job(n) for n in names})
    assert results == {n: n for n in names}
    assert commits == 2  # the blocker's, and one for the eight (not eight)
    assert phones(db) == set(names)


def test_a_group_holds_at_most_its_weight(db, monkeypatch):
    """Pushes weigh their changes: a transaction takes the oldest up to the limit, and
    one heavier than the limit still goes (alone)."""
    monkeypatch.setattr("cp2hub.db.GROUP_WEIGHT", 10)
    weights = [4, 4, 4, 4, 4, 25, 1]  # in order: [4, 4] [4, 4] [4] [25] [1]
    jobs = {}
    for n, weight in enumerate(weights):
        job = message_job(f"2547000001{n:02d}")
        job.weight = weight
        jobs[f"2547000001{n:02d}"] = job
    results, commits = run_together(db, jobs, run_weighed_jobs)
    assert results == {n: n for n in jobs}
    assert commits == 1 + 5
    assert phones(db) == set(jobs)


def test_a_failing_job_fails_alone_and_the_others_are_written(db):
    names = [f"2547000000{n:02d}" for n in range(8)]
    results, commits = run_together(
        db, {n: message_job(n, fail=(n == names[3])) for n in names}
    )
    assert isinstance(results.pop(names[3]), ValueError)  # its own error, to it alone
    assert results == {n: n for n in names if n != names[3]}
    assert commits == 1 + 7  # the blocker's; the group rolled back; then each of the rest
    assert phones(db) == set(names) - {names[3]}  # the failed job wrote nothing


def test_a_lone_job_that_fails_raises_and_writes_nothing(db):
    with pytest.raises(ValueError, match="failed"):
        submit(db, message_job("254700000099", fail=True))
    assert phones(db) == set()


HOLD = """
import sys, time
from cp2hub.db import Database
db = Database(sys.argv[1])
with db.write():
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_sqlite_writers_of_other_processes_wait_on_the_lock_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    db = Database(url)
    upgrade(db)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, url, "1.5"], stdout=subprocess.PIPE, text=True,
        cwd=os.getcwd(),
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "holding"
        lock_file = tmp_path / "hub.sqlite3-writer"
        fd = os.open(lock_file, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):  # the other process holds the turn
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
        began = time.monotonic()
        submit(db, message_job("254700000001"))  # waits for the holder, then writes
        assert time.monotonic() - began > 0.5
        assert holder.wait(10) == 0
        with db.read() as s:
            assert s.scalar(select(func.count()).select_from(SmsMessage)) == 1
    finally:
        holder.kill()
        holder.wait()
        db.dispose()


def test_a_sqlite_hub_commits_durably(tmp_path):
    """A device lets go of a change once the hub answers "applied", so the hub's commit
    must survive a power cut: write-ahead log, synced at every commit (FULL = 2)."""
    db = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    try:
        for engine in (db.engine, db.write_engine):
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    finally:
        db.dispose()
