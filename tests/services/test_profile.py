"""Profile edits on the replica: each one row + outbox in one transaction, bad values refused
by name, and the completeness that names what blocks payment."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from cp2desk.local_db import models as m
from cp2desk.local_db.replica import Replica
from cp2desk.services import profile as profiles
from cp2desk.services.errors import NotFound
from cp2desk.sync.completeness import missing_for_payment, percent_complete

USER = "user-0001"
PERSON = "person-0001"


@pytest.fixture
def replica(tmp_path):
    found = Replica(tmp_path / "replica.sqlite3")
    with found.write() as s:
        s.add(m.County(id="county-nairobi", code="047", name="Nairobi"))
        s.add(m.County(id="county-kiambu", code="022", name="Kiambu"))
        s.add(
            m.SubCounty(
                id="sub-westlands", county_id="county-nairobi", code="04701", name="Westlands"
            )
        )
        s.add(
            m.SubCounty(id="sub-thika", county_id="county-kiambu", code="02201", name="Thika Town")
        )
        s.add(
            m.Professional(
                id=PERSON,
                phone="254712345678",
                first_name="Jane",
                middle_name="Wanjiku",
                last_name="Kamau",
                teacher_level="primary",
                hlc=5,
            )
        )
        s.add(m.AppUser(id=USER, phone="254712345678", professional_id=PERSON))
    yield found
    found.dispose()


def outbox(replica: Replica) -> list[m.OutboxEntry]:
    with replica.read() as s:
        return s.scalars(select(m.OutboxEntry).order_by(m.OutboxEntry.position)).all()


def test_a_new_profile_names_what_blocks_payment(replica):
    mine = profiles.load_profile(replica, USER)
    assert mine.full_name == "Jane Wanjiku Kamau"
    assert [x.text for x in mine.blocking] == [
        "Your ID number",
        "Your TSC number",
        "Your payment details (M-Pesa or bank account)",
    ]
    assert mine.percent < 50


def test_saving_personal_details_writes_the_row_and_one_outbox_entry(replica):
    mine = profiles.load_profile(replica, USER)
    saved = profiles.save_personal(
        replica,
        USER,
        profiles.with_values(
            mine,
            national_id=" 27654321 ",
            tsc_number="601234",
            payment_method="mpesa",
            mpesa_phone="0712345678",
            mpesa_name="Jane Kamau",
            sub_county_id="sub-westlands",
        ),
    )
    assert saved.blocking == [] and saved.pending == 1
    assert saved.values["mpesa_phone"] == "254712345678"
    assert saved.values["county_id"] == "county-nairobi"  # from the sub-county
    (entry,) = outbox(replica)
    assert entry.table_name == "professional" and entry.base_hlc == 5
    assert entry.summary.startswith("Profile: ID number, TSC number, County")
    assert json.loads(entry.row_json)["national_id"] == "27654321"
    again = profiles.save_personal(replica, USER, saved.values)  # nothing changed
    assert again.pending == 1 and len(outbox(replica)) == 1


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"first_name": ""}, "first_name", "Enter your first name."),
        ({"last_name": "K4mau"}, "last_name", "Last name: use letters only."),
        ({"national_id": "27A54321"}, "national_id", "ID number: digits only"),
        ({"national_id": "123"}, "national_id", "ID number: digits only"),
        ({"tsc_number": "TSC-1"}, "tsc_number", "TSC number: digits only"),
        ({"kra_pin": "123"}, "kra_pin", "KRA PIN: a letter, 9 digits and a letter"),
        ({"date_of_birth": dt.date.today()}, "date_of_birth", "18 or older"),
        ({"gender": "X"}, "gender", "female or male"),
        ({"teacher_level": "college"}, "teacher_level", "primary or secondary"),
        (
            {"county_id": "county-kiambu", "sub_county_id": "sub-westlands"},
            "sub_county_id",
            "sub-county of the chosen county",
        ),
        ({"county_id": "atlantis"}, "county_id", "Choose your county"),
        ({"payment_method": "cash"}, "payment_method", "M-Pesa or a bank account"),
        (
            {"payment_method": "mpesa", "mpesa_phone": "0812345678"},
            "mpesa_phone",
            "M-Pesa number: '0812345678' is not a Kenyan mobile number",
        ),
        (
            {"payment_method": "bank", "bank_account": "12-34"},
            "bank_account",
            "Bank account number: digits only",
        ),
        ({"institution_name": "x" * 121}, "institution_name", "at most 120 characters"),
    ],
)
def test_bad_values_are_refused_by_name_and_nothing_is_written(replica, changes, field, words):
    mine = profiles.load_profile(replica, USER)
    with pytest.raises(profiles.InvalidProfile) as caught:
        profiles.save_personal(replica, USER, profiles.with_values(mine, **changes))
    assert caught.value.field == field and words in caught.value.message
    assert outbox(replica) == []


def test_work_experience_add_edit_remove(replica):
    added = profiles.save_work(
        replica, USER, profiles.WorkItem(None, "Kangemi Primary", "Teacher", dt.date(2015, 1, 1))
    )
    (item,) = added.work
    edited = profiles.save_work(
        replica,
        USER,
        profiles.WorkItem(item.id, "Kangemi Primary", "Senior Teacher", dt.date(2015, 1, 1)),
    )
    assert edited.work[0].title == "Senior Teacher" and edited.work[0].id == item.id
    removed = profiles.remove_work(replica, USER, item.id)
    assert removed.work == []
    entries = outbox(replica)
    assert [e.summary for e in entries] == [
        "Work experience added: Teacher, Kangemi Primary",
        "Work experience: Senior Teacher, Kangemi Primary",
        "Work experience removed: Kangemi Primary",
    ]
    assert json.loads(entries[-1].row_json)["deleted"] is True
    with pytest.raises(NotFound):
        profiles.remove_work(replica, USER, item.id)


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (profiles.WorkItem(None, "", "Teacher"), "employer"),
        (profiles.WorkItem(None, "School", " "), "title"),
        (
            profiles.WorkItem(None, "School", "Teacher", dt.date(2020, 1, 1), dt.date(2019, 1, 1)),
            "end_on",
        ),
        (
            profiles.WorkItem(None, "School", "Teacher", dt.date.today() + dt.timedelta(days=9)),
            "start_on",
        ),
    ],
)
def test_bad_work_experience(replica, item, field):
    with pytest.raises(profiles.InvalidProfile) as caught:
        profiles.save_work(replica, USER, item)
    assert caught.value.field == field


def test_qualifications_add_edit_remove_and_bad_ones(replica):
    item = profiles.QualificationItem(
        None, "Diploma", "Diploma in Primary Teacher Education", "Kenyatta University", 2012
    )
    added = profiles.save_qualification(replica, USER, item)
    (q,) = added.qualifications
    edited = profiles.save_qualification(
        replica,
        USER,
        profiles.QualificationItem(
            q.id, "Degree", "Bachelor of Education (Arts)", "Moi University", 2016
        ),
    )
    assert edited.qualifications[0].level == "Degree"
    assert profiles.remove_qualification(replica, USER, q.id).qualifications == []
    for bad, field in (
        (profiles.QualificationItem(None, "Wizardry", "x", "y", 2000), "level"),
        (profiles.QualificationItem(None, "Degree", "", "y", 2000), "title"),
        (profiles.QualificationItem(None, "Degree", "x", "", 2000), "institution"),
        (profiles.QualificationItem(None, "Degree", "x", "y", 1900), "year"),
    ):
        with pytest.raises(profiles.InvalidProfile) as caught:
            profiles.save_qualification(replica, USER, bad)
        assert caught.value.field == field


def test_another_users_entries_cannot_be_touched(replica):
    with replica.write() as s:
        s.add(
            m.WorkExperience(id="theirs", professional_id="someone-else", employer="X", title="Y")
        )
    with pytest.raises(NotFound):
        profiles.save_work(replica, USER, profiles.WorkItem("theirs", "X", "Z"))


def test_before_the_first_sync_there_is_no_profile(tmp_path):
    empty = Replica(tmp_path / "empty.sqlite3")
    try:
        assert profiles.load_profile(empty, USER) is None
        with pytest.raises(NotFound, match="not on this computer yet"):
            profiles.save_work(empty, USER, profiles.WorkItem(None, "X", "Y"))
    finally:
        empty.dispose()


def test_completeness_knecs_reasons():
    from types import SimpleNamespace

    base = dict(
        first_name="Jane",
        middle_name="Wanjiku",
        last_name="Kamau",
        national_id="1",
        tsc_number="2",
        teacher_level="primary",
        payment_method="mpesa",
        mpesa_phone="2547",
        mpesa_name="Kamau Jane",
        gender="F",
        date_of_birth=dt.date(1980, 1, 1),
        county_id="c",
        sub_county_id="s",
        institution_name="School",
        kra_pin="A123456789Z",
    )
    assert missing_for_payment(SimpleNamespace(**base)) == []
    assert percent_complete(SimpleNamespace(**base), 1, 1) == 100
    differs = SimpleNamespace(**{**base, "mpesa_name": "Jane Otieno"})
    assert missing_for_payment(differs) == [
        "Your CP2 name (Jane Wanjiku Kamau) differs from the name registered for your M-Pesa "
        "number (Jane Otieno)"
    ]
    one_name = SimpleNamespace(**{**base, "mpesa_name": "Jane"})
    assert "differs" in missing_for_payment(one_name)[0]
    bank = SimpleNamespace(
        **{**base, "payment_method": "bank", "bank_name": None, "bank_account": "1"}
    )
    assert missing_for_payment(bank) == ["Your bank"]
    police = SimpleNamespace(**{**base, "teacher_level": None, "tsc_number": None})
    assert missing_for_payment(police) == []
