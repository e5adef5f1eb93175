"""Report contents, read back from their CSV: heading facts, rows, cells and totals."""

from __future__ import annotations

import datetime as dt

from cp2desk.reports.claims import claims_report
from cp2desk.reports.custody import custody_report
from cp2desk.reports.register import register_report
from cp2desk.reports.table import Column, Report, read_csv, write_csv
from cp2desk.services.custody import log_collection, log_return
from tests.services.custody_fixtures import GRACE_ID, morning

FRIDAY = dt.date(2026, 11, 6)


def roundtrip(report, tmp_path):
    return read_csv(write_csv(report, tmp_path / f"{report.file_stem()}.csv"))


def test_register_csv(replica, dc, tmp_path):
    report = register_report(replica, dc.centre.station_id, morning(9, 40))
    heading, header, rows, totals = roundtrip(report, tmp_path)
    assert heading == {
        "Report": "Attendance register",
        "Series": "KCSE 2026",
        "Centre": "Kangemi High School (20403101), Westlands, Nairobi",
        "Date": "Mon 9 Nov 2026, 09:40",
    }
    assert header[:4] == ["No.", "Officer", "ID number", "Role"]
    assert header[4:7] == ["Fri 6 Nov AM", "Fri 6 Nov PM", "Mon 9 Nov AM"]
    assert header[-1] == "Attended"
    by_name = {row[1]: row for row in rows}
    assert len(rows) == 11
    assert by_name["John Kiprono Cheruiyot"][4:6] == ["L 08:25", "L 14:20"]
    assert by_name["Mary Achieng Odhiambo"][4:6] == ["P 07:30", "A"]
    assert by_name["Mary Achieng Odhiambo"][-1] == "1/3", "of the sessions started by 09:40"
    esther = by_name["Esther Naliaka Wafula"]
    assert esther[4:7] == ["–", "–", "–"] and esther[-1] == "–", "redeployed in from Monday PM"
    assert by_name["Brian Omondi Okoth"][7:10] == ["–", "–", "–"], "redeployed out"
    assert totals == {
        "Officers": "11",
        "Sessions": "6",
        "Signed off": "Fri 6 Nov morning (11:05)",
    }


def test_the_container_staff_register(replica, dc, tmp_path):
    report = register_report(replica, dc.station_id, morning(9, 40), "", "Distribution centre")
    heading, _header, rows, _totals = roundtrip(report, tmp_path)
    assert heading["Distribution centre"].startswith(
        "Westlands Sub-County Examination Container (DC04701)"
    )
    assert [(r[1], r[3]) for r in rows] == [
        ("Wycliffe Barasa", "Clerk"),
        ("Moses Kiprop", "Driver"),
    ]


def test_custody_csv_marks_outstanding_and_mismatched(replica, dc, tmp_path):
    kangemi = dc.centre.station_id
    fri = dc.centre.sessions["fri_am"]
    log_collection(
        replica, dc.clerk_id, kangemi, fri, GRACE_ID, "KN1 KN2", morning(7).replace(day=6)
    )
    log_return(replica, dc.clerk_id, kangemi, fri, GRACE_ID, "KN1", morning(11).replace(day=6))
    mon = dc.centre.sessions["mon_am"]
    log_collection(replica, dc.clerk_id, kangemi, mon, GRACE_ID, "KN3", morning(6, 50))
    report = custody_report(replica, dc.station_id, morning(12))
    heading, header, rows, totals = roundtrip(report, tmp_path)
    assert heading["Distribution centre"].startswith("Westlands Sub-County Examination Container")
    assert heading["Series"] == "KCSE 2026" and heading["Date"] == "Mon 9 Nov 2026, 12:00"
    assert header == [
        "Session", "Centre", "Collected", "By", "Seals issued", "Returned", "By",
        "Seals returned", "Status",
    ]  # fmt: skip
    assert rows[0] == [
        "Fri 6 Nov morning", "Kangemi High School", "07:00", "Grace Wanjiru Mwangi (ID 23456781)",
        "KN1, KN2", "11:00", "Grace Wanjiru Mwangi (ID 23456781)", "KN1",
        "Seals not returned: KN2",
    ]  # fmt: skip
    monday = next(r for r in rows if r[0] == "Mon 9 Nov morning" and r[1] == "Kangemi High School")
    assert monday[2:5] == ["06:50", "Grace Wanjiru Mwangi (ID 23456781)", "KN3"]
    assert monday[-1] == "Scripts not returned"
    assert len(rows) == 8, "the sessions up to today, and none of the later ones"
    assert report.tones[0] == "error" and report.tones[rows.index(monday)] == "warning"
    assert totals == {
        "Collections": "2",
        "Returns": "1",
        "Returns outstanding": "1",
        "Seals differ": "1",
    }


def test_claims_csv_with_totals(replica, dc, tmp_path):
    report = claims_report(replica, dc.centre.sub_county_id, now=morning(9, 40))
    heading, header, rows, totals = roundtrip(report, tmp_path)
    assert heading["Sub-county"] == "Westlands, Nairobi" and heading["Series"] == "KCSE 2026"
    assert header[-6:] == ["Sessions", "Days", "Rate (KSh)", "Amount (KSh)", "Status",
                           "Blocked because"]  # fmt: skip
    by_name = {row[1]: row for row in rows}
    assert by_name["Grace Wanjiru Mwangi"][4:] == [
        "Kangemi High School", "Centre Manager", "2", "1", "550", "550", "Payable", "",
    ]  # fmt: skip
    assert by_name["Brian Omondi Okoth"][4] == "Kangemi High School → Upper Hill School"
    assert by_name["Mary Achieng Odhiambo"][-2:] == [
        "Blocked",
        "The M-Pesa number is registered to “Mary Otieno”, but the CP2 account name is "
        "“Mary Achieng Odhiambo”.",
    ]
    assert len(rows) == 12, "Kangemi and Upper Hill's officers, not the container's"
    assert totals == {
        "Officers": "12",
        "Payable": "9 officers, KSh 5,080",
        "Blocked": "3 officers, KSh 1,050",
        "Total": "KSh 6,130 for 11 days",
    }


def test_wide_tables_are_cut_into_bands_that_keep_the_names():
    columns = [Column("No."), Column("Officer")] + [Column(f"S{i}") for i in range(20)]
    report = Report("R", "S", "Centre", "C", dt.datetime(2026, 11, 9), columns + [Column("Total")],
                    keep=2, band=8, tail=1)  # fmt: skip
    assert report.bands() == [
        [0, 1, *range(2, 10)],
        [0, 1, *range(10, 18)],
        [0, 1, 18, 19, 20, 21, 22],
    ]
    assert report.file_stem() == "r-c-2026-11-09"
