"""Tests for ipsubsidy.places: every city of the gazetteer by pinyin id, Chinese name or spelling."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipsubsidy.places import (
    CITIES,
    KNOWN_CITIES,
    AmbiguousCityError,
    City,
    UnknownCityError,
    normalise_city,
    normalise_district,
)

SHIPPED = {"cangzhou": "河北省", "harbin": "黑龙江省", "hefei": "安徽省", "jinzhong": "山西省", "xiamen": "福建省"}


def test_every_city_of_the_gazetteer_is_known_by_its_pinyin_id() -> None:
    from ipsubsidy.gazetteer import prefecture_names

    assert sorted(c.zh for c in CITIES.values()) == prefecture_names()  # no hand list: the gazetteer's cities
    assert KNOWN_CITIES["jinzhong"] == City("jinzhong", "晋中市", "Jinzhong", "山西省")
    assert {city_id: CITIES[city_id].province_zh for city_id in SHIPPED} == SHIPPED
    assert all(key == city.id for key, city in CITIES.items())
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)?", city_id) for city_id in CITIES)
    assert (CITIES["taiyuan"].zh, CITIES["beijing"].zh, CITIES["xishuangbanna"].zh) == ("太原市", "北京市",
                                                                                         "西双版纳傣族自治州")


@pytest.mark.parametrize(("zh", "city_id", "pinyin"), [
    # readings pypinyin's general dictionary gets wrong, corrected for place names
    ("长治市", "changzhi", "Changzhi"), ("朝阳市", "chaoyang", "Chaoyang"), ("漯河市", "luohe", "Luohe"),
    ("昌都市", "changdu", "Changdu"), ("锡林郭勒盟", "xilinguole", "Xilinguole"),
    # polyphones it reads right, apostrophes where a syllable opens on a vowel, ü
    ("厦门市", "xiamen", "Xiamen"), ("重庆市", "chongqing", "Chongqing"), ("六安市", "luan", "Lu'an"),
    ("西安市", "xian", "Xi'an"), ("吕梁市", "luliang", "Lüliang"), ("哈尔滨市", "harbin", "Ha'erbin"),
    # an autonomous prefecture by its short name
    ("延边朝鲜族自治州", "yanbian", "Yanbian"), ("海西蒙古族藏族自治州", "haixi", "Haixi"),
])
def test_ids_are_the_pinyin_of_the_short_name(zh: str, city_id: str, pinyin: str) -> None:
    city = normalise_city(zh)
    assert (city.id, city.pinyin) == (city_id, pinyin)
    assert normalise_city(city_id) is city and normalise_city(pinyin) is city


@pytest.mark.parametrize(("bare", "cities"), [
    ("fuzhou", {"fuzhou-fujian": "福州市", "fuzhou-jiangxi": "抚州市"}),
    ("Suzhou", {"suzhou-jiangsu": "苏州市", "suzhou-anhui": "宿州市"}),
    ("taizhou", {"taizhou-jiangsu": "泰州市", "taizhou-zhejiang": "台州市"}),
    ("yulin", {"yulin-guangxi": "玉林市", "yulin-shaanxi": "榆林市"}),  # 陕西 is Shaanxi, not 山西 Shanxi
])
def test_homophones_take_their_province_and_the_bare_pinyin_is_refused(bare: str, cities: dict[str, str]) -> None:
    with pytest.raises(AmbiguousCityError) as info:
        normalise_city(bare)
    assert {c.id: c.zh for c in info.value.cities} == cities
    assert all(f"{city_id} ({zh})" in str(info.value) for city_id, zh in cities.items())
    assert isinstance(info.value, UnknownCityError)  # a profile reports it like any unknown city
    for city_id, zh in cities.items():
        assert normalise_city(city_id).zh == zh
        assert normalise_city(zh).id == city_id
        assert normalise_city(zh.removesuffix("市")).id == city_id


def test_homophones_are_settled_the_same_way_every_time() -> None:
    """No two cities share an id or a bare pinyin entry; the ambiguous readings are exactly the homophones."""
    by_pinyin: dict[str, list[str]] = {}
    for city in CITIES.values():
        by_pinyin.setdefault(city.pinyin.lower().replace("'", ""), []).append(city.id)
    shared = {p: sorted(ids) for p, ids in by_pinyin.items() if len(ids) > 1}
    assert sorted(shared) == ["fuzhou", "suzhou", "taizhou", "yichun", "yulin"]
    assert all(all(i.startswith(p + "-") for i in ids) for p, ids in shared.items())


def test_a_profile_names_the_ambiguity_as_a_field_error() -> None:
    from ipsubsidy.errors import ProfileError
    from ipsubsidy.profile import parse_profile

    with pytest.raises(ProfileError, match=r"city.*ambiguous.*fuzhou-fujian \(福州市\)"):
        parse_profile({"city": "fuzhou"})
    assert parse_profile({"city": "Taiyuan"}).city == "taiyuan"


def test_cities_is_read_only() -> None:
    with pytest.raises(TypeError):
        CITIES["nowhere"] = City("nowhere", "无名市", "Wuming", "")  # type: ignore[index]


def test_city_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        CITIES["hefei"].zh = "合肥"  # type: ignore[misc]


@pytest.mark.parametrize(
    "text",
    [
        "晋中",
        "晋中市",
        "Jinzhong",
        "jinzhong",
        "JINZHONG",
        " Jin Zhong ",
        "jinzhong shi",
        "Jinzhong City",
        "山西省晋中市",
        "山西晋中",
        "\u3000晋中市\u3000",
        "".join(chr(ord(c) + 0xFEE0) for c in "jinzhong"),
    ],
)
def test_jinzhong_spellings(text: str) -> None:
    assert normalise_city(text) is KNOWN_CITIES["jinzhong"]


@pytest.mark.parametrize(
    ("text", "city_id"),
    [
        ("Harbin", "harbin"),
        ("haerbin", "harbin"),
        ("Ha'erbin", "harbin"),
        ("哈尔滨", "harbin"),
        ("黑龙江省哈尔滨市", "harbin"),
        ("Xiamen", "xiamen"),
        ("Amoy", "xiamen"),
        ("厦门市", "xiamen"),
        ("HEFEI", "hefei"),
        ("合肥", "hefei"),
        ("Cang Zhou", "cangzhou"),
        ("沧州市", "cangzhou"),
        ("Taiyuan", "taiyuan"),
        ("太原", "taiyuan"),
        ("山西太原", "taiyuan"),
        ("Beijing", "beijing"),
        ("Peking", "beijing"),
        ("Hohhot", "huhehaote"),
        ("平遥县", "jinzhong"),
        ("lvliang", "luliang"),
    ],
)
def test_other_cities(text: str, city_id: str) -> None:
    assert normalise_city(text).id == city_id


@given(st.sampled_from(sorted(CITIES.values(), key=lambda c: c.id)))
def test_every_city_found_by_its_own_names(city: City) -> None:
    names = [city.id, city.zh, f" {city.zh} ", f"{city.province_zh}{city.zh}"]
    if not city.id.count("-"):  # a homophone's bare pinyin is refused (above)
        names += [city.pinyin, city.pinyin.upper()]
    for name in names:
        assert normalise_city(name) is city


def test_unknown_city_suggests_closest_by_pinyin() -> None:
    with pytest.raises(UnknownCityError) as info:
        normalise_city("Jinzong")
    message = str(info.value)
    assert "'Jinzong'" in message
    assert "did you mean 'jinzhong' (晋中市)?" in message
    assert info.value.suggestion is CITIES["jinzhong"]


def test_unknown_city_suggests_closest_by_zh() -> None:
    with pytest.raises(UnknownCityError, match=r"did you mean 'xiamen' \(厦门市\)\?"):
        normalise_city("厦们")


def test_unknown_city_without_suggestion() -> None:
    with pytest.raises(UnknownCityError) as info:
        normalise_city("Atlantis")
    assert info.value.suggestion is None
    assert "did you mean" not in str(info.value)
    assert "prefecture-level city of China" in str(info.value)
    assert isinstance(info.value, ValueError)
    with pytest.raises(UnknownCityError) as quiet:
        normalise_city("Jinzong", suggest=False)
    assert quiet.value.suggestion is None


@pytest.mark.parametrize("text", ["", "   ", "晋", "jin", "shi", "山西省"])
def test_fragments_are_not_cities(text: str) -> None:
    with pytest.raises(UnknownCityError):
        normalise_city(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  榆次区 ", "榆次区"),
        ("榆次区\u3000", "榆次区"),
        ("榆\u3000次\u3000区", "榆次区"),
        ("思明区  \uff08 厦门 \uff09", "思明区 \uff08 厦门 \uff09"),
        ("Yuci\u3000  District", "Yuci District"),
        ("经济技术开发区 A区", "经济技术开发区 A区"),
    ],
)
def test_normalise_district(text: str, expected: str) -> None:
    assert normalise_district(text) == expected
