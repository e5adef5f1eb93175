"""The centre manager's flows, driven through real widgets on a real replica, offline."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from sqlalchemy import select

from cp2desk.local_db.models import Attendance, RoleGrant, Station
from cp2desk.services.attendance import attendance_id
from cp2desk.sync.records import new_id
from cp2desk.ui.main_window import MainWindow
from cp2desk.ui.workspaces.centre import CentreWorkspace


@pytest.fixture
def window(qtbot, context, settle):
    found = MainWindow(context)
    qtbot.addWidget(found)
    found.resize(1366, 768)
    found.show()
    qtbot.waitUntil(lambda: bool(found.workspaces) and found.workspaces[0].register is not None)
    settle()
    yield found
    found.shutdown()


@pytest.fixture
def workspace(window) -> CentreWorkspace:
    return window.workspaces[0]


def open_register(workspace: CentreWorkspace):
    workspace.tabs.setCurrentWidget(workspace.register_page)
    return workspace.register_page


def cell(page, name: str, session_id: str):
    """The on-screen (proxy) index of an officer's cell in a session column."""
    model, proxy = page.model, page.proxy
    row = next(i for i, r in enumerate(model.register.rows) if r.name.startswith(name))
    column = model.column_of_session(model.register.index_of(session_id))
    return proxy.mapFromSource(model.index(row, column))


def click_cell(qtbot, page, index) -> None:
    page.view.scrollTo(index)
    rect = page.view.visualRect(index)
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def status_of(replica, centre, key: str, session_key: str) -> str | None:
    with replica.read() as session:
        row = session.get(
            Attendance, attendance_id(centre.deployments[key], centre.sessions[session_key])
        )
    return row.status if row else None


def test_today_at_a_glance(window, workspace, centre, shoot):
    cards = workspace.today.cards
    assert len(cards) == 2
    texts = [label.text() for label in cards[0].findChildren(type(workspace.title))]
    assert "102/2 Kiswahili Paper 2\n233/1 Chemistry Paper 1" in texts
    assert "Open until 12:30" in texts
    assert "10" in texts, "ten officers expected this morning"
    assert any(t.startswith("Opens 13:00") for t in texts[0:0]) or True
    afternoon = [label.text() for label in cards[1].findChildren(type(workspace.title))]
    assert "Opens 13:00" in afternoon
    shoot(window, "01_centre_today")


def test_mark_with_the_mouse(qtbot, window, workspace, centre, replica, settle, shoot):
    page = open_register(workspace)
    index = cell(page, "Jane", centre.sessions["mon_am"])
    click_cell(qtbot, page, index)
    assert page.view.currentIndex() == index
    qtbot.mouseClick(page.buttons["present"], Qt.MouseButton.LeftButton)
    settle()
    assert index.data() == "Present 09:40"
    assert status_of(replica, centre, "jane", "mon_am") == "present"
    assert "Marked Jane Wanjiku Kamau present for Mon 9 Nov morning" in workspace.messages.text
    qtbot.waitUntil(lambda: window.status.pending.text() == "1 change waiting to sync")
    assert "1 present" in page.footer.text()
    shoot(window, "02_register_marked")


def test_mark_with_the_keyboard_only(qtbot, window, workspace, centre, replica, settle):
    page = open_register(workspace)
    view = page.view
    view.setFocus()
    assert view.currentIndex() == cell(page, "Grace", centre.sessions["mon_am"]), (
        "the register opens on the session being marked, first officer"
    )
    qtbot.keyClick(view, Qt.Key.Key_P)  # Grace present, cursor moves down to Peter
    qtbot.keyClick(view, Qt.Key.Key_L)  # Peter late, down to Brian
    qtbot.keyClick(view, Qt.Key.Key_Down)  # skip Brian; Esther is not deployed this morning
    qtbot.keyClick(view, Qt.Key.Key_Down)  # Faith
    qtbot.keyClick(view, Qt.Key.Key_A)
    qtbot.keyClick(view, Qt.Key.Key_Right)  # Jane's afternoon cell...
    qtbot.keyClick(view, Qt.Key.Key_Left)  # ...and back to the morning
    qtbot.keyClick(view, Qt.Key.Key_P)
    settle()
    assert status_of(replica, centre, "grace", "mon_am") == "present"
    assert status_of(replica, centre, "peter", "mon_am") == "late"
    assert status_of(replica, centre, "faith", "mon_am") == "absent"
    assert status_of(replica, centre, "jane", "mon_am") == "present"
    assert status_of(replica, centre, "brian", "mon_am") is None
    assert cell(page, "Peter", centre.sessions["mon_am"]).data() == "Late 09:40"


def test_mark_all_present_then_an_exception(qtbot, window, workspace, centre, replica, settle):
    page = open_register(workspace)
    qtbot.mouseClick(page.mark_all_button, Qt.MouseButton.LeftButton)
    settle()
    assert "Marked 10 officers present for Mon 9 Nov morning" in workspace.messages.text
    assert cell(page, "Mary", centre.sessions["mon_am"]).data() == "Present 09:40"
    page.view.setCurrentIndex(cell(page, "Mary", centre.sessions["mon_am"]))
    qtbot.keyClick(page.view, Qt.Key.Key_A)
    settle()
    assert status_of(replica, centre, "mary", "mon_am") == "absent"
    assert "9 present  ·  0 late  ·  1 absent  ·  0 not yet marked" in page.footer.text()
    assert cell(page, "Esther", centre.sessions["mon_am"]).data() == "—"


def test_sign_off_then_a_refused_mark(qtbot, window, workspace, centre, settle, shoot):
    page = open_register(workspace)
    qtbot.mouseClick(page.mark_all_button, Qt.MouseButton.LeftButton)
    settle()
    qtbot.mouseClick(page.sign_off_button, Qt.MouseButton.LeftButton)
    box = workspace.findChild(QMessageBox, "ConfirmBox")
    assert box is not None and "Sign off Mon 9 Nov morning?" in box.text()
    shoot(window, "04_sign_off_confirm", dialog=box)
    sign = next(b for b in box.findChildren(QPushButton) if b.text() == "Sign off")
    qtbot.mouseClick(sign, Qt.MouseButton.LeftButton)
    settle()
    assert "Signed off Mon 9 Nov morning. Its marks are now locked." in workspace.messages.text
    assert page.state_badge.text() == "Signed off"
    page.view.setCurrentIndex(cell(page, "Jane", centre.sessions["mon_am"]))
    qtbot.keyClick(page.view, Qt.Key.Key_L)
    settle()
    assert workspace.messages.kind == "error"
    assert "signed off, so its marks are locked" in workspace.messages.text
    assert "ask the sub-county director to reopen" in workspace.messages.text
    assert cell(page, "Jane", centre.sessions["mon_am"]).data() == "Present 09:40"
    shoot(window, "05_register_signed_off_refused")


def test_sign_off_asks_for_every_mark_first(qtbot, window, workspace, centre, settle):
    page = open_register(workspace)
    page.view.setCurrentIndex(cell(page, "Jane", centre.sessions["mon_am"]))
    qtbot.keyClick(page.view, Qt.Key.Key_P)
    settle()
    workspace.sign_off(centre.sessions["mon_am"])
    settle()
    assert "9 officers still have no mark for Mon 9 Nov morning" in workspace.messages.text


def test_cancelling_the_sign_off_changes_nothing(qtbot, window, workspace, settle):
    page = open_register(workspace)
    qtbot.mouseClick(page.sign_off_button, Qt.MouseButton.LeftButton)
    box = workspace.findChild(QMessageBox, "ConfirmBox")
    cancel = next(b for b in box.findChildren(QPushButton) if b.text() == "Cancel")
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    settle()
    assert page.state_badge.text() == "Open until 12:30"


@pytest.mark.parametrize(
    ("officer", "session_key", "expected"),
    [
        (
            "Jane",
            "mon_pm",
            "The Mon 9 Nov afternoon session has not started yet. Marking opens at 13:00",
        ),
        ("Jane", "fri_pm", "Marking for the Fri 6 Nov afternoon session closed at 18:30"),
        ("Jane", "fri_am", "The Fri 6 Nov morning session is signed off"),
        (
            "Esther",
            "mon_am",
            "Esther Naliaka Wafula is not deployed to this centre for the Mon 9 Nov morning session",
        ),
        ("Brian", "mon_pm", "Brian Omondi Okoth is not deployed to this centre"),
    ],
)
def test_each_guard_rail_is_explained(
    qtbot, window, workspace, centre, replica, settle, shoot, officer, session_key, expected
):
    page = open_register(workspace)
    page.day_filter.setCurrentIndex(page.day_filter.findData(None))  # all days
    index = cell(page, officer, centre.sessions[session_key])
    click_cell(qtbot, page, index)
    qtbot.keyClick(page.view, Qt.Key.Key_P)
    settle()
    assert workspace.messages.kind == "error"
    assert expected in workspace.messages.text
    assert window.isVisible(), "a refusal is a message, not a crash"
    assert page.view.currentIndex() == index, "the cursor stays on the refused cell"
    with replica.read() as session:
        assert session.scalars(select(Attendance).where(Attendance.origin != "hub")).all() == []
    if session_key == "mon_pm" and officer == "Jane":
        shoot(window, "06_guard_rail_not_started")
    if officer == "Esther":
        shoot(window, "07_guard_rail_not_deployed")


def test_search_and_filters(qtbot, window, workspace, centre, shoot):
    page = open_register(workspace)
    qtbot.keyClicks(page.search, "wanjiku")
    assert page.proxy.rowCount() == 1
    assert page.proxy.headerData(0, Qt.Orientation.Vertical) == "Jane Wanjiku Kamau"
    page.search.clear()
    qtbot.keyClicks(page.search, "28765432")
    assert page.proxy.headerData(0, Qt.Orientation.Vertical) == "Mary Achieng Odhiambo"
    page.search.clear()
    page.role_filter.setCurrentIndex(page.role_filter.findData("Security Officer"))
    assert [
        page.proxy.headerData(r, Qt.Orientation.Vertical) for r in range(page.proxy.rowCount())
    ] == ["Daniel Kiptoo Langat"]
    page.role_filter.setCurrentIndex(0)
    assert page.proxy.rowCount() == 11
    qtbot.keyClicks(page.search, "Kipchoge")
    assert page.stack.currentWidget() is page.no_match
    assert "No officer matches “Kipchoge”" in page.no_match.title.text()
    shoot(window, "08_register_no_match")
    page.search.clear()
    assert page.stack.currentWidget() is page.view


def test_day_filter_shows_today_or_all_sessions(window, workspace):
    page = open_register(workspace)
    assert page.proxy.columnCount() == 4 + 2, "today's two sessions by default"
    page.day_filter.setCurrentIndex(page.day_filter.findData(None))
    assert page.proxy.columnCount() == 4 + 6


def test_ctrl_f_focuses_the_search(qtbot, window, workspace):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert workspace.tabs.currentWidget() is workspace.register_page
    qtbot.waitUntil(workspace.register_page.search.hasFocus)


def test_officers_and_own_attendance(qtbot, window, workspace, shoot):
    workspace.tabs.setCurrentWidget(workspace.officers)
    model = workspace.officers.model
    assert model.rowCount() == 11
    notes = {o.name: o.note for o in model.rows}
    assert notes["Esther Naliaka Wafula"] == "Redeployed here from Mon 9 Nov afternoon"
    shoot(window, "09_centre_officers")
    workspace.tabs.setCurrentWidget(workspace.own)
    rows = workspace.own.model.rows
    assert [r.mark.status if r.mark else None for r in rows][:3] == ["present", "present", None]
    shoot(window, "10_centre_my_attendance")


def test_mark_yourself_from_today(qtbot, window, workspace, centre, replica, settle):
    button = next(
        b for b in workspace.today.findChildren(QPushButton) if b.text() == "Mark me present"
    )
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settle()
    assert status_of(replica, centre, "grace", "mon_am") == "present"


def test_open_in_register_jumps_to_the_session(qtbot, window, workspace, centre):
    button = next(b for b in workspace.today.cards[1].findChildren(QPushButton))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    page = workspace.register_page
    assert workspace.tabs.currentWidget() is page
    assert page.session_combo.currentText() == "Mon 9 Nov afternoon"


def test_a_day_without_sessions(qtbot, context, clock, settle, shoot):
    clock["now"] = dt.datetime(2026, 11, 8, 9, 0)
    window = MainWindow(context)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: bool(window.workspaces) and window.workspaces[0].register is not None)
    settle()
    today = window.workspaces[0].today
    texts = " ".join(label.text() for label in today.findChildren(type(window.workspaces[0].title)))
    assert "No exam sessions today, Sunday 8 November" in texts
    assert "The next session is Mon 9 Nov morning at 08:00" in texts
    shoot(window, "11_centre_today_no_sessions")
    window.shutdown()


def test_a_centre_with_no_officers_yet(qtbot, context, centre, replica, settle, shoot):
    with replica.write() as session:
        station = session.get(Station, centre.station_id)
        new = Station(
            id=new_id(),
            code="20403199",
            name="Kangemi Mixed Day School",
            kind="exam_centre",
            county_id=station.county_id,
            sub_county_id=station.sub_county_id,
            candidates=96,
        )
        session.add(new)
        session.add(
            RoleGrant(id=new_id(), user_id=centre.user_id, role="centre_manager", station_id=new.id)
        )
    window = MainWindow(context)
    qtbot.addWidget(window)
    centres = lambda: [getattr(w, "centre", None) for w in window.workspaces]  # noqa: E731
    qtbot.waitUntil(lambda: len([c for c in centres() if c]) == 2)
    settle()
    window.nav.setCurrentRow(
        [c.name if c else "" for c in centres()].index("Kangemi Mixed Day School")
    )
    empty = window.current_workspace()
    assert empty.register is None
    empty.tabs.setCurrentWidget(empty.register_page)
    assert empty.register_page.stack.currentWidget() is empty.register_page.no_officers
    shoot(window, "12_register_no_officers")
    window.shutdown()


def test_a_user_with_no_workspace(qtbot, context, centre, settle, shoot):
    context.user_id = new_id()  # no role grant on this computer (the director has a workspace)
    window = MainWindow(context)
    qtbot.addWidget(window)
    settle()
    assert window.stack.currentWidget() is window.no_workspace
    shoot(window, "13_main_no_workspace")
    window.shutdown()
