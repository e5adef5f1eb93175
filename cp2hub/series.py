"""How a series is named to people: its exam's title, and the label a vacancy line
shows ("2026/3 Kenya Certificate of Secondary Education")."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cp2hub.models import Series


def exam_title(series: Series) -> str:
    """The series' name without its year: 'Kenya Certificate of Secondary Education'."""
    return re.sub(rf"\s*\b{series.year}\b\s*$", "", series.name).strip() or series.name


def series_label(session: Session, series: Series) -> str:
    """'2026/3 Kenya Certificate of Secondary Education': the series' number in its year
    (the third series to start in 2026), then the exam's name."""
    number = session.scalar(
        select(func.count())
        .select_from(Series)
        .where(Series.year == series.year, Series.starts_on <= series.starts_on)
    )
    return f"{series.year}/{number or 1} {exam_title(series)}"
