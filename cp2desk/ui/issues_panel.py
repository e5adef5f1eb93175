"""The panel of conflicts and refused changes, each in plain words with what to do."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
)

from cp2desk.services.sync_issues import Issue
from cp2desk.ui import theme
from cp2desk.ui.empty_state import EmptyState

Index = QModelIndex | QPersistentModelIndex
ISSUE_ROLE = Qt.ItemDataRole.UserRole + 1


class IssuesModel(QAbstractListModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.issues: list[Issue] = []

    def set_issues(self, issues: list[Issue]) -> None:
        self.beginResetModel()
        self.issues = list(issues)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.issues)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        issue = self.issues[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return (
                f"{issue.headline}  ·  {issue.at:%a} {issue.at.day} {issue.at:%b %H:%M}\n{issue.detail}\n"
                f"What you can do: {issue.what_to_do}"
            )
        if role == Qt.ItemDataRole.DecorationRole:
            return theme.icon("warning" if issue.kind == "conflict" else "error")
        if role == ISSUE_ROLE:
            return issue
        return None


class IssuesPanel(QFrame):
    dismiss_requested = Signal(list)  # issue ids
    close_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("IssuesPanel")
        self.setFixedWidth(330)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 16, 12, 12)
        layout.setSpacing(8)
        top = QHBoxLayout()
        title = QLabel("Needs your attention")
        title.setObjectName("CardTitle")
        hide = QPushButton("Hide")
        hide.clicked.connect(self.close_requested)
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(hide)
        layout.addLayout(top)
        intro = QLabel(
            "After a sync, the hub sends back any change it could not take as it was. "
            "Nothing is dropped silently: each one is listed here."
        )
        intro.setObjectName("Muted")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.model = IssuesModel(self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setWordWrap(True)
        self.view.setSpacing(4)
        self.view.setUniformItemSizes(False)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.empty = EmptyState(
            "Nothing needs your attention",
            "Conflicts and refused changes from the hub appear here after a sync.",
            "success",
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)
        buttons = QHBoxLayout()
        self.dismiss_button = QPushButton("Dismiss selected")
        self.dismiss_button.clicked.connect(self._dismiss_selected)
        self.dismiss_all_button = QPushButton("Dismiss all")
        self.dismiss_all_button.clicked.connect(
            lambda: self.dismiss_requested.emit([i.id for i in self.model.issues])
        )
        buttons.addWidget(self.dismiss_button)
        buttons.addWidget(self.dismiss_all_button)
        layout.addLayout(buttons)

    def set_issues(self, issues: list[Issue]) -> None:
        self.model.set_issues(issues)
        self.stack.setCurrentWidget(self.view if issues else self.empty)
        self.dismiss_button.setEnabled(bool(issues))
        self.dismiss_all_button.setEnabled(bool(issues))

    def _dismiss_selected(self) -> None:
        ids = [self.model.issues[i.row()].id for i in self.view.selectionModel().selectedRows()]
        if ids:
            self.dismiss_requested.emit(ids)
