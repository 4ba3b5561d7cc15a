"""`ipsubsidy screen` over the example workbook: tables, reports (HTML and PDF text), every row accounted for."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("openpyxl")

from ipsubsidy.cli import main
from ipsubsidy.errors import UnknownItemError
from ipsubsidy.evaluate import Evaluator
from ipsubsidy.places import CITIES

BOOK = Path(__file__).resolve().parent.parent / "examples" / "consultancy" / "clients.xlsx"


@pytest.fixture(scope="module")
def screened(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("screen")
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["screen", f"{BOOK}#客户", "--patents", f"{BOOK}#专利", "--out", str(out),
                     "--as-of", "2021-12-31", "--format", "csv"])
    assert code == 0
    return out, buffer.getvalue()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_every_row_is_accounted_for(screened: tuple[Path, str]) -> None:
    out, said = screened
    results, errors = _rows(out / "results.csv"), _rows(out / "errors.csv")
    assert {r["row"] for r in results} == {str(n) for n in range(2, 32)}  # 30 clients, sheet rows 2..31
    assert "screened 30 clients" in said and "read 80 rows" in said and "5 bad cells, 2 warnings" in said
    readme = (BOOK.parent.parent.parent / "README.md").read_text(encoding="utf-8")
    assert said.split(" (errors.")[0] in readme  # the README shows this command's real output
    named = {(e["column"], e["value"]) for e in errors}
    assert ("研发投入(万元)", "约100万") in named
    assert ("规模", "超大") in named
    assert ("申请号", "202020000123.9") in named
    assert ("授权公告日", "2020年8月") in named  # a month alone is not a grant date
    assert ("公开(公告)号", "CN111111111A") in named
    assert any(e["column"] == "统一社会信用代码" and e["severity"] == "warning" for e in errors)
    assert any(e["expected"] == "matches no client in the client table" for e in errors)


def test_results_carry_status_class_amount_and_citation(screened: tuple[Path, str]) -> None:
    results = _rows(screened[0] / "results.csv")
    statuses = {r["status"] for r in results}
    assert {"needs_info", "no_encoded_policy"} <= statuses
    jz = [r for r in results if r["city"] == "晋中市" and r["item"]]
    assert jz and all(r["class"] and r["citation"].startswith("晋中市") for r in jz)
    taiyuan = [r for r in results if r["city"] == "太原市"]
    assert taiyuan and all(r["status"] == "no_encoded_policy" and "no encoded policy" in r["notice"] for r in taiyuan)


def test_a_report_per_client_in_html_and_pdf_with_chinese_text(screened: tuple[Path, str]) -> None:
    pypdf = pytest.importorskip("pypdf")
    folder = screened[0] / "reports"
    html, pdfs = sorted(folder.glob("*.html")), sorted(folder.glob("*.pdf"))
    assert len(html) == 30
    if not pdfs:
        pytest.skip("no CJK font installed (fonts-wqy-microhei)")
    assert len(pdfs) == 30
    jinzhong = next(p for p in pdfs if "晋中示例科技03" in p.name)
    text = "".join(page.extract_text() for page in pypdf.PdfReader(jinzhong).pages)
    assert "知识产权资助筛查报告" in text and "可申领项目" in text and "按状态的金额" in text
    page = jinzhong.with_suffix(".html").read_text(encoding="utf-8")
    assert "<svg" in page and "尚需补充的信息" in page and "http" not in page.replace("http://www.w3.org", "")


def test_a_report_names_missing_facts_in_chinese_and_never_shows_an_unstated_amount_as_0(
        screened: tuple[Path, str]) -> None:
    """A client reads 马德里商标国际注册, not madrid_registrations; no stated amount is 金额未定, not 0.00."""
    page = next((screened[0] / "reports").glob("*晋中示例科技03*.html")).read_text(encoding="utf-8")
    assert "马德里商标国际注册" in page and "年度财务数据(2020年度)" in page
    assert "madrid_registrations" not in page and "finances[" not in page
    assert "金额未定" in page and ">0.00<" not in page
    assert "其他支持" in page and "可使用的服务" in page


def test_english_reports(tmp_path: Path) -> None:
    code = main(["screen", f"{BOOK}#客户", "--out", str(tmp_path), "--as-of", "2021-12-31", "--lang", "en",
                 "--no-pdf", "--format", "jsonl"])
    assert code == 0
    page = next((tmp_path / "reports").glob("*晋中*.html")).read_text(encoding="utf-8")
    assert "Claimable items" in page and "Still needed to decide" in page
    assert (tmp_path / "results.jsonl").stat().st_size > 0


@pytest.mark.parametrize("content", [b"\xd6\xd0\xce\xc4,abc\n", b"\x00\x01\x02binary", "名称: 甲".encode("gbk")])
def test_evaluate_refuses_tables_and_undecodable_files_in_one_line(tmp_path: Path, content: bytes,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("p.yaml", "p.csv"):
        path = tmp_path / name
        path.write_bytes(content)
        assert main(["evaluate", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err


def test_evaluate_given_an_xlsx_points_to_screen(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(BOOK)]) == 2
    assert "ipsubsidy screen" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("ipsubsidy ")


def test_evaluator_as_a_context_manager_and_unknown_items() -> None:
    with Evaluator(backend="python") as ev:
        result = ev.evaluate({"city": "jinzhong"})
    with pytest.raises(UnknownItemError):
        result.item("jinzhong-2020.no-such-item")


def test_a_patent_built_directly_normalises_as_nested_without_a_warning() -> None:
    import warnings

    from ipsubsidy.profile import Company
    from ipsubsidy.profile.units import Patent

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        direct = Patent(number="202110123456.7")
        nested = Company(patents=[{"number": "202110123456.7"}]).patents
    assert nested is not None and direct == nested[0]
    assert (direct.number, direct.office, direct.kind) == ("ZL202110123456.7", "CN", "invention")


def test_png_previews_of_the_pdf_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("pypdfium2")
    from PIL import Image

    from ipsubsidy.screening.report import find_cjk_font

    try:
        find_cjk_font()
    except RuntimeError:
        pytest.skip("no CJK font installed (fonts-wqy-microhei)")
    clients = tmp_path / "clients.csv"
    clients.write_text("统一社会信用代码,企业名称,所在地,主体类型,规模\n"
                       "91140702MA0000001X,晋中预览科技,山西省晋中市榆次区,企业,小型\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["screen", str(clients), "--out", str(out), "--as-of", "2021-12-31", "--png", "--format", "csv"]) == 0
    assert "PNG pages" in capsys.readouterr().out
    pdf = next((out / "reports").glob("*.pdf"))
    png = pdf.with_suffix(".png")
    with Image.open(png) as image:
        assert image.format == "PNG"
        # A4 at 96 dpi: 210 × 297 mm → 794 × 1123 pixels (PDFium rounds each side)
        assert abs(image.width - 794) <= 1 and abs(image.height - 1123) <= 1
        grey = image.convert("L")
        dark = sum(grey.histogram()[:128])
        assert dark > 500, "the page rendered blank"  # text and the bar chart put dark pixels on the page
        assert grey.getextrema()[1] == 255  # and it is a white page, not a black box


def test_png_needs_the_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", f"{BOOK}#客户", "--out", str(tmp_path), "--no-pdf", "--png"]) == 2
    err = capsys.readouterr().err
    assert "--png" in err and "--no-pdf" in err and err.count("\n") == 1


EXAMPLES = BOOK.parent.parent


def _registry_folder(folder: Path) -> Path:
    """The example profiles as a registry folder (the columnar layout), one of them with a size no profile knows."""
    pq = pytest.importorskip("pyarrow.parquet")
    pytest.importorskip("duckdb")
    import pyarrow as pa
    import yaml

    from ipsubsidy.columnar import tables_from_profiles
    from ipsubsidy.profile import Company

    profiles = {f"k{n}": Company.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
                for n, path in enumerate(sorted(EXAMPLES.glob("*.yaml")))}
    profiles["k-unknown-city"] = Company.model_validate({"entity_type": "enterprise", "patents": []})
    tables = tables_from_profiles(profiles)
    companies = tables["companies"]
    sizes = companies.column("size").to_pylist()
    sizes[0] = "huge"
    tables["companies"] = companies.set_column(companies.schema.get_field_index("size"), "size",
                                               pa.array(sizes, pa.string()))
    folder.mkdir()
    for name, table in tables.items():
        if table.num_rows:
            pq.write_table(table, folder / f"{name}.parquet")
    return folder


def _set_of_rows(path: Path) -> set[tuple[tuple[str, str], ...]]:
    out = set()
    for row in _rows(path):
        row["missing"] = "; ".join(sorted(filter(None, row["missing"].split("; "))))  # the order is not kept
        out.add(tuple(sorted(row.items())))
    return out


def test_a_registry_folder_gives_the_same_tables_on_both_engines(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import load_workbook

    folder = _registry_folder(tmp_path / "registry")
    py, col = tmp_path / "py", tmp_path / "col"
    common = ["--as-of", "2022-06-30", "--format", "csv"]
    assert main(["screen", str(folder), "--out", str(py), "--engine", "python", "--no-reports", *common]) == 0
    assert "by the columnar engine" not in capsys.readouterr().out
    assert main(["screen", str(folder), "--out", str(col), "--columnar-above", "3", "--drill", "k3", *common]) == 0
    said = capsys.readouterr().out
    assert "screened 8 clients by the columnar engine" in said and "1 bad cells" in said and "1 reports" in said
    want, got = _set_of_rows(py / "results.csv"), _set_of_rows(col / "results.csv")
    assert len(want) > 100 and got == want
    statuses = {dict(r)["status"] for r in got}
    assert {"eligible", "needs_info", "not_eligible"} <= statuses
    # the bad size is an error row on both engines (and read as unknown by both)
    for out in (py, col):
        errors = _rows(out / "errors.csv")
        assert [(e["column"], e["value"]) for e in errors] == [("size", "huge")]
    sheet = load_workbook(py / "summary.xlsx", read_only=True)["summary"]
    header, *body = [list(r) for r in sheet.iter_rows(values_only=True)]
    summary_py = {str(r[0]): {h: ("" if v is None else str(v)) for h, v in zip(header, r, strict=False)}
                  for r in body}
    summary_col = {r["row"]: r for r in _rows(col / "summary.csv")}
    assert summary_py.keys() == summary_col.keys()
    for row, want_row in summary_py.items():
        for column in ("claimable_total", "notice", *(h for h in header if h.startswith("items_"))):
            assert summary_col[row].get(column, "") == want_row.get(column, ""), (row, column)
    assert any(Decimal(r["claimable_total"]) > 0 for r in summary_col.values())
    (report,) = (col / "reports").glob("*.html")
    import pyarrow.parquet as pq

    companies = pq.read_table(folder / "companies.parquet").to_pylist()
    city = next(c["city"] for c in companies if c["key"] == "k3")  # an id in the registry; its report names it
    assert city and city.isascii() and f"所在城市：{CITIES[city].zh}" in report.read_text(encoding="utf-8")


def test_registry_refusals_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _registry_folder(tmp_path / "registry")
    cases = [
        ["screen", str(folder), "--out", str(tmp_path / "a"), "--engine", "columnar", "--format", "xlsx"],
        ["screen", str(folder), "--out", str(tmp_path / "b"), "--engine", "columnar", "--drill", "nobody"],
        ["screen", str(tmp_path), "--out", str(tmp_path / "c")],
        ["screen", f"{BOOK}#客户", "--out", str(tmp_path / "d"), "--engine", "columnar"],
    ]
    for argv in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err


def test_a_report_of_an_unnamed_client_names_its_row_in_the_reports_language_and_its_city_by_name() -> None:
    import datetime as dt

    from ipsubsidy.evaluate import evaluate
    from ipsubsidy.intake.build import Client
    from ipsubsidy.profile import Company
    from ipsubsidy.screening.report import report_context
    from ipsubsidy.screening.run import ClientResult

    profile = Company(city="jinzhong", entity_type="enterprise")
    done = ClientResult(Client(row=7, key="c7", profile=profile), evaluate(profile, dt.date(2022, 6, 30)))
    assert report_context(done, "2022-06-30", "zh", {})["name"] == "第7行"
    assert report_context(done, "2022-06-30", "en", {})["name"] == "row 7"
    # a registry's company holds the city's id and no city_zh (screened by evaluate() below the size threshold)
    assert profile.city == "jinzhong" and report_context(done, "2022-06-30", "zh", {})["city"] == "晋中市"
