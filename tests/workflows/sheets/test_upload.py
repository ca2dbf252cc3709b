"""A returned workbook saved as if typed: every value checked, every problem named by its cell."""

from __future__ import annotations

import io
from dataclasses import replace

from openpyxl import load_workbook

from bot.offline.excel import typed
from tests.workflows.sheets.conftest import NOW, POLICY
from workflows.batch import save_values
from workflows.sheets.make import department_sheet
from workflows.sheets.read import read_sheet
from workflows.sheets.upload import receive_sheet, upload_problem


def returned(session, data):
    return receive_sheet(session.refreshed(), POLICY, read_sheet(data, session.template), NOW)


def test_valid_values_are_saved_and_bad_ones_named_by_cell(session, policy_sheet):
    data = typed(
        policy_sheet.data,
        {
            "表三!D7": "1,234",
            "表三!E7": "１２",
            "表三!F7": "abc",
            "表三!G7": -1,
            "表三!H7": 0,
            "其他填报项!C6": "依申请公开情况。",
        },
    )
    reply = returned(session, data).replies[0]
    lines = reply.text.splitlines()
    assert lines[0] == "✓ 已从表格保存 4 个数值。"
    assert "表三!F7：一、本年新收政府信息公开申请数量 · 科研机构：“abc”不是有效数字" in reply.text
    assert "表三!G7：一、本年新收政府信息公开申请数量 · 社会公益组织：不能为负数（收到的是 -1）" in reply.text
    assert "请改正这些单元格后再次发送表格。" in reply.text
    answers = session.store.current_answers(session.cycle_id)
    assert answers["t3.new.natural"].value == 1234 and answers["t3.new.natural"].raw == "1,234"
    assert answers["t3.new.business"].value == 12 and answers["t3.new.legal"].value == 0
    assert "t3.new.research" not in answers
    assert reply.buttons[0][0].action.name == "fill"


def test_cells_left_as_made_are_no_answer_and_a_resent_file_changes_nothing(session, policy_sheet):
    data = typed(policy_sheet.data, {"表三!D7": 3})
    returned(session, data)
    again = returned(session, data).replies[0].text
    assert again == "表格中没有新内容：各数值与已保存的相同。"
    assert len(session.store.answer_history(session.cycle_id, "t3.new.natural")) == 1


def test_an_old_download_does_not_overwrite_a_colleagues_newer_answer(session):
    old = department_sheet(session, "policy", NOW, "zh")
    save_values(session, replace(POLICY, user_id=99, name="孙同事"), {"t3.new.natural": 7}, NOW, "zh")
    # The old file still shows 自然人 empty; the contact fills 商业企业 only: the colleague's 7 stays.
    returned(session, typed(old.data, {"表三!E7": 2}))
    answers = session.store.current_answers(session.cycle_id)
    assert answers["t3.new.natural"].value == 7 and answers["t3.new.business"].value == 2
    # Changing the very cell the colleague changed meanwhile is refused, naming who saved what.
    text = returned(session, typed(old.data, {"表三!D7": 8})).replies[0].text
    assert "表三!D7：未保存：在你填写期间，" in text


def test_another_departments_or_reports_workbook_is_refused(session):
    office = department_sheet(session, "office", NOW, "zh")
    text = returned(session, typed(office.data, {})).replies[0].text
    assert text.startswith("未从该文件保存任何内容。\n该表格是办公室负责部分的表格，不是你所在科室的。")


def test_last_years_workbook_is_refused(session, policy_sheet):
    book = load_workbook(io.BytesIO(policy_sheet.data))
    book["_reportbot"]["B5"].value, book["_reportbot"]["B6"].value = "2020", "2020"
    out = io.BytesIO()
    book.save(out)
    text = returned(session, out.getvalue()).replies[0].text
    assert "该表格属于另一份报告（2020年度），不是当前正在填报的报告。" in text
    assert session.store.count_answer_versions(session.cycle_id) == 0


def test_a_workbook_for_the_contacts_language(session, policy_sheet):
    english = replace(POLICY, lang="en")
    data = typed(policy_sheet.data, {"表三!D7": "x"})
    text = receive_sheet(session, english, read_sheet(data, session.template), NOW).replies[0].text
    assert text.startswith(
        "Nothing was saved from this workbook.\n表三!D7: 一、本年新收政府信息公开申请数量 · 自然人: “x” is not"
    )


def test_documents_that_cannot_be_workbooks_are_named_before_download():
    assert upload_problem("figures.xlsx", 20_000, None, "zh") is None
    assert "宏" in upload_problem("figures.xlsm", 20_000, None, "zh")
    assert upload_problem("photo.jpg", 20_000, "image/jpeg", "en").startswith("Only the bot's own .xlsx")
    assert "too large" in upload_problem("big.xlsx", 30 * 2**20, None, "en")
