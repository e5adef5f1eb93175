"""Claims on screen: a professional's own, and the sub-county's with totals, on a real replica."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from cp2desk.local_db.models import Claim
from cp2desk.sync.records import natural_id
from cp2desk.ui.pages.claim import ClaimPage
from cp2desk.ui.pages.subcounty_claims import SubCountyClaimsPage
from tests.services.claims_fixtures import add_claims


@pytest.fixture
def amounts(replica, centre):
    return add_claims(replica, centre)


def host(qtbot, page: QWidget, title: str) -> QWidget:
    """The page as a workspace shows it: on the page background, under a title."""
    frame = QWidget()
    frame.setObjectName("Page")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(20, 16, 20, 12)
    heading = QLabel(title)
    heading.setObjectName("PageTitle")
    layout.addWidget(heading)
    layout.addWidget(page, 1)
    qtbot.addWidget(frame)
    frame.resize(1366 - 230, 768)
    return frame


def test_my_claim_when_payable(qtbot, context, centre, amounts, settle, shoot):
    page = ClaimPage(context)
    frame = host(qtbot, page, "My claim")
    settle()
    assert [c.claim.series_code for c in page.cards] == ["KCSE2026"]
    card = page.cards[0]
    assert card.amount.text() == "KSh 550" and card.badge.text() == "Payable"
    assert (
        card.facts.text() == "1 day attended (2 sessions)  ·  Centre Manager at Kangemi High School"
    )
    shoot(frame, "26_my_claim_payable")


def test_my_claim_when_blocked_names_every_reason(qtbot, context, replica, centre, amounts,
                                                   settle, shoot):  # fmt: skip
    with replica.write() as s:
        claim = s.get(Claim, natural_id("claim", centre.series_id, centre.professionals["grace"]))
        claim.status = "blocked"
        claim.blocked = (
            "name_mismatch: The M-Pesa number is registered to “Grace Otieno”, but the CP2 "
            "account name is “Grace Wanjiru Mwangi”.\n"
            "missing_tsc_number: No TSC number on the profile (teachers are paid against it)."
        )
    page = ClaimPage(context)
    frame = host(qtbot, page, "My claim")
    settle()
    card = page.cards[0]
    assert card.badge.text() == "Blocked: not payable yet"
    texts = [label.text() for label in card.findChildren(QLabel)]
    assert any(
        t.startswith("<b>M-Pesa name differs</b>: The M-Pesa number is registered") for t in texts
    )
    assert "Add your TSC number to your CP2 profile." in texts
    shoot(frame, "27_my_claim_blocked")


def test_my_claim_when_paid_shows_the_payment(qtbot, context, replica, centre, amounts,
                                              settle, shoot):  # fmt: skip
    import datetime as dt

    with replica.write() as s:  # as the hub's payment run leaves the claim
        claim = s.get(Claim, natural_id("claim", centre.series_id, centre.professionals["grace"]))
        claim.status, claim.paid_amount, claim.paid_ref = "paid", 550, "SKL4ZQ81XY"
        claim.paid_at = dt.datetime(2026, 12, 4, 10, 30)
        claim.blocked = "payment_failed: KNEC's payment of KSh 550 did not go through."
    page = ClaimPage(context)
    frame = host(qtbot, page, "My claim")
    settle()
    card = page.cards[0]
    assert (card.badge.text(), card.amount.text()) == ("Paid", "KSh 550")
    assert card.payment.text().startswith("KNEC paid you KSh 550 on 04 Dec 2026, reference")
    assert "<b>SKL4ZQ81XY</b>" in card.payment.text()
    texts = [label.text() for label in card.findChildren(QLabel)]
    assert not any("Payment failed" in t for t in texts), "a paid claim is no longer held up"
    shoot(frame, "27b_my_claim_paid")


def test_no_claim_yet(qtbot, context, centre, settle):
    page = ClaimPage(context)
    frame = host(qtbot, page, "My claim")
    settle()
    assert frame.isVisible() is False and page.cards == [] and page.empty.isVisibleTo(page)


def test_sub_county_claims_with_totals(qtbot, context, centre, amounts, settle, shoot):
    context.user_id = centre.director_id
    page = SubCountyClaimsPage(context, [centre.sub_county_id])
    frame = host(qtbot, page, "Westlands sub-county: claims")
    settle()
    assert page.series.currentText() == "KCSE 2026"
    assert page.proxy.rowCount() == 12
    assert page.payable_card.value.text() == "KSh 5,080"
    assert page.payable_card.caption.text() == "payable to 9 officers"
    assert page.blocked_card.value.text() == "KSh 1,050"
    assert page.total_card.value.text() == "KSh 6,130"
    page.status.setCurrentIndex(page.status.findData("blocked"))
    names = [page.proxy.index(r, 0).data() for r in range(page.proxy.rowCount())]
    assert sorted(names) == [
        "Daniel Kiptoo Langat",
        "Esther Naliaka Wafula",
        "Mary Achieng Odhiambo",
    ]
    mary = next(
        r for r in range(page.proxy.rowCount()) if page.proxy.index(r, 0).data().startswith("Mary")
    )
    page.view.setCurrentIndex(page.proxy.index(mary, 0))
    assert "<b>M-Pesa name differs</b>" in page.detail.text()
    assert page.proxy.index(mary, 8).data() == "Blocked: M-Pesa name differs"
    page.status.setCurrentIndex(0)
    page.view.sortByColumn(7, Qt.SortOrder.DescendingOrder)
    assert page.proxy.index(0, 0).data() == "Peter Otieno Ouma", "KSh 680, the largest"
    page.view.setCurrentIndex(page.proxy.index(0, 0))
    shoot(frame, "28_subcounty_claims")
    page.search.setText("upper hill")
    assert page.proxy.rowCount() == 3, "Ann, and Brian and Esther who moved"


def test_the_director_finds_claims_in_the_sub_county_workspace(
    qtbot, context, centre, amounts, settle, shoot
):
    from cp2desk.ui.main_window import MainWindow
    from cp2desk.ui.workspaces.subcounty import SubcountyWorkspace

    context.user_id = centre.director_id
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: bool(window.workspaces))
    settle()
    workspace = next(w for w in window.workspaces if isinstance(w, SubcountyWorkspace))
    workspace.tabs.setCurrentWidget(workspace.claims)
    assert workspace.tabs.tabText(workspace.tabs.currentIndex()) == "Claims"
    assert workspace.claims.total_card.value.text() == "KSh 6,130"
    shoot(window, "29_subcounty_workspace_claims")
    window.shutdown()


def test_a_professional_finds_my_claim_in_my_cp2(
    qtbot, context, replica, centre, amounts, settle, shoot
):
    from cp2desk.local_db.models import Professional
    from cp2desk.ui.main_window import MainWindow
    from cp2desk.ui.workspaces.my_cp2 import MyCp2Workspace

    with replica.write() as s:  # a payable profile: paid by M-Pesa in her own name
        grace = s.get(Professional, centre.professionals["grace"])
        grace.payment_method, grace.mpesa_phone = "mpesa", grace.phone
        grace.mpesa_name = grace.full_name

    window = MainWindow(context)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: any(isinstance(w, MyCp2Workspace) for w in window.workspaces))
    settle()
    workspace = next(w for w in window.workspaces if isinstance(w, MyCp2Workspace))
    window.nav.setCurrentRow(window.workspaces.index(workspace))
    workspace.tabs.setCurrentWidget(workspace.claim)
    assert workspace.tabs.tabText(workspace.tabs.currentIndex()) == "My claim"
    assert [c.amount.text() for c in workspace.claim.cards] == ["KSh 550"]
    shoot(window, "31_my_cp2_my_claim")
    window.shutdown()
