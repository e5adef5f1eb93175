"""Moments in the portal's envelopes carry their UTC offset on the wire, and each side
reads them back as its own local time (`protocol.Timestamp`)."""

from __future__ import annotations

import datetime as dt
import os
import re
import time

import pytest

from cp2desk.sync.portal import Applicant, ApplicationView

OFFSET = re.compile(r"[+-]\d\d:\d\d$")


@pytest.fixture
def nairobi():
    """The process in East Africa Time (UTC+3), as the hub and the devices run."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Africa/Nairobi"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_a_moment_is_sent_with_its_offset(nairobi):
    view = ApplicationView(id="a", status="submitted", submitted_at=dt.datetime(2026, 11, 2, 9))
    sent = view.model_dump(mode="json")["submitted_at"]
    assert sent == "2026-11-02T09:00:00+03:00"
    assert view.submitted_at == dt.datetime(2026, 11, 2, 9)  # kept naive, local, in Python


def test_a_moment_is_read_as_local_time(nairobi):
    applicant = Applicant.model_validate_json(
        '{"application_id": "a", "professional_id": "p", "name": "N", "phone": "2547",'
        ' "status": "submitted", "submitted_at": "2026-11-02T06:00:00Z"}'
    )
    assert applicant.submitted_at == dt.datetime(2026, 11, 2, 9)
    again = ApplicationView.model_validate_json(
        ApplicationView(id="a", status="s", submitted_at=applicant.submitted_at).model_dump_json()
    )
    assert again.submitted_at == applicant.submitted_at


def test_an_offset_is_always_sent():
    view = ApplicationView(id="a", status="s", submitted_at=dt.datetime(2026, 1, 1, 12, 30))
    assert OFFSET.search(view.model_dump(mode="json")["submitted_at"])
    assert ApplicationView(id="a", status="s").model_dump(mode="json")["submitted_at"] is None
