"""The KNEC clerk's flows at the Westlands container, through real widgets, offline.

Monday 9 November 2026 at 09:40: the morning session is under way. Kangemi's centre
manager is Grace Mwangi (ID 23456781); Upper Hill has none deployed.
"""

from __future__ import annotations

import subprocess

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from sqlalchemy import select

from cp2desk.local_db.models import Attendance, MaterialMovement, OutboxEntry
from cp2desk.services.attendance import attendance_id
from cp2desk.services.custody import log_collection
from cp2desk.ui.context import DeskContext
from cp2desk.ui.main_window import MainWindow
from cp2desk.ui.operation import OperationRunner
from cp2desk.ui.reports import export
from cp2desk.ui.workspaces.centre import CentreWorkspace
from cp2desk.ui.workspaces.distribution import DistributionWorkspace
from tests.services.custody_fixtures import GRACE_ID, build_container, morning


@pytest.fixture
def dc(replica):
    return build_container(replica)


@pytest.fixture
def clerk(replica, dc, clock):
    runner = OperationRunner(1)
    found = DeskContext(
        replica, dc.clerk_id, runner, display_name="Wycliffe Barasa", now=lambda: clock["now"]
    )
    yield found
    runner.wait()


@pytest.fixture
def wait(qtbot, clerk):
    def settle(timeout: int = 5000) -> None:
        qtbot.waitUntil(lambda: not clerk.runner.busy, timeout=timeout)

    return settle


@pytest.fixture
def window(qtbot, clerk, wait):
    found = MainWindow(clerk)
    qtbot.addWidget(found)
    found.resize(1366, 768)
    found.show()
    qtbot.waitUntil(lambda: bool(found.workspaces))
    wait()
    yield found
    found.shutdown()


@pytest.fixture
def workspace(window) -> DistributionWorkspace:
    page = window.workspaces[0]
    assert isinstance(page, DistributionWorkspace)
    return page


def shown(workspace) -> list[tuple[str, str, str]]:
    return [(x.session.label, x.centre.name, x.state) for x in workspace.custody.model.rows]


def box_button(parent, text: str) -> QPushButton:
    box = parent.findChild(QMessageBox, "ConfirmBox")
    assert box is not None, "a confirmation was expected"
    return next(b for b in box.findChildren(QPushButton) if b.text() == text)


def outbox(replica) -> list[OutboxEntry]:
    with replica.read() as s:
        return list(s.scalars(select(OutboxEntry).order_by(OutboxEntry.position)))


def test_the_clerk_sees_todays_custody_log(window, workspace, shoot):
    assert window.nav.count() == 2  # and My CP2, which every professional has
    assert window.nav.item(0).text() == "Westlands Sub-County Examination Container"
    assert workspace.tabs.tabText(0) == "Materials"
    assert "serves 2 centres" in workspace.subtitle.text()
    assert "KCSE 2026" in workspace.subtitle.text()
    assert workspace.custody.day.currentText() == "Mon 9 Nov  (today)"
    assert shown(workspace) == [
        ("Mon 9 Nov morning", "Kangemi High School", "waiting"),
        ("Mon 9 Nov morning", "Upper Hill School", "waiting"),
        ("Mon 9 Nov afternoon", "Kangemi High School", "waiting"),
        ("Mon 9 Nov afternoon", "Upper Hill School", "waiting"),
    ]
    assert workspace.custody.summary.text().startswith("Mon 9 Nov: 0 of 4 collections logged")
    shoot(window, "20_distribution_materials")


def test_log_a_collection_through_the_dialog(qtbot, window, workspace, replica, wait, shoot):
    page = workspace.custody
    qtbot.mouseClick(page.collect_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog.session.currentText().startswith("Mon 9 Nov morning")
    assert dialog.centre.currentText() == "Kangemi High School (20403101)"
    assert dialog.expected.text() == "Centre manager: Grace Wanjiru Mwangi (ID number ending 781)"
    qtbot.keyClicks(dialog.national_id, GRACE_ID)
    assert dialog.check.text() == "✓ Grace Wanjiru Mwangi, the centre manager"
    qtbot.keyClicks(dialog.seals, "KN0412783, KN0412784")
    shoot(window, "21_distribution_log_collection", dialog=dialog)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    wait()
    wait()
    assert "Grace Wanjiru Mwangi collected the papers of Kangemi High School" in (
        workspace.messages.text
    )
    assert shown(workspace)[0] == ("Mon 9 Nov morning", "Kangemi High School", "out")
    row = page.model.rows[0]
    assert row.collected.seals == ("KN0412783", "KN0412784")
    assert [e.table_name for e in outbox(replica)] == ["material_movement"]
    qtbot.waitUntil(lambda: window.status.pending.text() == "1 change waiting to sync")


def test_someone_else_is_asked_about_and_flagged(qtbot, window, workspace, replica, wait, shoot):
    page = workspace.custody
    dialog = page.open_dialog("collect")
    qtbot.keyClicks(dialog.national_id, "29876543")
    assert dialog.check.text() == "Not the centre manager's ID number: check the ID card."
    qtbot.keyClicks(dialog.seals, "KN1")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    wait()
    box = page.findChild(QMessageBox, "ConfirmBox")
    assert "ID 29876543 is not the centre manager of Kangemi High School" in box.text()
    shoot(window, "22_distribution_not_the_manager", dialog=box)
    assert outbox(replica) == []
    qtbot.mouseClick(box_button(page, "Log anyway"), Qt.MouseButton.LeftButton)
    wait()
    wait()
    line = page.model.rows[0]
    assert line.flags == ["Collected by John Kiprono Cheruiyot, not the centre manager"]
    assert page.model.data(page.model.index(0, 0), Qt.ItemDataRole.BackgroundRole) is not None
    assert len(outbox(replica)) == 1


def test_outstanding_and_mismatched_returns_are_highlighted(
    qtbot, window, workspace, replica, dc, clock, wait, shoot
):
    kangemi, am = dc.centre.station_id, dc.centre.sessions["mon_am"]
    log_collection(replica, dc.clerk_id, kangemi, am, GRACE_ID, "KN1, KN2", morning(6, 55))
    friday = morning(7).replace(day=6)
    log_collection(
        replica, dc.clerk_id, kangemi, dc.centre.sessions["fri_am"], GRACE_ID, "KN7", friday
    )
    clock["now"] = morning(11, 5)
    workspace.reload()
    wait()
    page = workspace.custody
    assert shown(workspace)[0] == ("Mon 9 Nov morning", "Kangemi High School", "outstanding")
    assert "⚠ 1 return outstanding" in page.summary.text()
    dialog = page.open_dialog("return", page.model.rows[0])
    assert dialog.issued.text() == "Issued at collection: KN1, KN2"
    qtbot.keyClicks(dialog.national_id, GRACE_ID)
    qtbot.mouseClick(dialog.same_seals, Qt.MouseButton.LeftButton)
    assert dialog.seals.text() == "KN1, KN2"
    dialog.seals.setText("KN1")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    wait()
    wait()
    line = page.model.rows[0]
    assert line.state == "seals_differ" and line.flags == ["Seals not returned: KN2"]
    page.day.setCurrentIndex(page.day.count() - 1)  # all days
    page.attention.setChecked(True)
    assert [(x.session.label, x.state) for x in page.model.rows] == [
        ("Fri 6 Nov morning", "outstanding"),
        ("Mon 9 Nov morning", "seals_differ"),
    ]
    assert "⚠ 1 return outstanding" in page.summary.text()
    shoot(window, "23_distribution_attention")


def test_logging_a_handover_again_asks_to_correct_it(qtbot, workspace, replica, dc, wait):
    kangemi, am = dc.centre.station_id, dc.centre.sessions["mon_am"]
    log_collection(replica, dc.clerk_id, kangemi, am, GRACE_ID, "KN1", morning(6, 55))
    workspace.reload()
    wait()
    page = workspace.custody
    dialog = page.open_dialog("collect", page.model.rows[0])
    qtbot.keyClicks(dialog.national_id, GRACE_ID)
    qtbot.keyClicks(dialog.seals, "KN9")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    wait()
    qtbot.mouseClick(box_button(page, "Replace"), Qt.MouseButton.LeftButton)
    wait()
    wait()
    with replica.read() as s:
        assert [m.seals for m in s.scalars(select(MaterialMovement))] == ["KN9"]


def test_a_refusal_is_told_in_the_message_bar(qtbot, workspace, wait):
    page = workspace.custody
    dialog = page.open_dialog("return")
    qtbot.keyClicks(dialog.national_id, GRACE_ID)
    qtbot.keyClicks(dialog.seals, "KN1")
    assert dialog.issued.text() == "No collection is logged for this centre and session yet."
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    wait()
    assert workspace.messages.kind == "error"
    assert "No collection is logged for Kangemi High School" in workspace.messages.text


def test_the_clerk_marks_the_container_staff(qtbot, window, workspace, replica, dc, wait, shoot):
    workspace.tabs.setCurrentIndex(1)
    staff = workspace.staff
    qtbot.waitUntil(lambda: staff.register is not None)
    assert [r.name for r in staff.register.rows] == ["Wycliffe Barasa", "Moses Kiprop"]
    assert staff.tabs.tabText(staff.tabs.count() - 1) == "My attendance"
    page = staff.register_page
    staff.tabs.setCurrentWidget(page)
    page.focus_cell(1, staff.register.index_of(dc.centre.sessions["mon_am"]))
    qtbot.keyClick(page.view, Qt.Key.Key_L)
    wait()
    with replica.read() as s:
        mark = s.get(
            Attendance, attendance_id(dc.deployments["driver"], dc.centre.sessions["mon_am"])
        )
    assert mark.status == "late" and mark.marked_by == dc.clerk_id
    assert "Marked Moses Kiprop late" in staff.messages.text
    shoot(window, "24_distribution_staff_register")


def test_export_the_custody_log_as_pdf_and_csv(
    qtbot, workspace, replica, dc, wait, tmp_path, monkeypatch
):
    kangemi, am = dc.centre.station_id, dc.centre.sessions["mon_am"]
    log_collection(replica, dc.clerk_id, kangemi, am, GRACE_ID, "KN1, KN2", morning(6, 55))
    asked = []

    def fake_ask(_parent, kind, suggested):
        asked.append(suggested)
        return str(tmp_path / f"log.{kind}")

    monkeypatch.setattr(export, "ask_path", fake_ask)
    actions = [a.text() for a in workspace.export.menu().actions() if a.text()]
    assert actions == [
        "Custody log: save as PDF for printing…",
        "Custody log: save as CSV for a spreadsheet…",
        "Staff register: save as PDF for printing…",
        "Staff register: save as CSV for a spreadsheet…",
    ]
    workspace.export.export("pdf", 0)
    wait()
    assert asked[0].endswith(
        "custody-log-westlands-sub-county-examination-container-2026-11-09.pdf"
    )
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "log.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "Custody log" in text and "KN1, KN2" in text and "Page 1 of 1" in text
    assert "Saved the custody log to" in workspace.messages.text
    workspace.export.export("csv", 1)
    wait()
    assert "Wycliffe Barasa" in (tmp_path / "log.csv").read_text(encoding="utf-8-sig")


def test_the_centre_manager_sees_the_collections(
    qtbot, replica, dc, clock, shoot, tmp_path, monkeypatch
):
    log_collection(
        replica, dc.clerk_id, dc.centre.station_id, dc.centre.sessions["mon_am"], GRACE_ID,
        "KN0412783, KN0412784", morning(6, 55),
    )  # fmt: skip
    friday = dc.centre.sessions["fri_am"]
    log_collection(
        replica, dc.clerk_id, dc.centre.station_id, friday, GRACE_ID, "KN0399001",
        morning(6, 50).replace(day=6),
    )  # fmt: skip
    from cp2desk.services.custody import log_return

    log_return(
        replica, dc.clerk_id, dc.centre.station_id, friday, GRACE_ID, "KN0399001",
        morning(10, 52).replace(day=6),
    )  # fmt: skip
    runner = OperationRunner(1)
    context = DeskContext(replica, dc.centre.user_id, runner, "Grace Wanjiru Mwangi",
                          now=lambda: clock["now"])  # fmt: skip
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: bool(window.workspaces))
    qtbot.waitUntil(lambda: not runner.busy)
    workspace = window.workspaces[0]
    assert isinstance(workspace, CentreWorkspace)
    workspace.tabs.setCurrentWidget(workspace.materials)
    rows = workspace.materials.model.rows
    assert [(x.session.label, x.state) for x in rows] == [
        ("Fri 6 Nov morning", "returned"),
        ("Fri 6 Nov afternoon", "not_collected"),
        ("Mon 9 Nov morning", "out"),
        ("Mon 9 Nov afternoon", "waiting"),
    ]
    assert workspace.materials.stack.currentWidget() is workspace.materials.view
    shoot(window, "25_centre_materials")
    monkeypatch.setattr(export, "ask_path", lambda _p, kind, _s: str(tmp_path / f"reg.{kind}"))
    workspace.export.export("csv")
    qtbot.waitUntil(lambda: not runner.busy)
    text = (tmp_path / "reg.csv").read_text(encoding="utf-8-sig")
    assert "Attendance register" in text and "John Kiprono Cheruiyot" in text
    window.shutdown()
    runner.wait()
