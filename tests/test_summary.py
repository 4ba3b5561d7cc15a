"""result.summary(lang): plain sentences to read aloud — no tables, no ids, no codes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from ipsubsidy import Evaluator, Result, load_policies

POLICIES = Path(__file__).parent.parent / "policies"
AS_OF = dt.date(2022, 6, 30)
PROFILE = {
    "city": "晋中", "entity_type": "enterprise",
    "patents": [{"number": "ZL202010566088.9", "grant_date": "2021-03-01"},
                {"number": "US11223344B2", "kind": "invention", "grant_date": "2021-09-01"}],
    "finances": [{"year": y, "sales_revenue": "1000000", "rd_expense": "40000"} for y in (2020, 2021, 2022)],
    "listings": [{"kind": "ip_demonstration_enterprise", "level": "national", "date": "2021-01-01"}],
}


@pytest.fixture(scope="module")
def result() -> Result:
    return Evaluator(load_policies([POLICIES / "jinzhong-2020.yaml"]), "python").evaluate(PROFILE, AS_OF)


def test_chinese_summary_says_what_how_much_what_next_and_where(result: Result) -> None:
    text = result.summary()
    assert f"合计{result.total}元" in text and result.total == "25000"
    assert "国内授权发明专利一次性补助" in text
    assert "市市场监管局" in text
    assert "金额" in text and "新列入国家级、省级知识产权示范、优势企业资助" in text  # eligible, no amount
    assert f"请先回答：{result.questions[0].zh}" in text
    assert "研发投入须增加10000元" in text  # the not-eligible Longmen item's shortfall
    assert "晋中市全面推进知识产权强市建设三年行动方案" in text


def test_english_summary(result: Result) -> None:
    text = result.summary("en")
    assert "25000 yuan in all" in text
    assert result.questions[0].en in text
    assert "must rise by 10000 yuan" in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_ids_codes_or_tables(result: Result, lang: str) -> None:
    text = result.summary(lang)
    for item in result.items:
        assert item.id not in text
    for code in ("needs_info", "not_eligible", "eligible", "jinzhong-2020", "|", "\n", "[", "{"):
        assert code not in text, code
    for question in result.questions:
        assert question.path not in text or not re.search(r"[_\[]", question.path)


def test_nothing_applies() -> None:
    evaluator = Evaluator(load_policies([POLICIES / "jinzhong-2020.yaml"]), "python")
    text = evaluator.evaluate({"city": "厦门", "entity_type": "enterprise"}, AS_OF).summary()
    assert "没有" in text and "元" not in text


def test_short_line_to_read_aloud(result: Result) -> None:
    eligible = [i for i in result.items if i.status == "eligible"]
    pending = [i for i in result.items if i.status == "needs_info"]
    zh = result.summary("zh", short=True)
    rest = f"另有{len(pending)}项待补充信息。" if pending else ""
    assert zh == f"现在可申请{len(eligible)}项，合计{result.total}元。" + rest
    assert len(zh) < 80 and len(zh) < len(result.summary("zh")) / 4
    assert result.summary("en", short=True).startswith(f"You can claim {len(eligible)} now, {result.total} yuan")
