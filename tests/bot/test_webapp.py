"""The form's web server over HTTP, inside the running bot: who is let in, what the API answers, saving."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from datetime import timedelta

import httpx
import pytest

from bot.app import StartupError
from bot.config_schema import WebappTable
from bot.initdata import signed_for
from bot.messages import markup, payloads
from tests.bot.harness import Harness
from workflows.form import form_button
from workflows.replies import Action, Button, Reply

COORDINATOR, POLICY, APPROVAL, STRANGER = 1, 12, 13, 99
PUBLIC = "https://reports.example.gov.cn/form"


@pytest.fixture
async def harness(tmp_path):
    h = Harness(tmp_path)
    h.settings.webapp = WebappTable(listen_port=0, public_url=PUBLIC)
    await h.start()
    await h.open_cycle()
    await h.join(COORDINATOR, "王协调")
    await h.join(POLICY, "钱法规", "policy")
    yield h
    await h.stop()
    h.close()


def init_data(h, user_id, language="zh-hans", at=None):
    user = {"id": user_id, "first_name": "x", "language_code": language}
    return signed_for(user, h.api.token, at or h.clock.now())


async def call(h, path, body=None, init=None, **kwargs):
    headers = {"Authorization": f"tma {init}".strip()} if init is not None else {}
    async with httpx.AsyncClient(base_url=h.bot.form_server.url) as client:
        if body is None and "content" not in kwargs:
            return await client.get(path, headers=headers)
        if body is None:
            return await client.post(path, headers=headers, **kwargs)
        return await client.post(path, json=body, headers=headers, **kwargs)


async def told(h, user_id, text):
    for _ in range(200):
        found = [m for m in h.api.messages_to(user_id) if text in m.text]
        if found:
            return found
        await asyncio.sleep(0.02)
    return []


async def test_the_page_is_served_with_its_words_and_a_strict_policy(harness):
    page = await call(harness, "/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    texts = json.loads(page.text.split('id="texts">')[1].split("</script>")[0])
    assert texts["zh"]["save"] == "保存" and texts["en"]["save"] == "Save"
    script = await call(harness, "/form.js")
    assert script.headers["content-type"].startswith("text/javascript") and "tgWebAppData" in script.text
    assert (await call(harness, "/form.css")).status_code == 200
    assert (await call(harness, "/../bot/webapp.py")).status_code == 404


async def test_every_api_call_needs_init_data_telegram_signed_recently(harness):
    h = harness
    genuine = init_data(h, POLICY)
    cases = [
        (None, "请在与机器人的对话中点击按钮打开本表单。"),
        ("", "请在与机器人的对话中点击按钮打开本表单。"),
        (genuine.replace("%22id%22%3A12", "%22id%22%3A13"), "该表单并非从本机器人的 Telegram 对话中打开"),
        (signed_for({"id": POLICY}, "1:ANOTHER-BOT", h.clock.now()), "该表单并非从本机器人的"),
        (init_data(h, POLICY, at=h.clock.now() - timedelta(hours=25)), "表单打开时间过久"),
        (
            init_data(h, POLICY, "en", at=h.clock.now() - timedelta(hours=25)),
            "This form was opened too long ago",
        ),
    ]
    for path in ("/api/form", "/api/check", "/api/save"):
        for init, message in cases:
            answer = await call(h, path, {"values": {"t3.new.natural": "1"}}, init)
            assert answer.status_code == 403, (path, init)
            assert answer.json()["error"].startswith(message), (path, init)
    assert "t3.new.natural" not in h.store.current_answers("2026")


async def test_only_active_contacts_are_served_and_only_their_department(harness):
    h = harness
    stranger = await call(h, "/api/form", {}, init_data(h, STRANGER, "en"))
    assert stranger.status_code == 403 and stranger.json()["error"].startswith("Sorry, this bot only serves")
    coordinator = await call(h, "/api/form", {}, init_data(h, COORDINATOR))
    assert coordinator.status_code == 403 and coordinator.json()["error"] == "该操作仅限部门联系人使用。"
    view = (await call(h, "/api/form", {}, init_data(h, POLICY))).json()
    assert [s["id"] for s in view["sections"]] == ["overview.requests", "requests", "appeals"]
    foreign = await call(
        h, "/api/save", {"values": {"t2.rules.issued": "3"}, "seen": {}}, init_data(h, POLICY)
    )
    assert foreign.json()["saved"] == [] and "不是本科室负责的部分" in foreign.json()["problems"][0]["text"]
    assert "t2.rules.issued" not in h.store.current_answers("2026")


async def test_bad_requests_get_a_clear_answer(harness):
    h = harness
    init = init_data(h, POLICY)
    for body in (
        ["not", "an", "object"],
        {"values": ["x"]},
        {"values": {"t3.new.natural": 3}},
        {"cycle": 2026},
    ):
        answer = await call(h, "/api/check", body, init)
        assert (
            answer.status_code == 400 and answer.json()["error"] == "表单发送的内容无法识别，请重新打开表单。"
        )
    garbage = await call(h, "/api/check", init=init, content=b"{not json")
    assert garbage.status_code == 400
    huge = await call(h, "/api/check", {"values": {"overview.requests.text": "字" * 400_000}}, init)
    assert huge.status_code == 413 and huge.json()["error"] == "表单发送的内容无法识别，请重新打开表单。"


async def test_checking_writes_nothing_and_saving_commits_with_the_chats_confirmation(harness):
    h = harness
    init = init_data(h, POLICY)
    checked = (await call(h, "/api/check", {"values": {"t3.new.natural": "1 0"}, "seen": {}}, init)).json()
    assert "请只填一个数" in checked["problems"][0]["text"]
    assert h.store.count_answer_versions("2026") == 0
    body = {"cycle": "2026", "values": {"t3.new.natural": "40", "t3.new.business": "5"}, "seen": {}}
    saved = (await call(h, "/api/save", body, init)).json()
    assert saved["message"] == "已保存 2 项。" and saved["saved"] == ["t3.new.business", "t3.new.natural"]
    assert saved["form"]["fields"]["t3.new.natural"] | {"label": ""} == {
        "label": "",
        "type": "integer",
        "unit": "件",
        "hint": "",
        "computed": False,
        "value": "40",
        "previous": "",
        "version": 1,
    }
    answers = h.store.current_answers("2026")  # on disk before the page was answered
    assert (answers["t3.new.natural"].value, answers["t3.new.natural"].by) == (40, f"user:{POLICY}")
    (message,) = await told(h, POLICY, "已通过表单保存")
    assert message.text.startswith("✓ 已通过表单保存 2 项（三、收到和处理政府信息公开申请情况）。")
    opened = await h.sim.press(POLICY, "三、收到和处理政府信息公开申请情况", message)
    assert opened[-1].text.startswith("【三、收到和处理政府信息公开申请情况】第 1/24 项")  # the chat goes on
    # The page sends the same again (its answer was lost): nothing is saved or told twice.
    again = (await call(h, "/api/save", body, init)).json()
    assert again["message"] == "没有需要保存的新内容。" and again["saved"] == []
    await asyncio.sleep(0.2)
    assert len(await told(h, POLICY, "已通过表单保存")) == 1
    assert len(h.store.answer_history("2026", "t3.new.natural")) == 1


async def test_a_form_for_a_closed_report_or_with_several_open_is_refused_plainly(harness):
    h = harness
    init = init_data(h, POLICY)
    closed = await call(h, "/api/form", {"cycle": "2019"}, init)
    assert closed.status_code == 404 and closed.json()["error"] == "该表单对应的报告已不再填报。"
    await h.open_cycle(period="Q4")
    several = await call(h, "/api/form", {}, init)
    assert several.status_code == 409
    assert several.json()["error"].startswith("目前有多个报告正在填报")
    chosen = (await call(h, "/api/form", {"cycle": "2026-Q4"}, init)).json()
    assert chosen["cycle"] == "2026-Q4"


async def test_the_token_and_init_data_stay_out_of_the_log(harness, caplog):
    h = harness
    caplog.set_level(logging.DEBUG)
    init = init_data(h, POLICY)
    await call(h, "/api/save", {"values": {"t3.new.natural": "3"}, "seen": {}}, init)
    await call(h, "/api/form", {}, init[:-2] + "00")
    # The bot's own Bot API calls are logged by httpx and PTB with the token in the URL; `reportbot run`
    # redacts those (test_run). The form's own records never hold it, nor initData.
    ours = [r for r in caplog.records if r.name.startswith(("bot.webapp", "aiohttp"))]
    logged = "\n".join(r.getMessage() for r in ours)
    assert "form form refused: initData forged" in logged
    assert h.api.token not in logged and "hash=" not in logged and init not in logged


async def test_a_port_in_use_stops_the_start_with_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        h = Harness(tmp_path)
        h.settings.webapp = WebappTable(listen_port=taken.getsockname()[1], public_url=PUBLIC)
        try:
            with pytest.raises(
                StartupError, match=r"无法在 127\.0\.0\.1:\d+ 上提供表单（.+）：请检查 webapp"
            ):
                await h.start()
        finally:
            h.close()


def test_the_form_button_is_a_web_app_button_where_https_is_configured():
    reply = Reply("开始", ((Button("开始填写", Action.of("fill", "2026")), form_button("2026", "zh")),))
    ((_, payload),) = payloads(reply, form_url="https://reports.example.gov.cn/form/")
    assert payload["buttons"] == [
        [
            {"label": "开始填写", "data": "fill|2026"},
            {"label": "📝 在表单中填写", "web_app": "https://reports.example.gov.cn/form/?cycle=2026"},
        ]
    ]
    (row,) = markup(payload).inline_keyboard
    assert row[1].web_app.url == "https://reports.example.gov.cn/form/?cycle=2026"
    assert row[0].callback_data == "fill|2026"
    ((_, plain),) = payloads(reply)
    assert plain["buttons"] == [[{"label": "开始填写", "data": "fill|2026"}]]  # the chat flow, unchanged
    only_form = Reply("x", ((form_button("2026", "zh"),),))
    assert payloads(only_form)[0][1]["buttons"] == []


async def test_without_https_the_form_is_served_but_not_offered(tmp_path):
    h = Harness(tmp_path)
    h.settings.webapp = WebappTable(listen_port=0, public_url="http://192.0.2.1:8080/form/")
    await h.start()
    try:
        await h.open_cycle()
        await h.join(POLICY, "钱法规", "policy")
        opening = next(m for m in h.api.messages_to(POLICY) if "开始填报" in m.text)
        assert [b["text"] for row in opening.buttons for b in row] == ["开始填写", "用 Excel 填写"]
        assert (await call(h, "/api/form", {}, init_data(h, POLICY))).status_code == 200
    finally:
        await h.stop()
        h.close()


async def test_the_opening_and_fill_offer_the_form_beside_the_chat_and_the_workbook(harness):
    h = harness
    opening = next(m for m in h.api.messages_to(POLICY) if "开始填报" in m.text)
    assert [[b["text"] for b in row] for row in opening.buttons] == [
        ["开始填写"],
        ["📝 在表单中填写", "用 Excel 填写"],
    ]
    menu = (await h.sim.say(POLICY, "/fill"))[-1]
    (form,) = [b for row in menu.buttons for b in row if "web_app" in b]
    assert form == {"text": "📝 在表单中填写", "web_app": {"url": f"{PUBLIC}/?cycle=2026"}}
    assert [b["text"] for b in menu.buttons[-1]] == ["用 Excel 填写"]
