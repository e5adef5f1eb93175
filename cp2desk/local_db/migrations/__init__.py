"""Alembic migrations of the replica file (script location of `cp2desk.local_db.migrate`)."""
