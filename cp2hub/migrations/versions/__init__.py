"""The hub's migration scripts, oldest first (a package so it ships in the wheel)."""
