"""The centre manager's own line of the register: they are a contracted professional too."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from cp2desk.services.glance import OwnMark
from cp2desk.ui import theme
from cp2desk.ui.models.register_model import STATUS_TEXT
from cp2desk.ui.models.rows_model import Column, RowsModel
from cp2desk.ui.rows_table import rows_table


def _mark(o: OwnMark) -> str:
    if o.deployment_id is None:
        return "Not deployed here"
    return STATUS_TEXT.get(o.mark.status, o.mark.status) if o.mark else "Not marked yet"


COLUMNS: list[Column[OwnMark]] = [
    Column("Session", lambda o: o.session.label, 200),
    Column("Time", lambda o: f"{o.session.starts_at:%H:%M}–{o.session.ends_at:%H:%M}", 110),
    Column("Papers", lambda o: "; ".join(o.session.paper_list), 380),
    Column("Attendance", _mark, 150, icon=lambda o: theme.icon(o.mark.status) if o.mark else None),
    Column(
        "Check-in", lambda o: f"{o.mark.check_in:%H:%M}" if o.mark and o.mark.check_in else "", 90
    ),
]


class OwnAttendancePage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(8)
        self.intro = QLabel(
            "Your own attendance at this centre. You mark it yourself in the register "
            "(your row is first) or from Today; it counts towards your claim like everyone's."
        )
        self.intro.setObjectName("Muted")
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.model: RowsModel[OwnMark] = RowsModel(COLUMNS, self)
        self.view = rows_table(self.model, COLUMNS)
        self.view.setAlternatingRowColors(True)
        layout.addWidget(self.view, 1)

    def set_rows(self, rows: list[OwnMark]) -> None:
        self.model.set_rows(rows)
        if not rows:
            self.intro.setText("You are not on this centre's deployment list for this series.")
