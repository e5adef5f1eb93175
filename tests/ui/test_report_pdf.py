"""The printable PDFs: read back with pdftotext, and rendered to PNG with pdftoppm for a look.

PNGs of every page go to artifacts/reports/ (git-ignored), where they are looked at.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from cp2desk.reports.claims import claims_report
from cp2desk.reports.custody import custody_report
from cp2desk.reports.register import register_report
from cp2desk.reports.table import Column, Report
from cp2desk.services.custody import log_collection, log_return
from cp2desk.ui.reports.pdf import write_pdf
from tests.services.claims_fixtures import add_claims
from tests.services.custody_fixtures import GRACE_ID, build_container, morning
from tests.ui.conftest import ROOT

ARTIFACTS = ROOT / "artifacts" / "reports"

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")),
    reason="poppler-utils (pdftotext, pdftoppm) is not installed",
)


def pages_text(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[:-1]


def render(pdf: Path) -> list[Path]:
    """Every page as a PNG in artifacts/reports/, for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{pdf.stem}-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", "80", "-png", str(pdf), str(ARTIFACTS / pdf.stem)], check=True
    )
    return sorted(ARTIFACTS.glob(f"{pdf.stem}-*.png"))


@pytest.fixture
def dc(replica):
    container = build_container(replica)
    add_claims(replica, container.centre)
    return container


def check_every_page(pages: list[str], *facts: str) -> None:
    for number, page in enumerate(pages, start=1):
        assert "KENYA NATIONAL EXAMINATIONS COUNCIL" in page
        for fact in facts:
            assert fact in " ".join(page.split()), f"{fact!r} missing on page {number}"
        assert f"Page {number} of {len(pages)}" in page


def test_register_pdf(qapp, replica, dc, tmp_path):
    report = register_report(replica, dc.centre.station_id, morning(9, 40))
    pdf = write_pdf(report, tmp_path / "register-kangemi.pdf")
    pages = pages_text(pdf)
    assert len(pages) == 1
    check_every_page(
        pages,
        "Attendance register",
        "Series: KCSE 2026",
        "Centre: Kangemi High School (20403101), Westlands, Nairobi",
        "Date: Mon 9 Nov 2026, 09:40",
    )
    flat = " ".join(pages[0].split())
    assert "7 John Kiprono Cheruiyot 29876543 Invigilator L 08:25 L 14:20" in flat
    assert "Signed off Fri 6 Nov morning (11:05)" in flat
    assert len(render(pdf)) == 1


def test_a_long_register_runs_over_pages_with_the_header_repeated(qapp, replica, tmp_path):
    from tests.services.fixtures import build_centre

    centre = build_centre(replica, extra_officers=90)
    report = register_report(replica, centre.station_id, morning(9, 40))
    pdf = write_pdf(report, tmp_path / "register-long.pdf")
    pages = pages_text(pdf)
    assert len(pages) >= 3
    check_every_page(pages, "Series: KCSE 2026", "Centre: Kangemi High School")
    for page in pages[:-1]:
        assert "Officer" in page and "Fri 6 Nov AM" in page, "the header row on every page"
    assert "101" in pages[-1] and "Officers 101" in " ".join(pages[-1].split())
    assert len(render(pdf)) == len(pages)


def test_a_wide_register_is_printed_in_bands(qapp, tmp_path):
    sessions = [f"{d} Nov {s}" for d in range(2, 22) for s in ("AM", "PM")][:34]
    report = Report(
        "Attendance register", "KCSE 2026", "Centre", "Kangemi High School (20403101)",
        dt.datetime(2026, 11, 20, 17, 0),
        [Column("No.", 0.45, "right"), Column("Officer", 2.6), Column("ID number", 1.1),
         Column("Role", 1.3), *(Column(s, 1.0, "center") for s in sessions),
         Column("Attended", 0.9, "right")],
        keep=4, band=8, tail=1,
    )  # fmt: skip
    for i in range(12):
        report.add([str(i + 1), f"Officer {i + 1}", f"2{i:07d}", "Invigilator", *(["P 07:30"] * 34),
                    "34/34"])  # fmt: skip
    pdf = write_pdf(report, tmp_path / "register-wide.pdf")
    pages = pages_text(pdf)
    assert len(pages) == 5
    for number, page in enumerate(pages, start=1):
        assert f"Part {number} of 5" in page and "Officer 12" in page
    assert "Attended" in pages[-1] and "Attended" not in pages[0]
    assert len(render(pdf)) == 5


def test_claims_pdf(qapp, replica, dc, tmp_path):
    report = claims_report(replica, dc.centre.sub_county_id, now=morning(9, 40))
    pdf = write_pdf(report, tmp_path / "claims-westlands.pdf")
    pages = pages_text(pdf)
    check_every_page(
        pages, "Claims", "Series: KCSE 2026", "Sub-county: Westlands, Nairobi", "Date: Mon 9 Nov"
    )
    flat = " ".join(" ".join(pages).split())
    assert "Payable 9 officers, KSh 5,080" in flat
    assert "Blocked 3 officers, KSh 1,050" in flat
    assert "Total KSh 6,130 for 11 days" in flat
    assert "No M-Pesa number on the profile." in flat
    render(pdf)


def test_custody_pdf(qapp, replica, dc, tmp_path):
    kangemi, fri = dc.centre.station_id, dc.centre.sessions["fri_am"]
    friday = morning(7).replace(day=6)
    log_collection(replica, dc.clerk_id, kangemi, fri, GRACE_ID, "KN1 KN2", friday)
    log_return(replica, dc.clerk_id, kangemi, fri, GRACE_ID, "KN1", friday.replace(hour=11))
    mon = dc.centre.sessions["mon_am"]
    log_collection(replica, dc.clerk_id, kangemi, mon, GRACE_ID, "KN3", morning(6, 50))
    report = custody_report(replica, dc.station_id, morning(12))
    pdf = write_pdf(report, tmp_path / "custody-westlands.pdf")
    pages = pages_text(pdf)
    check_every_page(
        pages,
        "Custody log",
        "Series: KCSE 2026",
        "Distribution centre: Westlands Sub-County Examination Container (DC04701)",
        "Date: Mon 9 Nov 2026, 12:00",
    )
    flat = " ".join(pages[0].split())
    assert "Seals not returned: KN2" in flat and "Scripts not returned" in flat
    assert "Returns outstanding 1" in flat
    render(pdf)
