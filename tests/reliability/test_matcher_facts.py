"""Only what rules read reaches the matcher, with ids that cannot collide; oversize text and lists stop at
the profile with the field named, on both backends (the 16 MiB segfault and the listings/patents id clash)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.backends import BACKENDS

from ipsubsidy import ProfileError, evaluate, parse_profile, shipped_policies
from ipsubsidy.engine.facts import FactEncoder, _ppm, fact_ids, fnv1a_32
from ipsubsidy.profile.kinds import MAX_ENTRIES, MAX_TEXT

AS_OF = dt.date(2022, 6, 30)


def test_the_reported_ids_collide_under_the_lookup_hash() -> None:
    """The pair from the report: ids built from names clash under durable-rules' 32-bit FNV-1a."""
    assert fnv1a_32("listings#72918") == fnv1a_32("patents#129722")


def test_fact_ids_are_distinct_under_the_lookup_hash() -> None:
    ids = fact_ids(250_000)
    assert len(set(ids)) == len(ids) == 250_000
    assert len({fnv1a_32(i) for i in ids}) == len(ids)


def test_free_text_never_reaches_the_matcher() -> None:
    policies = shipped_policies()
    encoder = FactEncoder(list(policies.items_in("jinzhong")))
    company = parse_profile({"city": "jinzhong", "entity_type": "enterprise", "name": "某某科技有限公司",
                             "patents": [{"number": "ZL202110100200.4", "title": "一种装置",
                                          "grant_date": "2021-06-01"}]})
    facts, ids = encoder.facts(company, "s")
    sent = {key for fact in facts for key in fact}
    assert "name" not in sent and "title" not in sent and "number" not in sent
    assert "kind" in sent and "office" in sent and "grant_date" in sent  # what the patent items test
    assert len({fnv1a_32(str(f["id"])) for f in facts}) == len(facts)
    assert ids["patents"] == [facts[1]["id"]]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("where", ["name", "industry", "patents[0].title", "geographical_indications[0].name"])
def test_oversize_text_is_a_field_error(backend: str, where: str) -> None:
    text = "长" * (16 * 1024 * 1024 // 3 + 1)  # ≥ 16 MiB once UTF-8 encoded
    profile: dict[str, Any] = {"city": "jinzhong", "entity_type": "enterprise"}
    if where.startswith("patents"):
        profile["patents"] = [{"number": "ZL202110100200.4", "title": text}]
    elif where.startswith("geographical"):
        profile["geographical_indications"] = [{"name": text}]
    else:
        profile[where] = text
    with pytest.raises(ProfileError) as info:
        evaluate(profile, AS_OF, backend=backend)  # type: ignore[arg-type]
    assert where in info.value.fields and f"at most {MAX_TEXT}" in str(info.value)
    assert len(str(info.value)) < 1_000


def test_overlong_list_is_a_field_error() -> None:
    profile = {"city": "jinzhong", "entity_type": "enterprise",
               "listings": [{"kind": "ip_pilot_enterprise"}] * (MAX_ENTRIES + 1)}
    with pytest.raises(ProfileError) as info:
        evaluate(profile, AS_OF)
    assert info.value.fields == ["listings"] and "at most 10,000" in str(info.value)


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_many_units_every_patent_counted(backend: str) -> None:
    """10,000 granted inventions in the window: all counted, the same on both backends."""
    from ipsubsidy.identifiers import patent_check_digit

    patents = []
    for serial in range(MAX_ENTRIES):
        digits = f"20211{serial:07d}"
        patents.append({"number": f"ZL{digits}.{patent_check_digit(digits)}", "grant_date": "2021-06-01"})
    result = evaluate({"city": "jinzhong", "entity_type": "enterprise", "patents": patents}, AS_OF,
                      backend=backend)  # type: ignore[arg-type]
    item = result.item("jinzhong-2020.invention-patent-domestic")
    assert item.status == "eligible" and item.amount.quantity == MAX_ENTRIES


def test_huge_unknown_key_is_named_not_echoed() -> None:
    with pytest.raises(ProfileError) as info:
        evaluate({"city": "jinzhong", "k" * 1_000_000: 1}, AS_OF)
    assert "is not a profile field" in str(info.value) and len(str(info.value)) < 500


@settings(max_examples=300, deadline=None)
@given(num=st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False),
       den=st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False)
       .filter(lambda d: d != 0))
def test_a_ratio_is_sent_as_its_exact_ppm_floor_and_ceiling(num: Decimal, den: Decimal) -> None:
    """The matcher's ppm bounds of a ratio are floor and ceiling of the exact fraction times 10⁶."""
    exact = Fraction(num) / Fraction(den) * 1_000_000
    assert _ppm(num, den) == (math.floor(exact), math.ceil(exact))
