"""The profile's city from a city name or an address naming one (山西省晋中市榆次区…), memoised.

The same readers as ``ipsubsidy screen``'s: names through ``places.normalise_city``, addresses through the
gazetteer's ``city_in_text`` (GB/T 2260). The credit code's division code is read only by screen, as a last
resort for a row with neither (``intake.places.city_of``).
"""

from __future__ import annotations

from functools import lru_cache

from ipsubsidy.gazetteer import city_in_text
from ipsubsidy.places import UnknownCityError, normalise_city

__all__ = ["city_id"]


@lru_cache(maxsize=4096)
def city_id(text: str) -> str:
    """The profile's city id for a city name (晋中, Jinzhong, 太原) or an address naming one (山西省晋中市榆次区…).

    Raises UnknownCityError (with the closest known city) when neither names a city. Memoised: a profile
    names one of a few cities, and the same spellings come again and again.
    """
    try:
        return normalise_city(text).id
    except UnknownCityError:
        name = city_in_text(text)
        if name is None:
            raise
    return normalise_city(name).id
