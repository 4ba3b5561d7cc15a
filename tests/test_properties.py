"""Properties of evaluation over random profiles (strategies in tests/strategies.py).

(a) the durable-rules backend and the Python backend decide alike;
(b) adding a qualifying patent never lowers the total;
(c) results do not depend on the order of any list;
(d) profiles round-trip through JSON;
(e) unknown is not false: removing a fact only ever moves an item to needs_info (proof below);
(f) every needs_info names what is missing, every not_eligible says why, and the total adds up.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import ipsubsidy
from ipsubsidy import Company, Evaluator, Result, Status
from ipsubsidy.engine import durable
from ipsubsidy.result import BenefitClass
from strategies import WINDOW_START, as_of_dates, profiles, qualifying_domestic_patent

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


_EVALUATORS: dict[str, Evaluator] = {}


def evaluator(backend: str) -> Evaluator:
    """One evaluator per backend for the whole module (hypothesis reruns the body many times)."""
    if backend not in _EVALUATORS:
        _EVALUATORS[backend] = Evaluator(ipsubsidy.load_policies(), backend=backend)  # type: ignore[arg-type]
    return _EVALUATORS[backend]


@pytest.fixture(scope="module", autouse=True)
def _close_evaluators() -> Iterator[None]:
    yield
    while _EVALUATORS:
        _EVALUATORS.popitem()[1].close()


def run(profile: Company, as_of: dt.date, backend: str = "python") -> Result:
    return evaluator(backend).evaluate(profile, as_of)


# --- (a) the two backends ----------------------------------------------------------------------------------------

@pytest.mark.durable
@pytest.mark.skipif(not durable.available(), reason="durable-rules cannot be imported on this Python")
@FAST
@given(profile=profiles(), as_of=as_of_dates())
def test_backends_agree(profile: Company, as_of: dt.date) -> None:
    by_python = run(profile, as_of, "python")
    by_durable = run(profile, as_of, "durable-rules")
    assert by_durable.backend == "durable-rules"
    assert by_durable.model_dump(exclude={"backend"}) == by_python.model_dump(exclude={"backend"})


# --- (b) a qualifying patent never lowers the total --------------------------------------------------------------

DOMESTIC = "jinzhong-2020.invention-patent-domestic"


@FAST
@given(profile=profiles(), as_of=as_of_dates(), data=st.data())
def test_a_qualifying_patent_never_lowers_the_total(profile: Company, as_of: dt.date, data: st.DataObject) -> None:
    assume(as_of >= WINDOW_START)  # a patent granted after as_of counts for nothing yet
    taken = {p.key for p in profile.patents or []}  # the library's duplicate key, as the strategy uses
    extra = data.draw(qualifying_domestic_patent(taken, latest=as_of), label="added patent")
    raw = profile.model_dump()
    more = Company.model_validate({**raw, "patents": [*(raw["patents"] or []), extra]})
    before, after = run(profile, as_of), run(more, as_of)
    assert Decimal(after.total) >= Decimal(before.total)
    was = next((i for i in before.items if i.id == DOMESTIC), None)
    now = next((i for i in after.items if i.id == DOMESTIC), None)
    if was is not None and was.status == Status.eligible:
        assert now is not None and now.status == Status.eligible
        assert now.amount.quantity == (was.amount.quantity or 0) + 1
        assert Decimal(now.amount.subtotal or 0) == Decimal(was.amount.subtotal or 0) + Decimal(5000)


# --- (c) list order does not matter ------------------------------------------------------------------------------

_INDEXED = re.compile(r"([a-z_]+)\[(\d+)\]")
_LISTS = ("patents", "finances", "madrid_registrations", "geographical_indications", "listings",
          "certifications", "brand_plan_selections", "rights_protection_centres")


def _canonical(result: Result, origin: dict[str, list[int]]) -> dict[str, Any]:
    """The result with every list index mapped back to the original order, every list sorted."""
    def back(collection: str, index: int) -> int:
        return origin[collection][index] if collection in origin else index

    def path(text: str) -> str:
        return _INDEXED.sub(lambda m: f"{m[1]}[{back(m[1], int(m[2]))}]", text)

    def label(text: str, collection: str, index: int) -> str:
        # a unit with no number, name, year, kind or date is labelled by its position: '#3'
        return re.sub(r"^#\d+", f"#{back(collection, index) + 1}", text)

    out: dict[str, Any] = {"total": result.total, "not_stated": sorted(result.not_stated)}
    for item in result.all_items():
        reasons = []
        for reason in item.reasons:
            match = _INDEXED.match(reason.field or "")
            zh, en = reason.zh, reason.en
            if match:
                zh, en = label(zh, match[1], int(match[2])), label(en, match[1], int(match[2]))
            reasons.append((zh, en, path(reason.field or ""), reason.value, reason.threshold))
        out[item.id] = {
            "status": item.status, "amount": item.amount.model_dump(),
            "units": sorted((u.collection, back(u.collection, u.index), label(u.label, u.collection, u.index))
                            for u in item.units),
            "reasons": sorted(reasons, key=repr), "missing": sorted(path(m) for m in item.missing),
        }
    return out


@FAST
@given(profile=profiles(), as_of=as_of_dates(), data=st.data())
def test_list_order_does_not_matter(profile: Company, as_of: dt.date, data: st.DataObject) -> None:
    raw = profile.model_dump()
    origin: dict[str, list[int]] = {}
    for name in _LISTS:
        if raw[name]:
            order = data.draw(st.permutations(range(len(raw[name]))), label=f"order of {name}")
            raw[name] = [raw[name][i] for i in order]
            origin[name] = list(order)
    for registration in raw["madrid_registrations"] or []:
        if registration["designated_countries"]:
            registration["designated_countries"] = data.draw(st.permutations(registration["designated_countries"]))
    shuffled = Company.model_validate(raw)
    assert _canonical(run(shuffled, as_of), origin) == _canonical(run(profile, as_of), {})


# --- (d) JSON round trip ---------------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(profile=profiles())
def test_profiles_round_trip_through_json(profile: Company) -> None:
    assert Company.model_validate_json(profile.model_dump_json()) == profile
    assert ipsubsidy.parse_profile(profile.model_dump(mode="json")) == profile


# --- (e) unknown is not false -------------------------------------------------------------------------------------
#
# What is proved, and why it must hold. Every decision is built from leaves (True / False / unknown) by
# Kleene's all/any/not, and by counting units (True when ≥ at_least units hold, False when even the undecided
# ones could not reach at_least, or every year of a per-year list is False; unknown otherwise). All of these are
# monotone in the information order unknown < True, unknown < False: turning a leaf into unknown can turn a
# decision into unknown, never True into False or False into True. Statuses follow from the decision
# (False → not_eligible, unknown → needs_info, True → eligible / expired / not_yet_in_force by as_of alone).
# Hence, for any profile and any one known fact replaced by None, with as_of fixed:
#   1. every item keeps its status or becomes needs_info (never eligible ↔ not_eligible, never needs_info →
#      anything else);
#   2. items only appear, never disappear (an unknown city or type keeps an item whose city or type was another),
#      and an item that appears is never eligible, expired or not yet in force: its applicability is unknown, so
#      it is needs_info, or not_eligible when a known fact fails regardless (a school item for a profile with
#      ``listings: []`` is not_eligible whatever the type);
#   3. an eligible item that stays eligible has no more units than before, so the total never rises.
# A fact here is any optional field of the profile or of a list entry (a whole list included). Removing an
# entry from a list is not "making a fact unknown" (the list stays known) and is not covered.

def _known_facts(data: dict[str, Any]) -> list[tuple[str | int, ...]]:
    paths: list[tuple[str | int, ...]] = []
    for name, value in data.items():
        if value is None:
            continue
        paths.append((name,))
        if isinstance(value, list):
            for i, entry in enumerate(value):
                if isinstance(entry, dict):
                    paths += [(name, i, key) for key, v in entry.items() if v is not None and key in _OPTIONAL[name]]
    return paths


def _optional_fields() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name in _LISTS:
        model = Company.model_fields[name].annotation
        inner = next(a for a in getattr(model, "__args__", ()) if a is not type(None)).__args__[0]
        out[name] = {f for f, info in inner.model_fields.items() if not info.is_required() and info.default is None}
    return out


_OPTIONAL = _optional_fields()


def _without(data: dict[str, Any], path: tuple[str | int, ...]) -> dict[str, Any]:
    copy: dict[str, Any] = {k: ([dict(e) if isinstance(e, dict) else e for e in v] if isinstance(v, list) else v)
                            for k, v in data.items()}
    target: Any = copy
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = None
    return copy


def test_optional_fields_are_found() -> None:
    assert _OPTIONAL["patents"] >= {"grant_date", "kind", "office"}
    assert "number" not in _OPTIONAL["patents"]
    assert _OPTIONAL["finances"] == {"sales_revenue", "main_business_revenue", "rd_expense", "commercialised_revenue"}


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=profiles(), as_of=as_of_dates(), data=st.data())
def test_unknown_is_not_false(profile: Company, as_of: dt.date, data: st.DataObject) -> None:
    raw = profile.model_dump()
    facts = _known_facts(raw)
    if not facts:
        return
    path = data.draw(st.sampled_from(facts), label="fact made unknown")
    less = Company.model_validate(_without(raw, path))
    before, after = run(profile, as_of), run(less, as_of)
    was = {item.id: item for item in before.all_items()}
    now = {item.id: item for item in after.all_items()}
    assert set(was) <= set(now), f"removing {path} removed items {set(was) - set(now)}"
    closed = {i.id for i in evaluator("python").policies.items if not i.open_at(as_of)}
    for item_id, item in now.items():
        # an unknown fact leaves an item undecided; outside its document's window undecided reads as closed
        undecided = {Status.expired, Status.not_yet_in_force} if item_id in closed else {Status.needs_info}
        if item_id not in was:
            assert item.status in {*undecided, Status.not_eligible}, (path, item_id, item.status)
            continue
        old = was[item_id]
        assert item.status in {old.status, *undecided}, (path, item_id, old.status, item.status)
        if old.status == item.status == Status.eligible and old.amount.quantity is not None:
            assert item.amount.quantity is not None and item.amount.quantity <= old.amount.quantity
    assert Decimal(after.total) <= Decimal(before.total)


# --- (f) explanations and totals ---------------------------------------------------------------------------------

@FAST
@given(profile=profiles(), as_of=as_of_dates())
def test_every_status_is_explained_and_the_total_adds_up(profile: Company, as_of: dt.date) -> None:
    result = run(profile, as_of)
    subtotal = Decimal(0)
    assert all(item.benefit_class == BenefitClass.claimable for item in result.items)
    assert all(item.benefit_class != BenefitClass.claimable for item in result.other)
    asked = {item_id for question in result.questions for item_id in question.items}
    for item in result.all_items():
        if item.status in (Status.expired, Status.not_eligible) or item.benefit_class != BenefitClass.claimable:
            assert item.id not in asked, f"{item.id} ({item.status}, {item.benefit_class}) is asked about"
        if item.status == Status.expired:
            assert not item.missing, f"{item.id} is closed yet lists missing facts"
        if item.status == Status.needs_info:
            assert item.missing, f"{item.id} needs information but names none"
        if item.status == Status.not_eligible:
            assert item.reasons, f"{item.id} is not eligible and gives no reason"
        if item.status == Status.eligible:
            assert item.amount.quantity is not None and item.amount.quantity >= 1
            if item.amount.per_unit is not None:
                assert item.amount.subtotal is not None
                assert Decimal(item.amount.subtotal) == Decimal(item.amount.per_unit) * item.amount.quantity
                subtotal += Decimal(item.amount.subtotal)
        else:
            assert item.amount.subtotal is None
    assert Decimal(result.total) == subtotal


@pytest.mark.durable
@pytest.mark.skipif(not durable.available(), reason="durable-rules cannot be imported on this Python")
@FAST
@given(profile=profiles())
def test_backends_agree_on_every_item_whatever_the_city(profile: Company) -> None:
    """Asked about items of every city (beyond the per-city rulesets), the durable-rules backend decides
    them as the Python backend does: it falls back to its all-items ruleset."""
    python, rules = (evaluator(name) for name in ("python", "durable-rules"))
    items = list(python.policies.items)
    assert python._state[1].decide(profile, items) == rules._state[1].decide(profile, items)
