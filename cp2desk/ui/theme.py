"""The look: style sheet, icons and font, all loaded from `resources/`."""

from __future__ import annotations

import os
import re
import sys
from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QFont, QIcon, QPixmap
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
def icon(name: str, color: str | None = None) -> QIcon:
    """An icon from `resources/icons`; `color` redraws its strokes (e.g. light on the side bar)."""
    path = resources_dir() / "icons" / f"{name}.svg"
    if color is None or not path.exists():
        return QIcon(str(path))
    svg = re.sub(r'stroke="#[0-9a-fA-F]{6}"', f'stroke="{color}"', path.read_text("utf-8"))
    pixmap = QPixmap()
    pixmap.loadFromData(QByteArray(svg.encode()), "SVG")
    return QIcon(pixmap)


def style_sheet() -> str:
    """The style sheet, with `url(icons/...)` resolved against `resources/`."""
    path = resources_dir() / "style" / "app.qss"
    if not path.exists():
        return ""
    icons = (resources_dir() / "icons").as_posix()
    return path.read_text(encoding="utf-8").replace("url(icons/", f"url({icons}/")


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
