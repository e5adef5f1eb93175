"""Creating an account and changing its password: both need the hub, both by phone.

Creating an account asks the hub to register a mobile number typed twice; the login
details arrive by SMS. The app checks the numbers first, with the same rules and
words as the hub, so a typing slip is caught before any network. A password changed
here also becomes this computer's offline unlock password.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlalchemy import select

from cp2desk.local_db.models import LocalAccount
from cp2desk.local_db.replica import Replica
from cp2desk.services.errors import ServiceError
from cp2desk.sync import errors
from cp2desk.sync.client import HubClient
from cp2desk.sync.phones import InvalidPhone, normalise_phone
from cp2desk.sync.portal import MIN_PASSWORD_LENGTH

_hasher = PasswordHasher()


class InvalidEntry(ServiceError):
    """A value the user typed that cannot be right; `field` names the box."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def create_account(hub_url: str, phone: str, phone_again: str) -> str:
    """Register `phone` on the hub; returns the hub's message (the SMS was sent)."""
    if not phone.strip():
        raise InvalidEntry("phone", "Enter your mobile number.")
    try:
        number = normalise_phone(phone)
    except InvalidPhone as exc:
        raise InvalidEntry("phone", str(exc)) from None
    if not phone_again.strip():
        raise InvalidEntry(
            "phone_again", "Enter your mobile number a second time, to be sure it is right."
        )
    try:
        again = normalise_phone(phone_again)
    except InvalidPhone as exc:
        raise InvalidEntry("phone_again", str(exc)) from None
    if again != number:
        raise InvalidEntry(
            "phone_again",
            "The two mobile numbers are not the same. Enter the same number in both boxes.",
        )
    client = HubClient(hub_url)
    try:
        return client.register(phone, phone_again).message
    except errors.HubUnreachable as exc:
        raise errors.HubUnreachable(
            "Cannot reach the KNEC hub. Creating an account needs the network: check it and "
            "try again."
        ) from exc


def change_password(
    replica: Replica, client: HubClient, user_id: str, old: str, new: str, again: str
) -> str:
    """Change the password on the hub, then this computer's offline unlock password."""
    if not old:
        raise InvalidEntry("old", "Enter your current password.")
    if len(new) < MIN_PASSWORD_LENGTH:
        raise InvalidEntry(
            "new", f"The new password must have at least {MIN_PASSWORD_LENGTH} characters."
        )
    if new != again:
        raise InvalidEntry("again", "The two new passwords are not the same. Type them again.")
    if new == old:
        raise InvalidEntry("new", "The new password must be different from the current one.")
    try:
        answer = client.change_password(old, new)
    except errors.HubUnreachable as exc:
        raise errors.HubUnreachable(
            "Cannot reach the KNEC hub. Changing your password needs the network; your "
            "password is unchanged."
        ) from exc
    with replica.write() as session:
        local = session.scalar(select(LocalAccount).where(LocalAccount.user_id == user_id))
        if local is not None:
            local.verifier = _hasher.hash(new)
    return answer.message
