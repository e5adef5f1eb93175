"""The local replica: SQLAlchemy models, the engine and session, and its migrations (no Qt)."""
