"""The hub's settings, one typed object read from the environment (prefix CP2HUB_).

`mode` says what the hub is for: `production` (the default) keeps no secret it can do
without, `demo` (the embedded demo hub, a developer's machine, the tests) keeps new
passwords in full in the SMS outbox so someone can read them there.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    folder = Path(platformdirs.user_data_dir("cp2hub", "KNEC"))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'hub.sqlite3'}"


def networks(addresses: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """`127.0.0.1, 10.0.0.0/8` as networks; ValueError names an entry that is neither an
    address nor a network."""
    found = []
    for entry in (part.strip() for part in addresses.split(",")):
        if not entry:
            continue
        try:
            found.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an address or a network (CIDR)") from None
    return found


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CP2HUB_", extra="ignore")

    database_url: str = ""
    mode: Literal["production", "demo"] = "production"
    access_token_minutes: int = 60
    max_failed_logins: int = 5
    lockout_minutes: int = 15
    sms_backend: str = "outbox"  # or "africastalking" (cp2hub.sms)
    sms_short_code: str = "22262"
    help_line: str = ""  # the number KNEC's SMS tell people to call; empty: "call KNEC at once"
    sms_username: str = ""  # Africa's Talking account, CP2HUB_SMS_USERNAME
    sms_api_key: str = ""  # CP2HUB_SMS_API_KEY
    sms_sender: str = ""  # approved sender id or short code; empty: the provider's default
    sms_inbound_key: str = ""  # the inbound-SMS webhook's secret; without it the route is off
    payment_backend: str = "outbox"  # or "africastalking" (cp2hub.payments)
    payment_username: str = ""  # Africa's Talking account, CP2HUB_PAYMENT_USERNAME
    payment_api_key: SecretStr = SecretStr("")  # CP2HUB_PAYMENT_API_KEY
    payment_product: str = ""  # the Africa's Talking payment product paying out
    payment_callback_key: SecretStr = SecretStr("")  # the payment callback's secret; empty: off
    password_reset_hours: int = 24  # how long a password sent by SMS waits for its first use
    register_per_number_per_hour: int = 3
    register_per_ip_per_hour: int = 20
    password_sms_per_number_per_hour: int = 3
    pull_page_size: int = 5000
    body_grace_seconds: float = 20.0  # then a request body must arrive at 2 KB/s (limits.py)
    # Who may read /metrics (cp2hub.metrics): clients at these addresses or networks
    # (comma-separated; empty: none), and anyone sending `Authorization: Bearer <token>`.
    metrics_enabled: bool = True  # off: nothing counted, no /metrics (cp2hub.metrics)
    metrics_allow: str = "127.0.0.1,::1"
    metrics_token: SecretStr = SecretStr("")  # empty: no token opens /metrics
    web_session_minutes: int = 120  # a web page session ends after this long idle
    web_session_hours: int = 12  # and this long after sign-in, however busy
    web_secure_cookie: bool = False  # Secure cookies even over http (TLS ends at a proxy)
    # The release repository of CP2 Desk's updates (build/release.py): its metadata/ and
    # targets/ are served read-only under /updates/ (cp2hub.api.updates); empty: none.
    updates_dir: str = ""
    # The live channel (cp2hub.live): how long a request is held with nothing changing
    # (less than nginx's 90 s), and how many one process holds before answering 503.
    live_hold_seconds: float = 50.0
    live_max_held: int = 5000

    @field_validator("metrics_allow")
    @classmethod
    def _addresses(cls, value: str) -> str:
        networks(value)
        return value

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url()

    @property
    def demo(self) -> bool:
        return self.mode == "demo"

    def cautions(self) -> list[str]:
        """What this configuration leaves off or exposes, said when a hub starts."""
        found = []
        if not self.sms_inbound_key:
            found.append(
                "inbound SMS is off: set CP2HUB_SMS_INBOUND_KEY and point the SMS provider's "
                "callback at /sms/inbound with it to let people send PASSWORD"
            )
        if not self.payment_callback_key.get_secret_value():
            found.append(
                "payment callbacks are off: set CP2HUB_PAYMENT_CALLBACK_KEY and point the "
                "payment provider's callback at /payments/callback with it"
            )
        if self.payment_backend == "outbox":
            found.append("payments are only recorded in the payment outbox: nobody is paid")
        if self.sms_backend == "outbox" and self.demo:
            found.append(
                "demo mode: new passwords are kept in full in the SMS outbox "
                "(cp2hub sms-outbox); never run a real hub with CP2HUB_MODE=demo"
            )
        elif self.sms_backend == "outbox":
            found.append(
                "SMS are only stored in the outbox, with passwords masked: nobody receives "
                "their login details; set CP2HUB_SMS_BACKEND=africastalking"
            )
        return found

    def refusal(self, database: str) -> str | None:
        """Why a hub on `database` (a dialect name) must not serve with these settings.

        The outbox on PostgreSQL, the production database, would keep every new
        password from its owner, so it serves only in demo mode."""
        if database == "postgresql" and self.sms_backend == "outbox" and not self.demo:
            return (
                "the outbox SMS backend on PostgreSQL would send nobody their password: set "
                "CP2HUB_SMS_BACKEND=africastalking (with CP2HUB_SMS_USERNAME and "
                "CP2HUB_SMS_API_KEY), or CP2HUB_MODE=demo for a demonstration hub"
            )
        return None
