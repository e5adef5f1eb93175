"""The migration path: a fresh database upgraded to head has exactly the models' shape."""

from __future__ import annotations

import multiprocessing

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from cp2hub.db import Database
from cp2hub.models import Base, FeedCounter
from cp2hub.schema import alembic_config, clear, current_revision, has_data, head_revision, upgrade


def schema_differences(db: Database) -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_fresh_database_upgraded_to_head_matches_the_models(hub_database):
    assert current_revision(hub_database) == head_revision()
    assert schema_differences(hub_database) == []


def test_upgrade_creates_the_feed_counter_and_is_idempotent(hub_database):
    upgrade(hub_database)
    upgrade(hub_database.url)  # by URL too: opens and closes its own engine
    with hub_database.read() as session:
        assert session.execute(select(FeedCounter.id, FeedCounter.value)).all() == [(1, 0)]


def test_key_constraints_are_in_the_database(hub_database):
    inspector = inspect(hub_database.engine)
    indexes = {i["name"]: i for i in inspector.get_indexes("deployment")}
    partial = indexes["uq_deployment_active_officer"]
    assert partial["unique"] and partial["column_names"] == ["series_id", "professional_id"]
    foreign = {fk["name"]: fk for fk in inspector.get_foreign_keys("attendance")}
    triple = foreign["fk_attendance_deployment"]
    assert triple["constrained_columns"] == ["deployment_id", "station_id", "professional_id"]
    assert triple["referred_table"] == "deployment"
    station = {fk["name"]: fk for fk in inspector.get_foreign_keys("station")}
    assert station["fk_station_sub_county_in_county"]["referred_columns"] == ["county_id", "id"]


def test_downgrade_to_base_and_back(hub_database):
    with hub_database.engine.connect() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert set(inspect(hub_database.engine).get_table_names()) <= {"alembic_version"}
    upgrade(hub_database)
    assert schema_differences(hub_database) == []


def test_hub_workers_starting_together_migrate_once(empty_database_url):
    """Three processes (as three hub workers would be) upgrade one fresh database at once."""
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(3) as pool:
        pool.map(upgrade, [empty_database_url] * 3)
    db = Database(empty_database_url)
    try:
        assert schema_differences(db) == []
        with db.read() as session:
            assert session.execute(select(FeedCounter.id)).scalars().all() == [1]
    finally:
        db.dispose()


def test_has_data_and_clear_keep_the_feed_counter(hub_database):
    from cp2hub.models import County

    assert not has_data(hub_database)
    with hub_database.write() as session:
        session.add(County(code="047", name="Nairobi"))
    assert has_data(hub_database)
    clear(hub_database)
    assert not has_data(hub_database)
    with hub_database.read() as session:
        assert session.get(FeedCounter, 1).value == 1  # sequences never go backwards


def test_passwords_the_outbox_kept_before_masking_are_masked_by_the_upgrade(empty_database_url):
    db = Database(empty_database_url)
    try:
        upgrade(db, "0003")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO sms_message (phone, body, at, delivered) VALUES "
                "('254712000001', 'KNEC CP2: your account is ready. Username: 0712000001 "
                "Password: K7PQ2MZX Please change the password after you sign in.', "
                "'2026-11-30 08:00:00', false), "
                "('254712000001', 'KNEC CP2: your new password is R4TW9HNB (username "
                "0712000001). Your old password no longer works.', '2026-11-30 09:00:00', false), "
                "('254712000002', 'Report at 7 am on the first day.', '2026-11-30 10:00:00', false)"
            )
        upgrade(db)
        with db.engine.connect() as connection:
            bodies = [
                b for (b,) in connection.exec_driver_sql("SELECT body FROM sms_message ORDER BY id")
            ]
    finally:
        db.dispose()
    assert "K7PQ2MZX" not in bodies[0] and "Password: \u2022\u2022\u2022\u2022" in bodies[0]
    assert "R4TW9HNB" not in bodies[1] and "password is \u2022\u2022\u2022\u2022" in bodies[1]
    assert bodies[2] == "Report at 7 am on the first day."
