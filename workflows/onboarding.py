"""Invitation codes: random, single-use, expiring, and verifiable without the database.

A code carries its role, department and expiry, signed with a key derived from a secret (the bot token
by default). ``reportbot invite`` can therefore print one while the bot is running and holds the
database; the bot checks the signature, the expiry, and that nobody has used the code yet.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from storage.contract import Store
from storage.records import Contact, Invite

CONTACT, COORDINATOR = "contact", "coordinator"
DEFAULT_TTL = timedelta(days=7)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_CODE = re.compile(
    r"^(?P<role>[ck])(?P<dept>[A-Za-z0-9]*)-(?P<exp>[0-9a-z]+)-(?P<nonce>[A-Za-z0-9]{8})-(?P<sig>[A-Za-z0-9_-]{12})$"
)
_ROLE_CODES = {CONTACT: "c", COORDINATOR: "k"}


class InviteError(ValueError):
    """Why a code cannot be made or used."""


def _b36(number: int) -> str:
    if number < 0:
        raise InviteError("an invitation cannot expire before 2000")
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def _signature(key: bytes, body: str) -> str:
    digest = hmac.new(key, body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest)[:12].decode()


def signing_key(secret: str) -> bytes:
    """Derive the invitation key from a secret (never the secret itself)."""
    return hashlib.sha256(b"reportbot-invite:" + secret.encode()).digest()


@dataclass(frozen=True)
class Issued:
    """A new invitation: the code and the deep link that carries it."""

    code: str
    role: str
    department_id: str | None
    expires_at: datetime

    def link(self, bot_username: str) -> str:
        """The https://t.me link that opens the bot with this code."""
        return f"https://t.me/{bot_username.lstrip('@')}?start={self.code}"


def issue(
    key: bytes, role: str, department_id: str | None, now: datetime, ttl: timedelta = DEFAULT_TTL
) -> Issued:
    """Make a code for a department contact (``department_id``) or a coordinator."""
    if role not in _ROLE_CODES:
        raise InviteError(f"unknown role {role!r}")
    if role == CONTACT and not department_id:
        raise InviteError("a contact invitation needs a department")
    dept = department_id or ""
    if not re.fullmatch(r"[A-Za-z0-9]*", dept) or len(dept) > 24:
        raise InviteError(f"department id {dept!r} must be letters and digits only, at most 24")
    expires = now + ttl
    minutes = int((expires - _EPOCH).total_seconds() // 60)
    body = f"{_ROLE_CODES[role]}{dept}-{_b36(minutes)}-{secrets.token_hex(4)}"
    return Issued(f"{body}-{_signature(key, body)}", role, department_id, expires)


def redeem(store: Store, key: bytes, code: str, user_id: int, name: str, lang: str, now: datetime) -> Contact:
    """Bind a Telegram user with a code; raises InviteError saying why a code does not work."""
    code = code.strip()
    match = _CODE.match(code)
    if not match:
        raise InviteError("invalid")
    body = code[: match.start("sig") - 1]  # the signature itself may contain "-"
    if not hmac.compare_digest(_signature(key, body), match.group("sig")):
        raise InviteError("invalid")
    expires = _EPOCH + timedelta(minutes=int(match.group("exp"), 36))
    if now >= expires:
        raise InviteError("expired")
    role = CONTACT if match.group("role") == "c" else COORDINATOR
    department_id = match.group("dept") or None
    if role == CONTACT and store.get_department(department_id) is None:
        raise InviteError("unknown_department")
    if store.get_invite(code) is None:
        store.put_invite(Invite(code, role, department_id, now, expires))
    if store.consume_invite(code, user_id, now) is None:
        raise InviteError("used")
    existing = store.get_contact(user_id)
    contact = Contact(
        user_id=user_id,
        role=role,
        name=name,
        department_id=department_id if role == CONTACT else None,
        lang=existing.lang if existing else lang,
        chat_id=user_id,
        bound_at=now,
    )
    store.put_contact(contact)
    return contact
