"""The form in Telegram, channel-neutral: what a contact is shown, live checks, and saving."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage.records import CONTACT, SUBMITTED, Contact
from workflows import form
from workflows.form_layout import table_rows
from workflows.replies import FORM

NOW = datetime(2022, 1, 10, 9, 0, tzinfo=UTC)
POLICY = Contact(7, CONTACT, "钱法规", "policy", "zh", 7)
ENGLISH = Contact(8, CONTACT, "Sun", "policy", "en", 8)
PREVIOUS = {
    **{f"t3.new.{column}": 0 for column in ("business", "research", "welfare", "legal", "other")},
    "t3.new.natural": 30,
    "t3.carried_out.natural": 3,
}


@pytest.fixture
def session(policy_report):
    return policy_report(POLICY, ENGLISH, previous=PREVIOUS)


def broken_flow(template):
    """Table 三's 自然人 column (24 figures) with 新收 5 + 结转 0 = 5 but 4 processed and 0 carried out."""
    values = {
        f.id: "0"
        for f in template.fields.values()
        if f.table_id == "t3" and f.id.endswith(".natural") and f.derivation is None
    }
    return {**values, "t3.new.natural": "5", "t3.granted.natural": "4"}


def test_the_form_shows_the_departments_sections_with_last_years_figures(session):
    view = form.view(session, POLICY, "zh")
    assert view["title"] == "2021 年报告 · 政策法规科"
    assert [s["id"] for s in view["sections"]] == ["overview.requests", "requests", "appeals"]
    assert [s["state"] for s in view["sections"]] == ["未开始"] * 3
    assert [b["kind"] for b in view["sections"][1]["blocks"]] == ["table"]
    assert view["sections"][0]["blocks"] == [{"kind": "narrative", "fields": ["overview.requests.text"]}]
    fields = view["fields"]
    assert "overview.text" not in fields  # the office's
    assert fields["t3.new.natural"] == {
        "label": "一、本年新收政府信息公开申请数量 · 自然人",
        "type": "integer",
        "unit": "件",
        "hint": "",
        "computed": False,
        "value": "",
        "previous": "30",
        "version": 0,
    }
    assert fields["t3.new.total"]["computed"] and fields["t3.new.total"]["previous"] == "30"
    assert fields["t3.carried_in.total"]["previous"] == ""  # last year's row is incomplete
    assert view["findings"] == []
    assert view["texts"]["save"] == "保存"
    assert form.view(session, ENGLISH, "en")["texts"]["save"] == "Save"


def test_table_three_is_laid_out_as_printed(template_2021):
    table = next(t for t in template_2021.tables() if t.id == "t3")
    rows = table_rows(table, 2021)
    assert len(rows) == 3 + 25  # three header rows, then one row per line of the table
    assert rows[0][0] == {
        "kind": "header",
        "rowspan": 3,
        "colspan": 3,
        "text": "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    }
    figures = [c["field"] for row in rows for c in row if c["kind"] == "figure"]
    assert figures == table.field_ids()
    group = next(c for row in rows for c in row if c.get("text") == "三、本年度办理结果")
    assert (group["kind"], group["rowspan"]) == ("label", 22)


def test_checks_use_the_chats_rules_and_write_nothing(session, template_2021):
    raw = broken_flow(template_2021) | {"t3.new.business": "1 0"}
    result = form.check(session, POLICY, raw, {}, "zh")
    assert [(p["field"], p["section"]) for p in result["problems"]] == [("t3.new.business", "requests")]
    assert "请只填一个数" in result["problems"][0]["text"]
    (finding,) = [f for f in result["findings"] if f["severity"] == "error"]
    assert finding["text"].startswith("申请数量勾稽关系（自然人）") and "相差 1" in finding["text"]
    assert finding["fields"] == [
        "t3.new.natural",
        "t3.carried_in.natural",
        "t3.total_processed.natural",
        "t3.carried_out.natural",
    ]
    assert result["computed"]["t3.total_processed.natural"] == "4"
    assert session.store.count_answer_versions(session.cycle_id) == 0
    fixed = form.check(session, POLICY, {**raw, "t3.granted.natural": "5", "t3.new.business": "0"}, {}, "en")
    assert fixed["problems"] == [] and not [f for f in fixed["findings"] if f["severity"] == "error"]
    assert fixed["computed"]["t3.total_processed.natural"] == "5"


def test_checks_see_what_is_stored_too(session, template_2021):
    form.save(session, POLICY, broken_flow(template_2021), {}, NOW, "zh")
    # Only the last figure is typed now; the identity is checked against the stored column.
    result = form.check(session.refreshed(), POLICY, {"t3.carried_out.natural": "1"}, {}, "zh")
    assert not [f for f in result["findings"] if f["severity"] == "error"]
    stored = form.view(session.refreshed(), POLICY, "zh")
    assert [f["severity"] for f in stored["findings"]].count("error") == 1


def test_saving_goes_through_the_batch_service_and_tells_the_chat(session, template_2021):
    answer, told = form.save(session, POLICY, {"t3.new.natural": "１２", "t3.new.legal": "x"}, {}, NOW, "zh")
    assert answer["saved"] == ["t3.new.natural"]
    assert answer["message"] == "已保存 1 项。 未保存 1 项（见各栏旁的说明）。"
    assert answer["problems"][0]["field"] == "t3.new.legal"
    assert answer["form"]["fields"]["t3.new.natural"]["value"] == "12"
    assert answer["form"]["fields"]["t3.new.natural"]["version"] == 1
    (stored,) = session.store.answer_history(session.cycle_id, "t3.new.natural")
    assert (stored.value, stored.raw, stored.by) == (12, "１２", "user:7")
    (reply,) = told.replies
    assert reply.text.startswith("✓ 已通过表单保存 1 项（三、收到和处理政府信息公开申请情况）。")
    assert [(b.label, b.action.name, b.action.args) for row in reply.buttons for b in row] == [
        ("三、收到和处理政府信息公开申请情况", "open", ("requests",))
    ]
    # The same again (a page that retries after a lost answer): nothing saved, nothing told twice.
    again, quiet = form.save(session.refreshed(), POLICY, {"t3.new.natural": "12"}, {}, NOW, "zh")
    assert again["message"] == "没有需要保存的新内容。" and quiet.replies == []
    assert len(session.store.answer_history(session.cycle_id, "t3.new.natural")) == 1


def test_a_save_with_a_broken_identity_warns_in_the_chat(session, template_2021):
    _, told = form.save(session, ENGLISH, broken_flow(template_2021), {}, NOW, "en")
    text = told.replies[0].text
    assert text.startswith("✓ Saved from the form: 24 answers (三、收到和处理政府信息公开申请情况).")
    assert "❌ request flow (自然人)" in text


def test_a_submitted_section_is_shown_locked_and_refused(session):
    session.store.set_section_state(session.cycle_id, "requests", SUBMITTED, "user:7", NOW)
    view = form.view(session.refreshed(), POLICY, "zh")
    requests = view["sections"][1]
    assert requests["locked"] and requests["note"] == "已提交，等待审核，不能在此修改。"
    assert not view["sections"][2]["locked"]
    answer, told = form.save(session.refreshed(), POLICY, {"t3.new.natural": "1"}, {}, NOW, "zh")
    assert answer["saved"] == [] and "已提交" in answer["problems"][0]["text"] and told.replies == []


def test_a_colleagues_change_since_the_form_was_shown_is_kept(session):
    seen = form.view(session, POLICY, "zh")["fields"]
    form.save(session, ENGLISH, {"t3.new.natural": "4"}, {}, NOW, "en")
    answer, _ = form.save(
        session.refreshed(),
        POLICY,
        {"t3.new.natural": "5"},
        {"t3.new.natural": seen["t3.new.natural"]["version"]},
        NOW,
        "zh",
    )
    assert answer["saved"] == [] and answer["problems"][0]["text"].startswith("未保存：在你填写期间，Sun")
    assert session.store.current_answers(session.cycle_id)["t3.new.natural"].value == 4


def test_the_form_button_opens_the_cycle():
    button = form.form_button("2026-Q1", "zh")
    assert (button.label, button.action.name, button.action.args) == ("📝 在表单中填写", FORM, ("2026-Q1",))


def test_the_page_texts_exist_in_both_languages():
    zh, en = form.page_texts("zh"), form.page_texts("en")
    assert zh.keys() == en.keys() == form.PAGE_TEXTS.keys()
    assert zh["last_year"] == "上年 {value}" and en["unsaved_many"] == "{count} changes not saved yet"
    assert all(zh[key] != en[key] for key in zh)
