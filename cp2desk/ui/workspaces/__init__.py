"""One workspace per role (Mu's modes): which ones a user sees follows their role grants.

`available(replica, user_id)` runs off the UI thread and lists the workspaces to
offer; the main window builds each with `Workspace.build(context, parent)`. Other
roles add their entry to `_FINDERS` when their workspace exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from cp2desk.services.register import Centre, managed_centres

if TYPE_CHECKING:
    from cp2desk.local_db.replica import Replica
    from cp2desk.ui.context import DeskContext


@dataclass(frozen=True)
class WorkspaceEntry:
    """A line of the side list: its title, icon and how to build the page."""

    key: str
    title: str
    icon: str
    build: Callable[[DeskContext, QWidget | None], QWidget]


def _centres(replica: Replica, user_id: str) -> list[WorkspaceEntry]:
    from cp2desk.ui.workspaces.centre import CentreWorkspace

    def entry(centre: Centre) -> WorkspaceEntry:
        return WorkspaceEntry(
            f"centre:{centre.station_id}",
            centre.name,
            "centre",
            lambda context, parent: CentreWorkspace(context, centre, parent),
        )

    return [entry(c) for c in managed_centres(replica, user_id)]


def _distribution_centres(replica: Replica, user_id: str) -> list[WorkspaceEntry]:
    from cp2desk.services.custody import DistributionCentre, clerk_centres
    from cp2desk.ui.workspaces.distribution import DistributionWorkspace

    def entry(dc: DistributionCentre) -> WorkspaceEntry:
        return WorkspaceEntry(
            f"distribution:{dc.station_id}",
            dc.name,
            "materials",
            lambda context, parent: DistributionWorkspace(context, dc, parent),
        )

    return [entry(dc) for dc in clerk_centres(replica, user_id)]


def _subcounty(replica: Replica, user_id: str) -> list[WorkspaceEntry]:
    """One workspace for every sub-county the user directs (TSC director or SCDE)."""
    from cp2desk.services.subcounty import directorate
    from cp2desk.ui.workspaces.subcounty import SubcountyWorkspace

    who = directorate(replica, user_id)
    if not who.roles:
        return []
    return [
        WorkspaceEntry(
            "subcounty:" + ",".join(who.sub_county_ids),
            f"{who.title} sub-county",
            "subcounty",
            lambda context, parent: SubcountyWorkspace(context, who, parent),
        )
    ]


def _my_cp2(replica: Replica, user_id: str) -> list[WorkspaceEntry]:
    """Every professional's own workspace: profile, vacancies, applications, account."""
    from cp2desk.services.profile import is_professional
    from cp2desk.ui.workspaces.my_cp2 import MyCp2Workspace

    if not is_professional(replica, user_id):
        return []
    return [
        WorkspaceEntry(
            "my_cp2", "My CP2", "person", lambda context, parent: MyCp2Workspace(context, parent)
        )
    ]


_FINDERS: list[Callable[[Replica, str], list[WorkspaceEntry]]] = [
    _centres,
    _distribution_centres,
    _subcounty,
    _my_cp2,
]


def available(replica: Replica, user_id: str) -> list[WorkspaceEntry]:
    return [entry for find in _FINDERS for entry in find(replica, user_id)]
