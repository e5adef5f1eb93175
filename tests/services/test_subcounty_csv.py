"""CSV exports of the sub-county: the deployment list and the attendance summary."""

from __future__ import annotations

import csv

import pytest

from cp2desk.local_db.models import Professional
from cp2desk.services.subcounty_csv import (
    ATTENDANCE_HEADER,
    DEPLOYMENT_HEADER,
    export_attendance,
    export_deployments,
)
from tests.services.subcounty_fixtures import build_subcounty


@pytest.fixture
def sub(replica):
    return build_subcounty(replica)


def read(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def test_deployment_list(replica, sub, tmp_path):
    path = tmp_path / "deployments.csv"
    written = export_deployments(replica, sub.director_id, path, sub.now)
    header, *rows = read(path)
    assert tuple(header) == DEPLOYMENT_HEADER
    assert len(rows) == written == 41  # 39 officers, two redeployed (a line at each centre)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    brian = [r for r in rows if r[4] == "Brian Omondi Okoth"]
    assert brian == [
        ["Westlands", "20403101", "Kangemi High School", "Invigilator", "Brian Omondi Okoth",
         "33210987", "667890", "254779001122", "Fri 6 Nov morning", "Mon 9 Nov morning",
         "Redeployed"],
        ["Westlands", "20403102", "Upper Hill School", "Invigilator", "Brian Omondi Okoth",
         "33210987", "667890", "254779001122", "Mon 9 Nov afternoon", "Tue 10 Nov afternoon",
         "Active"],
    ]  # fmt: skip
    centres = [r[2] for r in rows]
    assert centres == sorted(centres)
    kangemi_roles = [r[3] for r in rows if r[2] == "Kangemi High School"]
    assert kangemi_roles[0] == "Centre Manager" and kangemi_roles[-1] == "Security Officer"
    assert not any(r[2] == "Lenana School" for r in rows)
    assert not path.with_name("deployments.csv.part").exists()


def test_attendance_summary(replica, sub, tmp_path):
    path = tmp_path / "attendance.csv"
    written = export_attendance(replica, sub.director_id, path, sub.now)
    header, *rows = read(path)
    assert tuple(header) == ATTENDANCE_HEADER
    assert written == len(rows) == 5 * 3  # five centres x the three sessions started
    by_key = {(r[2], r[3], r[4]): r[5:] for r in rows}
    assert by_key[("Kangemi High School", "2026-11-06", "morning")] == [
        "10", "9", "1", "0", "0", "Signed off",
    ]  # fmt: skip
    assert by_key[("Kangemi High School", "2026-11-06", "afternoon")] == [
        "10", "8", "1", "1", "0", "Not signed off",
    ]  # fmt: skip
    assert by_key[("Hospital Hill High School", "2026-11-09", "morning")] == [
        "11", "3", "1", "1", "6", "Not signed off",
    ]  # fmt: skip
    assert by_key[("Kitisuru Secondary School", "2026-11-09", "morning")][-1] == "Signed off"


def test_a_cell_that_looks_like_a_formula_is_written_as_text(replica, sub, tmp_path):
    with replica.write() as s:
        jane = s.get(Professional, sub.centre.professionals["jane"])
        jane.first_name = '=HYPERLINK("http://x")'
    path = tmp_path / "deployments.csv"
    export_deployments(replica, sub.director_id, path, sub.now)
    names = [r[4] for r in read(path)[1:]]
    assert '\'=HYPERLINK("http://x") Wanjiku Kamau' in names
