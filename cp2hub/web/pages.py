"""Rendering a page: one Jinja2 environment, one layout (`base.html`), and the answers
every page gives (a page, a redirect after a post).

A page is a template under `templates/` rendered by `render(request, template, ...)`,
which gives every template the visitor (`visitor.name`, `visitor.principal`), a
`csrf_field()` for its forms and the flash message left for it. Pages are personal, so
no cache keeps them; no other site may frame them; they load nothing from elsewhere
(`Content-Security-Policy: default-src 'self'`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from cp2hub.web.forms import CSRF_FIELD, check_csrf
from cp2hub.web.visitors import Visitor, visitor_of

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def sub_county_json(counties: list[Any]) -> Markup:
    """Every county's sub-counties as [[county, name, [[id, name], ...]], ...], for the
    script that makes the sub-county list follow the county (safe inside <script>)."""
    data = [[c.value, c.label, [[s.value, s.label] for s in c.sub_counties]] for c in counties]
    return Markup(json.dumps(data, separators=(",", ":")).replace("<", "\\u003c"))


environment.filters["sub_county_json"] = sub_county_json


def web_router(**options: Any) -> APIRouter:
    """A router of web pages: left out of the API's description, and every unsafe method
    checked for its form's CSRF token."""
    return APIRouter(
        include_in_schema=False,
        dependencies=[Depends(check_csrf)],
        default_response_class=HTMLResponse,
        **options,
    )


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The page `template` in the layout, for this request's visitor."""
    visitor = visitor_of(request)
    html = environment.get_template(template).render(
        request=request,
        visitor=visitor,
        csrf_field=lambda: _csrf_field(visitor),
        flash=visitor.take_flash(),
        **context,
    )
    response = HTMLResponse(html, status_code=status, headers=HEADERS)
    visitor.keep(response)
    return response


def redirect(request: Request, to: str, flash: str | None = None) -> RedirectResponse:
    """After a post: 303 to `to`, which shows `flash` once (Post/Redirect/Get)."""
    visitor = visitor_of(request)
    if flash:
        visitor.flash(flash)
    response = RedirectResponse(to, status_code=303, headers={"Cache-Control": "no-store"})
    visitor.keep(response)
    return response


def _csrf_field(visitor: Visitor) -> Markup:
    token = visitor.csrf_token()
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, token)
