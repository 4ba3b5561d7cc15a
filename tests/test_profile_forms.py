"""A profile reads the forms Chinese spreadsheets and forms use, with the readers ``ipsubsidy screen`` uses.

Every way in — ``parse_profile``/``evaluate(dict)``, a file given to ``ipsubsidy evaluate``, a body POSTed to
the service — goes through the profile's fields, so all of them read 是/否, 企业, 小微, 万元, 2021年3月1日 ...
A value none of the readers knows gets the field's usual message, naming the field path.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipsubsidy import Company, ProfileError, evaluate, parse_profile
from ipsubsidy.cli import main
from ipsubsidy.intake import values
from ipsubsidy.profile import forms
from strategies import profile_data

NUMBER = "ZL201811564288.X"  # an invention (type digit 1)


def _one(field: str, value: Any) -> Any:
    return getattr(parse_profile({field: value}), field)


def test_the_workbook_readers_are_the_profiles_readers() -> None:
    """One implementation: screen's cell readers are the very functions the profile's fields use."""
    for name in values.__all__:
        assert getattr(values, name) is getattr(forms, name), name


@pytest.mark.parametrize(("value", "expected"), [("是", True), ("否", False), ("有", True), ("无", False),
                                                 ("√", True), ("×", False), (True, True), ("yes", True)])
def test_yes_and_no(value: Any, expected: bool) -> None:
    assert _one("startup", value) is expected
    patent = parse_profile({"patents": [{"number": NUMBER, "implemented": value}]}).patents
    assert patent is not None and patent[0].implemented is expected


@pytest.mark.parametrize(("value", "expected"), [("企业", "enterprise"), ("高校", "university"),
                                                 ("科研院所", "research_institute"), ("个人", "individual"),
                                                 ("enterprise", "enterprise")])
def test_entity_types(value: str, expected: str) -> None:
    assert _one("entity_type", value) == expected
    deal = parse_profile({"ip_transactions": [{"counterparty_type": value}]}).ip_transactions
    assert deal is not None and deal[0].counterparty_type == expected


@pytest.mark.parametrize(("value", "expected"), [("大型", "large"), ("中型", "medium"), ("小型", "small"),
                                                 ("微型", "micro"), ("小微", "small_or_micro"),
                                                 ("小微企业", "small_or_micro"), ("small_or_micro", "small_or_micro")])
def test_sizes_and_xiaowei_kept_as_the_uncertainty(value: str, expected: str) -> None:
    assert _one("size", value) == expected


@pytest.mark.parametrize(("value", "yuan"), [("123.4万", "1234000.00"), ("1.2亿元", "120000000.00"),
                                             ("1,234,567", "1234567.00"), ("￥8,000.5元", "8000.50"),
                                             ("88.2万元", "882000.00"), ("12345", "12345")])
def test_money_in_wan_and_yi_and_with_separators_is_exact(value: str, yuan: str) -> None:
    finances = parse_profile({"finances": [{"year": 2021, "sales_revenue": value}]}).finances
    assert finances is not None and finances[0].sales_revenue == Decimal(yuan)


@pytest.mark.parametrize("value", ["2021-03-01", "2021年3月1日", "2021/3/1", "20210301", "2021-03-01 00:00:00",
                                   dt.datetime(2021, 3, 1, 15, 30), dt.date(2021, 3, 1)])
def test_dates_and_excel_datetimes(value: Any) -> None:
    assert _one("first_invention_patent_date", value) == dt.date(2021, 3, 1)


@pytest.mark.parametrize(("value", "day"), [
    ("2021/3/1 8:30", dt.date(2021, 3, 1)), ("2021年3月1日 08:30:00", dt.date(2021, 3, 1)),
    ("2021-03-01T08:30:00+08:00", dt.date(2021, 3, 1)),
    ("2021-02-28T20:00:00Z", dt.date(2021, 3, 1)),        # 04:00 on 1 March in China
    ("2021-03-01T00:30:00+09:00", dt.date(2021, 2, 28)),  # 23:30 on 28 February in China
])
def test_a_date_time_is_read_as_its_day_in_china(value: str, day: dt.date) -> None:
    """Exports write grant dates with a time and sometimes an offset; the day that counts is China's."""
    assert _one("first_invention_patent_date", value) == day


@pytest.mark.parametrize("value", ["2021-02-30 08:00", "2021-03-01 25:00", "03/01/2021 08:00"])
def test_a_bad_date_time_names_the_field(value: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile({"first_invention_patent_date": value})
    assert caught.value.fields == ["first_invention_patent_date"]


@pytest.mark.parametrize("value", [2021, "2021", "2021年", "2021年度", "2021年3月", "2021-03"])
def test_a_month_is_enough_for_a_fiscal_year(value: Any) -> None:
    finances = parse_profile({"finances": [{"year": value}]}).finances
    assert finances is not None and finances[0].year == 2021


def test_a_month_is_not_enough_for_a_day() -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile({"first_invention_patent_date": "2021年3月"})
    assert caught.value.fields == ["first_invention_patent_date"] and "year first" in str(caught.value)


@pytest.mark.parametrize(("value", "expected"), [("国家级", "national"), ("省级", "provincial"),
                                                 ("市级", "municipal"), ("县级", "county")])
def test_levels(value: str, expected: str) -> None:
    listing = parse_profile({"listings": [{"kind": "ip_advantage_enterprise", "level": value}]}).listings
    assert listing is not None and listing[0].level == expected


@pytest.mark.parametrize(("number", "publication", "kind"), [
    ("ZL201811564288.X", "CN109876543B", "invention"), ("ZL201811564288.X", "CN109876543C", "invention"),
    ("ZL201510958772.0", "CN105123456B", "invention"),
])
def test_a_grants_publication_number_gives_its_kind(number: str, publication: str, kind: str) -> None:
    patents = parse_profile({"patents": [{"number": number, "publication": publication}]}).patents
    assert patents is not None and (patents[0].kind, patents[0].publication) == (kind, publication)


def test_utility_model_and_design_publications() -> None:
    from ipsubsidy.identifiers import patent_check_digit

    for digit, code, kind in (("2", "U", "utility_model"), ("3", "S", "design")):
        digits = f"2021{digit}0123456"
        number = f"ZL{digits}.{patent_check_digit(digits)}"
        patents = parse_profile({"patents": [{"number": number, "publication": f"cn 212345678 {code.lower()}"}]})
        assert patents.patents is not None and patents.patents[0].kind == kind
        assert patents.patents[0].publication == f"CN212345678{code}"


@pytest.mark.parametrize(("patent", "path", "says"), [
    ({"number": NUMBER, "publication": "CN109876543A", "grant_date": "2021-01-01"}, "patents[0].publication",
     "application publication (kind code A), not a grant"),
    ({"number": NUMBER, "publication": "CN109876543U"}, "patents[0].publication", "type digit 1"),
    ({"number": NUMBER, "publication": "CN109876543B", "kind": "外观设计"}, "patents[0].kind", "contradicts"),
    ({"number": NUMBER, "publication": "CN1098"}, "patents[0].publication", "kind code"),
    ({"number": "CN114347616B"}, "patents[0].number", "publication (announcement) number"),
    ({"number": "US11223344B2", "publication": "CN109876543B"}, "patents[0].publication", "US number"),
])
def test_publication_numbers_that_cannot_be_right_name_the_field(patent: dict[str, Any], path: str,
                                                                   says: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile({"patents": [patent]})
    assert caught.value.fields == [path] and says in str(caught.value)


def test_an_application_publication_alone_is_no_grant_but_is_kept() -> None:
    patents = parse_profile({"patents": [{"number": NUMBER, "publication": "CN109876543A"}]}).patents
    assert patents is not None and patents[0].grant_date is None and patents[0].kind == "invention"


@pytest.mark.parametrize(("text", "city"), [("山西省晋中市榆次区迎宾街1号", "晋中"), ("厦门市思明区", "厦门"),
                                            ("晋中", "晋中"), ("山西省太原市小店区", "太原")])
def test_the_city_from_a_name_or_an_address(text: str, city: str) -> None:
    from ipsubsidy.places import normalise_city

    assert _one("city", text) == normalise_city(city).id  # the id the city's own name has


@pytest.mark.parametrize(("data", "path", "says"), [
    ({"entity_type": "公司集团"}, "entity_type", "Input should be 'enterprise'"),
    ({"size": "超大"}, "size", "'small_or_micro'"),
    ({"startup": "也许"}, "startup", "valid boolean"),
    ({"finances": [{"year": 2021, "sales_revenue": "约100万"}]}, "finances[0].sales_revenue", "amount of money"),
    ({"finances": [{"year": "去年"}]}, "finances[0].year", "valid integer"),
    ({"listings": [{"kind": "ip_advantage_enterprise", "level": "乡级"}]}, "listings[0].level", "'national'"),
    ({"city": "火星市"}, "city", "unknown city"),
])
def test_an_unknown_form_gets_the_fields_usual_message(data: dict[str, Any], path: str, says: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile(data)
    assert caught.value.fields == [path] and says in str(caught.value)


_ZH = {"enterprise": "企业", "university": "高校", "research_institute": "科研院所", "individual": "个人",
       "large": "大型", "medium": "中型", "small": "小型", "micro": "微型", "national": "国家级",
       "provincial": "省级", "municipal": "市级", "county": "县级", "invention": "发明",
       "utility_model": "实用新型", "design": "外观设计"}
_ENUM_FIELDS = {"entity_type", "size", "level", "kind", "counterparty_type"}
_MONEY = {"sales_revenue", "main_business_revenue", "rd_expense", "commercialised_revenue", "amount"}


def _chinese(value: Any, key: str = "") -> Any:
    """The same profile as a Chinese spreadsheet would write it."""
    if isinstance(value, dict):
        return {k: _chinese(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_chinese(v, key) for v in value]
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if key in _ENUM_FIELDS and isinstance(value, str) and value in _ZH:
        return _ZH[value]
    if key in _MONEY and isinstance(value, Decimal):
        return f"{value:,}元"
    if key == "year" and isinstance(value, int):
        return f"{value}年度"
    return value


@settings(max_examples=150, deadline=None)
@given(data=profile_data())
def test_a_profile_written_in_chinese_forms_is_the_same_profile(data: dict[str, Any]) -> None:
    assert parse_profile(_chinese(data)) == parse_profile(data)


@given(st.dates(min_value=dt.date(1985, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_excel_datetime_reads_as_its_day(day: dt.date) -> None:
    moment = dt.datetime(day.year, day.month, day.day, 13, 45)
    assert _one("first_invention_patent_date", moment) == day


CHINESE = {"city": "山西省晋中市榆次区迎宾街1号", "entity_type": "企业", "size": "小型", "has_own_ip": "是",
           "finances": [{"year": "2021年度", "sales_revenue": "1,234.5万元", "rd_expense": "88.2万"}],
           "patents": [{"number": "ZL202010566088.9", "grant_date": "2021年3月1日", "implemented": "是"}]}
CANONICAL = {"city": "jinzhong", "entity_type": "enterprise", "size": "small", "has_own_ip": True,
             "finances": [{"year": 2021, "sales_revenue": "12345000", "rd_expense": "882000"}],
             "patents": [{"number": "ZL202010566088.9", "grant_date": "2021-03-01", "implemented": True}]}


def test_evaluate_of_a_dict_reads_the_chinese_forms() -> None:
    assert evaluate(CHINESE, "2022-06-30", backend="python") == evaluate(CANONICAL, "2022-06-30", backend="python")


def test_ipsubsidy_evaluate_reads_a_chinese_yaml_and_json_profile(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    outputs = []
    for name, data in (("zh.yaml", CHINESE), ("zh.json", CHINESE), ("en.json", CANONICAL)):
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True) if name.endswith(".yaml")
                        else json.dumps(data, ensure_ascii=False), encoding="utf-8")
        assert main(["evaluate", str(path), "--as-of", "2022-06-30", "--format", "json", "--backend", "python"]) == 0
        outputs.append(json.loads(capsys.readouterr().out))
    assert outputs[0] == outputs[1] == outputs[2]


def test_the_service_reads_the_chinese_forms() -> None:
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    from tests.live_server import live_server
    from tests.test_service import call

    from ipsubsidy import Evaluator
    from ipsubsidy.service import create_app

    with live_server(create_app(Evaluator(backend="python"))) as url:
        zh = call(url, "POST", "/evaluate?as_of=2022-06-30", CHINESE)
        en = call(url, "POST", "/evaluate?as_of=2022-06-30", CANONICAL)
        bad = call(url, "POST", "/evaluate?as_of=2022-06-30", {**CHINESE, "size": "超大"})
    assert zh[0] == en[0] == 200 and zh[1] == en[1]
    assert bad[0] == 422 and "size" in json.dumps(bad[1], ensure_ascii=False)


def test_a_company_built_in_python_takes_the_forms_too() -> None:
    assert Company.model_validate({"size": "小微"}).size == "small_or_micro"
