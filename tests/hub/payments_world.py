"""A hub with payable claims to pay: two counties, officers with claims, two admins.

Claims are written as `cp2hub.claims` leaves them (payable with an amount, or blocked),
so payments are tested on their own; `tests/hub/test_claims.py` covers computing them.
"""

from __future__ import annotations

import itertools

from sqlalchemy import select

from cp2desk.sync.records import new_id
from cp2hub import models as m
from cp2hub.claims import claim_id
from cp2hub.db import Database
from cp2hub.passwords import hash_password
from cp2hub.payments.audit import Actor
from tests.hub.builders import build_place

_phones = itertools.count(254722100001)


class PayWorld:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.place = build_place(db)
        with db.write() as s:
            kiambu_sub = m.SubCounty(
                county_id=self.place.other_county.id, code="02201", name="Thika"
            )
            s.add(kiambu_sub)
            s.flush()
            self.kiambu_centre = m.Station(
                code="22001001", name="Thika High School", kind="exam_centre",
                county_id=self.place.other_county.id, sub_county_id=kiambu_sub.id,
            )  # fmt: skip
            s.add(self.kiambu_centre)
        self.admins = [
            self._admin("254711000015", "Admin One"),
            self._admin("254711000016", "Admin Two"),
        ]
        self.claims: dict[str, str] = {}  # claim id -> professional id

    def _admin(self, phone: str, name: str) -> Actor:
        return Actor(self.user(phone, name, "admin"), phone)

    def user(self, phone: str, name: str, role: str, password: str | None = None) -> str:
        """A login with one role (and PASSWORD, when given, to sign in with)."""
        with self.db.write() as s:
            user = m.AppUser(
                phone=phone, display_name=name,
                password_hash=hash_password(password) if password else None,
            )  # fmt: skip
            s.add(user)
            s.flush()
            s.add(m.RoleGrant(user_id=user.id, role=role))
        return user.id

    def set_password(self, phone: str, password: str) -> None:
        with self.db.write() as s:
            user = s.scalar(select(m.AppUser).where(m.AppUser.phone == phone))
            user.password_hash = hash_password(password)

    def officer(
        self, amount: int, county: str = "nairobi", bank: bool = False, blocked: str = ""
    ) -> str:
        """A deployed officer with a claim of `amount`; returns the claim's id."""
        phone = str(next(_phones))
        centre = self.place.centre if county == "nairobi" else self.kiambu_centre
        with self.db.write() as s:
            person = m.Professional(
                phone=phone, national_id=phone[-8:], tsc_number=phone[-6:], first_name="Jane",
                last_name=f"Otieno {phone[-4:]}", teacher_level="primary",
                payment_method="bank" if bank else "mpesa", mpesa_phone=phone,
                mpesa_name=f"Jane Otieno {phone[-4:]}",
                bank_name="Equity Bank" if bank else None, bank_account=phone[-10:] if bank else None,
            )  # fmt: skip
            s.add(person)
            s.flush()
            s.add(m.Deployment(
                id=new_id(), series_id=self.place.series.id, professional_id=person.id,
                station_id=centre.id, position_id=self.place.invigilator.id,
            ))  # fmt: skip
            cid = claim_id(self.place.series.id, person.id)
            s.add(m.Claim(
                id=cid, series_id=self.place.series.id, professional_id=person.id,
                sessions=2, days=1, amount=amount, blocked=blocked,
                status="blocked" if blocked else "payable",
            ))  # fmt: skip
        self.claims[cid] = person.id
        return cid

    def claim(self, cid: str) -> m.Claim:
        with self.db.read() as s:
            return s.get(m.Claim, cid)

    def set_claim(self, cid: str, **values) -> None:
        with self.db.write() as s:
            claim = s.get(m.Claim, cid)
            for k, v in values.items():
                setattr(claim, k, v)
            claim.hlc = 0

    def payments(self, batch_id: str | None = None) -> list[m.Payment]:
        with self.db.read() as s:
            query = select(m.Payment).order_by(m.Payment.id)
            if batch_id:
                query = query.where(m.Payment.batch_id == batch_id)
            return list(s.scalars(query))

    def outbox_total(self) -> int:
        with self.db.read() as s:
            return sum(s.scalars(select(m.PaymentOutbox.amount)))

    def sms(self) -> list[tuple[str, str]]:
        with self.db.read() as s:
            return list(s.execute(select(m.SmsMessage.phone, m.SmsMessage.body)).all())

    @property
    def series_code(self) -> str:
        return self.place.series.code
