"""Claims of the demo centre's officers, as the hub would have computed and sent them.

Rates are KNEC's 2025 figures. Grace (the centre manager) is payable; Mary's M-Pesa line
is registered to another name; Daniel has no M-Pesa number; Esther has no attendance yet.
"""

from __future__ import annotations

from cp2desk.local_db import models as m
from cp2desk.local_db.replica import Replica
from cp2desk.sync.records import natural_id
from tests.services.fixtures import DemoCentre

RATES = {"centre_manager": 550, "supervisor": 680, "invigilator": 550, "security_officer": 500}
BLOCKED = {
    "mary": "name_mismatch: The M-Pesa number is registered to “Mary Otieno”, but the CP2 "
    "account name is “Mary Achieng Odhiambo”.",
    "daniel": "missing_payment: No M-Pesa number on the profile.",
    "esther": "no_attendance: No attendance marked present or late in KCSE2026.",
}
SESSIONS = {"mary": 1, "john": 2, "esther": 0, "brian": 2}


def add_claims(replica: Replica, demo: DemoCentre) -> dict[str, int]:
    """Write rates and claims; returns each officer's amount."""
    amounts = {}
    with replica.write() as s:
        positions = {p.code: p.id for p in s.query(m.Position)}
        for code, rate in RATES.items():
            s.add(
                m.Rate(
                    id=natural_id("rate", demo.series_id, code),
                    series_id=demo.series_id,
                    position_id=positions[code],
                    region="standard",
                    daily_rate=rate,
                    seq=1000,
                )
            )
        for key, professional_id in demo.professionals.items():
            if key == "joseph":
                continue
            sessions = SESSIONS.get(key, 2)
            days = 1 if sessions else 0
            rate = {"grace": 550, "peter": 680, "daniel": 500}.get(key, 550)
            amounts[key] = days * rate
            s.add(
                m.Claim(
                    id=natural_id("claim", demo.series_id, professional_id),
                    series_id=demo.series_id,
                    professional_id=professional_id,
                    sessions=sessions,
                    days=days,
                    amount=days * rate,
                    blocked=BLOCKED.get(key, ""),
                    status="blocked" if key in BLOCKED else "payable",
                    seq=1001,
                )
            )
    return amounts
