"""My profile: what is still missing for payment, then personal, work-place and payment
details in one form, saved on this computer and sent at the next sync.

The page only shows and collects values; the workspace runs the save as an operation
and hands back the new profile, or the field a refusal names (`focus_error`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from cp2desk.services.profile import CountyChoice, Profile
from cp2desk.ui import theme

NOT_SET = QDate(1900, 1, 1)
GENDERS = (("Not set", None), ("Female", "F"), ("Male", "M"))
LEVELS = (("Not a teacher", None), ("Primary school", "primary"), ("Secondary school", "secondary"))
METHODS = (("Not set", None), ("M-Pesa", "mpesa"), ("Bank account", "bank"))


def local_phone(phone: str | None) -> str:
    """2547XXXXXXXX as people write it: 07XX XXX XXX (anything else as it is)."""
    phone = phone or ""
    local = "0" + phone[3:] if phone.startswith("254") else phone
    return f"{local[:4]} {local[4:7]} {local[7:]}" if len(local) == 10 else local


def card(title: str) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("Card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(16, 12, 16, 12)
    layout.setSpacing(8)
    if title:
        heading = QLabel(title)
        heading.setObjectName("CardTitle")
        layout.addWidget(heading)
    return frame, layout


def choice_combo(choices) -> QComboBox:
    combo = QComboBox()
    for text, value in choices:
        combo.addItem(text, value)
    return combo


def set_choice(combo: QComboBox, value: Any) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(index, 0))


class CompletenessCard(QFrame):
    """How complete the profile is, and exactly what still blocks payment."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 12, 16, 12)
        row.setSpacing(16)
        left = QVBoxLayout()
        left.setSpacing(6)
        number = QHBoxLayout()
        self.percent = QLabel("–")
        self.percent.setObjectName("Completeness")
        caption = QLabel("complete")
        caption.setObjectName("Muted")
        number.addWidget(self.percent)
        number.addWidget(caption, 0, Qt.AlignmentFlag.AlignBottom)
        number.addStretch(1)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setFixedSize(150, 10)
        left.addLayout(number)
        left.addWidget(self.bar)
        left.addStretch(1)
        row.addLayout(left)
        texts = QVBoxLayout()
        texts.setSpacing(4)
        self.headline = QLabel()
        self.headline.setObjectName("CardTitle")
        self.blocking = QLabel()
        self.blocking.setObjectName("Blocking")
        self.blocking.setWordWrap(True)
        self.others = QLabel()
        self.others.setObjectName("Muted")
        self.others.setWordWrap(True)
        for widget in (self.headline, self.blocking, self.others):
            texts.addWidget(widget)
        texts.addStretch(1)
        row.addLayout(texts, 1)

    def set_profile(self, profile: Profile) -> None:
        blocking = [m.text for m in profile.blocking]
        others = [m.text for m in profile.missing if not m.blocks_payment]
        self.percent.setText(f"{profile.percent}%")
        self.percent.setProperty("tone", "blocked" if blocking else "ready")
        theme.repolish(self.percent)
        self.bar.setValue(profile.percent)
        if blocking:
            self.headline.setText("KNEC cannot pay you until you add:")
            self.blocking.setText("\n".join(f"•  {text}" for text in blocking))
        else:
            self.headline.setText("Your profile has everything KNEC needs to pay you.")
            self.blocking.setText("")
        self.blocking.setVisible(bool(blocking))
        self.others.setText(
            "To complete your profile: " + "; ".join(others) + "." if others else ""
        )
        self.others.setVisible(bool(others))


class ProfilePage(QWidget):
    save_requested = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile: Profile | None = None
        self.counties: list[CountyChoice] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 8, 0, 0)
        outer.setSpacing(8)
        self.completeness = CompletenessCard()
        outer.addWidget(self.completeness)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        body.setObjectName("Page")
        columns = QHBoxLayout(body)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.setSpacing(12)
        self.fields: dict[str, QWidget] = {}
        columns.addWidget(self._personal(), 1)
        columns.addWidget(self._work_place(), 1)
        columns.addWidget(self._payment(), 1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        buttons = QHBoxLayout()
        self.phone = QLabel()
        self.phone.setObjectName("Muted")
        self.undo = QPushButton("Undo changes")
        self.undo.clicked.connect(self._show_values)
        self.save = QPushButton("Save changes")
        self.save.setProperty("primary", True)
        self.save.clicked.connect(self.request_save)
        buttons.addWidget(self.phone, 1)
        buttons.addWidget(self.undo)
        buttons.addWidget(self.save)
        outer.addLayout(buttons)
        for widget in self.fields.values():
            signal = getattr(widget, "textEdited", None) or getattr(widget, "dateChanged", None)
            signal = signal or widget.currentIndexChanged
            signal.connect(self._edited)
        self.fields["payment_method"].currentIndexChanged.connect(self._payment_shown)
        self.fields["county_id"].currentIndexChanged.connect(self._county_chosen)
        self._set_dirty(False)

    # --- building -----------------------------------------------------------------

    def _form(self, title: str) -> tuple[QFrame, QFormLayout]:
        frame, layout = card(title)
        form = QFormLayout()
        form.setSpacing(8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(form)
        layout.addStretch(1)
        return frame, form

    def _line(self, form: QFormLayout, name: str, label: str, hint: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(hint)
        self.fields[name] = edit
        form.addRow(label, edit)
        return edit

    def _personal(self) -> QFrame:
        frame, form = self._form("Personal details")
        self._line(form, "first_name", "First name")
        self._line(form, "middle_name", "Middle name")
        self._line(form, "last_name", "Last name")
        self.fields["gender"] = choice_combo(GENDERS)
        form.addRow("Gender", self.fields["gender"])
        born = QDateEdit()
        born.setCalendarPopup(True)
        born.setDisplayFormat("dd MMM yyyy")
        born.setMinimumDate(NOT_SET)
        born.setSpecialValueText("Not set")
        self.fields["date_of_birth"] = born
        form.addRow("Date of birth", born)
        self._line(form, "national_id", "ID number", "e.g. 27654321")
        self._line(form, "kra_pin", "KRA PIN", "e.g. A123456789Z")
        return frame

    def _work_place(self) -> QFrame:
        frame, form = self._form("Where you work")
        self._line(form, "institution_name", "Institution", "your school or office")
        self._line(form, "institution_code", "Institution code", "KNEC code, if a school")
        self.fields["teacher_level"] = choice_combo(LEVELS)
        form.addRow("Teacher", self.fields["teacher_level"])
        self._line(form, "tsc_number", "TSC number", "teachers: e.g. 601234")
        self.fields["county_id"] = QComboBox()
        form.addRow("County", self.fields["county_id"])
        self.fields["sub_county_id"] = QComboBox()
        form.addRow("Sub-county", self.fields["sub_county_id"])
        return frame

    def _payment(self) -> QFrame:
        frame, form = self._form("Payment")
        self.fields["payment_method"] = choice_combo(METHODS)
        form.addRow("Paid by", self.fields["payment_method"])
        self._line(form, "mpesa_phone", "M-Pesa number", "e.g. 0712 345 678")
        self._line(form, "mpesa_name", "M-Pesa name", "as registered with Safaricom")
        self._line(form, "bank_name", "Bank")
        self._line(form, "bank_account", "Account number")
        note = QLabel(
            "The name registered for your M-Pesa number must be your name above, or KNEC "
            "cannot pay you."
        )
        note.setObjectName("Muted")
        note.setWordWrap(True)
        form.addRow(note)
        return frame

    # --- showing ------------------------------------------------------------------

    def set_counties(self, counties: list[CountyChoice]) -> None:
        self.counties = counties
        combo = self.fields["county_id"]
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("Not set", None)
        for county in counties:
            combo.addItem(county.name, county.id)
        combo.blockSignals(False)
        self._show_values()

    def set_profile(self, profile: Profile, keep_edits: bool = False) -> None:
        """Show a profile; with `keep_edits`, unsaved typing stays (a sync finished)."""
        self.profile = profile
        self.completeness.set_profile(profile)
        self.phone.setText(
            f"Phone (your username): {local_phone(profile.phone)}. It changes only through KNEC."
        )
        if not (keep_edits and self.save.isEnabled()):
            self._show_values()

    def _show_values(self) -> None:
        if self.profile is None:
            return
        values = self.profile.values
        for name, widget in self.fields.items():
            widget.blockSignals(True)
            value = values.get(name)
            if isinstance(widget, QLineEdit):
                widget.setText((local_phone(value) if name == "mpesa_phone" else value) or "")
            elif isinstance(widget, QDateEdit):
                widget.setDate(QDate(value) if value else NOT_SET)
            elif name != "sub_county_id":
                set_choice(widget, value)
            widget.blockSignals(False)
        self._county_chosen()
        set_choice(self.fields["sub_county_id"], values.get("sub_county_id"))
        self._payment_shown()
        self.mark_invalid(None)
        self._set_dirty(False)

    def _county_chosen(self) -> None:
        county = self.fields["county_id"].currentData()
        combo = self.fields["sub_county_id"]
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("Not set", None)
        for choice in self.counties:
            if choice.id == county:
                for sub_id, name in choice.sub_counties:
                    combo.addItem(name, sub_id)
        combo.setEnabled(county is not None)
        combo.blockSignals(False)

    def _payment_shown(self) -> None:
        method = self.fields["payment_method"].currentData()
        for name in ("mpesa_phone", "mpesa_name"):
            self.fields[name].setEnabled(method == "mpesa")
        for name in ("bank_name", "bank_account"):
            self.fields[name].setEnabled(method == "bank")

    # --- editing ------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, widget in self.fields.items():
            if isinstance(widget, QLineEdit):
                out[name] = widget.text()
            elif isinstance(widget, QDateEdit):
                date = widget.date()
                out[name] = (
                    None if date == NOT_SET else dt.date(date.year(), date.month(), date.day())
                )
            else:
                out[name] = widget.currentData()
        return out

    def request_save(self) -> None:
        self.mark_invalid(None)
        self.save_requested.emit(self.values())

    def _edited(self, *_args) -> None:
        self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        self.save.setEnabled(dirty)
        self.undo.setEnabled(dirty)

    def mark_invalid(self, field: str | None) -> None:
        """Outline the box a refusal names (None: clear every outline)."""
        for name, widget in self.fields.items():
            bad = name == field
            if bool(widget.property("invalid")) != bad:
                widget.setProperty("invalid", bad)
                theme.repolish(widget)
        if field in self.fields:
            self.fields[field].setFocus(Qt.FocusReason.OtherFocusReason)
