"""What the coordinator takes away: the assembled .docx and every figure as .json and .xlsx, opened and read."""

from __future__ import annotations

import io
import json

import docx
import openpyxl
import pytest

from storage import memory_store
from tests.workflows.scenario import EXAMPLES, ZONE, build_world, example_answers, previous_answers
from workflows.files import read_profile
from workflows.reports import assemble_current, figures_json, figures_xlsx, owners


@pytest.fixture
def world():
    """Assembling is slow beside the rest: the documents are built from the production store only (the
    JSON export, which reads who saved what and when, still runs over both stores)."""
    return build_world(memory_store())


@pytest.fixture
def world_with_last_year():
    """The same, with last year's figures."""
    return build_world(memory_store(), previous=previous_answers())


@pytest.fixture(scope="module")
def organisation():
    return read_profile(EXAMPLES / "organisation.yaml").values


def everything(world, values=None, by="user:201"):
    world.fill([u.section_id for u in world.session().units], by=by, values=values)
    return world.session()


def paragraphs(document_bytes):
    return [p.text for p in docx.Document(io.BytesIO(document_bytes)).paragraphs]


def header_texts(document_bytes):
    document = docx.Document(io.BytesIO(document_bytes))
    return [p.text for section in document.sections for p in section.header.paragraphs if p.text]


def table_rows(document_bytes, index):
    table = docx.Document(io.BytesIO(document_bytes)).tables[index]
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_owners_name_the_department_of_every_assigned_section(world):
    assert owners(world.session()) == {
        "intro": "办公室",
        "overview": "办公室",
        "other": "办公室",
        "overview.requests": "政策法规科",
        "requests": "政策法规科",
        "appeals": "政策法规科",
        "proactive": "行政审批科",
        "overview.platforms": "信息中心",
        "overview.oversight": "人事科",
        "problems": "人事科",
    }


def test_an_empty_report_is_a_draft_that_says_whose_parts_are_missing(world, organisation):
    report = assemble_current(world.session(), organisation, world.now(), ZONE, "zh")
    assert report.filename == "report-2025-draft.docx"
    caption = report.caption.splitlines()
    assert caption[0] == "草稿：尚有 10 处待填写，0 处数字不一致。"
    assert caption[1] == "· 【待填写：办公室 · 一、总体情况（一）主动公开】"
    assert caption[-1] == "· 【待填写：办公室 · 六、其他需要报告的事项】"
    assert len(caption) == 11
    text = paragraphs(report.document)
    assert (
        text[0] == "江滨市科学技术局\n2025年政府信息公开工作年度报告"
    )  # the title breaks after the organisation
    assert "【待填写：政策法规科 · 一、总体情况（二）依申请公开】" in text
    assert header_texts(report.document) == ["草稿 · 2026年1月7日生成 · 尚有 10 处待填写"]


def test_a_complete_consistent_report(world_with_last_year, organisation):
    world = world_with_last_year
    session = everything(world)
    report = assemble_current(session, organisation, world.now(), ZONE, "en")
    assert (report.filename, report.caption) == ("report-2025.docx", "Complete and consistent.")
    text = paragraphs(report.document)
    assert "全年新收政府信息公开申请49件，上年结转4件，已办结48件，结转下年度继续办理5件。" in text
    assert not any("待填写" in line for line in text)
    assert header_texts(report.document) == []
    assert table_rows(report.document, 0)[2:4] == [
        ["规章", "1", "0", "6"],
        ["行政规范性文件", "3", "2", "21"],
    ]
    new_requests = next(row for row in table_rows(report.document, 1) if row[0].startswith("一、本年新收"))
    assert new_requests[-7:] == ["40", "5", "1", "0", "2", "1", "49"]  # 总计 computed


def test_a_complete_report_with_warnings_says_so(world_with_last_year, organisation):
    world = world_with_last_year
    session = everything(world, values={**example_answers(), "t2.normative.in_force": 200})
    report = assemble_current(session, organisation, world.now(), ZONE, "zh")
    assert report.filename == "report-2025.docx"
    assert report.caption.splitlines() == [
        "报告已完整；另有 2 项提示，发布前请留意。",
        "⚠️ 现行有效件数衔接（行政规范性文件）：现行有效件数 200 与 上年现行有效件数加本年制发减本年废止 21 不符（相差 179）",
        "⚠️ 行政规范性文件 · 现行有效件数：200 是上年（20）的 10 倍，请核实",
    ]


def test_inconsistent_figures_keep_it_a_draft(world, organisation):
    session = everything(world, values={**example_answers(), "t3.new.natural": 41})
    report = assemble_current(session, organisation, world.now(), ZONE, "en")
    assert report.filename == "report-2025-draft.docx"
    caption = report.caption.splitlines()
    assert caption[0] == "Draft: 0 parts missing, 2 figures inconsistent."
    assert caption[1].startswith("❌ request flow (自然人): ")
    assert header_texts(report.document) == ["草稿 · 2026年1月7日生成"]


def test_figures_json(any_store):
    world = build_world(any_store)
    world.later(hours=1)
    session = everything(world, by="user:101")
    document = figures_json(session)
    assert "全年新收政府信息公开申请49件".encode() in document  # UTF-8, not \u escapes
    data = json.loads(document)
    assert {k: v for k, v in data.items() if k != "fields"} == {
        "cycle": "2025",
        "year": 2025,
        "template": "gov-disclosure-2021",
    }
    fields = {entry["id"]: entry for entry in data["fields"]}
    assert list(fields) == list(session.template.fields)
    assert fields["t2.fees.amount"] == {
        "id": "t2.fees.amount",
        "section": "proactive",
        "label": "行政事业性收费 · 本年收费金额（单位：万元）",
        "unit": "万元",
        "value": "12.5",
        "derived": False,
        "by": "user:101",
        "at": "2026-01-07T10:00:00+08:00",
        "version": 1,
    }
    assert fields["t3.new.total"] == {
        "id": "t3.new.total",
        "section": "requests",
        "label": "一、本年新收政府信息公开申请数量 · 总计",
        "unit": "件",
        "value": 49,
        "derived": True,
    }


def test_figures_json_of_an_empty_cycle(world):
    data = json.loads(figures_json(world.session()))
    assert {entry["value"] for entry in data["fields"]} == {None}
    assert not any("by" in entry for entry in data["fields"])


def test_figures_xlsx(world):
    session = everything(world)
    workbook = openpyxl.load_workbook(io.BytesIO(figures_xlsx(session)))
    assert workbook.sheetnames == ["全部数据", "表 t2", "表 t3", "表 t4"]
    sheet = workbook["全部数据"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["字段", "章节", "名称", "单位", "数值", "计算得出"]
    assert all(cell.font.bold for cell in sheet[1])
    numeric = [fid for fid, f in session.template.fields.items() if f.numeric]
    assert [row[0] for row in rows[1:]] == numeric
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id["t2.rules.in_force"] == [
        "t2.rules.in_force",
        "proactive",
        "规章 · 现行有效件数",
        "件",
        6,
        None,
    ]
    assert by_id["t2.fees.amount"][4] == 12.5
    assert by_id["t3.new.total"][4:] == [49, "是"]
    t3 = [[cell.value for cell in row] for row in workbook["表 t3"].iter_rows()]
    assert t3[0][1:] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert t3[1] == ["一、本年新收政府信息公开申请数量", 40, 5, 1, 0, 2, 1, 49]
    t2 = [[cell.value for cell in row] for row in workbook["表 t2"].iter_rows(max_row=4)]
    assert t2[2:] == [["规章", 1, 0, 6], ["行政规范性文件", 3, 2, 21]]


def test_figures_xlsx_leaves_unanswered_cells_empty(world):
    workbook = openpyxl.load_workbook(io.BytesIO(figures_xlsx(world.session())))
    values = [row[4] for row in workbook["全部数据"].iter_rows(min_row=2, values_only=True)]
    assert set(values) == {None}
