"""The cities ipsubsidy knows, and normalisation of city and district names."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["KNOWN_CITIES", "City", "UnknownCityError", "normalise_city", "normalise_district"]


@dataclass(frozen=True)
class City:
    """A prefecture-level city: stable ``id``, Chinese name, toneless pinyin and province."""

    id: str
    zh: str
    pinyin: str
    province_zh: str


KNOWN_CITIES: Mapping[str, City] = MappingProxyType(
    {
        city.id: city
        for city in (
            City("cangzhou", "沧州市", "Cangzhou", "河北省"),
            City("harbin", "哈尔滨市", "Ha'erbin", "黑龙江省"),
            City("hefei", "合肥市", "Hefei", "安徽省"),
            City("jinzhong", "晋中市", "Jinzhong", "山西省"),
            City("xiamen", "厦门市", "Xiamen", "福建省"),
        )
    }
)

_ALIASES: Mapping[str, str] = {"amoy": "xiamen"}  # other accepted spellings -> city id
_SUFFIXES = ("市", "shi", "city")
_CJK = r"[\u3400-\u9fff\uf900-\ufaff]"


def _key(text: str) -> str:
    """Half-width, lower-case, without whitespace, apostrophes or hyphens."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s'\u2018\u2019\-.]+", "", folded)


def _build_index() -> dict[str, City]:
    index: dict[str, City] = {}
    for city in KNOWN_CITIES.values():
        for name in (city.id, city.pinyin, city.zh, city.zh.removesuffix("市")):
            index[_key(name)] = city
    for alias, city_id in _ALIASES.items():
        index[_key(alias)] = KNOWN_CITIES[city_id]
    return index


_INDEX = _build_index()


def _lookup(key: str) -> City | None:
    if key in _INDEX:
        return _INDEX[key]
    for suffix in _SUFFIXES:  # 晋中市 / jinzhong shi / Jinzhong City
        if key.endswith(suffix) and key.removesuffix(suffix) in _INDEX:
            return _INDEX[key.removesuffix(suffix)]
    for city in KNOWN_CITIES.values():  # 山西省晋中市 / 山西晋中
        for province in (city.province_zh, city.province_zh.removesuffix("省")):
            if key.startswith(province) and _lookup_plain(key.removeprefix(province)) is city:
                return city
    return None


def _lookup_plain(key: str) -> City | None:
    return _INDEX.get(key) or _INDEX.get(key.removesuffix("市"))


class UnknownCityError(ValueError):
    """A city name that matches none of ``KNOWN_CITIES``; carries the closest city, if any."""

    def __init__(self, text: str, suggestion: City | None) -> None:
        self.text = text
        self.suggestion = suggestion
        self.known = tuple(sorted(KNOWN_CITIES))
        hint = f"did you mean {suggestion.id!r} ({suggestion.zh})? " if suggestion else ""
        known = ", ".join(f"{c.id} ({c.zh})" for c in sorted(KNOWN_CITIES.values(), key=lambda c: c.id))
        super().__init__(f"unknown city {text!r}: {hint}known cities: {known}")


def normalise_city(text: str, gazetteer: bool = True) -> City:
    """The city named by ``text``: a city with encoded documents by id, pinyin or Chinese (any case, spacing
    or 市/shi suffix), else — with ``gazetteer`` — any prefecture-level city of China's divisions (GB/T 2260),
    whose id is then its Chinese name (太原 → 太原市): a real city with no encoded document is no error.

    Raises UnknownCityError, suggesting the closest known city, when nothing matches.
    """
    key = _key(text)
    city = _lookup(key)
    if city is not None:
        return city
    if gazetteer and re.search(_CJK, key):
        from ipsubsidy.gazetteer import city_named

        name = city_named(text)
        if name is not None:
            known = _lookup(_key(name))
            return known if known is not None else City(name, name, name, "")
    cutoff = 0.5 if re.search(_CJK, key) else 0.6  # Chinese names are two or three characters
    close = difflib.get_close_matches(key, list(_INDEX), n=1, cutoff=cutoff) if key else []
    raise UnknownCityError(text, _INDEX[close[0]] if close else None)


def normalise_district(text: str) -> str:
    """Tidy a district name: full-width spaces become half-width, runs of whitespace one space,
    spaces between two Chinese characters are dropped, ends stripped. The Chinese is kept as is.
    """
    spaced = " ".join(text.split())  # str.split() also splits on U+3000 and other Unicode spaces
    return re.sub(rf"(?<={_CJK}) (?={_CJK})", "", spaced)
