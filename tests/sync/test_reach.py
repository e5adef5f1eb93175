"""Whom a write reaches: each committing transaction leaves one touch naming the scopes of
its rows, which is all the live channel reads to decide whom to wake."""

from __future__ import annotations

from sqlalchemy import select

from cp2hub import models as m
from cp2hub import reach


def last_touch(db) -> set[str]:
    with db.read() as s:
        return set(s.scalar(select(m.FeedTouch.tags).order_by(m.FeedTouch.seq.desc())).split())


def test_writes_reach_their_stations_people_or_everyone(hub_db, world):
    alpha, beta = world.centres["alpha"], world.centres["beta"]
    dep = world.deployments["alpha"][2]
    person = world.officers[dep]
    with hub_db.write() as s:
        s.get(m.Deployment, dep).status = "cancelled"
    assert last_touch(hub_db) == {reach.tag("s", alpha), reach.tag("p", person)}

    with hub_db.write() as s:  # a person's record reaches the centres they serve at
        s.get(m.Professional, person).first_name = "Renamed"
    assert last_touch(hub_db) == {reach.tag("p", person), reach.tag("s", alpha)}
    assert reach.tag("s", beta) not in last_touch(hub_db)

    with hub_db.write() as s:  # a station is everyone's (officers see their own)
        s.get(m.Station, beta).name = "Beta Renamed"
    assert last_touch(hub_db) == {reach.EVERYONE}

    with hub_db.read() as s:
        before = s.scalar(select(m.FeedTouch.seq).order_by(m.FeedTouch.seq.desc()))
    try:
        with hub_db.write() as s:
            s.get(m.Deployment, dep).status = "active"
            s.flush()
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    with hub_db.read() as s:  # a rolled-back write touched nobody
        assert s.scalar(select(m.FeedTouch.seq).order_by(m.FeedTouch.seq.desc())) == before
