"""The sub-county director's flows, driven through real widgets on a real replica, offline.

Westlands sub-county (tests/services/subcounty_fixtures.py) on Monday 9 November 2026 at
09:40, during the morning session. Screenshots of every screen go to
artifacts/screenshots/2x_subcounty_*.png.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton
from sqlalchemy import select

from cp2desk.local_db.models import Deployment, OutboxEntry, SessionSignoff
from cp2desk.services.attendance import signoff_id
from cp2desk.services.redeploy import redeploy
from cp2desk.services.subcounty_summary import find_officers
from cp2desk.ui.context import DeskContext
from cp2desk.ui.main_window import MainWindow
from cp2desk.ui.models.subcounty_models import LINE_ROLE, OVER_BACKGROUND, SHORT_BACKGROUND
from cp2desk.ui.operation import OperationRunner
from cp2desk.ui.workspaces.subcounty import SubcountyWorkspace
from tests.services.subcounty_fixtures import build_subcounty


@pytest.fixture
def sub(replica):
    return build_subcounty(replica)


@pytest.fixture
def director(replica, sub, clock):
    runner = OperationRunner(1)
    context = DeskContext(
        replica,
        sub.director_id,
        runner,
        display_name="Joseph Kamau Njenga",
        now=lambda: clock["now"],
    )
    yield context
    runner.wait()


@pytest.fixture
def idle(qtbot, director):
    def wait() -> None:
        qtbot.waitUntil(lambda: not director.runner.busy, timeout=5000)

    return wait


@pytest.fixture
def window(qtbot, director, idle):
    found = MainWindow(director)
    qtbot.addWidget(found)
    found.resize(1366, 768)
    found.show()
    qtbot.waitUntil(lambda: bool(found.workspaces) and found.workspaces[0].overview is not None)
    idle()
    yield found
    found.shutdown()


@pytest.fixture
def workspace(window) -> SubcountyWorkspace:
    [found] = window.workspaces
    assert isinstance(found, SubcountyWorkspace)
    return found


def staffing_cell(page, centre: str, header: str):
    model = page.model
    row = next(i for i, line in enumerate(model.lines) if line.centre.name.startswith(centre))
    return model.index(row, model.headers.index(header))


def visible_lines(proxy) -> list:
    return [proxy.line_at(row) for row in range(proxy.rowCount())]


def test_the_director_gets_the_sub_county_workspace(window, workspace):
    item = window.nav.item(0)
    assert item.text() == "Westlands sub-county"
    assert workspace.title.text() == "Westlands sub-county"
    assert workspace.subtitle.text() == (
        "TSC sub-county director   ·   KCSE 2026   ·   5 exam centres   ·   39 officers"
    )
    assert workspace.session_combo.currentText() == "Mon 9 Nov morning, 08:00"
    assert workspace.badge.text() == "Marking now"


def test_overview_highlights_shortfalls_and_surpluses_and_sorts(
    qtbot, window, workspace, idle, shoot
):
    page = workspace.overview_page
    short = staffing_cell(page, "Parklands", "Invigilators")
    over = staffing_cell(page, "Hospital", "Invigilators")
    assert short.data() == "3 / 5" and over.data() == "7 / 5"
    assert short.data(Qt.ItemDataRole.BackgroundRole).color() == SHORT_BACKGROUND
    assert over.data(Qt.ItemDataRole.BackgroundRole).color() == OVER_BACKGROUND
    assert (
        staffing_cell(page, "Kangemi", "Invigilators").data(Qt.ItemDataRole.BackgroundRole) is None
    )
    assert "Parklands Arya Girls High School needs 5 invigilators and has 3" in short.data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert [label.text() for label in page.figures.numbers.values()] == [
        "5",
        "2",
        "3",
        "3",
        "39 / 39",
    ]
    shoot(window, "20_subcounty_overview")

    column = page.model.headers.index("Invigilators")
    header = page.view.horizontalHeader()
    x = header.sectionViewportPosition(column) + 10
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 10))
    assert header.sortIndicatorSection() == column
    first = visible_lines(page.proxy)[0].centre.name
    last = visible_lines(page.proxy)[-1].centre.name
    assert {first, last} == {"Parklands Arya Girls High School", "Hospital Hill High School"}

    page.only_short.setChecked(True)
    assert {line.centre.name for line in visible_lines(page.proxy)} == {
        "Parklands Arya Girls High School",
        "Upper Hill School",
    }
    page.only_short.setChecked(False)
    page.search.setText("20403105")
    assert [line.centre.name for line in visible_lines(page.proxy)] == ["Kitisuru Secondary School"]


def test_another_session_shows_its_own_staffing(qtbot, workspace, sub, idle):
    workspace.session_combo.setCurrentIndex(
        workspace.session_combo.findData(sub.sessions["tue_am"])
    )
    idle()
    assert workspace.overview.session.label == "Tue 10 Nov morning"
    assert workspace.badge.text() == "Not started yet"


def test_attendance_now_across_centres(qtbot, window, workspace, idle, shoot):
    workspace.tabs.setCurrentWidget(workspace.attendance)
    page = workspace.attendance
    assert page.headline.text().startswith("2 of 5 centres have not marked Mon 9 Nov morning yet")
    states = {line.centre.name: line.state for line in visible_lines(page.proxy)}
    assert states["Kitisuru Secondary School"] == "signed"
    assert [a.name for a in page.absent_model.lines] == ["Dennis Kerubo", "Ann Moraa Nyaboke"]
    assert page.absent_title.text() == "Absent at Mon 9 Nov morning: 2 officers"
    assert not page.reopen_button.isEnabled()
    shoot(window, "21_subcounty_attendance")
    page.only_waiting.setChecked(True)
    assert [line.centre.name for line in visible_lines(page.proxy)] == [
        "Kangemi High School",
        "Parklands Arya Girls High School",
    ]


def open_dialog(qtbot, workspace, search: str, idle):
    workspace.tabs.setCurrentWidget(workspace.officers)
    page = workspace.officers
    page.search.setText(search)
    assert page.proxy.rowCount() == 1
    qtbot.mouseClick(page.redeploy_button, Qt.MouseButton.LeftButton)
    dialog = workspace.redeploy_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.check is not None, timeout=3000)
    return dialog


def choose(qtbot, dialog, idle, centre: str | None = None, session: str | None = None, reason=None):
    if centre is not None:
        dialog.target.setCurrentIndex(
            next(
                i
                for i in range(dialog.target.count())
                if dialog.target.itemText(i).startswith(centre)
            )
        )
    if session is not None:
        dialog.session.setCurrentIndex(dialog.session.findData(session))
    if reason is not None:
        dialog.reason.setPlainText(reason)
    qtbot.wait(200)  # the dialog asks after a short pause in typing
    idle()
    qtbot.waitUntil(lambda: dialog.check is not None and dialog.status.text() != "", timeout=3000)


def test_redeploy_with_a_shortfall_asks_to_confirm(
    qtbot, window, workspace, sub, replica, idle, shoot
):
    dialog = open_dialog(qtbot, workspace, "Mary", idle)
    assert dialog.session.currentData() == sub.sessions["mon_pm"]  # the next session not started
    names = [dialog.target.itemText(i) for i in range(dialog.target.count())]
    assert names[1].startswith("Parklands Arya Girls High School   ·   invigilators: 3 of 5")
    assert not any("Lenana" in n or "Container" in n or n.startswith("Kangemi") for n in names)
    choose(qtbot, dialog, idle, "Parklands", reason="Parklands is two invigilators short")
    assert dialog.problems.text == ""
    assert dialog.warnings.text == (
        "Kangemi High School needs 7 invigilators. After this move it has 6 from "
        "Mon 9 Nov afternoon: 1 short."
    )
    assert dialog.redeploy_button.isEnabled()
    shoot(window, "22_subcounty_redeploy_dialog", dialog=dialog)
    qtbot.mouseClick(dialog.redeploy_button, Qt.MouseButton.LeftButton)
    box = dialog.findChild(QMessageBox, "ConfirmBox")
    assert "Redeploy anyway?" in box.text()
    shoot(window, "23_subcounty_redeploy_shortfall_confirm", dialog=box)
    qtbot.mouseClick(
        next(b for b in box.findChildren(QPushButton) if b.text() == "Redeploy anyway"),
        Qt.MouseButton.LeftButton,
    )
    idle()
    qtbot.waitUntil(lambda: workspace.redeploy_dialog is None)
    idle()
    assert workspace.messages.text.startswith(
        "Redeployed Mary Achieng Odhiambo (invigilator) from Kangemi High School to "
        "Parklands Arya Girls High School from Mon 9 Nov afternoon. Saved on this computer"
    )
    with replica.read() as s:
        [entry] = s.scalars(select(OutboxEntry)).all()
        old = s.get(Deployment, sub.centre.deployments["mary"])
    assert entry.table_name == "redeployment" and old.status == "redeployed"
    assert window.status.pending.text() == "1 change waiting to sync"
    mary = visible_lines(workspace.officers.proxy)[0]
    assert mary.note == "Leaves from Mon 9 Nov afternoon"
    assert workspace.officers.history_model.lines[0].to_centre == "Parklands Arya Girls High School"
    shoot(window, "24_subcounty_officer_history")


def test_cancelling_the_shortfall_question_writes_nothing(qtbot, workspace, replica, idle):
    dialog = open_dialog(qtbot, workspace, "Mary", idle)
    choose(qtbot, dialog, idle, "Parklands", reason="Short")
    qtbot.mouseClick(dialog.redeploy_button, Qt.MouseButton.LeftButton)
    box = dialog.findChild(QMessageBox, "ConfirmBox")
    qtbot.mouseClick(
        next(b for b in box.findChildren(QPushButton) if b.text() == "Cancel"),
        Qt.MouseButton.LeftButton,
    )
    idle()
    assert replica.pending_count() == 0 and dialog.isVisible()
    assert dialog.redeploy_button.isEnabled()


@pytest.mark.parametrize(
    ("search", "centre", "session", "reason", "message"),
    [
        (
            "Jane",
            "Upper Hill",
            "mon_pm",
            "x",
            "Jane Wanjiku Kamau teaches at Upper Hill School and cannot serve at their own school.",
        ),
        (
            "Daniel",
            "Parklands",
            "mon_pm",
            "x",
            "Only the sub-county director of education redeploys security officers; "
            "Daniel Kiptoo Langat is a security officer.",
        ),
        (
            "Grace",
            "Parklands",
            "mon_pm",
            "x",
            "A centre manager cannot be redeployed from the sub-county office.",
        ),
        (
            "Mary",
            "Parklands",
            "mon_am",
            "x",
            "The Mon 9 Nov morning session has already started; redeploy from a later session.",
        ),
        (
            "Mary",
            "Parklands",
            "mon_pm",
            "",
            "Say why the officer is moved: it is kept with the move.",
        ),
    ],
    ids=["own school", "role scde only", "role not movable", "session started", "reason"],
)
def test_each_rule_is_shown_in_the_dialog(
    qtbot, window, workspace, sub, replica, idle, shoot, search, centre, session, reason, message
):
    dialog = open_dialog(qtbot, workspace, search, idle)
    choose(qtbot, dialog, idle, centre, sub.sessions[session], reason="typed")
    choose(qtbot, dialog, idle, reason=reason)
    assert message in dialog.problems.text.split("\n")
    assert not dialog.redeploy_button.isEnabled()
    assert dialog.status.text() == "This move cannot be made as it is:"
    if search == "Jane":
        shoot(window, "25_subcounty_redeploy_rule_own_school", dialog=dialog)
    dialog.reject()
    assert replica.pending_count() == 0


def test_not_twice_in_one_session_is_shown_in_the_dialog(qtbot, window, clock, sub, idle, shoot):
    clock["now"] = dt.datetime(2026, 11, 6, 7, 0)  # Friday, before the first session
    workspace = window.workspaces[0]
    workspace.reload()
    idle()
    # On Friday Brian serves at Kangemi; his Upper Hill deployment starts on Monday afternoon.
    [on_friday] = find_officers(workspace.overview, "Brian")
    assert on_friday.centre == "Kangemi High School"
    brian = dataclasses.replace(
        on_friday,
        deployment_id=sub.centre.elsewhere["brian"],
        station_id=sub.stations["upper_hill"],
        centre="Upper Hill School",
    )
    dialog = workspace.open_redeploy(brian)
    choose(qtbot, dialog, idle, "Hospital Hill", sub.sessions["fri_pm"], "Cover Hospital Hill")
    assert dialog.problems.text == (
        "Brian Omondi Okoth is already deployed to Kangemi High School for Fri 6 Nov afternoon; "
        "nobody serves at two centres in one session."
    )
    shoot(window, "26_subcounty_redeploy_rule_twice", dialog=dialog)
    dialog.reject()


def test_scde_moves_security_officers(qtbot, replica, sub, clock, idle):
    runner = OperationRunner(1)
    context = DeskContext(replica, sub.scde_id, runner, now=lambda: clock["now"])
    window = MainWindow(context)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: bool(window.workspaces) and window.workspaces[0].overview is not None)
    qtbot.waitUntil(lambda: not runner.busy)
    workspace = window.workspaces[0]
    assert workspace.subtitle.text().startswith("Sub-county director of education")
    workspace.tabs.setCurrentWidget(workspace.officers)
    workspace.officers.search.setText("Daniel")
    qtbot.mouseClick(workspace.officers.redeploy_button, Qt.MouseButton.LeftButton)
    dialog = workspace.redeploy_dialog
    dialog.target.setCurrentIndex(1)
    dialog.reason.setPlainText("Second gate at Parklands")
    qtbot.waitUntil(lambda: dialog.check is not None and dialog.check.allowed, timeout=3000)
    qtbot.waitUntil(dialog.redeploy_button.isEnabled)
    assert dialog.warnings.text.startswith("Kangemi High School needs 1 security officers")
    window.shutdown()
    runner.wait()


def test_reopen_a_signed_off_session(qtbot, window, workspace, sub, replica, idle, shoot):
    page = workspace.attendance
    workspace.tabs.setCurrentWidget(page)
    page.select_centre(sub.stations["kitisuru"])
    assert page.reopen_button.isEnabled()
    qtbot.mouseClick(page.reopen_button, Qt.MouseButton.LeftButton)
    idle()
    dialog = workspace.reopen_dialog
    assert dialog is not None and not dialog.reopen_button.isEnabled()
    dialog.reason.setPlainText("Two invigilators were marked present but left at 09:00")
    assert dialog.reopen_button.isEnabled()
    shoot(window, "27_subcounty_reopen_dialog", dialog=dialog)
    qtbot.mouseClick(dialog.reopen_button, Qt.MouseButton.LeftButton)
    idle()
    qtbot.waitUntil(lambda: workspace.reopen_dialog is None)
    idle()
    assert workspace.messages.text.startswith(
        "Reopened Mon 9 Nov morning at Kitisuru Secondary School."
    )
    with replica.read() as s:
        row = s.get(SessionSignoff, signoff_id(sub.stations["kitisuru"], sub.sessions["mon_am"]))
    assert (row.status, row.reopened_by) == ("reopened", sub.director_id)
    states = {line.centre.name: line.state for line in visible_lines(page.proxy)}
    assert states["Kitisuru Secondary School"] == "reopened"


def test_redeployments_by_centre(qtbot, window, workspace, sub, replica, idle, shoot):
    redeploy(replica, sub.director_id, sub.centre.deployments["mary"], sub.stations["parklands"],
             sub.sessions["mon_pm"], "Parklands short", sub.now)  # fmt: skip
    redeploy(replica, sub.director_id, sub.deployments["hospital_hill/invigilator/6"],
             sub.stations["upper_hill"], sub.sessions["tue_am"], "Hospital Hill has spare", sub.now)  # fmt: skip
    workspace.reload()
    window.refresh_sync_facts()
    idle()
    page = workspace.overview_page
    index = page.proxy.mapFromSource(staffing_cell(page, "Parklands", "Centre"))
    page.view.doubleClicked.emit(index)
    assert workspace.tabs.currentWidget() is workspace.history_page
    history = workspace.history_page
    assert [m.officer for m in visible_lines(history.proxy)] == ["Mary Achieng Odhiambo"]
    history.show_centre("")
    assert history.proxy.rowCount() == 2
    assert history.model.index(0, history.model.SYNC).data() == "Waiting to sync"
    assert history.footer.text() == "2 redeployments shown; 2 made here waiting to sync."
    shoot(window, "28_subcounty_redeployments")


def test_export_buttons_write_csv(qtbot, workspace, tmp_path, idle, monkeypatch):
    deployments, attendance = tmp_path / "deployments.csv", tmp_path / "attendance.csv"
    answers = iter([str(deployments), str(attendance)])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (next(answers), ""))
    qtbot.mouseClick(workspace.overview_page.export_button, Qt.MouseButton.LeftButton)
    idle()
    assert workspace.messages.text == f"Saved 41 deployment lines to {deployments}."
    workspace.tabs.setCurrentWidget(workspace.attendance)
    qtbot.mouseClick(workspace.attendance.export_button, Qt.MouseButton.LeftButton)
    idle()
    assert workspace.messages.text == f"Saved 15 centre sessions to {attendance}."
    assert deployments.read_text("utf-8-sig").startswith("Sub-county,Centre code,Centre,Role")
    assert attendance.read_text("utf-8-sig").startswith("Sub-county,Centre code,Centre,Date")


def test_export_to_a_given_path_and_cancelled_dialog(workspace, tmp_path, idle, monkeypatch):
    target = tmp_path / "list.csv"
    workspace.export_deployments(target)
    idle()
    assert target.exists()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    workspace.export_attendance()
    idle()
    assert not (tmp_path / "attendance.csv").exists()


def test_line_role_gives_the_plain_line(workspace):
    model = workspace.overview_page.model
    assert model.index(0, 0).data(LINE_ROLE).centre.name == model.lines[0].centre.name
