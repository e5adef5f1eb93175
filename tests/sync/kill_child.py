"""A device that marks attendance and syncs in a loop until it is killed (test_kill).

`run` is the body of the child process. Each mark is written with a row in a test-only
ledger table in the same transaction, so after a SIGKILL the test knows exactly which
marks were committed. The refresh token is kept in a file next to the replica (in the
app it lives in the keyring), so a restarted child resumes without signing in again.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from sqlalchemy import select, text

from cp2desk.local_db import models as lm
from cp2desk.local_db.replica import Replica
from cp2desk.sync.client import HubClient
from cp2desk.sync.engine import SyncEngine
from cp2desk.sync.errors import SyncError
from cp2desk.sync.protocol import TokenPair
from cp2desk.sync.records import natural_id
from tests.sync.marks import LEDGER_DDL, mark


def targets(replica: Replica) -> tuple[list, list[str]]:
    with replica.read() as s:
        deployments = s.execute(
            select(lm.Deployment.id, lm.Deployment.station_id, lm.Deployment.professional_id)
        ).all()
        sessions = list(s.scalars(select(lm.ExamSession.id)))
    return deployments, sessions


def run(hub_url: str, path: str, phone: str, password: str, seed: int, ready) -> None:
    replica = Replica(path)
    with replica.write() as s:
        s.execute(text(LEDGER_DDL))
    token_file = Path(path).with_suffix(".token")

    def keep(pair: TokenPair) -> None:
        scratch = token_file.with_suffix(".tmp")
        scratch.write_text(pair.refresh_token)
        scratch.replace(token_file)

    client = HubClient(hub_url, timeout=(2.0, 10.0), on_tokens=keep)
    if token_file.exists():
        client.refresh_token, client.device_id = token_file.read_text(), replica.device_id
    else:
        client.login(phone, password, replica.device_id, "kill child")
    engine = SyncEngine(replica, client, batch_size=3, page_size=25)
    user_id = natural_id("user", phone)
    ready.set()
    rng = random.Random(seed)
    while True:
        deployments, sessions = targets(replica)
        if deployments and sessions:
            for _ in range(rng.randint(1, 4)):
                dep, station, officer = rng.choice(deployments)
                status = rng.choice(("present", "absent", "late"))
                mark(replica, dep, rng.choice(sessions), status, station, officer, user_id,
                     ledger=True)
        try:
            engine.sync()
        except SyncError:
            time.sleep(0.02)
