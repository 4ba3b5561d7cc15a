"""Profile parsing: µs per profile (plain data → validated Company), per kind of profile.

    python benchmarks/bench_profile.py [--repeat 2000] [--rounds 5]

Kinds: every ``examples/*.yaml`` (read once, parsed many times), the consultancy workbook's clients
(``examples/consultancy/clients.xlsx``, built into profiles once and dumped back to plain data), a typical
consultancy client with 5 and with 20 patents in canonical form (ISO dates, ZL numbers, English enum
values), the same client written as a Chinese spreadsheet would (是/否, 企业, 小型, 万元, 2021年3月1日, CN
publication-style office text), and an empty profile. Each figure is the best of ``--rounds`` rounds of
``--repeat`` parses of that kind, in µs per profile. Prints a Markdown table and the load average.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import yaml

from ipsubsidy import ProfileError, parse_profile
from ipsubsidy.identifiers import patent_check_digit

ROOT = Path(__file__).resolve().parents[1]


def _patents(n: int, chinese: bool) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        digit = "123"[i % 3]
        digits = f"2020{digit}{100000 + i:07d}"
        number = f"ZL{digits}.{patent_check_digit(digits)}"
        month = 1 + i % 12
        if chinese:
            out.append({"number": number, "filing_date": "2020年3月2日", "grant_date": f"2021年{month}月15日",
                        "title": f"一种装置{i}", "implemented": "是" if i % 2 else "否"})
        else:
            out.append({"number": number, "filing_date": "2020-03-02", "grant_date": f"2021-{month:02d}-15",
                        "title": f"一种装置{i}", "implemented": bool(i % 2)})
    return out


def typical(patents: int, chinese: bool = False) -> dict[str, Any]:
    """A consultancy client: credit code, city, type, size, one fiscal year, listings and ``patents`` patents."""
    if chinese:
        return {"name": "晋中示例装备有限公司", "credit_code": "91140702MA0GR4K078", "city": "晋中", "district": "榆次区",
                "entity_type": "企业", "size": "小型", "startup": "否", "has_own_ip": "是",
                "finances": [{"year": "2021", "sales_revenue": "1,234.5万元", "rd_expense": "88.2万"}],
                "listings": [{"kind": "ip_advantage_enterprise", "level": "provincial", "date": "2021年6月1日"}],
                "patents": _patents(patents, True)}
    return {"name": "晋中示例装备有限公司", "credit_code": "91140702MA0GR4K078", "city": "jinzhong", "district": "榆次区",
            "entity_type": "enterprise", "size": "small", "startup": False, "has_own_ip": True,
            "finances": [{"year": 2021, "sales_revenue": "12345000", "rd_expense": "882000"}],
            "listings": [{"kind": "ip_advantage_enterprise", "level": "provincial", "date": "2021-06-01"}],
            "patents": _patents(patents, False)}


def consultancy() -> list[dict[str, Any]]:
    from ipsubsidy.intake import build_profiles, read_table

    book = ROOT / "examples" / "consultancy" / "clients.xlsx"
    intake = build_profiles(read_table(book, "客户"), {"patents": read_table(book, "专利")})
    return [c.profile.model_dump(mode="json", exclude_none=True) for c in intake.clients]


def per_profile(batch: list[dict[str, Any]], repeat: int, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for i in range(repeat):
            parse_profile(batch[i % len(batch)])
        best = min(best, (time.perf_counter() - start) / repeat)
    return best * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    kinds: list[tuple[str, list[dict[str, Any]]]] = []
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        kinds.append((f"examples/{path.name}", [yaml.safe_load(path.read_text(encoding="utf-8"))]))
    kinds.append(("consultancy workbook clients (30)", consultancy()))
    kinds.append(("typical, 5 patents, canonical", [typical(5)]))
    kinds.append(("typical, 20 patents, canonical", [typical(20)]))
    kinds.append(("typical, 5 patents, Chinese forms", [typical(5, True)]))
    kinds.append(("typical, 20 patents, Chinese forms", [typical(20, True)]))
    kinds.append(("empty profile", [{}]))
    refused: set[str] = set()
    for name, batch in kinds:  # warm-up: imports, caches, first-use compilation
        for profile in batch:
            try:
                parse_profile(profile)
            except ProfileError:
                refused.add(name)
    print("| profile | patents | µs per profile |")
    print("|---|---:|---:|")
    for name, batch in kinds:
        patents = sum(len(p.get("patents") or []) for p in batch) / len(batch)
        shown = "refused" if name in refused else f"{per_profile(batch, args.repeat, args.rounds):.1f}"
        print(f"| {name} | {patents:.0f} | {shown} |")
    print(f"\nload average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
