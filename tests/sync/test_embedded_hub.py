"""The demo's embedded hub: seeded, claims computed, served on loopback."""

from __future__ import annotations

import requests
from sqlalchemy import func, select

from cp2desk.embedded_hub import EmbeddedHub
from cp2hub.models import AppUser, Claim


def test_demo_hub_serves_seeded_data_with_claims(tmp_path):
    hub = EmbeddedHub(tmp_path / "hub")
    url = hub.start()
    try:
        assert url.startswith("http://127.0.0.1:")
        assert requests.get(url + "/health", timeout=5).json()["status"] == "ok"
        with hub.db.read() as s:
            assert s.scalar(select(func.count()).select_from(AppUser)) == 6
            assert s.scalar(select(func.count()).select_from(Claim)) > 0
    finally:
        hub.stop()
