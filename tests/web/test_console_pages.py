"""The back office's pages over HTTP, without a browser: administrators only, every page
answers, forms need their token, and each form does what the hub's functions do."""

from __future__ import annotations

import pytest

from cp2hub.demo.accounts import SECOND_ADMIN
from tests.web.conftest import DEMO_ACCOUNTS

PAGES = ("/console/vacancies", "/console/claims", "/console/payments", "/console/audit",
         "/console/devices", "/console/audit.csv")  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_only_administrators_open_the_console(web, path):
    anonymous = web.get(path)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/sign-in")
    assert web.sign_in(DEMO_ACCOUNTS["centre_manager"]).status_code == 303
    refused = web.get(path)
    assert refused.status_code == 403 and "KNEC administrators only" in refused.text


@pytest.mark.parametrize("path", PAGES)
def test_an_administrator_lands_in_the_console_and_opens_every_page(web, path):
    signed = web.sign_in(DEMO_ACCOUNTS["admin"])
    assert signed.headers["location"] == "/console"
    answer = web.get(path)
    assert answer.status_code == 200, answer.text[:500]


def test_a_form_without_its_token_does_nothing(web):
    web.sign_in(DEMO_ACCOUNTS["admin"])
    answer = web.post("/console/payments", data={"series": "KCSE-2026"})
    assert answer.status_code == 403 and "form has expired" in answer.text
    assert 'href="/console/payments/' not in web.get("/console/payments").text


def test_maker_checker_on_the_pages(web, web_hub):
    from tests.web.conftest import WebClient

    web.sign_in(DEMO_ACCOUNTS["admin"])
    web.post(
        "/console/claims/compute",
        data={"series": "KCSE-2026", "csrf_token": web.csrf("/console/claims")},
    )
    made = web.post("/console/payments", data={"series": "KCSE-2026", "county": "",
                                               "csrf_token": web.csrf("/console/payments")})  # fmt: skip
    assert made.status_code == 303
    page = web.get("/console/payments").text
    assert "prepared: " in page and "Another administrator must approve it." in page
    batch = page.split('href="/console/payments/')[1].split('"')[0]
    own = web.get(f"/console/payments/{batch}").text
    assert "another administrator must approve it" in own and "Approve KSh" not in own
    token = web.csrf(f"/console/payments/{batch}")
    forced = web.post(f"/console/payments/{batch}/approve", data={"csrf_token": token})
    assert forced.status_code == 303
    assert "Not done: You prepared this batch" in web.get(f"/console/payments/{batch}").text
    with WebClient(base_url=web_hub.url, headers={"Accept": "text/html"}) as checker:
        checker.sign_in(SECOND_ADMIN)
        token = checker.csrf(f"/console/payments/{batch}")
        checker.post(f"/console/payments/{batch}/approve", data={"csrf_token": token})
        approved = checker.get(f"/console/payments/{batch}").text
    assert "approved: KSh" in approved


def test_the_bank_file_comes_only_by_the_form_with_its_token(web, web_hub):
    """Each download is audited: a link another site could make a browser follow (GET) or
    a form without the session's token writes nothing."""
    from sqlalchemy import func, select

    from cp2hub import models as m

    web.sign_in(DEMO_ACCOUNTS["admin"])
    with web_hub.db.read() as s:
        batch = s.scalar(select(m.Payment.batch_id).where(m.Payment.status == "filed").limit(1))
    if batch is None:  # this module's batch has no bank payment yet: one of its own
        batch = _filed_batch(web, web_hub)

    def downloads() -> int:
        with web_hub.db.read() as s:
            return s.scalar(select(func.count()).where(m.PaymentAudit.action == "bank_file"))

    before = downloads()
    page = web.get(f"/console/payments/{batch}").text
    assert f'<form method="post" action="/console/payments/{batch}/bank-file">' in page
    assert f'href="/console/payments/{batch}/bank-file"' not in page
    assert web.get(f"/console/payments/{batch}/bank-file").status_code in (404, 405)
    assert web.post(f"/console/payments/{batch}/bank-file", data={}).status_code == 403
    assert downloads() == before
    token = web.csrf(f"/console/payments/{batch}")
    got = web.post(f"/console/payments/{batch}/bank-file", data={"csrf_token": token})
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    assert downloads() == before + 1


def _filed_batch(web, web_hub) -> str:
    """A batch paid through the pages, whose bank-paid officers wait in its transfer file."""
    from sqlalchemy import select

    from cp2hub import models as m
    from tests.web.conftest import WebClient

    with web_hub.db.read() as s:
        batch = s.scalar(select(m.PaymentBatch.id).where(m.PaymentBatch.status == "approved"))
    if batch is None:
        web.post("/console/claims/compute",
                 data={"series": "KCSE-2026", "csrf_token": web.csrf("/console/claims")})  # fmt: skip
        web.post("/console/payments", data={"series": "KCSE-2026", "county": "",
                                            "csrf_token": web.csrf("/console/payments")})  # fmt: skip
        with web_hub.db.read() as s:
            batch = s.scalar(select(m.PaymentBatch.id).where(m.PaymentBatch.status == "prepared"))
        with WebClient(base_url=web_hub.url, headers={"Accept": "text/html"}) as checker:
            checker.sign_in(SECOND_ADMIN)
            token = checker.csrf(f"/console/payments/{batch}")
            checker.post(f"/console/payments/{batch}/approve", data={"csrf_token": token})
    token = web.csrf(f"/console/payments/{batch}")
    assert web.post(f"/console/payments/{batch}/run", data={"csrf_token": token}).status_code == 303
    with web_hub.db.read() as s:
        assert s.scalar(select(m.Payment.id).where(m.Payment.batch_id == batch,
                                                   m.Payment.status == "filed").limit(1))  # fmt: skip
    return batch
