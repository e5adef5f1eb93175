"""Dependencies of the routes that send SMS: the gateway, the rate limiter, the caller's IP."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from cp2hub.api.deps import get_settings
from cp2hub.ratelimit import RateLimiter
from cp2hub.settings import Settings
from cp2hub.sms import SmsGateway, gateway

SmsFactory = Callable[[Session], SmsGateway]
_lock = threading.Lock()


def get_sms(request: Request, settings: Annotated[Settings, Depends(get_settings)]) -> SmsFactory:
    """The app's gateway factory: `app.state.sms` when set (tests), else Settings.sms_backend."""
    return getattr(request.app.state, "sms", None) or partial(gateway, settings)


def get_limiter(request: Request) -> RateLimiter:
    with _lock:
        limiter = getattr(request.app.state, "limiter", None)
        if limiter is None:
            limiter = request.app.state.limiter = RateLimiter(request.app.state.db)
        return limiter


def client_ip(request: Request) -> str:
    """The caller's address (behind a proxy, run uvicorn with --proxy-headers)."""
    return request.client.host if request.client else "unknown"


Sms = Annotated[SmsFactory, Depends(get_sms)]
Limiter = Annotated[RateLimiter, Depends(get_limiter)]
