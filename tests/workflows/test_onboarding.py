from datetime import UTC, datetime, timedelta

import pytest

from storage import memory_store
from storage.records import Department
from workflows.onboarding import CONTACT, COORDINATOR, InviteError, issue, redeem, signing_key

KEY = signing_key("123:token")
NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def store():
    instance = memory_store()
    instance.put_department(Department("policy", "政策法规科", ("requests",)))
    return instance


def test_codes_are_single_use(store):
    issued = issue(KEY, CONTACT, "policy", NOW)
    assert len(issued.code) <= 64 and issued.link("bot").startswith("https://t.me/bot?start=")
    contact = redeem(store, KEY, issued.code, 7, "钱", "zh", NOW)
    assert (contact.role, contact.department_id) == (CONTACT, "policy")
    with pytest.raises(InviteError, match="used"):
        redeem(store, KEY, issued.code, 8, "孙", "zh", NOW)


def test_codes_expire(store):
    issued = issue(KEY, CONTACT, "policy", NOW, timedelta(hours=1))
    with pytest.raises(InviteError, match="expired"):
        redeem(store, KEY, issued.code, 7, "钱", "zh", NOW + timedelta(hours=2))


def test_codes_are_random_and_signed(store):
    codes = {issue(KEY, COORDINATOR, None, NOW).code for _ in range(200)}
    assert len(codes) == 200
    for code in list(codes)[:50]:  # every signature, "-" and "_" included, verifies
        assert redeem(store, KEY, code, 1, "王", "zh", NOW).role == COORDINATOR
    forged = issue(signing_key("other"), CONTACT, "policy", NOW).code
    with pytest.raises(InviteError, match="invalid"):
        redeem(store, KEY, forged, 9, "x", "zh", NOW)
    with pytest.raises(InviteError, match="invalid"):
        redeem(store, KEY, "hello", 9, "x", "zh", NOW)


def test_old_and_future_dates_work():
    for moment in (datetime(2019, 1, 7, tzinfo=UTC), datetime(2090, 1, 1, tzinfo=UTC)):
        assert issue(KEY, CONTACT, "policy", moment).expires_at > moment
    with pytest.raises(InviteError):
        issue(KEY, CONTACT, "policy", datetime(1990, 1, 1, tzinfo=UTC))


def test_contact_invitations_need_a_real_department(store):
    with pytest.raises(InviteError):
        issue(KEY, CONTACT, None, NOW)
    with pytest.raises(InviteError, match="unknown_department"):
        redeem(store, KEY, issue(KEY, CONTACT, "nowhere", NOW).code, 7, "钱", "zh", NOW)
