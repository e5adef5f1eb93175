"""A report as a plain table with its heading facts, and its CSV form.

Every report names the KNEC series, the place (centre or sub-county), the date it was
made and what it shows; the PDF adds page numbers. Wide tables (a register of forty
sessions) are cut into bands of columns for paper, repeating the first `keep` columns.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

COUNCIL = "Kenya National Examinations Council"


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    width: float = 1.0
    """Relative width on paper; the PDF shares the page's width in these proportions."""
    align: str = "left"


@dataclass(slots=True)
class Report:
    title: str
    series: str
    place_label: str
    """What the place is: 'Centre', 'Distribution centre' or 'Sub-county'."""
    place: str
    made_at: dt.datetime
    columns: list[Column]
    rows: list[list[str]] = field(default_factory=list)
    tones: list[str] = field(default_factory=list)
    """Per row: '' or a highlight ('warning', 'error', 'muted') the PDF shades the row with."""
    totals: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    keep: int = 1
    band: int | None = None
    """At most this many columns after the first `keep` on one page width (None: all)."""
    tail: int = 0
    """The last `tail` columns (totals of a row) go with the last band, outside the count."""
    landscape: bool = True
    signatures: list[str] = field(default_factory=list)
    """Who signs the printed copy (e.g. 'Centre manager'); a line each under the table."""

    def add(self, cells: list[str], tone: str = "") -> None:
        self.rows.append([str(c) for c in cells])
        self.tones.append(tone)

    @property
    def date_text(self) -> str:
        return f"{self.made_at:%a} {self.made_at.day} {self.made_at:%b %Y, %H:%M}"

    def heading(self) -> list[tuple[str, str]]:
        """The facts every page and file starts with."""
        return [
            ("Report", self.title),
            ("Series", self.series),
            (self.place_label, self.place),
            ("Date", self.date_text),
        ]

    def bands(self) -> list[list[int]]:
        """Column indexes of each band: the kept columns, then the next slice of the rest."""
        kept = list(range(self.keep))
        end = len(self.columns) - self.tail
        rest, tail = list(range(self.keep, end)), list(range(end, len(self.columns)))
        if not self.band or len(rest) <= self.band:
            return [kept + rest + tail]
        bands = [kept + rest[i : i + self.band] for i in range(0, len(rest), self.band)]
        bands[-1] += tail
        return bands

    def file_stem(self) -> str:
        place = self.place.split(" (")[0].split(",")[0]  # the name, without code or county
        words = f"{self.title} {place} {self.made_at:%Y-%m-%d}"
        return re.sub(r"[^A-Za-z0-9]+", "-", words).strip("-").lower()


def write_csv(report: Report, path: Path | str) -> Path:
    """The report as CSV: the heading facts, a blank line, the table, a blank line, totals.

    UTF-8 with a byte-order mark, so Excel on Windows reads names like “Wafula” right.
    """
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow([COUNCIL])
        for label, value in report.heading():
            writer.writerow([label, value])
        writer.writerow([])
        writer.writerow([c.header for c in report.columns])
        writer.writerows(report.rows)
        if report.totals or report.notes:
            writer.writerow([])
        for label, value in report.totals:
            writer.writerow([label, value])
        for note in report.notes:
            writer.writerow([note])
    return path


def read_csv(path: Path | str) -> tuple[dict[str, str], list[str], list[list[str]], dict[str, str]]:
    """A report CSV read back: (heading facts, column headers, rows, totals)."""
    with Path(path).open(newline="", encoding="utf-8-sig") as source:
        lines = list(csv.reader(source))
    blank = [i for i, line in enumerate(lines) if not line]
    heading = dict(line[:2] for line in lines[1 : blank[0]])
    header = lines[blank[0] + 1]
    end = blank[1] if len(blank) > 1 else len(lines)
    rows = lines[blank[0] + 2 : end]
    totals = dict(line[:2] for line in lines[end + 1 :] if len(line) >= 2)
    return heading, header, rows, totals


def money(amount: int | None) -> str:
    return "" if amount is None else f"{amount:,}"
