"""Telegram's signed initData: valid, tampered, stale, missing, malformed."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from bot.initdata import (
    FORGED,
    MALFORMED,
    MISSING,
    STALE,
    InitDataError,
    check_string,
    claimed_language,
    sign,
    signed_for,
    verify,
)

TOKEN = "1234567:LOCAL-TEST-TOKEN"
NOW = datetime(2027, 1, 6, 1, 0, tzinfo=UTC)
USER = {"id": 12, "first_name": "钱法规", "language_code": "zh-hans"}


def fresh(**extra):
    return signed_for(USER, TOKEN, NOW, **extra)


def reason(init_data, token=TOKEN, now=NOW):
    with pytest.raises(InitDataError) as raised:
        verify(init_data, token, now)
    return raised.value.reason


def test_the_signature_is_the_one_the_bot_api_documents():
    # Worked by hand from the documentation, independently of sign(): the data-check-string is every
    # field but hash, sorted, "key=value" a line; the key is HMAC-SHA-256("WebAppData", token).
    user = '{"id":12,"first_name":"Qian","language_code":"en"}'
    check = f"auth_date=1799197200\nquery_id=AAHdF6IQAAAAAN0XohDhrOrc\nuser={user}"
    key = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    digest = hmac.new(key, check.encode(), hashlib.sha256).hexdigest()
    init_data = f"query_id=AAHdF6IQAAAAAN0XohDhrOrc&user={quote(user)}&auth_date=1799197200&hash={digest}"
    verified = verify(init_data, TOKEN, datetime.fromtimestamp(1799197200 + 60, UTC))
    assert (verified.id, verified.first_name, verified.language_code) == (12, "Qian", "en")
    assert (
        check_string({"user": user, "query_id": "AAHdF6IQAAAAAN0XohDhrOrc", "auth_date": "1799197200"})
        == check
    )


def test_valid_init_data_names_its_user():
    user = verify(fresh(query_id="AAH"), TOKEN, NOW + timedelta(hours=23))
    assert (user.id, user.first_name, user.language_code) == (12, "钱法规", "zh-hans")
    assert user.auth_date == NOW


@pytest.mark.parametrize(
    "tamper",
    [
        lambda data: data.replace(quote('"id":12'), quote('"id":13')),  # someone else
        lambda data: data.replace("zh-hans", "en"),  # any field
        lambda data: data[:-1] + ("0" if data[-1] != "0" else "1"),  # the hash itself
        lambda data: data.split("&hash=")[0],  # no hash at all
        lambda data: data + "&signature=extra",  # a field added after signing
    ],
)
def test_tampered_init_data_is_forged(tamper):
    tampered = tamper(fresh())
    assert tampered != fresh()
    assert reason(tampered) == FORGED


def test_init_data_signed_for_another_bot_is_forged():
    assert reason(signed_for(USER, "7654321:ANOTHER-BOT", NOW)) == FORGED


def test_stale_and_future_init_data_is_refused():
    assert verify(fresh(), TOKEN, NOW + timedelta(hours=24)).id == 12
    assert reason(fresh(), now=NOW + timedelta(hours=24, seconds=1)) == STALE
    assert reason(fresh(), now=NOW - timedelta(minutes=6)) == STALE  # signed “in the future”
    assert verify(fresh(), TOKEN, NOW - timedelta(minutes=4)).id == 12  # a little clock skew is fine


def test_missing_and_malformed_init_data():
    assert reason("") == MISSING
    assert reason("no-equals-sign") == MALFORMED
    assert reason("a=1&a=2&hash=00") == MALFORMED  # which a was signed?
    assert reason("x" * 9000 + "=1") == MALFORMED
    # Signed, but not what Telegram sends: no user, a user without an id, a date that is no number.
    assert reason(sign({"auth_date": str(int(NOW.timestamp()))}, TOKEN)) == MALFORMED
    assert reason(sign({"auth_date": "1", "user": json.dumps({"name": "x"})}, TOKEN)) == MALFORMED
    assert reason(sign({"auth_date": "soon", "user": json.dumps(USER)}, TOKEN)) == MALFORMED


def test_the_claimed_language_is_read_without_trusting_it():
    assert claimed_language(fresh().replace("zh-hans", "en")) == "en"
    assert claimed_language("") is None
    assert claimed_language("user=%7Bbroken") is None
