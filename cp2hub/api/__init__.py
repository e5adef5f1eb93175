"""The hub's HTTP API: one router per resource, auth and scope as dependencies."""
