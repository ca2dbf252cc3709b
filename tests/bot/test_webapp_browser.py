"""The form in a real browser: Debian's Chromium, driven through its chromedriver, against the running bot.

The bot runs as in the other end-to-end tests (the local Bot API, a real store on disk) with its form
server on a free port; the browser opens the page as Telegram would, with signed initData in the URL
fragment or in ``Telegram.WebApp``. Skipped only where Chromium is not installed; under CI (CI=true,
.ci/run installs it) its absence is a failure. With REPORTBOT_SCREENSHOTS=1 the page is photographed
for the README (docs/images/miniapp.png).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from bot.config_schema import WebappTable
from bot.initdata import signed_for
from tests.bot.harness import Harness
from tests.conftest import EXAMPLES
from workflows.files import read_answers_file
from workflows.numbers import format_number

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=560,1100",
    "--force-device-scale-factor=1.5",
    "--lang=zh-CN",
]
POLICY, APPROVAL = 12, 13
ANSWERS = read_answers_file(EXAMPLES / "2021" / "answers.yaml")
# Table 三's 自然人 column between its first and last rows, top to bottom (its totals are computed).
NATURAL = [
    fid
    for fid in ANSWERS
    if fid.startswith("t3.")
    and fid.endswith(".natural")
    and fid not in ("t3.new.natural", "t3.carried_out.natural")
]
WAIT = 20  # seconds; each wait ends as soon as the page shows what it waits for


def chromium_or_skip() -> None:
    """Chromium and its driver, or a skip saying why (a failure under CI, where .ci/run installs them)."""
    if shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER):
        return
    if os.environ.get("CI") == "true":
        pytest.fail("Chromium or chromedriver is missing under CI: .ci/run should have installed them")
    pytest.skip(
        "Chromium is not installed here (apt-get install chromium chromium-driver); .ci/run installs it"
    )


@pytest.fixture
def browser(tmp_path):
    chromium_or_skip()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    yield driver
    driver.quit()


@pytest.fixture
async def harness(tmp_path):
    h = Harness(tmp_path)
    h.settings.webapp = WebappTable(listen_port=0, public_url="https://reports.example.gov.cn/form/")
    h.settings.previous_figures = last_year(tmp_path)
    await h.start()
    await h.open_cycle()
    yield h
    await h.stop()
    h.close()


def last_year(tmp_path: Path) -> Path:
    """Last year's figures: table 三 a little smaller than this year's, carried over as the example says."""
    figures = {fid: int(value * 0.8) for fid, value in ANSWERS.items() if fid.startswith("t3.")}
    figures.update(read_answers_file(EXAMPLES / "2021" / "previous.yaml"))
    path = tmp_path / "previous.json"
    path.write_text(json.dumps(figures), encoding="utf-8")
    return path


def init_data(h: Harness, user_id: int, name: str, language: str = "zh-hans") -> str:
    """What Telegram hands the page: the user, signed with the bot's token, now."""
    user = {"id": user_id, "first_name": name, "language_code": language}
    return signed_for(user, h.api.token, h.clock.now(), query_id="AAH-test")


def form_url(h: Harness, data: str | None) -> str:
    """The page as Telegram opens it: the button's query, initData in the fragment."""
    url = h.bot.form_server.url + "?cycle=2026"
    return url + (f"#tgWebAppData={quote(data, safe='')}&tgWebAppVersion=8.0" if data is not None else "")


def shown(driver, selector: str) -> str:
    """The text of everything matching ``selector``, one element a line."""
    return "\n".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, selector))


def wait_for(driver, condition, message: str):
    return WebDriverWait(driver, WAIT).until(lambda d: condition(d), message)


def type_into(driver, field_id: str, text: str) -> None:
    box = driver.find_element(By.CSS_SELECTOR, f'[data-field="{field_id}"] input')
    box.clear()
    box.send_keys(text)


async def in_browser(function, *args):
    """Run a blocking browser step in a thread: the bot answers the page on this event loop meanwhile."""
    return await asyncio.to_thread(function, *args)


async def messages_containing(h: Harness, user_id: int, text: str):
    for _ in range(200):
        found = [m for m in h.api.messages_to(user_id) if text in m.text]
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"no message with {text!r} to {user_id}")


async def test_a_contact_fills_table_three_sees_a_broken_identity_corrects_it_and_saves(harness, browser):
    h = harness
    await h.join(POLICY, "钱法规", "policy")
    opening = next(m for m in h.api.messages_to(POLICY) if "开始填报" in m.text)
    links = [b["web_app"]["url"] for row in opening.buttons for b in row if "web_app" in b]
    assert links == ["https://reports.example.gov.cn/form/?cycle=2026"]
    # The first row typed in the chat, with a slip (39 applications instead of 40).
    await h.sim.say(POLICY, "/fill")
    await h.sim.press(POLICY, "2. 三、收到和处理政府信息公开申请情况")
    await h.sim.say(POLICY, "39 5 1 0 2 1")

    def open_form():
        browser.get(form_url(h, init_data(h, POLICY, "钱法规")))
        wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "input"), "the form never showed")

    await in_browser(open_form)
    assert browser.find_element(By.ID, "title").text == "2026 年报告 · 政策法规科"
    assert (
        browser.find_element(By.CSS_SELECTOR, '[data-field="t3.new.natural"] input').get_attribute("value")
        == "39"
    )
    assert shown(browser, '[data-field="t3.new.natural"] .previous') == "上年 32"
    assert browser.find_element(By.CSS_SELECTOR, '[data-field="t3.new.total"] output').text == "48"

    def fill_with_a_broken_identity():
        type_into(browser, "t3.new.natural", "40")
        for field_id in NATURAL:
            type_into(browser, field_id, format_number(ANSWERS[field_id]))
        type_into(browser, "t3.carried_in.business", "1 0")  # two numbers where one belongs
        type_into(browser, "t3.carried_out.natural", "5")  # 40 + 3 ≠ 39 + 5
        wait_for(browser, lambda d: "自然人" in shown(d, "#checks .errors"), "no live error for the identity")
        wait_for(browser, lambda d: "请只填一个数" in shown(d, "#checks .typed"), "no live note on “1 0”")

    await in_browser(fill_with_a_broken_identity)
    errors = shown(browser, "#checks .errors li")
    assert "申请数量勾稽关系（自然人）" in errors and "（相差 1）" in errors
    flagged = browser.find_elements(By.CSS_SELECTOR, ".flag-error[data-field='t3.carried_out.natural']")
    assert flagged, "the cells of the broken identity are marked"
    assert (
        browser.find_element(By.CSS_SELECTOR, '[data-field="t3.total_processed.natural"] output').text == "39"
    )
    assert h.store.current_answers("2026")["t3.new.natural"].value == 39, "checking saves nothing"
    if os.environ.get("REPORTBOT_SCREENSHOTS") == "1":
        await in_browser(screenshot, browser, ROOT / "docs" / "images" / "miniapp.png")

    def correct_and_save():
        type_into(browser, "t3.carried_in.business", "0")
        type_into(browser, "t3.carried_out.natural", "4")
        wait_for(browser, lambda d: not shown(d, "#checks .errors"), "the error stayed after the correction")
        assert not shown(browser, "#checks .typed") and not browser.find_elements(By.CSS_SELECTOR, ".bad")
        browser.find_element(By.ID, "save").click()
        wait_for(browser, lambda d: shown(d, "#notice.ok"), "the save was not confirmed")

    await in_browser(correct_and_save)
    assert shown(browser, "#notice") == "已保存 25 项。"
    assert shown(browser, "#status") == "已全部保存。"
    answers = h.store.current_answers("2026")
    for field_id in ["t3.new.natural", "t3.carried_in.business", *NATURAL, "t3.carried_out.natural"]:
        assert answers[field_id].value == ANSWERS[field_id], field_id
        assert answers[field_id].by == f"user:{POLICY}"
    history = h.store.answer_history("2026", "t3.new.natural")
    assert [(v.value, v.raw) for v in history] == [(39, "39 5 1 0 2 1"), (40, "40")]
    told = await messages_containing(h, POLICY, "已通过表单保存")
    assert told[-1].text.startswith("✓ 已通过表单保存 25 项（三、收到和处理政府信息公开申请情况）。")
    assert [b["text"] for row in told[-1].buttons for b in row] == ["三、收到和处理政府信息公开申请情况"]


async def test_a_tampered_init_data_is_refused_in_the_browser(harness, browser):
    h = harness
    await h.join(POLICY, "钱法规", "policy")
    genuine = init_data(h, POLICY, "钱法规")
    tampered = genuine.replace(quote(f'"id":{POLICY}'), quote(f'"id":{APPROVAL}'))
    assert tampered != genuine

    def open_tampered():
        browser.get(form_url(h, tampered))
        wait_for(browser, lambda d: shown(d, "#notice"), "no refusal shown")

    await in_browser(open_tampered)
    assert shown(browser, "#notice") == "该表单并非从本机器人的 Telegram 对话中打开，请回到对话中重新打开。"
    assert not browser.find_elements(By.CSS_SELECTOR, "input, textarea")

    def open_without_telegram():
        browser.get(form_url(h, None))
        wait_for(browser, lambda d: shown(d, "#notice"), "no explanation shown")

    await in_browser(open_without_telegram)
    assert shown(browser, "#notice") == "请在与机器人的对话中点击按钮打开本表单。"


async def test_init_data_from_telegram_web_app_and_an_english_form(harness, browser):
    h = harness
    h.api.user(APPROVAL, "Sun", "en")
    await h.sim.say(APPROVAL, f"/start {h.code('approval')}")
    data = init_data(h, APPROVAL, "Sun", "en")
    # As when a Telegram client provides its script: initData in Telegram.WebApp, no fragment.
    browser.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument",
        {"source": f"window.Telegram = {{WebApp: {{initData: {data!r}, themeParams: {{}}}}}};"},
    )

    def open_form():
        browser.get(form_url(h, None))
        wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "input"), "the form never showed")

    await in_browser(open_form)
    assert browser.find_element(By.ID, "title").text == "2026 report · 行政审批科"
    assert browser.find_element(By.ID, "save").text == "Save"
    assert "二、主动公开政府信息情况" in shown(browser, "h2")
    assert "The figures add up." in shown(browser, "#checks")


def screenshot(driver, path: Path) -> None:
    """The page with the live error in view, for the README."""
    driver.execute_script("window.scrollTo(0, 0)")
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))
