"""The sync contract's end-state invariants, shared by the fault and kill tests.

- nothing lost: every outbox is empty and every mark a device made has the hub's answer;
  every refused or conflicting mark is in its device's `sync_issue` table, once;
- nothing twice: per attendance row, the marks the hub took (applied or conflict) are
  exactly its current value plus its history, each once; no history row repeats;
- convergence: every replica holds exactly the hub's rows of its scope (per-table
  checksums of the wire columns, computed on the hub with `visible(scope_of(...))`).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict

from sqlalchemy import func, select

from cp2desk.local_db import models as lm
from cp2desk.local_db.replica import Replica
from cp2desk.sync.protocol import Answer
from cp2desk.sync.records import RECORD_BY_TABLE, wire_columns
from cp2hub import models as hm
from cp2hub import privacy
from cp2hub.auth import Grant, Principal
from cp2hub.db import Database
from cp2hub.scope import scope_of, visible
from tests.sync.marks import Mark

# --- nothing lost, nothing twice ------------------------------------------------


def check_marks(db: Database, marks: list[Mark], replicas: list[Replica]) -> Counter[str]:
    """Assert every mark is accounted for exactly once; returns the count of each outcome."""
    for replica in replicas:
        assert replica.pending_count() == 0, f"outbox of {replica.path.name} not empty"
    with db.read() as s:
        stored = {e.key: e for e in s.scalars(select(hm.AppliedEntry))}
        rows = {a.id: a for a in s.scalars(select(hm.Attendance))}
        history = list(s.scalars(select(hm.AttendanceHistory)))
    by_key = {m.key: m for m in marks}
    missing = set(by_key) - set(stored)
    assert not missing, f"{len(missing)} marks never reached the hub"
    outcomes: Counter[str] = Counter()
    answers: dict[str, Answer] = {}
    for m in marks:
        answer = Answer.model_validate_json(stored[m.key].answer)
        answers[m.key] = answer
        outcomes[answer.outcome] += 1
        assert stored[m.key].device_id == m.device_id
        if m.in_scope:
            assert answer.outcome in ("applied", "conflict"), (answer.outcome, answer.reason)
        else:
            assert answer.outcome == "refused", answer
            assert "outside the centres you are responsible for" in answer.reason

    # every refusal and conflict is shown on its device, exactly once
    issues: Counter[tuple[str, str, str]] = Counter()
    reasons: dict[tuple[str, str, str], str] = {}
    for replica in replicas:
        with replica.read() as s:
            for issue in s.scalars(select(lm.SyncIssue)):
                issues[(replica.device_id, issue.kind, issue.local_json)] += 1
                reasons[(replica.device_id, issue.kind, issue.local_json)] = issue.reason
    expected = Counter(
        (m.device_id, answers[m.key].outcome, m.row_json)
        for m in marks
        if answers[m.key].outcome != "applied"
    )
    if issues != expected:
        told = [(k[1], reasons[k]) for k in issues - expected]
        hub_said = [(k[1], k[2]) for k in expected - issues]
        raise AssertionError(
            f"devices were told {told[:4]} though the hub stored other answers; "
            f"{len(hub_said)} issues the devices never got: {hub_said[:2]}"
        )

    # per attendance row: the marks the hub took are its value plus its history, once each
    taken: dict[str, list[Mark]] = defaultdict(list)
    for m in marks:
        if answers[m.key].outcome != "refused":
            taken[m.row_id].append(m)
    assert set(rows) == set(taken), "hub attendance rows that no device marked, or lost rows"
    seen_history = Counter((h.attendance_id, h.field, h.hlc, h.origin) for h in history)
    repeated = [k for k, n in seen_history.items() if n > 1]
    if repeated:
        row_id = repeated[0][0]
        kept = [(h.field, h.value, h.hlc, h.origin[:8], h.superseded_by_hlc) for h in history
                if h.attendance_id == row_id]
        made = [(m.key[:8], m.device_id[:8], m.hlc, m.status, answers[m.key].outcome)
                for m in taken[row_id]]
        raise AssertionError(
            f"a losing value was kept twice (a change applied twice): {repeated[:3]}; "
            f"history of {row_id}: {kept}; its marks: {made}"
        )
    status_history = defaultdict(Counter)
    for h in history:
        if h.field == "status":
            status_history[h.attendance_id][(h.hlc, h.origin, h.value)] += 1
    for row_id, contenders in taken.items():
        row = rows[row_id]
        winner = max(contenders, key=lambda m: (m.hlc, m.device_id))
        assert (row.status_hlc, row.origin, row.status) == (
            winner.hlc, winner.device_id, winner.status
        ), f"{row_id}: last writer did not win"
        losers = Counter((m.hlc, m.device_id, m.status) for m in contenders if m is not winner)
        assert status_history[row_id] == losers, f"{row_id}: history is not the losing marks"
    return outcomes


# --- convergence ------------------------------------------------------------------


def principal_of(db: Database, user_id: str, device_id: str) -> Principal:
    with db.read() as s:
        user = s.get(hm.AppUser, user_id)
        grants = s.execute(
            select(hm.RoleGrant.role, hm.RoleGrant.station_id, hm.RoleGrant.sub_county_id).where(
                hm.RoleGrant.user_id == user_id, hm.RoleGrant.deleted.is_(False)
            )
        ).all()
    return Principal(user_id, user.phone, user.professional_id, device_id,
                     tuple(Grant(*g) for g in grants))


def _digest(rows: set[tuple]) -> str:
    text = json.dumps(sorted(rows, key=repr), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def hub_view(db: Database, principal: Principal) -> dict[str, set[tuple]]:
    """The rows of every replicated table the principal's devices may hold, by table, with
    the fields of other people the policy withholds (`cp2hub.privacy`) as null."""
    scope = scope_of(principal)
    out = {}
    with db.read() as s:
        for model in hm.REPLICATED:
            columns = wire_columns(RECORD_BY_TABLE[model.__tablename__])
            shown = (privacy.shown_column(model, c, scope) for c in columns)
            query = select(*shown).where(visible(model, scope))
            out[model.__tablename__] = {tuple(r) for r in s.execute(query)}
    return out


def replica_view(replica: Replica) -> dict[str, set[tuple]]:
    out = {}
    with replica.read() as s:
        for model in lm.REPLICATED:
            columns = wire_columns(RECORD_BY_TABLE[model.__tablename__])
            query = select(*(model.__table__.c[c] for c in columns))
            out[model.__tablename__] = {tuple(r) for r in s.execute(query)}
    return out


def check_converged(db: Database, replica: Replica, user_id: str) -> int:
    """Assert the replica equals the hub's view of its scope, table by table; rows compared."""
    hub = hub_view(db, principal_of(db, user_id, replica.device_id))
    local = replica_view(replica)
    for table in hub:
        if _digest(hub[table]) != _digest(local[table]):
            extra, lacking = local[table] - hub[table], hub[table] - local[table]
            raise AssertionError(
                f"{replica.path.name}: table {table} differs from the hub's view of its scope: "
                f"{len(extra)} rows it should not hold (e.g. {sorted(extra, key=repr)[:2]}), "
                f"{len(lacking)} rows missing or stale (e.g. {sorted(lacking, key=repr)[:2]})"
            )
    return sum(len(v) for v in hub.values())


def count(db_or_replica, model) -> int:
    with db_or_replica.read() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0
