"""The hub's settings, one typed object read from the environment (prefix CP2HUB_)."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    folder = Path(platformdirs.user_data_dir("cp2hub", "KNEC"))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'hub.sqlite3'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CP2HUB_", extra="ignore")

    database_url: str = ""
    access_token_minutes: int = 60
    max_failed_logins: int = 5
    lockout_minutes: int = 15
    sms_backend: str = "outbox"
    sms_short_code: str = "22262"
    pull_page_size: int = 5000

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url()
