"""Screening 10,000 clients with 50,000 patents read from .xlsx: time per phase and peak memory.

    python benchmarks/bench_screen.py [--clients 10000] [--patents 50000] [--reports 100]

Writes the workbook to a temporary folder first (not timed), then times: reading both sheets (openpyxl,
read-only), building the profiles (coercion, join, validation), evaluating every client, writing the
results/summary/errors tables (.xlsx), and HTML + PDF reports for the first ``--reports`` clients.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from ipsubsidy.evaluate import Evaluator
from ipsubsidy.identifiers import credit_code_check_char, organisation_code_check_char, patent_check_digit
from ipsubsidy.intake import build_profiles, read_table
from ipsubsidy.screening.report import find_cjk_font, report_context, write_html, write_pdf
from ipsubsidy.screening.run import screen
from ipsubsidy.screening.tables import error_rows, result_rows, summary_rows, write_table

PLACES = [("130902", "河北省沧州市运河区"), ("230103", "黑龙江省哈尔滨市南岗区"), ("340104", "安徽省合肥市蜀山区"),
          ("140702", "山西省晋中市榆次区"), ("350203", "福建省厦门市思明区"), ("140105", "山西省太原市小店区")]
KINDS = [("发明", "1", "B"), ("实用新型", "2", "U"), ("外观设计", "3", "S")]


def _workbook(path: Path, clients: int, patents: int) -> None:
    rng = random.Random(10_000)
    book = Workbook(write_only=True)
    cs = book.create_sheet("客户")
    cs.append(["统一社会信用代码", "企业名称", "所在地", "主体类型", "规模", "年度", "研发投入(万元)",
               "销售收入(万元)"])
    codes = []
    for n in range(clients):
        division, address = PLACES[n % len(PLACES)]
        org = f"MA{n:06d}"
        body = "91" + division + org + organisation_code_check_char(org)
        code = body + credit_code_check_char(body)
        codes.append(code)
        cs.append([code, f"示例企业{n:05d}", address, "企业", rng.choice(["大型", "中型", "小型", "微型", "小微"]),
                   2021, f"{rng.uniform(10, 900):.1f}万", round(rng.uniform(500, 50000), 1)])
    ps = book.create_sheet("专利")
    ps.append(["统一社会信用代码", "申请号", "公开(公告)号", "申请日", "授权公告日", "专利类型"])
    for n in range(patents):
        kind, digit, code_letter = KINDS[n % 3]
        digits = f"2020{digit}{n:07d}"
        ps.append([codes[rng.randrange(clients)], f"{digits}.{patent_check_digit(digits)}",
                   f"CN{110000000 + n}{code_letter}", "2020-03-02",
                   dt.datetime(2021, rng.randint(1, 12), rng.randint(1, 28)), kind])
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--patents", type=int, default=50_000)
    parser.add_argument("--reports", type=int, default=100)
    parser.add_argument("--backend", default="python", choices=["python", "durable-rules"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp, "clients.xlsx")
        _workbook(book, args.clients, args.patents)
        print(f"workbook: {args.clients} clients, {args.patents} patents, {book.stat().st_size / 1e6:.1f} MB")
        times: dict[str, float] = {}
        t = time.perf_counter()
        clients, patents = read_table(book, "客户"), read_table(book, "专利")
        times["read .xlsx"] = time.perf_counter() - t
        t = time.perf_counter()
        intake = build_profiles(clients, {"patents": patents})
        times["build profiles"] = time.perf_counter() - t
        t = time.perf_counter()
        with Evaluator(backend=args.backend) as ev:  # type: ignore[arg-type]
            result = screen(intake, dt.date(2021, 12, 31), ev, progress=False)
        times["evaluate"] = time.perf_counter() - t
        t = time.perf_counter()
        out = Path(tmp, "out")
        rows = result_rows(result)
        write_table(rows, out / "results.xlsx")
        write_table(summary_rows(result), out / "summary.xlsx")
        write_table(error_rows(result), out / "errors.xlsx")
        times["write tables"] = time.perf_counter() - t
        t = time.perf_counter()
        font = find_cjk_font()
        for c in result.clients[: args.reports]:
            ctx = report_context(c, "2021-12-31", "zh", {})
            write_html(ctx, out / f"{c.client.row}.html")
            write_pdf(ctx, out / f"{c.client.row}.pdf", font)
        report_time = time.perf_counter() - t
    total = sum(times.values())
    print(f"screened {len(result.clients)} clients, {len(rows)} result rows, {len(result.errors)} error rows")
    for name, seconds in times.items():
        print(f"  {name:15s} {seconds:8.1f} s")
    print(f"  {'total (tables)':15s} {total:8.1f} s  ({len(result.clients) / total:,.0f} clients/s)")
    if args.reports:
        each = report_time / args.reports * 1000
        print(f"  reports: {args.reports} HTML + PDF in {report_time:.1f} s ({each:.0f} ms each)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB; Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
