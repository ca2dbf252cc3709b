"""The Application ReportBot builds, fed updates in process through process_update: no network, no polling
(the fixture ``office`` and its helpers, for tests/bot/test_handlers.py)."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from telegram import Update
from telegram.request import BaseRequest, RequestData

import bot.app
from bot.app import ReportBot
from bot.config import Settings
from bot.messages import TEXT
from bot.polling import chat_of, message_id_of
from bot.runtime import Runtime
from storage import memory_store
from storage.dict_store import DictStore
from storage.records import CONTACT, COORDINATOR, Delivery
from tests.workflows.scenario import (
    DEADLINE,
    EXAMPLES,
    START,
    TEMPLATE_ID,
    YEAR,
    ZONE,
    calendar,
    departments,
    template,
)
from workflows.clock import ManualClock
from workflows.cycles import new_cycle
from workflows.files import read_profile
from workflows.onboarding import issue
from workflows.services import Services

BOT_ID, BOT_USERNAME, TOKEN = 700000001, "jiangbin_report_bot", "700000001:offline-test-token"
COORDINATOR_ID = 9001
EXPIRED = "这个按钮已过期。"
REFUSAL = "抱歉，本机器人仅供本单位报告联系人使用。如需使用，请向协调人索取邀请链接。"


class OfflineRequest(BaseRequest):
    """A Bot API connection that never connects: getMe is answered here, anything else fails the test."""

    calls: ClassVar[list[str]] = []  # shared by the two instances build_application makes

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    @property
    def read_timeout(self) -> float:
        """Never waited for."""
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Answer getMe as the test bot; refuse everything else (handlers must only use the outbox)."""
        name = url.rsplit("/", 1)[-1]
        OfflineRequest.calls.append(name)
        if name != "getMe":
            raise AssertionError(f"a handler called the Bot API directly: {name}")
        me = {"id": BOT_ID, "is_bot": True, "first_name": "江滨报告", "username": BOT_USERNAME}
        return 200, json.dumps({"ok": True, "result": me}).encode()


@dataclass
class Office:
    """The bot's Application and services over one store, and a way to feed it updates."""

    reportbot: ReportBot
    services: Services
    clock: ManualClock
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def store(self):
        return self.services.store

    @property
    def runtime(self) -> Runtime:
        return self.reportbot.runtime

    def code(self, department: str | None = None, expires: timedelta = timedelta(days=7)) -> str:
        role = CONTACT if department else COORDINATOR
        return issue(self.services.key, role, department, self.clock.now(), expires).code

    async def handle(self, data: dict[str, Any]) -> list[Delivery]:
        """Handle one update in its unit of work, as the poller does; return what it put in the outbox."""
        application = self.reportbot.application
        update = Update.de_json(data, application.bot)
        async with self.runtime.unit(f"update:{update.update_id}") as unit:
            # The poller records the update as handled in the same commit as its effects.
            chat = unit.store.get_chat(chat_of(update))
            newest = max(chat.last_message_id, message_id_of(update))
            unit.store.put_chat(replace(chat, last_update_id=update.update_id, last_message_id=newest))
            await application.process_update(update)
            if unit.failed is not None:  # PTB's error handler (bot.polling.on_error) marks it
                raise unit.failed
        return unit.deliveries

    # Updates, as the Bot API sends them ----------------------------------------------------------------
    def _user(self, user_id: int, name: str, language: str) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": name, "language_code": language}

    def _message(self, user_id, name, text, language, chat_type="private", message_id=None):
        message = {
            "message_id": message_id or next(self.ids) + 1000,
            "date": int(self.clock.now().timestamp()),
            "chat": {
                "id": user_id if chat_type == "private" else -100,
                "type": chat_type,
                "first_name": name,
            },
            "from": self._user(user_id, name, language),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return message

    async def say(self, user_id, name, text, language="zh-hans", chat_type="private", message_id=None):
        message = self._message(user_id, name, text, language, chat_type, message_id)
        return await self.handle({"update_id": next(self.ids), "message": message})

    async def edit(self, user_id, name, message_id, text, language="zh-hans"):
        message = self._message(user_id, name, text, language, message_id=message_id)
        message["edit_date"] = message["date"]
        return await self.handle({"update_id": next(self.ids), "edited_message": message})

    async def press(self, user_id, name, data, language="zh-hans"):
        bot_message = {
            "message_id": next(self.ids) + 5000,
            "date": int(self.clock.now().timestamp()),
            "chat": {"id": user_id, "type": "private", "first_name": name},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "江滨报告", "username": BOT_USERNAME},
            "text": "…",
        }
        query = {
            "id": f"q{next(self.ids)}",
            "from": self._user(user_id, name, language),
            "chat_instance": "ci",
            "data": data,
            "message": bot_message,
        }
        return await self.handle({"update_id": next(self.ids), "callback_query": query})


def texts(deliveries: list[Delivery]) -> list[str]:
    return [d.payload["text"] for d in deliveries if d.kind == TEXT]


def button_data(deliveries: list[Delivery]) -> list[tuple[str, str]]:
    """(label, callback data) of every button of the last text delivery."""
    last = [d for d in deliveries if d.kind == TEXT][-1]
    return [(b["label"], b["data"]) for row in last.payload["buttons"] for b in row]


def kinds(deliveries: list[Delivery]) -> list[str]:
    return [d.kind for d in deliveries]


@pytest.fixture(params=["tinydb", "dict"])
async def office(request, tmp_path, monkeypatch):
    OfflineRequest.calls = []
    monkeypatch.setattr(bot.app, "HTTPXRequest", OfflineRequest)
    profile = read_profile(EXAMPLES / "organisation.yaml")
    settings = Settings(
        template_ref=TEMPLATE_ID,
        template=template(),
        database=tmp_path / "never-opened",
        timezone=ZONE,
        departments=departments(),
        organisation=profile.values,
        api_url="http://bot-api.invalid/bot",
        username=BOT_USERNAME,
        token=TOKEN,
        secret="k3Y-for-invitations-in-tests-0123456789abcdef",
        coordinators=[COORDINATOR_ID],
    )
    store = memory_store() if request.param == "tinydb" else DictStore()
    clock = ManualClock(START)
    services = Services(settings, store, clock)
    services.sync_from_settings()
    store.put_cycle(new_cycle(TEMPLATE_ID, YEAR, DEADLINE, None, "Asia/Shanghai", START))
    reportbot = ReportBot(services, TOKEN, calendar())
    await reportbot.application.initialize()
    yield Office(reportbot, services, clock)
    await reportbot.application.shutdown()
    store.close()
    assert OfflineRequest.calls == ["getMe"]
    assert not (tmp_path / "never-opened").exists()


async def joined(office: Office, user_id: int = 101, name: str = "钱法规", department: str = "policy"):
    await office.say(user_id, name, f"/start {office.code(department)}")
    return office.store.get_contact(user_id)
