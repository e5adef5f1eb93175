"""Signing in and out: online against the hub, or offline with a local verifier.

An online sign-in binds tokens to this device's replica; the refresh token goes to
the keyring and an argon2 verifier of the password to the replica, so the same user
can unlock the app later with no network at all. A first sign-in creates the replica
only once the hub has said yes: a hub that cannot be reached, or an address that is not
a hub, leaves nothing behind that a later attempt would take for an earlier sign-in.
"""

from __future__ import annotations

import datetime as dt
import platform
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from cp2desk import paths
from cp2desk.local_db.models import LocalAccount, RoleGrant
from cp2desk.local_db.replica import Replica
from cp2desk.sync import errors
from cp2desk.sync.client import HubClient
from cp2desk.sync.engine import SyncEngine
from cp2desk.sync.export import export_pending
from cp2desk.sync.phones import InvalidPhone, normalise_phone
from cp2desk.sync.tokens import TokenStore

_hasher = PasswordHasher()


class SignInError(errors.SyncError):
    """A sign-in the app itself can refuse (bad phone, no offline unlock possible)."""

    code = "sign_in"


@dataclass
class Account:
    """A signed-in user on this device, with their replica and sync engine."""

    user_id: str
    phone: str
    hub_url: str
    replica: Replica
    client: HubClient
    engine: SyncEngine
    tokens: TokenStore
    online: bool
    roles: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    def load_roles(self) -> list[tuple[str, str | None, str | None]]:
        """(role, station_id, sub_county_id) of every role this user holds, from the replica."""
        with self.replica.read() as session:
            grants = session.execute(
                select(RoleGrant.role, RoleGrant.station_id, RoleGrant.sub_county_id).where(
                    RoleGrant.user_id == self.user_id, RoleGrant.deleted.is_(False)
                )
            ).all()
        self.roles = [tuple(g) for g in grants] or [("professional", None, None)]
        return self.roles


def _phone(text: str) -> str:
    try:
        return normalise_phone(text)
    except InvalidPhone as exc:
        raise SignInError(str(exc)) from exc


def _client(hub_url: str, device_id: str) -> tuple[HubClient, TokenStore]:
    tokens = TokenStore(hub_url, device_id)
    client = HubClient(hub_url, on_tokens=lambda pair: tokens.save(pair.refresh_token))
    client.device_id = device_id
    return client, tokens


def _open(hub_url: str, phone: str) -> tuple[Replica, HubClient, TokenStore]:
    replica = Replica(paths.replica_path(hub_url, phone))
    return replica, *_client(hub_url, replica.device_id)


def sign_in(hub_url: str, phone: str, password: str) -> Account:
    """Sign in online. Raises a `SyncError` subclass with a message for the user, or
    `ReplicaUnreadable` when this user's replica file cannot be opened."""
    phone = _phone(phone)
    path = paths.replica_path(hub_url, phone)
    replica = Replica(path) if path.exists() else None
    device_id = replica.device_id if replica is not None else str(uuid.uuid4())
    client, tokens = _client(hub_url, device_id)
    try:
        pair = client.login(phone, password, device_id, platform.node())
    except errors.SyncError as exc:
        if replica is not None:
            replica.dispose()
        if isinstance(exc, errors.CorruptResponse):
            raise SignInError(
                f"{hub_url} did not answer as a CP2 hub does. Check the hub address and try again."
            ) from exc
        raise
    if replica is None:
        replica = Replica(path, device_id)
    with replica.write() as session:
        session.merge(
            LocalAccount(
                user_id=pair.user_id,
                phone=phone,
                verifier=_hasher.hash(password),
                hub_url=hub_url,
                last_login_at=dt.datetime.now(),
            )
        )
    account = Account(
        pair.user_id,
        phone,
        hub_url,
        replica,
        client,
        SyncEngine(replica, client, first_screens=dt.date.today),
        tokens,
        online=True,
    )
    account.load_roles()
    return account


def can_unlock_offline(hub_url: str, phone: str) -> bool:
    try:
        return paths.replica_path(hub_url, _phone(phone)).exists()
    except SignInError:
        return False


def unlock_offline(hub_url: str, phone: str, password: str) -> Account:
    """Open the replica of a user who signed in here before, checking the local verifier."""
    phone = _phone(phone)
    if not can_unlock_offline(hub_url, phone):
        raise SignInError(
            "You have not signed in on this computer before, so it cannot open offline. "
            "Connect to the network for your first sign-in."
        )
    replica, client, tokens = _open(hub_url, phone)
    with replica.read() as session:
        local = session.scalar(select(LocalAccount).where(LocalAccount.phone == phone))
    try:
        ok = local is not None and _hasher.verify(local.verifier, password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        replica.dispose()
        raise errors.WrongPassword("The phone number or password is not correct.")
    client.refresh_token = tokens.load()
    account = Account(
        local.user_id,
        phone,
        hub_url,
        replica,
        client,
        SyncEngine(replica, client, first_screens=dt.date.today),
        tokens,
        online=False,
    )
    account.load_roles()
    return account


def export_unsynced(hub_url: str, phone: str, target: Path) -> int:
    """Save this user's changes not yet sent to the hub to `target`; returns how many.
    Needs no sign-in: it is how a revoked computer hands its last work over."""
    path = paths.replica_path(hub_url, _phone(phone))
    if not path.exists():
        raise SignInError("This computer holds no CP2 Desk data for that phone number.")
    replica = Replica(path)
    try:
        return export_pending(replica, target)
    finally:
        replica.dispose()


def sign_out(account: Account) -> None:
    """End the session on this device: tokens gone from the hub, keyring and memory."""
    try:
        if account.client.access_token or account.client.refresh_token:
            account.client.logout()
    except errors.SyncError:
        pass  # offline: the local tokens still go; the hub's expire on their own
    account.tokens.clear()
    account.client.access_token = account.client.refresh_token = None
    account.replica.dispose()
