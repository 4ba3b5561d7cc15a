"""China's prefecture-level cities by id, pinyin or Chinese name, and normalisation of city and district names.

Every city of the gazetteer (GB/T 2260, ``ipsubsidy.gazetteer``) is known, with or without an encoded
document; a policy package's document names its city the same way. A city's ``id`` is the toneless pinyin
of its short name (晋中市 → ``jinzhong``, 呼和浩特市 → ``huhehaote``, 西双版纳傣族自治州 → ``xishuangbanna``),
read by pypinyin with the few place-name readings its general dictionary gets wrong corrected here (长治
changzhi, 漯河 luohe). Homophones are settled deterministically: when two cities read alike, neither takes
the bare pinyin — each id adds its province (``fuzhou-fujian`` 福州市, ``fuzhou-jiangxi`` 抚州市) — and the
bare pinyin is refused with both named (AmbiguousCityError). Conventional spellings are accepted beside the
pinyin (Amoy, Hohhot); Harbin keeps ``harbin``, its id from before the gazetteer.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "CITIES",
    "KNOWN_CITIES",
    "AmbiguousCityError",
    "City",
    "UnknownCityError",
    "city_pinyin",
    "normalise_city",
    "normalise_district",
]


@dataclass(frozen=True)
class City:
    """A prefecture-level city: stable ``id``, Chinese name, toneless pinyin (as written) and province."""

    id: str
    zh: str
    pinyin: str
    province_zh: str


_CJK = r"[\u3400-\u9fff\uf900-\ufaff]"
# Readings of place names that pypinyin's general dictionary gets wrong (it reads 长 zhang, 朝 zhao, 漯 ta),
# syllables space-separated; 陕西 is Shaanxi by the national standard, not Shanxi (山西).
_READINGS = {
    "长治": "chang zhi", "朝阳": "chao yang", "漯河": "luo he", "昌都": "chang du", "锡林郭勒": "xi lin guo le",
    "克孜勒苏": "ke zi le su", "阿勒泰": "a le tai", "陕西": "shaan xi",
}
# Ids kept from before the gazetteer (a conventional spelling), and other conventional spellings accepted.
_IDS = {"哈尔滨市": "harbin"}
_SPELLINGS = {"amoy": "厦门市", "hohhot": "呼和浩特市", "urumqi": "乌鲁木齐市", "lhasa": "拉萨市",
              "kashgar": "喀什地区", "shigatse": "日喀则市", "peking": "北京市", "canton": "广州市"}
_KIND = re.compile(r"(市|地区|盟|自治州|特别行政区)$")
# the peoples an autonomous prefecture's name carries (阿坝藏族羌族自治州 → 阿坝): GB/T 2260's names use these
_PEOPLES = re.compile(r"(蒙古|哈萨克|柯尔克孜|景颇|土家|哈尼|布依|傈僳|朝鲜|维吾尔|[藏羌回彝白傣苗侗壮瑶黎])族?$")
_PROVINCE_KIND = re.compile(r"(省|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|市)$")
_SUFFIXES = ("市", "shi", "city")


def short_name(name: str) -> str:
    """A city's name without its kind and, for an autonomous prefecture, its peoples (延边朝鲜族自治州 → 延边)."""
    autonomous = name.endswith("自治州")
    short = _KIND.sub("", name)
    while autonomous and len(short) > 2 and _PEOPLES.search(short) and len(_PEOPLES.sub("", short)) >= 2:
        short = _PEOPLES.sub("", short)
    return short or name


def _syllables(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin  # a maintained library: readings of 40,000 characters and phrases

    for word, reading in _READINGS.items():  # a corrected word: the whole name, or inside a longer one
        if word in text:
            head, _, tail = text.partition(word)
            return _syllables(head) + reading.split() + _syllables(tail) if head or tail else reading.split()
    return [s for s in lazy_pinyin(text, style=Style.NORMAL, errors="ignore", v_to_u=True) if s]


def city_pinyin(name: str) -> str:
    """The toneless pinyin of a city's short name as written, apostrophes where a syllable opens on a vowel
    (哈尔滨市 → Ha'erbin, 西安市 → Xi'an)."""
    syllables = _syllables(short_name(name))
    written = syllables[0] + "".join(f"'{s}" if s[0] in "aoe" else s for s in syllables[1:]) if syllables else ""
    return written[:1].upper() + written[1:]


def _key(text: str) -> str:
    """Half-width, lower-case, ü as u, without whitespace, apostrophes or hyphens."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("ü", "u").replace("v", "u")
    return re.sub(r"[\s'\u2018\u2019\-.]+", "", folded)


@dataclass(frozen=True)
class _Index:
    cities: dict[str, City]                    # id → city
    names: dict[str, City | tuple[City, ...]]  # key of a name → city, or the cities a homophone names
    provinces: dict[str, str]                  # province name and short name → province name


@lru_cache(maxsize=1)
def _index() -> _Index:
    from ipsubsidy.gazetteer import prefectures

    rows = prefectures()
    readings: dict[str, list[tuple[str, str, str]]] = {}
    provinces: dict[str, str] = {}
    for pref in rows:
        pinyin = city_pinyin(pref.name)
        readings.setdefault(_key(pinyin), []).append((pref.name, pref.province, pinyin))
        provinces[pref.province] = provinces[_PROVINCE_KIND.sub("", pref.province)] = pref.province
    cities: dict[str, City] = {}
    names: dict[str, City | tuple[City, ...]] = {}
    for reading, group in sorted(readings.items()):
        made = []
        for name, province, pinyin in group:
            city_id = _IDS.get(name, reading)
            if len(group) > 1:  # homophones: each id adds its province, deterministically
                city_id = f"{reading}-{_key(city_pinyin(_PROVINCE_KIND.sub('', province)))}"
            city = City(city_id, name, pinyin, province)
            cities[city_id] = city
            made.append(city)
            for alias in (city_id, name, short_name(name), name.removesuffix("市")):
                names[_key(alias)] = city
        names.setdefault(reading, made[0] if len(made) == 1 else tuple(made))
    for spelling, name in _SPELLINGS.items():
        found = names.get(_key(name))
        if isinstance(found, City):
            names[_key(spelling)] = found
    return _Index(cities, names, provinces)


class UnknownCityError(ValueError):
    """A city name that matches no city of the gazetteer; carries the closest city, if any."""

    def __init__(self, text: str, suggestion: City | None, message: str | None = None) -> None:
        self.text = text
        self.suggestion = suggestion
        hint = f"did you mean {suggestion.id!r} ({suggestion.zh})? " if suggestion else ""
        super().__init__(message or f"unknown city {text!r}: {hint}give a prefecture-level city of China by its "
                                    "Chinese name (晋中市, 晋中) or its pinyin id (jinzhong)")


class AmbiguousCityError(UnknownCityError):
    """A pinyin that two or more cities read alike (fuzhou: 福州市, 抚州市): the id or the Chinese name decides."""

    def __init__(self, text: str, cities: tuple[City, ...]) -> None:
        self.cities = cities
        named = ", ".join(f"{c.id} ({c.zh})" for c in cities)
        super().__init__(text, None, f"city {text!r} is ambiguous: it reads as {named}; give one of these ids "
                                     "or the Chinese name")


class _Cities(Mapping[str, City]):
    """Every city of the gazetteer by id, read-only; built on first use."""

    def __getitem__(self, key: str) -> City:
        return _index().cities[key]

    def __iter__(self) -> Iterator[str]:
        return iter(_index().cities)

    def __len__(self) -> int:
        return len(_index().cities)


CITIES: Mapping[str, City] = _Cities()
KNOWN_CITIES = CITIES  # the name of earlier releases, when only the shipped documents' cities were known


def _found(key: str, text: str) -> City | None:
    entry = _index().names.get(key)
    if isinstance(entry, tuple):
        raise AmbiguousCityError(text, entry)
    return entry


def _lookup(key: str, text: str) -> City | None:
    city = _found(key, text)
    if city is not None:
        return city
    for suffix in _SUFFIXES:  # jinzhong shi / Jinzhong City
        if key.endswith(suffix) and key != suffix and (city := _found(key.removesuffix(suffix), text)):
            return city
    for name, province in _index().provinces.items():  # 山西省晋中市 / 山西晋中
        if key.startswith(name) and key != name:
            city = _found(key.removeprefix(name), text) or _found(key.removeprefix(name).removesuffix("市"), text)
            if city is not None and city.province_zh == province:
                return city
    return None


def normalise_city(text: str, suggest: bool = True) -> City:
    """The prefecture-level city ``text`` names: by id, pinyin or conventional spelling (any case, spacing,
    apostrophes or shi/city suffix), by Chinese name with or without 市 and province, or by one of its counties
    (平遥县 → 晋中市).

    Raises AmbiguousCityError for a pinyin two cities share, UnknownCityError when nothing matches, suggesting
    the closest city unless ``suggest`` is false (a screen trying every address cell first).
    """
    key = _key(text)
    city = _lookup(key, text) if key else None
    if city is not None:
        return city
    if re.search(_CJK, key):
        from ipsubsidy.gazetteer import city_named

        name = city_named(text)
        if name is not None and (city := _found(_key(name), text)) is not None:
            return city
    if not suggest:
        raise UnknownCityError(text, None)
    raise UnknownCityError(text, _closest(key))


def _closest(key: str) -> City | None:
    """The city a mistyped name most likely means: for Chinese, one that reads alike (晋忠 → 晋中), else the
    closest spelling."""
    names = _index().names
    close: list[str] = []
    if re.search(_CJK, key):
        reading = _key(city_pinyin(key))
        close = [reading] if reading in names else difflib.get_close_matches(key, list(names), n=1, cutoff=0.5)
    elif key:
        close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.6)
    hint = names[close[0]] if close else None
    return hint if isinstance(hint, City) else hint[0] if hint else None


def normalise_district(text: str) -> str:
    """Tidy a district name: full-width spaces become half-width, runs of whitespace one space,
    spaces between two Chinese characters are dropped, ends stripped. The Chinese is kept as is.
    """
    spaced = " ".join(text.split())  # str.split() also splits on U+3000 and other Unicode spaces
    return re.sub(rf"(?<={_CJK}) (?={_CJK})", "", spaced)
