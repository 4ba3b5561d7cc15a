"""Profile parsing: µs per profile (plain data → validated Company), per kind of profile.

    python benchmarks/bench_profile.py [--repeat 2000] [--rounds 5]

Kinds: every ``examples/*.yaml`` (read once, parsed many times), the consultancy workbook's clients
(``examples/consultancy/clients.xlsx``, built into profiles once and dumped back to plain data), a typical
consultancy client with 5 and with 20 patents in canonical form (ISO dates, ZL numbers, English enum
values), 2000 distinct typical clients (no credit code or patent number repeats, every cache cleared first:
what a screen of new clients costs), the typical client written as a Chinese spreadsheet would (是/否, 企业,
小型, 万元, 2021年3月1日), and an empty profile. Each figure is the best of ``--rounds`` rounds of ``--repeat``
parses of that kind (one pass for the distinct clients), in µs per profile.
Time is this process's CPU time (time.process_time), which other processes on a shared machine disturb less
than wall time. Prints a Markdown table and the load average.

Before/after on one machine: ``PYTHONPATH=<other checkout>/src python benchmarks/bench_profile.py``.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import yaml

from ipsubsidy import ProfileError, parse_profile
from ipsubsidy.identifiers import credit_code_check_char, organisation_code_check_char, patent_check_digit

ROOT = Path(__file__).resolve().parents[1]


def _patents(n: int, chinese: bool, client: int = 0) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        digit = "123"[i % 3]
        digits = f"2020{digit}{client * 100 + i:07d}"
        number = f"ZL{digits}.{patent_check_digit(digits)}"
        month = 1 + i % 12
        if chinese:
            out.append({"number": number, "filing_date": "2020年3月2日", "grant_date": f"2021年{month}月15日",
                        "title": f"一种装置{i}", "implemented": "是" if i % 2 else "否"})
        else:
            out.append({"number": number, "filing_date": "2020-03-02", "grant_date": f"2021-{month:02d}-15",
                        "title": f"一种装置{i}", "implemented": bool(i % 2)})
    return out


def _credit_code(client: int) -> str:
    org = f"MA{client:06d}"
    body = "91140702" + org + organisation_code_check_char(org)
    return body + credit_code_check_char(body)


def distinct(count: int, patents: int) -> list[dict[str, Any]]:
    """``count`` typical clients that share no credit code and no patent number (nothing is read twice)."""
    return [{**typical(patents), "credit_code": _credit_code(n), "patents": _patents(patents, False, n)}
            for n in range(count)]


def _clear_caches() -> None:
    """Forget every memoised reading (credit codes, patent numbers, cities), where the code has such caches."""
    import ipsubsidy.identifiers as identifiers

    for name in ("read_patent_number", "validate_credit_code"):
        getattr(getattr(identifiers, name), "cache_clear", lambda: None)()
    try:
        from ipsubsidy.profile.city import city_id
    except ImportError:  # code without the memoised city reader
        return
    city_id.cache_clear()


def typical(patents: int, chinese: bool = False) -> dict[str, Any]:
    """A consultancy client: credit code, city, type, size, one fiscal year, listings and ``patents`` patents."""
    if chinese:
        return {"name": "晋中示例装备有限公司", "credit_code": "91140702MA0GR4K078", "city": "晋中",
                "district": "榆次区",
                "entity_type": "企业", "size": "小型", "startup": "否", "has_own_ip": "是",
                "finances": [{"year": "2021", "sales_revenue": "1,234.5万元", "rd_expense": "88.2万"}],
                "listings": [{"kind": "ip_advantage_enterprise", "level": "provincial", "date": "2021年6月1日"}],
                "patents": _patents(patents, True)}
    return {"name": "晋中示例装备有限公司", "credit_code": "91140702MA0GR4K078", "city": "jinzhong",
            "district": "榆次区",
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
    """Best of ``rounds``: µs per parse over ``repeat`` parses (at most one pass over a batch of distinct
    profiles, with every cache cleared before the round, so none of them is read from a cache)."""
    best = float("inf")
    repeat = min(repeat, len(batch)) if len(batch) > 100 else repeat
    for _ in range(rounds):
        _clear_caches()
        start = time.process_time()
        for i in range(repeat):
            parse_profile(batch[i % len(batch)])
        best = min(best, (time.process_time() - start) / repeat)
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
    kinds.append(("typical, 5 patents, canonical, 2000 distinct clients", distinct(2000, 5)))
    kinds.append(("typical, 20 patents, canonical, 2000 distinct clients", distinct(2000, 20)))
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
