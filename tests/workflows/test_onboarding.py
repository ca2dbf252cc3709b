import contextlib
from datetime import UTC, datetime, timedelta

import pytest

from bot.callbacks import deep_link
from storage import memory_store
from storage.records import CONTACT, COORDINATOR, FROM_CONFIG, Contact, Department
from workflows.onboarding import InviteError, issue, redeem, secret_problem, signing_key

KEY = signing_key("123:token")
NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


@contextlib.contextmanager
def refused(code: str):
    """The block raises the invitation refusal ``code``."""
    with pytest.raises(InviteError) as caught:
        yield
    assert caught.value.code == code


@pytest.fixture
def store():
    instance = memory_store()
    instance.put_department(Department("policy", "政策法规科", ("requests",)))
    return instance


def test_codes_are_single_use(store):
    issued = issue(KEY, CONTACT, "policy", NOW)
    assert (
        len(issued.code) <= 64 and deep_link("@bot", issued.code) == f"https://t.me/bot?start={issued.code}"
    )
    contact = redeem(store, KEY, issued.code, 7, "钱", "zh", NOW).contact
    assert (contact.role, contact.department_id) == (CONTACT, "policy")
    again = redeem(store, KEY, issued.code, 7, "钱", "zh", NOW)  # the same person pressing the link twice
    assert again.contact.department_id == "policy" and again.contact.bound_at == NOW
    with refused("used"):
        redeem(store, KEY, issued.code, 8, "孙", "zh", NOW)


def test_codes_expire(store):
    issued = issue(KEY, CONTACT, "policy", NOW, timedelta(hours=1))
    with refused("expired"):
        redeem(store, KEY, issued.code, 7, "钱", "zh", NOW + timedelta(hours=2))


def test_codes_are_random_and_signed(store):
    codes = {issue(KEY, COORDINATOR, None, NOW).code for _ in range(200)}
    assert len(codes) == 200
    for code in list(codes)[:50]:  # every signature, "-" and "_" included, verifies
        assert redeem(store, KEY, code, 1, "王", "zh", NOW).contact.role == COORDINATOR
    forged = issue(signing_key("other"), CONTACT, "policy", NOW).code
    with refused("invalid"):
        redeem(store, KEY, forged, 9, "x", "zh", NOW)
    with refused("invalid"):
        redeem(store, KEY, "hello", 9, "x", "zh", NOW)


def test_old_and_future_dates_work():
    for moment in (datetime(2019, 1, 7, tzinfo=UTC), datetime(2090, 1, 1, tzinfo=UTC)):
        assert issue(KEY, CONTACT, "policy", moment).expires_at > moment
    with pytest.raises(InviteError):
        issue(KEY, CONTACT, "policy", datetime(1990, 1, 1, tzinfo=UTC))


def test_contact_invitations_need_a_real_department(store):
    with pytest.raises(InviteError):
        issue(KEY, CONTACT, None, NOW)
    with refused("unknown_department"):
        redeem(store, KEY, issue(KEY, CONTACT, "nowhere", NOW).code, 7, "钱", "zh", NOW)


def test_a_second_invitation_asks_before_changing_a_role(store):
    store.put_department(Department("office", "办公室", ("overview",)))
    redeem(store, KEY, issue(KEY, CONTACT, "policy", NOW).code, 7, "钱", "zh", NOW)
    moving = issue(KEY, CONTACT, "office", NOW).code
    asked = redeem(store, KEY, moving, 7, "钱", "zh", NOW)
    assert asked.needs_confirmation and asked.previous.department_id == "policy"
    assert (
        store.get_contact(7).department_id == "policy" and store.get_invite(moving) is None
    )  # nothing written
    moved = redeem(store, KEY, moving, 7, "钱", "zh", NOW, confirmed=True)
    assert moved.contact.department_id == "office" and store.get_invite(moving).used_by == 7
    demoting = issue(KEY, CONTACT, "policy", NOW).code
    store.put_contact(Contact(9, COORDINATOR, "王", granted_by=FROM_CONFIG))
    with refused("configured"):  # the configuration would give the role back
        redeem(store, KEY, demoting, 9, "王", "zh", NOW, confirmed=True)


def test_a_redemption_is_one_step(store):
    code = issue(KEY, CONTACT, "policy", NOW).code

    class Crash(Exception):
        pass

    original = store.put_contact

    def crashing(contact):
        original(contact)
        raise Crash()

    store.put_contact = crashing
    with pytest.raises(Crash):
        redeem(store, KEY, code, 7, "钱", "zh", NOW)
    store.put_contact = original
    assert store.get_invite(code) is None and store.get_contact(7) is None  # the code is not burnt
    assert redeem(store, KEY, code, 7, "钱", "zh", NOW).contact.department_id == "policy"


def test_weak_secrets_are_named():
    assert str(secret_problem("hunter2")) == "it has 7 characters; at least 32 random ones are needed"
    assert str(secret_problem("a" * 40)) == "it repeats too few different characters to be random"
    assert secret_problem("Zq8-x_3LkP0aVw9NcR2tYbH7mJ5eUdF4gS6") is None


def test_a_code_never_takes_over_a_contact_of_another_channel(store):
    store.put_contact(Contact(7, CONTACT, "钱法规", "policy", address=-1001, channel="wecom"))
    with refused("other_channel"):
        redeem(store, KEY, issue(KEY, CONTACT, "policy", NOW).code, 7, "冒名", "zh", NOW)
    assert store.get_contact(7).channel == "wecom" and store.get_contact(7).address == -1001
