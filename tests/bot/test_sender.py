"""Delivery within Telegram's limits, against the local Bot API server."""

from __future__ import annotations

import pytest
from telegram import Bot

from bot.local_api import Limits, LocalBotApi
from bot.sender import deliver, keyboard, split_text
from workflows.replies import Button, Reply


@pytest.fixture
async def api_bot():
    api = LocalBotApi(limits=Limits(per_chat=1, overall=30, retry_after=1))
    api.start()
    bot = Bot(api.token, base_url=api.base_url, base_file_url=api.file_url)
    async with bot:
        yield api, bot
    api.stop()


def test_split_text_prefers_line_ends_and_respects_the_limit():
    text = "\n".join(f"第{i}行" + "字" * 90 for i in range(200))
    pieces = split_text(text)
    assert all(len(p) <= 4096 for p in pieces) and len(pieces) > 1
    assert "".join(p.replace("\n", "") for p in pieces) == text.replace("\n", "")
    assert all(p.startswith("第") for p in pieces)
    assert split_text("字" * 9000) == ["字" * 4096, "字" * 4096, "字" * 808]


def test_callback_data_over_64_bytes_is_refused_before_sending():
    with pytest.raises(ValueError, match="64 bytes"):
        keyboard(Reply("x", ((Button("按钮", "open:" + "很" * 30),),)))


async def test_long_texts_arrive_whole_in_parts_despite_flood_control(api_bot):
    api, bot = api_bot
    text = "\n".join("一段很长的说明文字。" * 20 for _ in range(60))
    blocked: list[int] = []
    assert await deliver(bot, 5, Reply(text, ((Button("完成", "done"),),)), blocked.append)
    received = api.messages_to(5)
    assert len(received) == len(split_text(text)) == 3 and "".join(m.text for m in received).replace(
        "\n", ""
    ) == text.replace("\n", "")
    assert received[-1].buttons and not received[0].buttons
    assert ("sendMessage", 5, "429") in api.rejected and blocked == []


async def test_a_blocked_chat_is_reported_not_raised(api_bot):
    api, bot = api_bot
    api.blocked.add(6)
    blocked: list[int] = []
    assert await deliver(bot, 6, Reply("你好"), blocked.append) is False
    assert blocked == [6]


async def test_documents_with_long_captions_send_the_text_separately(api_bot):
    api, bot = api_bot
    assert await deliver(
        bot, 7, Reply("说明" * 600, document=b"PK\x03\x04", filename="a.docx"), lambda _: None
    )
    sent = api.messages_to(7)
    assert sent[0].filename == "a.docx" and sent[0].text == ""
    assert sent[1].text == "说明" * 600


async def test_network_errors_are_retried_with_backoff(api_bot):
    api, bot = api_bot
    api.failures["sendMessage"] = 2
    assert await deliver(bot, 8, Reply("网络恢复后送达"), lambda _: None)
    assert [m.text for m in api.messages_to(8)] == ["网络恢复后送达"]
    assert api.calls["sendMessage"] == 3


async def test_files_sent_can_be_fetched_back_through_get_file(api_bot):
    api, bot = api_bot
    await deliver(bot, 9, Reply("报告", document=b"PK\x03\x04docx", filename="report.docx"), lambda _: None)
    message = api.messages_to(9)[0]
    telegram_file = await bot.get_file(f"doc{message.message_id}")
    assert bytes(await telegram_file.download_as_bytearray()) == b"PK\x03\x04docx"
