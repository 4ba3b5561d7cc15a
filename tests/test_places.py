"""Tests for ipsubsidy.places."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipsubsidy.places import KNOWN_CITIES, City, UnknownCityError, normalise_city, normalise_district


def test_known_cities() -> None:
    assert sorted(KNOWN_CITIES) == ["cangzhou", "harbin", "hefei", "jinzhong", "xiamen"]
    assert KNOWN_CITIES["jinzhong"] == City("jinzhong", "晋中市", "Jinzhong", "山西省")
    assert {c.id: c.province_zh for c in KNOWN_CITIES.values()} == {
        "cangzhou": "河北省",
        "harbin": "黑龙江省",
        "hefei": "安徽省",
        "jinzhong": "山西省",
        "xiamen": "福建省",
    }
    assert all(key == city.id for key, city in KNOWN_CITIES.items())


def test_known_cities_is_read_only() -> None:
    with pytest.raises(TypeError):
        KNOWN_CITIES["beijing"] = City("beijing", "北京市", "Beijing", "北京市")  # type: ignore[index]


def test_city_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        KNOWN_CITIES["hefei"].zh = "合肥"  # type: ignore[misc]


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
    ],
)
def test_other_cities(text: str, city_id: str) -> None:
    assert normalise_city(text).id == city_id


@given(st.sampled_from(list(KNOWN_CITIES.values())))
def test_every_city_found_by_its_own_names(city: City) -> None:
    for name in (city.id, city.pinyin, city.zh, city.zh[:-1], city.pinyin.upper(), f" {city.zh} "):
        assert normalise_city(name) is city


def test_unknown_city_suggests_closest_by_pinyin() -> None:
    with pytest.raises(UnknownCityError) as info:
        normalise_city("Jinzong")
    message = str(info.value)
    assert "'Jinzong'" in message
    assert "did you mean 'jinzhong' (晋中市)?" in message
    assert info.value.suggestion is KNOWN_CITIES["jinzhong"]
    for city in KNOWN_CITIES.values():
        assert f"{city.id} ({city.zh})" in message


def test_unknown_city_suggests_closest_by_zh() -> None:
    with pytest.raises(UnknownCityError, match=r"did you mean 'xiamen' \(厦门市\)\?"):
        normalise_city("厦们")


def test_unknown_city_without_suggestion() -> None:
    with pytest.raises(UnknownCityError) as info:
        normalise_city("Beijing")
    assert info.value.suggestion is None
    assert "did you mean" not in str(info.value)
    assert info.value.known == ("cangzhou", "harbin", "hefei", "jinzhong", "xiamen")
    assert isinstance(info.value, ValueError)


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
