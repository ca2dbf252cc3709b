"""Telegram's signed ``initData``: who opened the form, vouched for by Telegram with the bot's token.

A Mini App receives ``initData`` from the Telegram client (``Telegram.WebApp.initData``, or the URL
fragment ``#tgWebAppData=…``): a query string of fields (``user``, ``auth_date``, ``query_id``, …) and
``hash``. Per the Bot API documentation, ``hash`` is the hex HMAC-SHA-256 of the data-check-string (every
other field as ``key=value``, sorted by key, joined by newlines) under the key HMAC-SHA-256("WebAppData",
bot token). Only the bot and Telegram know the token, so a valid hash proves the fields came from
Telegram for this bot; ``auth_date`` bounds how long a captured copy stays usable.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

MAX_AGE = timedelta(hours=24)
CLOCK_SKEW = timedelta(minutes=5)  # an auth_date this far ahead of our clock is still believed
MAX_LENGTH = 8192  # Telegram's initData is a few hundred bytes; anything far larger is not from it
MISSING, MALFORMED, FORGED, STALE = "missing", "malformed", "forged", "stale"


class InitDataError(ValueError):
    """initData that proves nothing: missing, malformed, not signed for this bot, or too old."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WebAppUser:
    """The Telegram user who opened the form, as Telegram vouched for them."""

    id: int
    first_name: str
    language_code: str | None
    auth_date: datetime


def secret_key(token: str) -> bytes:
    """HMAC-SHA-256 of the bot token under the key "WebAppData": the key initData is signed with."""
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def check_string(fields: Mapping[str, str]) -> str:
    """The data-check-string: every field but ``hash`` as ``key=value``, sorted by key, one per line."""
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def sign(fields: Mapping[str, str], token: str) -> str:
    """initData for ``fields``, signed as Telegram signs it (for tests and the offline tools)."""
    digest = hmac.new(secret_key(token), check_string(fields).encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest})


def signed_for(user: Mapping[str, object], token: str, when: datetime, **extra: str) -> str:
    """initData for a user (id, first_name, language_code…) opening the form at ``when``."""
    fields = {
        "user": json.dumps(user, ensure_ascii=False, separators=(",", ":")),
        "auth_date": str(int(when.timestamp())),
        **extra,
    }
    return sign(fields, token)


def _fields(init_data: str) -> dict[str, str]:
    if not init_data:
        raise InitDataError(MISSING)
    if len(init_data) > MAX_LENGTH:
        raise InitDataError(MALFORMED)
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataError(MALFORMED) from None
    fields = dict(pairs)
    if len(fields) != len(pairs):  # a repeated key: which one was signed?
        raise InitDataError(MALFORMED)
    return fields


def verify(init_data: str, token: str, now: datetime, max_age: timedelta = MAX_AGE) -> WebAppUser:
    """The user initData names, if Telegram signed it for this bot's token and it is recent enough."""
    fields = _fields(init_data)
    given = fields.get("hash", "")
    expected = hmac.new(secret_key(token), check_string(fields).encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(given.encode(), expected.encode()):  # constant time: no byte-by-byte oracle
        raise InitDataError(FORGED)
    try:
        auth_date = datetime.fromtimestamp(int(fields["auth_date"]), UTC)
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, ValueError, TypeError, OverflowError, OSError):
        raise InitDataError(MALFORMED) from None
    if now - auth_date > max_age or auth_date - now > CLOCK_SKEW:
        raise InitDataError(STALE)
    language = user.get("language_code")
    return WebAppUser(
        user_id,
        str(user.get("first_name") or ""),
        language if isinstance(language, str) else None,
        auth_date,
    )


def claimed_language(init_data: str) -> str | None:
    """The language_code initData claims, unverified: only to word a refusal in the person's language."""
    try:
        user = json.loads(_fields(init_data).get("user", "{}"))
        language = user.get("language_code") if isinstance(user, dict) else None
    except (InitDataError, ValueError):
        return None
    return language if isinstance(language, str) else None
