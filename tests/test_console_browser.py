"""The operator console in a real headless browser: a Jinzhong call from city and type to a full answer."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser
pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")
webdriver = pytest.importorskip("selenium.webdriver")
CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
if not (CHROMIUM and DRIVER):
    pytest.skip("chromium and chromium-driver are not installed", allow_module_level=True)

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402
from tests.live_server import live_server  # noqa: E402

from ipsubsidy import Evaluator  # noqa: E402
from ipsubsidy.service import create_app  # noqa: E402

AS_OF = "2022-06-30"


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with live_server(create_app(Evaluator(backend="python"))) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    yield driver
    driver.quit()


class Call:
    """One operator's clicks and keystrokes, counted."""

    def __init__(self, driver: WebDriver, shots: Path) -> None:
        self.driver, self.shots, self.clicks, self.taken = driver, shots, 0, 0

    def find(self, css: str) -> Any:
        return WebDriverWait(self.driver, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, css))

    def question(self) -> str:
        return str(self.find("#qtext").text)

    def click(self, css: str) -> None:
        before = self.find("#qtext").text if self.driver.find_elements(By.CSS_SELECTOR, "#qtext") else ""
        self.find(css).click()
        self.clicks += 1
        if css in ("#unknown", "#skip", "#back", "#begin"):
            self.settle(before)

    def settle(self, before: str) -> None:
        """Wait until the page shows a different question (or the end)."""
        WebDriverWait(self.driver, 10).until(
            lambda d: d.find_element(By.ID, "qtext").text != before or d.find_element(By.ID, "done").is_displayed())

    def type(self, css: str, text: str) -> None:
        box = self.find(css)
        box.clear()
        box.send_keys(text)

    def choose(self, css: str, value: str) -> None:
        Select(self.find(css)).select_by_value(value)
        self.clicks += 1

    def submit(self) -> None:
        before = self.question()
        self.find("#submit").send_keys(Keys.ENTER)
        self.clicks += 1
        self.settle(before)

    def shot(self, name: str) -> None:
        self.taken += 1
        self.driver.save_screenshot(str(self.shots / f"{self.taken:02d}-{name}.png"))


def test_a_jinzhong_call_reaches_the_library_total(base: str, browser: WebDriver, tmp_path: Path) -> None:
    call = Call(browser, tmp_path)
    browser.get(base + "/")
    call.find("#etype option[value=enterprise]")
    call.choose("#city", "晋中市")
    call.choose("#etype", "enterprise")
    call.type("#asof", AS_OF)
    call.click("#begin")
    call.shot("start")
    assert "品牌计划" in call.question()

    call.click("#add")
    call.choose("#e0-plan", "fenghuang")
    call.type("#e0-date", "2021年8月16日")
    call.shot("brand-plan")
    call.submit()
    assert "300000" in call.find("#total").text

    assert "销售收入" in call.question()          # finances: first 不知道, then 上一步 brings it back
    call.click("#unknown")
    assert "销售收入" not in call.question()
    call.click("#back")
    assert "销售收入" in call.question()
    call.click("#add")
    call.type("#e0-year", "2020")
    call.type("#e0-sales_revenue", "3000")
    call.choose("#e0-sales_revenue-unit", "wan")  # 3000万元
    call.type("#e0-rd_expense", "2000000")
    call.click("#add")
    call.type("#e1-year", "2021")
    call.type("#e1-sales_revenue", "3600.5")
    call.choose("#e1-sales_revenue-unit", "wan")
    call.type("#e1-rd_expense", "2500000")
    call.shot("finances")
    call.submit()

    answered_patents = False
    for _ in range(30):
        if browser.find_element(By.ID, "done").is_displayed():
            break
        if "专利" in call.question() and "专利号" in call.question() and not answered_patents:
            call.click("#add")
            call.type("#e0-number", "ZL20201056608")          # malformed: shown next to the field, kept
            call.choose("#e0-kind", "invention")
            call.type("#e0-office", "CN")
            call.type("#e0-grant_date", "2021-03-01")
            call.find("#submit").send_keys(Keys.ENTER)
            call.clicks += 1
            error = WebDriverWait(browser, 10).until(
                lambda d: d.find_element(By.ID, "e0-number-error").text)
            assert "填写有误" in error
            assert call.find("#e0-grant_date").get_attribute("value") == "2021-03-01"
            call.shot("patent-error")
            call.type("#e0-number", "ZL202010566088.9")
            call.submit()
            answered_patents = True
        else:
            call.click("#skip")
    assert answered_patents and browser.find_element(By.ID, "done").is_displayed()
    call.shot("done")

    facts = {"city": "晋中市", "entity_type": "enterprise",
             "brand_plan_selections": [{"plan": "fenghuang", "date": "2021-08-16"}],
             "finances": [{"year": 2020, "sales_revenue": "30000000", "rd_expense": "2000000"},
                          {"year": 2021, "sales_revenue": "36005000", "rd_expense": "2500000"}],
             "patents": [{"number": "ZL202010566088.9", "kind": "invention", "office": "CN",
                          "grant_date": "2021-03-01"}]}
    expected = Evaluator(backend="python").evaluate(facts, dt.date.fromisoformat(AS_OF))
    shown = call.find("#total").get_attribute("data-total")
    assert Decimal(shown) == Decimal(expected.total) and Decimal(shown) > 0
    short = call.find("#short").text
    assert short == expected.summary("zh", short=True) and len(short) < 80
    assert "《" in call.find("#recap").text                 # the recap cites its documents

    call.click("#lang")
    assert call.find("#print").text == "Print"
    call.shot("english")
    print(f"clicks and Enter presses for the call: {call.clicks}")
