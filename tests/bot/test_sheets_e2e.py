"""Filling tables with Excel/WPS over Telegram: the contact gets the workbook from the bot, fills it with
openpyxl as an office would, and sends it back through the local Bot API; the replies and the answers
stored (with history) are checked, for complete, partial, wrong, foreign and hostile files."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from bot.offline.excel import typed
from storage.records import IN_PROGRESS
from tests.bot.harness import everyone_joined
from tests.bot.process import BotProcess, wait_for
from tests.bot.test_e2e import ANSWERS, COORDINATOR, OFFICE, POLICY, texts
from workflows.loader import load_template
from workflows.sheets.make import template_sheet
from workflows.sheets.read import read_sheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
async def harness(tmp_path):
    async with everyone_joined(tmp_path) as h:
        yield h


async def workbook(h, user_id):
    """/fill, then 「用 Excel 填写」: the workbook the bot sends."""
    menu = await h.sim.say(user_id, "/fill")
    assert [b["text"] for b in menu[-1].buttons[-1]] == ["用 Excel 填写"]
    sent = await h.sim.press(user_id, "用 Excel 填写", menu[-1])
    (document,) = [m for m in sent if m.document is not None]
    assert document.text.startswith("这是你负责部分的 2026 年度报告填报表格。")
    return document


def where(h, data):
    """Field id → 「表三!D7」 of a workbook, as the bot reads it."""
    template = h.services.settings.template
    return {fid: cell.ref for fid, cell in read_sheet(data, template).cells.items()}


def answers(h):
    return h.store.current_answers(h.services.cycle().id)


async def test_a_complete_workbook_is_saved_as_if_typed(harness):
    h = harness
    document = await workbook(h, POLICY)
    assert document.filename == "sheet-2026-policy.xlsx"
    cells = where(h, document.document)
    session = h.services.session(h.services.cycle())
    asked = [
        fid
        for unit in session.units_of("policy")
        for fid in unit.field_ids
        if session.figures.asked(session.template.fields[fid])
    ]
    values = {cells[fid]: ANSWERS[fid] for fid in asked if fid in ANSWERS}
    reply = await h.sim.send_document(POLICY, "年报.xlsx", typed(document.document, values), XLSX)
    assert texts(reply).startswith(f"✓ 已从表格保存 {len(values)} 个数值。")
    assert "表三!" not in texts(reply)  # nothing refused
    stored = answers(h)
    for fid in asked:
        if fid in ANSWERS:
            assert stored[fid].value == ANSWERS[fid], fid
            assert stored[fid].by == f"user:{POLICY}"
    states = h.store.list_section_states(h.services.cycle().id)
    assert states["requests"].state == IN_PROGRESS
    # The reply leads on to the sections, where they are submitted as after typing.
    menu = await h.sim.press(POLICY, "查看并提交", reply[-1])
    assert "三、收到和处理政府信息公开申请情况（填写中）" in texts(menu)


async def test_a_partial_workbook_with_mistakes_saves_what_is_valid_and_names_each_cell(harness):
    h = harness
    document = await workbook(h, POLICY)
    cells = where(h, document.document)
    values = {
        cells["t3.new.natural"]: "1,234",  # as typed in the chat
        cells["t3.new.business"]: "１２",  # full-width digits
        cells["t3.new.research"]: "三件",
        cells["t3.new.welfare"]: "abc",
        cells["t3.new.legal"]: -2,
        cells["t3.new.other"]: 1.5,
        cells["t3.new.total"]: 999,  # a total someone typed over (the sheet is unprotected in WPS)
    }
    reply = await h.sim.send_document(POLICY, "年报.xlsx", typed(document.document, values), XLSX)
    text = texts(reply)
    assert text.startswith("✓ 已从表格保存 3 个数值。")
    assert (
        f"{cells['t3.new.welfare']}：一、本年新收政府信息公开申请数量 · 社会公益组织：“abc”不是有效数字"
        in text
    )
    assert (
        f"{cells['t3.new.legal']}：一、本年新收政府信息公开申请数量 · 法律服务机构：不能为负数（收到的是 -2）"
        in text
    )
    assert f"{cells['t3.new.other']}：一、本年新收政府信息公开申请数量 · 其他：应为整数，收到的是 1.5" in text
    assert f"{cells['t3.new.total']}：一、本年新收政府信息公开申请数量 · 总计由其他数字自动计算" in text
    assert cells["t3.new.welfare"].startswith("表三!")
    stored = answers(h)
    assert stored["t3.new.natural"].value == 1234 and stored["t3.new.natural"].raw == "1,234"
    assert stored["t3.new.business"].value == 12 and stored["t3.new.research"].value == 3
    assert "t3.new.welfare" not in stored and "t3.new.legal" not in stored
    # The corrected file: only what changed is saved again; the history keeps both versions.
    fixed = typed(
        document.document,
        {
            **values,
            cells["t3.new.natural"]: 1235,
            cells["t3.new.welfare"]: 0,
            cells["t3.new.legal"]: 0,
            cells["t3.new.other"]: 1,
            cells["t3.new.total"]: None,
        },
    )
    again = await h.sim.send_document(POLICY, "年报.xlsx", fixed, XLSX)
    assert texts(again).startswith("✓ 已从表格保存 4 个数值。")
    history = h.store.answer_history(h.services.cycle().id, "t3.new.natural")
    assert [v.value for v in history] == [1234, 1235]
    # A later download is pre-filled with what is saved.
    fresh = await workbook(h, POLICY)
    book = load_workbook(io.BytesIO(fresh.document))
    sheet, coord = cells["t3.new.natural"].split("!")
    assert book[sheet][coord].value == 1235


async def test_foreign_workbooks_are_refused_with_the_reason(harness):
    h = harness
    office = await workbook(h, OFFICE)
    reply = await h.sim.send_document(POLICY, "office.xlsx", office.document, XLSX)
    assert texts(reply).startswith(
        "未从该文件保存任何内容。\n该表格是办公室负责部分的表格，不是你所在科室的。"
    )
    other = template_sheet(load_template("gov-disclosure-2018"), 2018, h.clock.now(), "zh")
    reply = await h.sim.send_document(POLICY, "2018.xlsx", other.data, XLSX)
    assert "该表格属于另一个报告模板（gov-disclosure-2018）。" in texts(reply)
    # An old version: the layout it was made for is not the template's any more.
    mine = await workbook(h, POLICY)
    book = load_workbook(io.BytesIO(mine.document))
    book["_reportbot"]["B4"].value = "0badf00d"
    out = io.BytesIO()
    book.save(out)
    reply = await h.sim.send_document(POLICY, "old.xlsx", out.getvalue(), XLSX)
    assert "该表格生成后报告表格已有变动" in texts(reply) and "用 Excel 填写" in texts(reply)
    assert not [fid for fid in answers(h) if fid.startswith("t3.") or fid.startswith("overview")]


def zipped(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


async def test_hostile_files_are_refused_without_harm(harness):
    h = harness
    document = await workbook(h, POLICY)
    with zipfile.ZipFile(io.BytesIO(document.document)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(1, 100_001))
    sheet = members["xl/worksheets/sheet1.xml"]
    start, end = sheet.index(b"<sheetData"), sheet.index(b"</sheetData>") + len(b"</sheetData>")
    cases = {
        "bomb.xlsx": (
            zipped(
                {"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>", "a.xml": b"\0" * (40 * 2**20)}
            ),
            "该文件解压后远大于其本身，已拒绝读取。",
        ),
        "rows.xlsx": (
            zipped(
                {
                    **members,
                    "xl/worksheets/sheet1.xml": sheet[:start]
                    + b"<sheetData>"
                    + rows
                    + b"</sheetData>"
                    + sheet[end:],
                }
            ),
            "该文件中有工作表超过 2000 行",
        ),
        "macro.xlsx": (zipped({**members, "xl/vbaProject.bin": b"\0" * 64}), "不接受含宏的表格（.xlsm）"),
        "macro.xlsm": (document.document, "不接受含宏的表格（.xlsm）"),
        "garbage.xlsx": (b"\x00\x01garbage" * 1000, "这不是 .xlsx 表格"),
        "old.xlsx": (b"\xd0\xcf\x11\xe0" + b"\0" * 2000, "这是旧版 .xls 文件或带密码的表格"),
        "photo.jpg": (b"\xff\xd8\xff" + b"\0" * 100, "这里只能读取机器人生成的 .xlsx 表格"),
        "huge.xlsx": (b"PK" + b"\0" * (6 * 2**20), "文件太大"),
    }
    before = h.store.count_answer_versions(h.services.cycle().id)
    for name, (data, expected) in cases.items():
        reply = await h.sim.send_document(POLICY, name, data)
        assert expected in texts(reply), name
    assert h.store.count_answer_versions(h.services.cycle().id) == before
    # The bot still reads a good workbook after all of them.
    cells = where(h, document.document)
    reply = await h.sim.send_document(
        POLICY, "ok.xlsx", typed(document.document, {cells["t3.new.natural"]: 2})
    )
    assert texts(reply) == "✓ 已从表格保存 1 个数值。"


async def test_only_contacts_send_workbooks(harness):
    h = harness
    document = await workbook(h, POLICY)
    reply = await h.sim.send_document(COORDINATOR, "x.xlsx", document.document, XLSX)
    assert texts(reply) == "表格由各科室联系人填写并发回。/export 可导出全部数据的 .xlsx 文件。"
    h.api.user(77, "Stranger", "en")
    reply = await h.sim.send_document(77, "x.xlsx", document.document, XLSX)
    assert "this bot only serves the report contacts" in texts(reply)
    assert h.store.count_answer_versions(h.services.cycle().id) == 0


async def test_replies_follow_the_contacts_language(harness):
    h = harness
    await h.sim.say(POLICY, "/lang en")
    document = await workbook_en(h)
    cells = where(h, document.document)
    reply = await h.sim.send_document(
        POLICY, "x.xlsx", typed(document.document, {cells["t3.new.natural"]: "x"}), XLSX
    )
    assert texts(reply).startswith("Nothing was saved from this workbook.\n")
    assert (
        f"\n{cells['t3.new.natural']}: 一、本年新收政府信息公开申请数量 · 自然人: “x” is not a number"
        in texts(reply)
    )
    book = load_workbook(io.BytesIO(document.document))
    assert book["表三"]["A2"].value.startswith("Fill in the yellow cells")


async def workbook_en(h):
    menu = await h.sim.say(POLICY, "/fill")
    sent = await h.sim.press(POLICY, "Fill in with Excel", menu[-1])
    (document,) = [m for m in sent if m.document is not None]
    return document


async def test_the_sheet_button_on_the_opening_sends_the_workbook(harness):
    h = harness
    opening = next(
        m
        for m in reversed(h.api.messages_to(POLICY))
        if m.buttons and m.buttons[-1][0]["text"] == "用 Excel 填写"
    )
    sent = await h.sim.press(POLICY, "用 Excel 填写", opening)
    assert [m.filename for m in sent if m.document is not None] == ["sheet-2026-policy.xlsx"]


async def test_a_file_telegram_cannot_hand_over_is_asked_for_again(harness):
    h = harness
    document = await workbook(h, POLICY)
    h.api.failures["getFile"] = 1  # a 502 between the bot and Telegram
    reply = await h.sim.send_document(POLICY, "x.xlsx", document.document, XLSX)
    assert texts(reply) == "未从该文件保存任何内容。\n无法从 Telegram 获取该文件，请重新发送。"
    again = await h.sim.send_document(
        POLICY, "x.xlsx", typed(document.document, {where(h, document.document)["t3.new.natural"]: 1}), XLSX
    )
    assert texts(again) == "✓ 已从表格保存 1 个数值。"


KILLS = {
    # The upload's update is committed with its job; the bot dies while fetching the file.
    "while fetching": ("getFile", "received"),
    # The values are saved with the reply in the outbox; the reply never reached Telegram.
    "after saving": ("sendMessage", "received"),
}


@pytest.mark.parametrize("point", list(KILLS))
def test_a_workbook_is_saved_exactly_once_whenever_the_bot_dies(tmp_path, point):
    approval = 13  # 行政审批科: table 二
    bot = BotProcess(tmp_path)
    try:
        bot.start()
        bot.api.user(approval, "孙审批")
        bot.api.send_text(approval, f"/start {bot.code('approval')}")
        assert wait_for(lambda: any("欢迎" in m.text for m in bot.messages(approval)))
        bot.api.send_text(approval, "/fill")
        assert wait_for(lambda: any("用 Excel 填写" in str(m.buttons) for m in bot.messages(approval)))
        bot.api.press(approval, "用 Excel 填写")
        assert wait_for(lambda: any(m.document for m in bot.messages(approval)))
        document = next(m for m in bot.messages(approval) if m.document)
        cells = {
            fid: c.ref
            for fid, c in read_sheet(document.document, load_template("gov-disclosure-2021")).cells.items()
        }
        data = typed(document.document, {cells["t2.rules.issued"]: 1, cells["t2.fees.amount"]: "12.5万元"})
        method, when = KILLS[point]
        fired = []

        def hook(name, params, phase, result):
            saving = name != "sendMessage" or "已从表格保存" in str(params.get("text"))
            if not fired and name == method and phase == when and saving:
                fired.append(True)
                bot.kill()
                return "drop"
            return None

        bot.api.hooks.append(hook)
        bot.api.send_document(approval, "表二.xlsx", data, XLSX)
        assert wait_for(lambda: fired), "the kill point was never reached"
        bot.wait_dead()
        bot.api.hooks.clear()
        bot.start()
        assert wait_for(lambda: any("已从表格保存" in m.text for m in bot.messages(approval)))
        assert bot.stop() == 0
        saved = [m.text for m in bot.messages(approval) if "已从表格保存" in m.text]
        assert saved == ["✓ 已从表格保存 2 个数值。"]
        store = bot.store()
        try:
            assert [v.value for v in store.answer_history("2026", "t2.rules.issued")] == [1]
            assert [(v.value, v.raw) for v in store.answer_history("2026", "t2.fees.amount")] == [
                ("12.5", "12.5万元")
            ]
            assert store.pending_jobs() == [] and store.pending_deliveries() == []
        finally:
            store.close()
    finally:
        bot.close()
