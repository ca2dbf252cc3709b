"""Invitation codes: random, single-use, expiring, and verifiable without the database.

A code carries its role, department and expiry, signed with a key derived from a secret: 256 random
bits generated at the first start and kept, private, beside the database (or a strong secret given in
REPORTBOT_SECRET). ``reportbot invite`` can therefore print one while the bot is running and holds the
database; the bot checks the signature, the expiry, and that nobody else has used the code yet.
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
from storage.records import (
    CONTACT,
    COORDINATOR,
    FIRST_CHANNEL,
    FROM_CONFIG,
    FROM_INVITE,
    HEAD,
    Contact,
    Invite,
)
from workflows.problems import Problem

DEFAULT_TTL = timedelta(days=7)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_CODE = re.compile(
    r"^(?P<role>[ckh])(?P<dept>[A-Za-z0-9]*)-(?P<exp>[0-9a-z]+)-(?P<nonce>[A-Za-z0-9]{8})-(?P<sig>[A-Za-z0-9_-]{12})$"
)
_ROLE_CODES = {CONTACT: "c", COORDINATOR: "k", HEAD: "h"}
_CODE_ROLES = {code: role for role, code in _ROLE_CODES.items()}
DEPARTMENT_ROLES = (CONTACT, HEAD)  # roles that belong to one department


# Why a code a person sent does not work, by the refusal's code (tests and callers match on the code).
REFUSALS = {
    "expired": "This invitation has expired. Please ask the coordinator for a new one.",
    "used": "This invitation has already been used. Please ask the coordinator for a new one.",
    "invalid": "This invitation code is not valid. Please ask the coordinator for a new link.",
    "unknown_department": "This invitation is for a department the report no longer has. Please ask the "
    "coordinator for a new link.",
    "configured": "Your role is set in the bot's configuration and cannot be changed by an invitation.",
    "other_channel": "This account id belongs to someone who joined through another channel. Please ask the "
    "coordinator.",
}


class InviteError(Problem):
    """Why a code cannot be made or used; ``code`` names a refusal of a code a person sent."""

    code = ""

    @classmethod
    def refused(cls, code: str) -> InviteError:
        """The refusal ``code`` of REFUSALS, worded for the person who sent the invitation."""
        error = cls(REFUSALS[code])
        error.code = code
        return error


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


def secret_problem(secret: str) -> Problem | None:
    """Why a given signing secret is too weak to guard coordinator invitations, or None if it is fine.

    Anyone holding one invitation code can test guesses offline at hundreds of thousands a second, so
    the secret must be long and random, not a word or a phrase."""
    if len(secret) < 32:
        return Problem("it has {count} characters; at least 32 random ones are needed", count=len(secret))
    if len(set(secret)) < 12:
        return Problem("it repeats too few different characters to be random")
    return None


@dataclass(frozen=True)
class Issued:
    """A new invitation: the code (a channel carries it its own way, such as a link that opens the bot)."""

    code: str
    role: str
    department_id: str | None
    expires_at: datetime


def issue(
    key: bytes, role: str, department_id: str | None, now: datetime, ttl: timedelta = DEFAULT_TTL
) -> Issued:
    """Make a code for a department contact or head (``department_id``), or a coordinator."""
    if role not in _ROLE_CODES:
        raise InviteError("unknown role {role!r}", role=role)
    if role in DEPARTMENT_ROLES and not department_id:
        raise InviteError("a {role} invitation needs a department", role=role)
    dept = department_id or ""
    if not re.fullmatch(r"[A-Za-z0-9]*", dept) or len(dept) > 24:
        raise InviteError("department id {id!r} must be letters and digits only, at most 24", id=dept)
    expires = now + ttl
    minutes = int((expires - _EPOCH).total_seconds() // 60)
    body = f"{_ROLE_CODES[role]}{dept}-{_b36(minutes)}-{secrets.token_hex(4)}"
    return Issued(f"{body}-{_signature(key, body)}", role, department_id, expires)


@dataclass(frozen=True)
class Grant:
    """What a valid code grants."""

    code: str
    role: str
    department_id: str | None
    expires_at: datetime


@dataclass(frozen=True)
class Redemption:
    """The result of using a code: the person bound, or a role change waiting for their confirmation."""

    contact: Contact | None
    grant: Grant
    previous: Contact | None = None

    @property
    def needs_confirmation(self) -> bool:
        """Whether the person already holds another role and must confirm the change first."""
        return self.contact is None


def verify(key: bytes, code: str, now: datetime) -> Grant:
    """Check a code's signature and expiry; raises InviteError.refused("invalid"|"expired")."""
    code = code.strip()
    match = _CODE.match(code)
    if not match:
        raise InviteError.refused("invalid")
    body = code[: match.start("sig") - 1]  # the signature itself may contain "-"
    if not hmac.compare_digest(_signature(key, body), match.group("sig")):
        raise InviteError.refused("invalid")
    expires = _EPOCH + timedelta(minutes=int(match.group("exp"), 36))
    if now >= expires:
        raise InviteError.refused("expired")
    role = _CODE_ROLES[match.group("role")]
    return Grant(code, role, match.group("dept") or None, expires)


def redeem(
    store: Store,
    key: bytes,
    code: str,
    user_id: int,
    name: str,
    lang: str,
    now: datetime,
    address: int | None = None,
    confirmed: bool = False,
    channel: str = FIRST_CHANNEL,
) -> Redemption:
    """Bind a person with a code, in one transaction; raises InviteError saying why a code does not work.

    Someone who already holds a different role is not moved silently: without ``confirmed`` nothing is
    written and the result asks for confirmation. A role the configuration gives cannot be changed by
    an invitation (the configuration would give it back at the next start). The person is reached on
    ``channel`` at ``address`` (their own id when not given)."""
    grant = verify(key, code, now)
    in_department = grant.role in DEPARTMENT_ROLES
    department = store.get_department(grant.department_id) if in_department else None
    if in_department and (department is None or not department.active):
        raise InviteError.refused("unknown_department")
    used = store.get_invite(grant.code)
    if used is not None and used.used_by != user_id:
        raise InviteError.refused("used")
    existing = store.get_contact(user_id)
    if existing is not None and existing.channel != channel:  # the same number elsewhere: another person
        raise InviteError.refused("other_channel")
    wanted = grant.department_id if in_department else None
    same = (
        existing is not None
        and existing.active
        and (existing.role, existing.department_id) == (grant.role, wanted)
    )
    # A head named by the configuration stays head whatever else they do (the department names them):
    # their stored role is only what lets them in, and an invitation may give them another.
    configured_head = existing is not None and existing.role == HEAD and existing.granted_by == FROM_CONFIG
    if existing is not None and existing.active and not same and not configured_head:
        if existing.granted_by == FROM_CONFIG:
            raise InviteError.refused("configured")
        if not confirmed:
            return Redemption(None, grant, existing)
    contact = Contact(
        user_id=user_id,
        role=grant.role,
        name=name,
        department_id=wanted,
        lang=existing.lang if existing else lang,
        address=address or user_id,
        channel=channel,
        blocked=False,
        bound_at=existing.bound_at if same else now,
        granted_by=existing.granted_by if same else FROM_INVITE,
    )
    with store.transaction():
        if used is None:
            store.put_invite(
                Invite(grant.code, grant.role, grant.department_id, now, grant.expires_at, user_id, now)
            )
        store.put_contact(contact)
    return Redemption(contact, grant, existing)
