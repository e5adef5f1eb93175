"""Posted forms: read only after their CSRF token matched the session's.

Every web router (`cp2hub.web.pages.web_router`) runs `check_csrf` before any route
that takes an unsafe method, so no form can skip it; `Form` gives a route the posted
fields as plain strings. Bodies are bounded before they are read by the request gate
(`cp2hub.limits.FORM_BODY_BYTES`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from cp2hub.web.errors import FormExpired
from cp2hub.web.visitors import Visitor, get_visitor

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
LONGEST_FIELD = 2000
"""No field of a page's form is longer (the longest free texts are 2,000 characters)."""


class Fields:
    """A posted form's fields as strings, stripped; a missing field is ''."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs

    def __getitem__(self, name: str) -> str:
        return self.get(name)

    def get(self, name: str, default: str = "") -> str:
        for key, value in self._pairs:
            if key == name:
                return value.strip()[:LONGEST_FIELD]
        return default

    def get_all(self, name: str) -> list[str]:
        return [v.strip()[:LONGEST_FIELD] for k, v in self._pairs if k == name]

    def ticked(self, name: str) -> bool:
        return bool(self.get(name))

    def raw(self, name: str) -> str:
        """A field as typed, unstripped (passwords)."""
        return next((v[:LONGEST_FIELD] for k, v in self._pairs if k == name), "")

    def as_dict(self) -> dict[str, str]:
        """The fields (the first of each name) to show a refused form again as typed."""
        shown: dict[str, str] = {}
        for key, value in self._pairs:
            if key != CSRF_FIELD and "password" not in key:
                shown.setdefault(key, value.strip()[:LONGEST_FIELD])
        return shown


async def check_csrf(request: Request, visitor: Annotated[Visitor, Depends(get_visitor)]) -> None:
    """Refuse (403 page) an unsafe request whose form does not carry its session's token."""
    if request.method in SAFE_METHODS:
        return
    sent = None
    if request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not visitor.token_matches(sent):
        raise FormExpired()


async def posted_fields(request: Request) -> Fields:
    form = await request.form()
    return Fields([(k, v) for k, v in form.multi_items() if isinstance(v, str)])


Form = Annotated[Fields, Depends(posted_fields)]
