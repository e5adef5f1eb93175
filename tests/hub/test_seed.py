"""The demo seed: deterministic, realistic, and following KNEC's deployment rules."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from cp2hub import models as m
from cp2hub.db import Database
from cp2hub.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, SECOND_ADMIN
from cp2hub.demo.reference import COUNTIES, SUB_COUNTIES
from cp2hub.demo.seed import DatabaseNotEmpty, content_checksum, seed_demo
from cp2hub.passwords import verify_password
from cp2hub.schema import upgrade

TODAY = dt.date(2026, 11, 22)  # a Sunday: the exam still has sessions today


@pytest.fixture
def seeded(hub_database):
    started = time.perf_counter()
    counts = seed_demo(hub_database, "small", seed=7, today=TODAY)
    return hub_database, counts, time.perf_counter() - started


def scalars(db: Database, statement) -> list:
    with db.read() as session:
        return list(session.scalars(statement))


def test_small_counts_and_speed(seeded):
    db, counts, seconds = seeded
    assert counts["county"] == 47
    assert counts["station"] == 9  # 8 exam centres and the sub-county's container
    assert 150 <= counts["professional"] <= 170
    assert 40 <= counts["deployment"] <= 90
    assert counts["attendance"] > counts["deployment"] * 5
    assert counts["app_user"] == 7 and counts["role_grant"] == 13  # two admins: maker-checker
    assert counts["series"] == 2 and counts["vacancy"] >= 5
    assert seconds < 8  # about 1 s on an idle machine
    with db.read() as session:
        for table, count in counts.items():
            assert (
                session.scalar(select(func.count()).select_from(m.MODEL_BY_TABLE[table])) == count
            )


def test_every_row_has_a_unique_sequence_and_a_clock(seeded):
    db, counts, _ = seeded
    seqs = []
    with db.read() as session:
        for model in m.REPLICATED:
            rows = session.execute(select(model.seq, model.hlc, model.origin, model.deleted)).all()
            assert all(
                seq and hlc and origin == "hub" and not deleted
                for seq, hlc, origin, deleted in rows
            )
            seqs += [row.seq for row in rows]
        assert len(set(seqs)) == len(seqs) == sum(counts.values())
        assert session.get(m.FeedCounter, 1).value == max(seqs)


def test_same_seed_same_data_other_seed_other_data(seeded, tmp_path):
    db, _, _ = seeded
    again = Database(f"sqlite:///{tmp_path / 'again.sqlite3'}")
    other = Database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        for copy, seed in ((again, 7), (other, 8)):
            upgrade(copy)
            seed_demo(copy, "small", seed=seed, today=TODAY)
        assert content_checksum(again) == content_checksum(db)  # also across backends
        assert content_checksum(other) != content_checksum(db)
    finally:
        again.dispose()
        other.dispose()


def test_real_places_and_knec_style_codes(seeded):
    db, _, _ = seeded
    counties = dict(COUNTIES)
    with db.read() as session:
        assert {c.code: c.name for c in session.scalars(select(m.County))} == counties
        for sc in session.scalars(select(m.SubCounty)):
            county = session.get(m.County, sc.county_id)
            assert sc.name in SUB_COUNTIES[county.code]
        centres = session.scalars(select(m.Station).where(m.Station.kind == "exam_centre")).all()
        containers = session.scalars(
            select(m.Station).where(m.Station.kind == "distribution_centre")
        ).all()
        assert len(containers) == 1 and all(
            c.distribution_centre_id == containers[0].id for c in centres
        )
        for centre in centres:
            county = session.get(m.County, centre.county_id)
            assert re.fullmatch(r"\d{8}", centre.code) and centre.code[:2] == county.code[-2:]
            assert "School" in centre.name or "Friends" in centre.name


def test_professionals_look_kenyan_and_are_unique(seeded):
    db, _, _ = seeded
    people = scalars(db, select(m.Professional))
    phones = [p.phone for p in people]
    assert len(set(phones)) == len(phones)
    assert all(re.fullmatch(r"2547\d{8}", p) for p in phones)
    ids = [p.national_id for p in people if p.national_id]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"\d{8}", i) for i in ids)
    teachers = [p for p in people if p.teacher_level]
    assert {p.teacher_level for p in teachers} == {"primary", "secondary"}
    assert all(p.institution_code and p.institution_name for p in teachers)
    assert len([p for p in people if p.tsc_number]) >= len(teachers) - 3  # a few left it out


def test_nobody_at_their_own_school_or_twice(seeded):
    db, _, _ = seeded
    with db.read() as session:
        rows = session.execute(
            select(
                m.Deployment.series_id,
                m.Deployment.professional_id,
                m.Station.code,
                m.Professional.institution_code,
            )
            .join(m.Station, m.Station.id == m.Deployment.station_id)
            .join(m.Professional, m.Professional.id == m.Deployment.professional_id)
            .where(m.Deployment.status == "active")
        ).all()
    assert rows
    assert all(station != school for _series, _who, station, school in rows)
    assert max(Counter((series, who) for series, who, _s, _i in rows).values()) == 1


def test_secondary_teachers_supervise_but_never_invigilate_kcse(seeded):
    db, _, _ = seeded
    with db.read() as session:
        pairs = session.execute(
            select(m.Position.code, m.Professional.teacher_level)
            .join(m.Deployment, m.Deployment.position_id == m.Position.id)
            .join(m.Professional, m.Professional.id == m.Deployment.professional_id)
            .join(m.Series, m.Series.id == m.Deployment.series_id)
            .where(m.Series.exam == "KCSE")
        ).all()
    levels: dict[str, set] = {}
    for position, level in pairs:
        levels.setdefault(position, set()).add(level)
    assert levels["invigilator"] == {"primary"}
    assert levels["supervisor"] == {"secondary"} and levels["centre_manager"] == {"secondary"}
    assert levels["security_officer"] == {None}


def test_timetable_runs_through_today(seeded):
    db, _, _ = seeded
    kcse = scalars(db, select(m.Series).where(m.Series.exam == "KCSE"))[0]
    assert (
        kcse.starts_on < TODAY < kcse.ends_on and 15 <= (kcse.ends_on - kcse.starts_on).days <= 30
    )
    sessions = scalars(db, select(m.ExamSession).where(m.ExamSession.series_id == kcse.id))
    today = [s for s in sessions if s.day == TODAY]
    assert {s.slot for s in today} >= {"morning", "afternoon"}
    assert all(s.papers for s in sessions)
    per_day = Counter(s.day for s in sessions)
    assert set(per_day.values()) <= {2, 3} and list(per_day.values()).count(3) >= 2
    morning = next(s for s in sessions if s.slot == "morning")
    assert morning.starts_at == dt.time(8)
    attended_days = scalars(
        db,
        select(m.ExamSession.day)
        .join(m.Attendance, m.Attendance.session_id == m.ExamSession.id)
        .distinct(),
    )
    assert attended_days and max(attended_days) < TODAY


def test_shortfalls_and_claim_blockers_exist(seeded):
    db, _, _ = seeded
    with db.read() as session:
        short = 0
        for req in session.scalars(select(m.Requirement)):
            deployed = session.scalar(
                select(func.count())
                .select_from(m.Deployment)
                .where(
                    m.Deployment.station_id == req.station_id,
                    m.Deployment.position_id == req.position_id,
                )
            )
            assert deployed <= req.required
            short += deployed < req.required
        assert short >= 1
        deployed_people = session.scalars(
            select(m.Professional).join(
                m.Deployment, m.Deployment.professional_id == m.Professional.id
            )
        ).all()
    assert any(p.national_id is None for p in deployed_people)
    assert any(p.teacher_level and p.tsc_number is None for p in deployed_people)
    assert any(p.payment_method == "mpesa" and p.mpesa_phone is None for p in deployed_people)
    assert any(p.mpesa_name and p.mpesa_name != p.full_name for p in deployed_people)


def test_open_vacancies_ahead_for_the_next_series(seeded):
    db, _, _ = seeded
    vacancies = scalars(db, select(m.Vacancy))
    assert all(v.status == "open" and v.deadline > TODAY and v.positions > 0 for v in vacancies)
    series = {
        scalars(db, select(m.Series.exam).where(m.Series.id == v.series_id))[0] for v in vacancies
    }
    assert series == {"KPSEA"}


def test_demo_accounts_sign_in_with_their_scopes(seeded):
    db, _, _ = seeded
    with db.read() as session:
        users = {u.phone: u for u in session.scalars(select(m.AppUser))}
        assert set(users) == {*DEMO_ACCOUNTS.values(), SECOND_ADMIN}
        second = {
            g.role
            for g in session.scalars(
                select(m.RoleGrant).where(m.RoleGrant.user_id == users[SECOND_ADMIN].id)
            )
        }
        assert second == {"admin", "professional"}, "the administrator who approves batches"
        grants = Counter()
        for role, phone in DEMO_ACCOUNTS.items():
            user = users[phone]
            assert verify_password(user.password_hash, DEMO_PASSWORD)
            assert session.get(m.Professional, user.professional_id).phone == phone
            held = {
                g.role: g
                for g in session.scalars(select(m.RoleGrant).where(m.RoleGrant.user_id == user.id))
            }
            assert set(held) == {role, "professional"}
            grants[role] = held[role]
        centre = session.get(m.Station, grants["centre_manager"].station_id)
        container = session.get(m.Station, grants["knec_clerk"].station_id)
        assert centre.kind == "exam_centre" and container.kind == "distribution_centre"
        assert (
            grants["tsc_director"].sub_county_id
            == grants["scde"].sub_county_id
            == centre.sub_county_id
        )
        assert container.sub_county_id == centre.sub_county_id

        def deployed(role: str):
            return session.execute(
                select(m.Deployment.station_id, m.Position.code)
                .join(m.Position, m.Position.id == m.Deployment.position_id)
                .where(m.Deployment.professional_id == users[DEMO_ACCOUNTS[role]].professional_id)
            ).one()

        assert deployed("centre_manager") == (centre.id, "centre_manager")
        assert deployed("professional") == (centre.id, "invigilator")
        assert deployed("knec_clerk") == (container.id, "clerk")
        applied = session.scalars(
            select(m.Application).where(
                m.Application.professional_id
                == users[DEMO_ACCOUNTS["professional"]].professional_id
            )
        ).all()
        assert [a.status for a in applied] == ["submitted"]


def test_seeding_twice_needs_a_reset(seeded):
    db, _, _ = seeded
    before = content_checksum(db)
    with pytest.raises(DatabaseNotEmpty):
        seed_demo(db, "small", seed=8, today=TODAY)
    assert content_checksum(db) == before
    seed_demo(db, "small", seed=7, today=TODAY, reset=True)
    assert content_checksum(db) == before
