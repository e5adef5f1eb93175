"""What the push machinery hands a table's rule, and what a rule may answer besides
applying the change: the context of the changes being applied (who pushes, what was
loaded, what is written) and the outcomes Refused and Conflict.

A module of its own so the arrows run one way: the rules (`cp2hub.rules`) and the
machinery that runs them (`cp2hub.push`) both import it, and the rules never import
the machinery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from cp2hub import feed, reach
from cp2hub.auth import Principal
from cp2hub.models import Base
from cp2hub.scope import Scope

CLOCK_SKEW_LIMIT_MS = 10 * 60 * 1000
"""How far ahead of the hub's clock a device's clock, or a time it states, may be."""


class Refused(Exception):
    """A change the hub will not apply; the message is for the user. `row`, when given, is
    the hub's row the device returns to if it is not the change's own (a refused
    redeployment carries the deployment the device had ended)."""

    def __init__(self, message: str, row: Base | None = None) -> None:
        super().__init__(message)
        self.row = row


class Conflict(Exception):
    """A change that lost to the hub's state; carries the hub's row."""

    def __init__(self, message: str, row: Base | None) -> None:
        super().__init__(message)
        self.row = row


@dataclass
class PushContext:
    """One device's changes being applied: who pushes (principal, scope) and, shared by
    every context of a group (`push._apply_pushes`), what was loaded and what is written."""

    session: Session
    principal: Principal
    scope: Scope
    cache: dict[str, Any] = field(default_factory=dict)
    new_rows: dict[type[Base], dict[str, dict[str, Any]]] = field(default_factory=dict)
    """Plain new rows a rule asked for with `add_row`, by model and id."""
    promoted: dict[str, Base] = field(default_factory=dict)
    payment_changed: list[str] = field(default_factory=list)
    """The account phones of professionals whose payment details this push changed, one
    per change, told by SMS once committed (`cp2hub.payment_alerts`)."""

    def add_row(self, model: type[Base], row: dict[str, Any]) -> dict[str, Any]:
        """A new row, inserted with the batch's other new rows in one statement after the
        flush (no ORM object: the morning rush is thousands of these). The row carries the
        device's clock and origin; its sequence is stamped by `insert_new_rows`."""
        self.new_rows.setdefault(model, {})[row["id"]] = row
        return row

    def promote(self, model: type[Base], row: dict[str, Any]) -> Base:
        """A row added with `add_row` that a later change in the batch merges into: it
        becomes an ORM object like any stored row."""
        del self.new_rows[model][row["id"]]
        obj = model(**row)
        self.session.add(obj)
        self.promoted[row["id"]] = obj
        return obj

    def seq_of(self, written: Base | dict[str, Any]) -> int:
        if isinstance(written, dict):
            written = self.promoted.get(written["id"], written)
            if isinstance(written, dict):
                return written["seq"]
        return written.seq

    def insert_new_rows(self) -> None:
        rows = [(model, row) for model, by_id in self.new_rows.items() for row in by_id.values()]
        if not rows:
            return
        first = feed.reserve(self.session, len(rows))
        for offset, (_model, row) in enumerate(rows):
            row["seq"] = first + offset
        feed.clock.observe(max(row["hlc"] for _model, row in rows))
        reach.note_rows(self.session, rows, first + len(rows) - 1)
        for model, by_id in self.new_rows.items():
            if by_id:
                self.session.execute(insert(model.__table__), list(by_id.values()))
