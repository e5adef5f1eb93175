"""Alembic migrations of the hub's database; run them with `cp2hub migrate` or
`cp2hub.schema.upgrade`, write new ones with `cp2hub.schema.autogenerate`."""
