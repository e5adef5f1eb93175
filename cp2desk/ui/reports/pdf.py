"""A `Report` as a printable PDF, drawn with Qt's PDF writer and a painter.

Each page carries the council, the report's title, series, place and date at the top
and "Page n of N" at the bottom; the table's header row repeats on every page, rows
are never split, and a wide table is printed in bands of columns (a register of forty
sessions: eight sessions a band, the officer's name repeated). Layout runs first, so
the total number of pages is known before the first page is drawn.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from cp2desk.reports.table import COUNCIL, Report
from cp2desk.ui.immortal_none import make_none_immortal

DPI = 300
MM = DPI / 25.4
PAD_X, PAD_Y = 1.2 * MM, 0.9 * MM
SIGNATURE_LINE = 11 * MM
FAMILIES = ["DejaVu Sans", "Noto Sans", "Segoe UI", "Arial"]
TONE_FILL = {"warning": QColor("#fef3c7"), "error": QColor("#fee2e2"), "muted": None}
HEADER_FILL = QColor("#e2e8f0")
ZEBRA_FILL = QColor("#f8fafc")
GRID = QColor("#94a3b8")
TEXT = QColor("#0f172a")
MUTED = QColor("#475569")
ALIGN = {
    "left": Qt.AlignmentFlag.AlignLeft,
    "right": Qt.AlignmentFlag.AlignRight,
    "center": Qt.AlignmentFlag.AlignHCenter,
}


def _font(points: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(FAMILIES)
    font.setPointSizeF(points)
    font.setBold(bold)
    # Any letter spacing turns ligatures off: "Officer" must stay six letters for search and
    # copy in a PDF reader. (QFont.setFeature would say so directly, but PySide6 6.12's
    # binding of it corrupts None's reference count and crashes the interpreter.)
    font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 100.001)
    return font


@dataclass
class _Item:
    kind: str  # caption, header, row, totals, notes
    y: float
    height: float
    band: int = 0
    row: int = -1


@dataclass
class _Page:
    items: list[_Item] = field(default_factory=list)


class _Layout:
    """Where everything goes: pages of items, measured with the writer's own metrics."""

    def __init__(self, report: Report, writer: QPdfWriter) -> None:
        self.report, self.writer = report, writer
        page = writer.pageLayout().paintRectPixels(DPI)
        self.width, self.height = float(page.width()), float(page.height())
        self.fonts = {
            "council": _font(8),
            "title": _font(14, bold=True),
            "facts": _font(9),
            "cell": _font(7.5),
            "head": _font(7.5, bold=True),
            "footer": _font(7.5),
            "totals": _font(9),
            "totals_bold": _font(9, bold=True),
        }
        self.bands = report.bands()
        self.widths = self._column_widths()
        self.top = self._heading_height() + 3 * MM
        self.bottom = self.height - self.line_height("footer") - 3 * MM

    def line_height(self, font: str) -> float:
        return QFontMetricsF(self.fonts[font], self.writer).height()

    def measure(self, text: str, font: str, width: float) -> float:
        metrics = QFontMetricsF(self.fonts[font], self.writer)
        flags = int(Qt.TextFlag.TextWordWrap)
        return metrics.boundingRect(QRectF(0, 0, max(width, 1.0), 1e7), flags, text).height()

    def _column_widths(self) -> list[float]:
        """Every band shares one scale, so a column is as wide in the last band as the first."""
        columns = self.report.columns
        widest = max(sum(columns[i].width for i in band) for band in self.bands)
        scale = self.width / widest if widest else self.width
        return [c.width * scale for c in columns]

    def _heading_height(self) -> float:
        facts = "    ".join(f"{k}: {v}" for k, v in self.report.heading()[1:])
        return (
            self.line_height("council")
            + self.line_height("title")
            + 1 * MM
            + self.measure(facts, "facts", self.width)
        )

    def _row_height(self, band: list[int], cells: list[str], font: str) -> float:
        tallest = max(
            (self.measure(cells[i], font, self.widths[i] - 2 * PAD_X) for i in band), default=0.0
        )
        return tallest + 2 * PAD_Y

    def pages(self) -> list[_Page]:
        pages = [_Page()]
        y = self.top
        report = self.report
        for number, band in enumerate(self.bands):
            header = self._row_height(band, [c.header for c in report.columns], "head")
            caption = self.line_height("facts") + 1 * MM if len(self.bands) > 1 else 0.0
            if number and y > self.top:
                pages.append(_Page())
                y = self.top
            y = self._start(pages[-1], y, number, caption, header)
            for index, cells in enumerate(report.rows):
                height = self._row_height(band, cells, "cell")
                if y + height > self.bottom and pages[-1].items[-1].kind != "header":
                    pages.append(_Page())
                    y = self._start(pages[-1], self.top, number, caption, header)
                pages[-1].items.append(_Item("row", y, height, number, index))
                y += height
        blocks = (
            ("totals", self._totals_height()),
            ("notes", self._notes_height()),
            ("signatures", self._signatures_height()),
        )
        for kind, height in blocks:
            if not height:
                continue
            if y + 3 * MM + height > self.bottom:
                pages.append(_Page())
                y = self.top
            pages[-1].items.append(_Item(kind, y + 3 * MM, height))
            y += 3 * MM + height
        return pages

    @staticmethod
    def _start(page: _Page, y: float, band: int, caption: float, header: float) -> float:
        """A band's caption (when there are several) and header row, at the top of a page."""
        if caption:
            page.items.append(_Item("caption", y, caption, band))
            y += caption
        page.items.append(_Item("header", y, header, band))
        return y + header

    def _totals_height(self) -> float:
        return len(self.report.totals) * (self.line_height("totals") + 0.6 * MM)

    def _signatures_height(self) -> float:
        return len(self.report.signatures) * SIGNATURE_LINE

    def _notes_height(self) -> float:
        notes = self.report.notes
        return sum(self.measure(n, "footer", self.width) + 0.5 * MM for n in notes)


def write_pdf(report: Report, path: Path | str) -> Path:
    """Write `report` to `path` as an A4 PDF (landscape unless the report says otherwise)."""
    make_none_immortal()  # tens of thousands of Qt calls: see immortal_none
    path = Path(path)
    writer = QPdfWriter(str(path))
    writer.setResolution(DPI)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    orientation = (
        QPageLayout.Orientation.Landscape
        if report.landscape
        else (QPageLayout.Orientation.Portrait)
    )
    writer.setPageOrientation(orientation)
    writer.setPageMargins(QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter)
    writer.setTitle(f"{report.title}: {report.place}")
    writer.setCreator("CP2 Desk")
    layout = _Layout(report, writer)
    pages = layout.pages()
    painter = QPainter(writer)
    if not painter.isActive():  # Qt says nothing else when the file cannot be created
        raise OSError(errno.EACCES, "the file cannot be written there", str(path))
    try:
        for number, page in enumerate(pages, start=1):
            if number > 1:
                writer.newPage()
            _Painter(painter, layout).page(page, number, len(pages))
    finally:
        painter.end()
    return path


class _Painter:
    def __init__(self, painter: QPainter, layout: _Layout) -> None:
        self.p, self.layout, self.report = painter, layout, layout.report

    def page(self, page: _Page, number: int, total: int) -> None:
        self._heading()
        for item in page.items:
            getattr(self, f"_{item.kind}")(item)
        self._footer(number, total)

    def _text(self, rect: QRectF, text: str, font: str, flags, color: QColor = TEXT) -> None:
        self.p.setFont(self.layout.fonts[font])
        self.p.setPen(color)
        self.p.drawText(rect, int(flags), text)

    def _heading(self) -> None:
        lay, width = self.layout, self.layout.width
        top = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        y = 0.0
        self._text(
            QRectF(0, y, width, lay.line_height("council")), COUNCIL.upper(), "council", top, MUTED
        )
        y += lay.line_height("council")
        self._text(QRectF(0, y, width, lay.line_height("title")), self.report.title, "title", top)
        y += lay.line_height("title") + 1 * MM
        facts = "    ".join(f"{k}: {v}" for k, v in self.report.heading()[1:])
        height = lay.measure(facts, "facts", width)
        self._text(QRectF(0, y, width, height), facts, "facts", top | Qt.TextFlag.TextWordWrap)
        y += height + 1.2 * MM
        self.p.setPen(QPen(GRID, 0.3 * MM))
        self.p.drawLine(0, int(y), int(width), int(y))

    def _footer(self, number: int, total: int) -> None:
        lay = self.layout
        height = lay.line_height("footer")
        rect = QRectF(0, lay.height - height, lay.width, height)
        left = f"CP2 Desk  ·  {self.report.title}  ·  {self.report.place}"
        self._text(rect, left, "footer", Qt.AlignmentFlag.AlignLeft, MUTED)
        self._text(rect, f"Page {number} of {total}", "footer", Qt.AlignmentFlag.AlignRight, MUTED)

    def _cells(self, item: _Item, cells: list[str], font: str, fill: QColor | None, color) -> None:
        lay = self.layout
        x = 0.0
        band = lay.bands[item.band]
        for i in band:
            width = lay.widths[i]
            rect = QRectF(x, item.y, width, item.height)
            if fill is not None:
                self.p.fillRect(rect, fill)
            self.p.setPen(QPen(GRID, 0.15 * MM))
            self.p.drawRect(rect)
            inner = rect.adjusted(PAD_X, PAD_Y, -PAD_X, -PAD_Y)
            flags = ALIGN[self.report.columns[i].align] | Qt.AlignmentFlag.AlignTop
            self._text(inner, cells[i], font, flags | Qt.TextFlag.TextWordWrap, color)
            x += width

    def _caption(self, item: _Item) -> None:
        band = self.layout.bands[item.band]
        columns = self.report.columns
        shown = [columns[i].header for i in band[self.report.keep :]]
        text = f"Part {item.band + 1} of {len(self.layout.bands)}"
        if shown:
            text += f":  {shown[0]} to {shown[-1]}"
        rect = QRectF(0, item.y, self.layout.width, item.height)
        self._text(rect, text, "facts", Qt.AlignmentFlag.AlignLeft, MUTED)

    def _header(self, item: _Item) -> None:
        headers = [c.header for c in self.report.columns]
        self._cells(item, headers, "head", HEADER_FILL, TEXT)

    def _row(self, item: _Item) -> None:
        tone = self.report.tones[item.row] if item.row < len(self.report.tones) else ""
        fill = TONE_FILL.get(tone) or (ZEBRA_FILL if item.row % 2 else None)
        color = MUTED if tone == "muted" else TEXT
        self._cells(item, self.report.rows[item.row], "cell", fill, color)

    def _totals(self, item: _Item) -> None:
        lay = self.layout
        line = lay.line_height("totals") + 0.6 * MM
        label_width = 45 * MM
        y = item.y
        for label, value in self.report.totals:
            self._text(
                QRectF(0, y, label_width, line), label, "totals_bold", Qt.AlignmentFlag.AlignLeft
            )
            rect = QRectF(label_width, y, lay.width - label_width, line)
            self._text(rect, value, "totals", Qt.AlignmentFlag.AlignLeft)
            y += line

    def _notes(self, item: _Item) -> None:
        lay = self.layout
        y = item.y
        for note in self.report.notes:
            height = lay.measure(note, "footer", lay.width)
            rect = QRectF(0, y, lay.width, height)
            self._text(
                rect, note, "footer", Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap, MUTED
            )
            y += height + 0.5 * MM

    def _signatures(self, item: _Item) -> None:
        """A line to sign on and a line for the date, per signatory, below everything."""
        lay = self.layout
        height = lay.line_height("totals")
        y = item.y
        for who in self.report.signatures:
            base = y + SIGNATURE_LINE - 2 * MM
            label = QRectF(0, base - height, 80 * MM, height)
            self._text(label, f"{who}: name and signature", "totals", Qt.AlignmentFlag.AlignLeft)
            self._text(QRectF(176 * MM, base - height, 12 * MM, height), "Date", "totals", 0)
            self.p.setPen(QPen(TEXT, 0.2 * MM))
            self.p.drawLine(int(82 * MM), int(base), int(170 * MM), int(base))
            self.p.drawLine(int(188 * MM), int(base), int(230 * MM), int(base))
            y += SIGNATURE_LINE
