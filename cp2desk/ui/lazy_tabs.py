"""Tabs whose pages are built the first time they are needed.

A workspace with five pages, four of them out of sight, opens faster when it builds only
the one in view: every tab shows at once (title and icon), its page is made when the tab
is first chosen or when code asks for it with `page(key)`, and then takes the
placeholder's place. `page_built` lets the owner connect and fill a page as it appears.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QTabWidget, QWidget


class LazyTabs(QTabWidget):
    page_built = Signal(str, QWidget)  # key, page

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._keys: list[str] = []
        self._builders: dict[str, Callable[[], QWidget]] = {}
        self._pages: dict[str, QWidget] = {}
        self.currentChanged.connect(self._on_current)

    def add_page(self, key: str, icon: QIcon, title: str, build: Callable[[], QWidget]) -> None:
        self._keys.append(key)
        self._builders[key] = build
        self.addTab(QWidget(), icon, title)

    def page(self, key: str) -> QWidget:
        """The page of `key`, built (and put in its tab) now if it was not yet."""
        found = self._pages.get(key)
        if found is not None:
            return found
        page = self._pages[key] = self._builders[key]()
        index = self._keys.index(key)
        icon, title, current = self.tabIcon(index), self.tabText(index), self.currentIndex()
        placeholder = self.widget(index)
        blocked = self.blockSignals(True)
        self.removeTab(index)
        self.insertTab(index, page, icon, title)
        self.setCurrentIndex(current)
        self.blockSignals(blocked)
        placeholder.deleteLater()
        self.page_built.emit(key, page)
        return page

    def built(self, key: str) -> QWidget | None:
        return self._pages.get(key)

    def current_key(self) -> str | None:
        index = self.currentIndex()
        return self._keys[index] if 0 <= index < len(self._keys) else None

    def _on_current(self, index: int) -> None:
        if 0 <= index < len(self._keys):
            self.page(self._keys[index])
