"""The tabular input layer: formats, encodings, Chinese cell values, city lookup and per-row errors."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("openpyxl")

from ipsubsidy.intake import build_profiles, read_table
from ipsubsidy.intake.places import city_of
from ipsubsidy.intake.readers import InputFileError
from ipsubsidy.intake.values import (
    SMALL_OR_MICRO,
    to_bool,
    to_date,
    to_entity_type,
    to_month,
    to_publication,
    to_size,
    to_yuan,
)
from ipsubsidy.profile import Company

HEADER = ["统一社会信用代码", "企业名称", "所在地", "规模", "年度", "研发投入(万元)"]
ROWS = [["", "晋中甲公司", "山西省晋中市榆次区", "小微", "2021", "123.4"],
        ["", "太原乙公司", "山西省太原市小店区", "超大", "2021", "约100万"]]


def _csv(path: Path, encoding: str) -> Path:
    text = "\n".join(",".join(r) for r in [HEADER, *ROWS]) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_each_encoding_reads_the_same_chinese(tmp_path: Path, encoding: str) -> None:
    table = read_table(_csv(tmp_path / "c.csv", encoding))
    assert table.headers == HEADER
    assert [r[1]["企业名称"] for r in table.rows] == ["晋中甲公司", "太原乙公司"]
    assert [r[0] for r in table.rows] == [2, 3]


def test_xlsx_jsonl_and_parquet_read_the_same_rows(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.append(HEADER)
    for r in ROWS:
        ws.append(r)
    book.save(tmp_path / "c.xlsx")
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(dict(zip(HEADER, r, strict=True)), ensure_ascii=False)
                                                for r in ROWS), encoding="utf-8")
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist([dict(zip(HEADER, r, strict=True)) for r in ROWS]), tmp_path / "c.parquet")
    for name in ("c.xlsx", "c.jsonl", "c.parquet"):
        table = read_table(tmp_path / name)
        assert [r[1]["所在地"] for r in table.rows] == ["山西省晋中市榆次区", "山西省太原市小店区"], name


def test_a_binary_file_and_an_unknown_extension_are_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "b.csv").write_bytes(b"\x00\x01\x02\xff" * 100)
    with pytest.raises(InputFileError, match="binary"):
        read_table(tmp_path / "b.csv")
    (tmp_path / "b.doc").write_text("x")
    with pytest.raises(InputFileError, match="unknown table format"):
        read_table(tmp_path / "b.doc")


@pytest.mark.parametrize(("text", "yuan"), [("123.4万", "1234000.00"), ("1.2亿元", "120000000.00"),
                                             ("1,234,567", "1234567.00"), ("￥8,000.5元", "8000.50"),
                                             (Decimal("0.1"), "0.10")])
def test_money_is_exact_yuan(text: object, yuan: str) -> None:
    assert to_yuan(text) == Decimal(yuan)


def test_a_bare_number_under_a_wan_yuan_header_is_scaled() -> None:
    assert to_yuan("123.4", "万元") == Decimal("1234000.00")
    assert to_yuan(12, "万元") == Decimal("120000.00")
    with pytest.raises(ValueError, match="amount of money"):
        to_yuan("约100万")


def test_chinese_enumerations() -> None:
    assert [to_bool(v) for v in ("是", "否", "有", "无")] == [True, False, True, False]
    assert [to_entity_type(v) for v in ("企业", "高校", "科研院所", "个人")] == [
        "enterprise", "university", "research_institute", "individual"]
    assert [to_size(v) for v in ("大型", "中型", "小型", "微型", "小微")] == [
        "large", "medium", "small", "micro", SMALL_OR_MICRO]
    with pytest.raises(ValueError, match="小微"):
        to_size("超大")


def test_dates_excel_datetimes_and_months() -> None:
    assert to_date(dt.datetime(2021, 3, 1, 0, 0)) == dt.date(2021, 3, 1)
    assert to_date("2021年3月1日") == to_date("2021/3/1") == to_date("20210301") == dt.date(2021, 3, 1)
    assert to_month("2021年3月") == dt.date(2021, 3, 1)
    with pytest.raises(ValueError, match="year first"):
        to_date("03/01/2021")


def test_publication_numbers_tell_a_grant_from_an_application() -> None:
    assert (to_publication("CN114347616B").kind, to_publication("CN114347616B").granted) == ("invention", True)
    assert to_publication("CN212345678U").kind == "utility_model"
    assert to_publication("CN305123456S").kind == "design"
    assert to_publication("CN112345678A").granted is False
    with pytest.raises(ValueError, match="kind code"):
        to_publication("CN112345678")


def test_city_from_address_cell_or_credit_code_division() -> None:
    assert city_of(None, "山西省晋中市榆次区迎宾街1号", None).known_id == "jinzhong"
    assert city_of("厦门", None, None).known_id == "xiamen"
    assert city_of(None, None, "91130902MA0010061X").known_id == "cangzhou"  # 1309 = 沧州市
    taiyuan = city_of(None, "山西省太原市小店区", None)  # a city with no shipped document is a city all the same:
    assert (taiyuan.name, taiyuan.known_id) == ("太原市", "taiyuan")  # whether one covers it, screen asks its policies


def test_bad_cells_go_to_errors_and_the_rows_are_still_screened(tmp_path: Path) -> None:
    clients = read_table(_csv(tmp_path / "c.csv", "gbk"))
    patents_path = tmp_path / "p.csv"
    patents_path.write_text("企业名称,申请号,公开(公告)号,授权公告日,专利类型\n"
                            "晋中甲公司,202110123456.7,CN114347616B,2021年3月1日,发明\n"
                            "晋中甲公司,202110123456.X,CN114347617B,2021-03-01,发明\n"
                            "晋中甲公司,202010123456.7,CN112345678A,,发明\n"
                            "丙公司,202020123456.1,CN212345678U,2021-03-01,实用新型\n", encoding="utf-8")
    intake = build_profiles(clients, {"patents": read_table(patents_path)})
    assert [c.profile.name for c in intake.clients] == ["晋中甲公司", "太原乙公司"]
    first, second = intake.clients
    assert first.profile.size == "small_or_micro"  # 小微 kept as the uncertainty, never guessed
    assert first.profile.finances is not None and first.profile.finances[0].rd_expense == Decimal("1234000.00")
    assert [p.number for p in first.profile.patents or []] == ["ZL202110123456.7"]
    assert (second.city_zh, second.profile.city) == ("太原市", "taiyuan")  # a city; screen finds no document for it
    found = {(e.row, e.column, e.severity) for e in intake.errors}
    assert found == {(3, "规模", "error"), (3, "研发投入(万元)", "error"), (3, "申请号", "error"),
                     (4, "公开(公告)号", "warning"), (5, "统一社会信用代码", "error")}


def test_small_or_micro_decides_a_small_or_micro_rule_and_leaves_exact_ones_open(tmp_path: Path) -> None:
    from ipsubsidy.evaluate import Evaluator
    from ipsubsidy.intake.build import Client
    from ipsubsidy.intake.build import Intake as IntakeModel
    from ipsubsidy.profile import Company
    from ipsubsidy.screening import screen

    profile = Company(city="cangzhou", entity_type="enterprise")
    intake = IntakeModel(clients=[Client(2, "row:2", profile, ("small", "micro"), "沧州市")])
    with Evaluator(backend="python") as ev:
        merged = screen(intake, dt.date(2017, 6, 1), ev, progress=False).clients[0].result
        small = ev.evaluate(profile.model_copy(update={"size": "small"}), dt.date(2017, 6, 1))
        large = ev.evaluate(profile.model_copy(update={"size": "large"}), dt.date(2017, 6, 1))
    assert merged is not None
    item = "cangzhou-2016.small-micro-patent-protection-assistance"
    assert merged.item(item).status == small.item(item).status  # small and micro agree: decided
    assert merged.item(item).status != "needs_info"
    # where the readings differ (here small against large, as a rule naming one size would), nothing is guessed
    from ipsubsidy.size_readings import merge_readings

    assert large.item(item).status != small.item(item).status
    undecided = merge_readings([small, large], ('small', 'large')).item(item)
    assert undecided.status == "needs_info" and "size" in undecided.missing


def test_a_firms_own_headers_through_a_map_file(tmp_path: Path) -> None:
    from ipsubsidy.intake import load_header_map

    (tmp_path / "map.yaml").write_text("客户全称: name\n办公地址: address\n", encoding="utf-8")
    (tmp_path / "c.csv").write_text("客户全称,办公地址,是否初创企业\n甲公司,福建省厦门市思明区,是\n", encoding="utf-8")
    intake = build_profiles(read_table(tmp_path / "c.csv"), None, load_header_map(tmp_path / "map.yaml"))
    (client,) = intake.clients
    assert (client.profile.name, client.profile.city, client.profile.startup) == ("甲公司", "xiamen", True)
    assert intake.errors == []


def test_yes_and_no_cells_of_the_profiles_flags_become_booleans(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("企业名称,所在地,是否龙头企业,key_industry\n甲公司,福建省厦门市,是,否\n",
                                    encoding="utf-8")
    intake = build_profiles(read_table(tmp_path / "c.csv"))
    (client,) = intake.clients
    assert (client.profile.leading_enterprise, client.profile.key_industry) == (True, False)
    assert intake.errors == []


def test_every_yes_or_no_field_of_the_profile_reads_a_yes_cell(tmp_path: Path) -> None:
    """A flag added to the profile is read from 是/否 cells too, not refused as no boolean."""
    flags = [name for name, info in Company.model_fields.items() if info.annotation == bool | None]
    assert "high_end_talent" in flags  # the list is the profile's, not a copy
    (tmp_path / "c.csv").write_text("企业名称,所在地," + ",".join(flags) + "\n甲公司,安徽省合肥市,"
                                    + ",".join("是" for _ in flags) + "\n", encoding="utf-8")
    intake = build_profiles(read_table(tmp_path / "c.csv"))
    assert intake.errors == []
    (client,) = intake.clients
    assert {name: getattr(client.profile, name) for name in flags} == dict.fromkeys(flags, True)


def test_a_month_alone_is_enough_for_a_fiscal_year_but_not_for_a_grant_date(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("企业名称,所在地,年度,研发投入(万元)\n甲公司,福建省厦门市,2021年3月,10\n",
                                    encoding="utf-8")
    (tmp_path / "p.csv").write_text("企业名称,申请号,授权公告日\n甲公司,202110123456.7,2021年3月\n", encoding="utf-8")
    intake = build_profiles(read_table(tmp_path / "c.csv"), {"patents": read_table(tmp_path / "p.csv")})
    (client,) = intake.clients
    assert client.profile.finances is not None and client.profile.finances[0].year == 2021
    assert client.profile.patents is not None and client.profile.patents[0].grant_date is None
    assert [(e.row, e.column) for e in intake.errors] == [(2, "授权公告日")]
