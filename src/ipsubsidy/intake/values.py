"""Cell values as Chinese spreadsheets write them: the profile's own readers (ipsubsidy.profile.forms), here too."""

from __future__ import annotations

from ipsubsidy.profile.forms import (
    SMALL_OR_MICRO,
    Publication,
    to_bool,
    to_date,
    to_entity_type,
    to_level,
    to_month,
    to_patent_kind,
    to_publication,
    to_size,
    to_year,
    to_yuan,
)

__all__ = [
    "SMALL_OR_MICRO",
    "Publication",
    "to_bool",
    "to_date",
    "to_entity_type",
    "to_level",
    "to_month",
    "to_patent_kind",
    "to_publication",
    "to_size",
    "to_year",
    "to_yuan",
]
