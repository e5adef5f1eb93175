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
    sms_backend: str = "outbox"  # or "africastalking" (cp2hub.sms)
    sms_short_code: str = "22262"
    sms_username: str = ""  # Africa's Talking account, CP2HUB_SMS_USERNAME
    sms_api_key: str = ""  # CP2HUB_SMS_API_KEY
    sms_sender: str = ""  # approved sender id or short code; empty: the provider's default
    sms_inbound_key: str = ""  # if set, the inbound-SMS webhook needs ?key=<this>
    register_per_number_per_hour: int = 3
    register_per_ip_per_hour: int = 20
    password_sms_per_number_per_hour: int = 3
    pull_page_size: int = 5000
    body_grace_seconds: float = 20.0  # then a request body must arrive at 2 KB/s (limits.py)

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url()
