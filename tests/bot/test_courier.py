"""The courier against the local Bot API: nothing due is lost, nothing is sent twice, replies come first."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.courier import Courier, Pace
from bot.messages import split_text
from bot.offline.demo import example_settings
from bot.offline.local_api import Limits, LocalBotApi
from bot.runtime import Runtime
from storage import open_store
from storage.records import BROADCAST, DUE, FAILED, REPLY, SENT, Contact
from tests.bot.harness import START
from workflows.clock import ManualClock
from workflows.replies import Action, Button, Reply
from workflows.services import Services

QUICK = Pace(per_second=0, per_chat_seconds=0, retry_base=0.05, retry_max=0.2)


class Post:
    """A courier running against a local server, and a way to put messages in its outbox."""

    def __init__(self, tmp_path, limits: Limits | None = None, pace: Pace = QUICK, read_timeout: float = 5):
        self.api = LocalBotApi(limits=limits)
        self.api.start()
        settings = example_settings("2021", "gov-disclosure-2021", tmp_path / "db", self.api)
        self.store = open_store(settings.database)
        self.runtime = Runtime(Services(settings, self.store, ManualClock(START)))
        request = HTTPXRequest(read_timeout=read_timeout, connection_pool_size=32)
        self.bot = Bot(
            self.api.token, base_url=self.api.base_url, base_file_url=self.api.file_url, request=request
        )
        self.courier = Courier(self.runtime, self.bot, pace)
        self.count = 0

    async def __aenter__(self) -> Post:
        await self.bot.initialize()
        self.task = asyncio.create_task(self.courier.run())
        return self

    async def __aexit__(self, *exc) -> None:
        await self.courier.stop()
        self.task.cancel()
        await self.bot.shutdown()
        self.store.close()
        self.api.stop()

    async def send(self, chat_id: int, *replies: Reply, priority: int = REPLY, wait: bool = True) -> str:
        self.count += 1
        cause = f"test:{self.count}"
        async with self.runtime.unit(cause) as unit:
            for reply in replies:
                unit.reply(chat_id, reply, priority)
        if wait:
            await self.runtime.settled(cause)
        return cause

    def deliveries(self, chat_id: int):
        return self.store.recent_deliveries(chat_id)


async def test_long_texts_arrive_whole_in_order_despite_flood_control(tmp_path):
    async with Post(tmp_path, Limits(per_chat=1, overall=30, retry_after=1)) as post:
        text = "\n".join("一段很长的说明文字。" * 20 for _ in range(60))
        await post.send(5, Reply(text, ((Button("完成", Action.of("done", 1)),),)), Reply("然后这一条"))
        received = post.api.messages_to(5)
        assert len(received) == len(split_text(text)) + 1 == 4
        assert "".join(m.text for m in received[:3]).replace("\n", "") == text.replace("\n", "")
        assert received[2].buttons and not received[0].buttons and received[3].text == "然后这一条"
        assert ("sendMessage", 5, "429") in post.api.rejected
        assert [d.state for d in post.deliveries(5)] == [SENT] * 4
        assert [d.message_id for d in post.deliveries(5)] == [m.message_id for m in received]


async def test_a_blocked_chat_is_recorded_and_its_message_given_up(tmp_path):
    async with Post(tmp_path) as post:
        async with post.runtime.unit("test") as unit:
            unit.store.put_contact(Contact(6, "contact", "李四", "office"))
        post.api.blocked.add(6)
        await post.send(6, Reply("你好"))
        assert [d.state for d in post.deliveries(6)] == [FAILED]
        assert post.store.get_contact(6).blocked and post.store.pending_deliveries() == []


async def test_documents_with_long_captions_send_the_text_separately_and_can_be_fetched(tmp_path):
    async with Post(tmp_path) as post:
        await post.send(7, Reply("说明" * 600, document=b"PK\x03\x04docx", filename="a.docx"))
        sent = post.api.messages_to(7)
        assert sent[0].filename == "a.docx" and sent[0].text == "" and sent[1].text == "说明" * 600
        fetched = await post.bot.get_file(f"doc7_{sent[0].message_id}")
        assert bytes(await fetched.download_as_bytearray()) == b"PK\x03\x04docx"
        assert post.store.blob_names()  # kept until the courier is restarted and finds it done


async def test_a_502_window_delays_messages_but_loses_none(tmp_path):
    async with Post(tmp_path) as post:
        post.api.failures["sendMessage"] = 6
        await post.send(8, Reply("网络恢复后送达"), Reply("第二条"))
        assert [m.text for m in post.api.messages_to(8)] == ["网络恢复后送达", "第二条"]
        assert post.api.calls["sendMessage"] >= 8


async def test_a_send_whose_answer_was_lost_is_found_not_repeated(tmp_path):
    async with Post(tmp_path) as post:
        await post.send(9, Reply("第一条"))
        post.api.lost_answers["sendMessage"] = 1  # done by the server, answer never seen by the bot
        await post.send(9, Reply("第二条", ((Button("提交", Action.of("submit", "x", "1")),),)))
        assert [m.text for m in post.api.messages_to(9)] == ["第一条", "第二条"]
        second = post.deliveries(9)[1]
        assert second.state == SENT and second.message_id == post.api.messages_to(9)[1].message_id
        assert post.api.calls["editMessageReplyMarkup"] == 1  # looked for it once, found it


async def test_an_answer_that_comes_too_late_is_not_taken_for_a_failure(tmp_path):
    async with Post(tmp_path, read_timeout=0.5) as post:
        post.api.delays["sendMessage"] = 1.5  # the server sent it, but answers after the bot stopped waiting
        await post.send(10, Reply("慢回答"))
        post.api.delays.clear()
        assert [m.text for m in post.api.messages_to(10)] == ["慢回答"]
        assert post.deliveries(10)[0].state == SENT


async def test_after_a_crash_mid_send_the_courier_looks_before_sending_again(tmp_path):
    async with Post(tmp_path) as post:
        await post.send(11, Reply("之前的消息"))
        # Two deliveries a crash left "in flight": the first had reached Telegram, the second had not.
        post.api._api_sendMessage({"chat_id": 11, "text": "已到达"})  # it did arrive before the crash
        async with post.runtime.unit("crash") as unit:
            after = post.api.messages_to(11)[0].message_id
            for text, newest in (("已到达", after), ("未到达", after + 1)):
                delivery = unit.store.add_delivery(
                    11, "text", {"text": text, "buttons": []}, unit.now, REPLY, "crash"
                )
                delivery = replace(delivery, in_flight=True, after_message=newest)
                unit.store.put_delivery(delivery)
                unit.deliveries.append(delivery)  # as the courier finds them at start-up
        await post.runtime.settled("crash")
        assert [m.text for m in post.api.messages_to(11)] == ["之前的消息", "已到达", "未到达"]
        assert [d.state for d in post.deliveries(11)] == [SENT, SENT, SENT]


async def test_a_reply_overtakes_a_broadcast_backlog(tmp_path):
    async with Post(tmp_path, pace=replace(QUICK, per_second=40)) as post:
        async with post.runtime.unit("broadcast") as unit:
            for chat in range(1000, 1120):
                unit.reply(chat, Reply("提醒"), BROADCAST)
        await asyncio.sleep(0.3)
        started = time.monotonic()
        await post.send(1, Reply("协调人的回复"))
        waited = time.monotonic() - started
        delivered = sum(1 for chat in range(1000, 1120) if post.api.messages_to(chat))
        assert waited < 0.5 and delivered < 60, (waited, delivered)
        await post.runtime.settled("broadcast", timeout=30)
        assert all(post.api.messages_to(chat) for chat in range(1000, 1120))
        assert post.store.pending_deliveries() == [] and not [d for d in post.deliveries(1) if d.state == DUE]


async def test_an_unchanged_edit_counts_as_done(tmp_path):
    async with Post(tmp_path) as post:
        await post.send(12, Reply("原文"))
        message_id = post.api.messages_to(12)[0].message_id
        async with post.runtime.unit("edit") as unit:
            unit.deliver(12, "edit", {"message_id": message_id, "text": "原文", "buttons": []}, REPLY)
        await post.runtime.settled("edit")
        assert post.deliveries(12)[-1].state == SENT


@pytest.mark.parametrize("text", ["字" * 9000, "\n".join(f"第{i}行" + "字" * 90 for i in range(200))])
def test_split_text_prefers_line_ends_and_respects_the_limit(text):
    pieces = split_text(text)
    assert all(len(p) <= 4096 for p in pieces) and len(pieces) > 1
    assert "".join(p.replace("\n", "") for p in pieces) == text.replace("\n", "")
