"""The client's city from a city cell, an address or a credit code: the profile's own reader, here too."""

from __future__ import annotations

from ipsubsidy.profile.city import FoundCity, city_of, prefecture_names

__all__ = ["FoundCity", "city_of", "prefecture_names"]
