"""The look: style sheet, icons and font, all loaded from `resources/`."""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication


def resources_dir() -> Path:
    """`resources/` beside the package, or inside a PyInstaller bundle."""
    override = os.environ.get("CP2DESK_RESOURCES")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


@cache
def icon(name: str) -> QIcon:
    return QIcon(str(resources_dir() / "icons" / f"{name}.svg"))


def style_sheet() -> str:
    path = resources_dir() / "style" / "app.qss"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def apply(app: QApplication) -> None:
    """Font first (the style sheet sizes in points), then the style sheet and the app icon."""
    font = QFont()
    font.setFamilies(["Segoe UI", "Noto Sans", "Ubuntu", "DejaVu Sans"])
    font.setPointSize(10)
    app.setFont(font)
    app.setStyle("Fusion")
    app.setStyleSheet(style_sheet())
    app.setWindowIcon(icon("app"))


def repolish(widget) -> None:
    """Re-apply the style sheet after a dynamic property (tone, kind, state) changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()
