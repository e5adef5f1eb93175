"""Sync: wire protocol, records, clocks, HTTP client and the push/pull engine (no Qt)."""
