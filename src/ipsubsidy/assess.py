"""One item's outcome from its decision: status, quantity, subtotal and the units paid, with no text.

    condition false                             → not_eligible
    otherwise, as_of before the document opens  → not_yet_in_force
    otherwise, as_of after the last claim day   → expired
    condition unknown                           → needs_info
    condition true                              → by the item's benefit class: eligible (claimable only:
                                                  amount per unit × qualifying units), candidate,
                                                  service_available, encouraged or policy_pending

A profile date the condition tests, or a unit dated after ``as_of``, does not count: it has not happened yet.
The reasons and missing facts behind an outcome are written by ``assemble`` from the same record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ipsubsidy.amounts import UNDECIDED, pay
from ipsubsidy.engine.decision import ItemDecision
from ipsubsidy.engine.logic import TV
from ipsubsidy.engine.trace import RecordedTrace
from ipsubsidy.outcome import ItemOutcome
from ipsubsidy.policy.model import Item
from ipsubsidy.profile import Company
from ipsubsidy.status import HOLDS, Status

__all__ = ["assess"]


class Count:
    """How the counted list stands: the truth of "at least n qualify", which units qualify, which are open.
    Immutable by convention (one per counting item per evaluation: a plain slotted class)."""

    __slots__ = ("pending", "qualifying", "truth")

    def __init__(self, truth: TV, qualifying: list[int], pending: list[int]) -> None:
        self.truth, self.qualifying, self.pending = truth, qualifying, pending


def _count(item: Item, entries: list[Any], units: tuple[TV, ...]) -> Count:
    """How a known list stands (an unknown one is ``_UNKNOWN_LIST``)."""
    counts = item.spec.counts
    assert counts is not None
    yes = [i for i, value in enumerate(units) if value is True]
    maybe = [i for i, value in enumerate(units) if value is None]
    if len(yes) >= counts.at_least:
        return Count(True, yes, maybe)
    if counts.per_year and counts.date and item.window_start and item.window_end:
        seen = {getattr(e, counts.date): units[i] for i, e in enumerate(entries)}
        years = range(item.window_start.year, item.window_end.year + 1)
        decided = all(seen.get(year) is False for year in years)
        return Count(False if decided else None, yes, maybe)
    return Count(False if len(yes) + len(maybe) < counts.at_least else None, yes, maybe)


_NO_LEAVES = RecordedTrace(())
_NONE: list[Any] = []  # shared empty list of late facts or units: read, never changed
#: an unknown list: no unit is decided and at least one must qualify (``counts.at_least`` ≥ 1), so unknown
_UNKNOWN_LIST = Count(None, _NONE, _NONE)
_shared: dict[tuple[Any, ...], tuple[Item, ItemOutcome]] = {}


def assess(item: Item, applies: TV, decision: ItemDecision, company: Company, as_of: dt.date) -> ItemOutcome:
    """The item's outcome for ``company`` as of a date, from the backend's ``decision``.

    An outcome that depends on nothing but (applies, the profile truth, as_of) is assessed once per those and
    shared (an outcome is immutable): an item no fact decides but city and entity type (``Item.fact_free``),
    and an item with no tier to value and no profile date that may lie after ``as_of``, whose counted list is
    unknown or that counts none. A shared outcome holds no decision of its own (``_decision`` is None): its
    explanation reads the backend's, which counting did not change."""
    if not item.fact_free and (
            item.tiered or (decision.profile is True and item.tested_dates)
            or (item.collection is not None and getattr(company, item.collection) is not None)):
        return _assess(item, applies, decision, company, as_of)
    key = (id(item), applies, decision.profile, as_of)
    found = _shared.get(key)
    if found is None or found[0] is not item:
        if len(_shared) > 4096:  # many evaluation dates: start again rather than grow
            _shared.clear()
        shared = _assess(item, applies, ItemDecision(decision.profile), company, as_of)
        # not the backend's decision, whose trace may hold this profile; a fact-free item has no leaves to show
        shared._decision = ItemDecision(decision.profile, (), _NO_LEAVES) if item.fact_free else None
        found = _shared[key] = (item, shared)
    return found[1]


def _assess(item: Item, applies: TV, decision: ItemDecision, company: Company, as_of: dt.date) -> ItemOutcome:
    profile_truth = decision.profile
    late_facts = _NONE
    if profile_truth is True and item.tested_dates:
        late_facts = _late_facts(item, company, as_of)
        if late_facts:
            profile_truth = False
    count: Count | None = None
    late = _NONE
    counted: TV = True
    collection = item.collection
    if collection is not None:
        entries = getattr(company, collection)
        if entries is None:
            count = _UNKNOWN_LIST
        else:
            if entries and item.unit_date_field is not None:
                decision, late = _not_after(item, entries, decision, as_of)
            count = _count(item, entries, decision.units)
        counted = count.truth
    # all3((applies, profile_truth, counted)), written out: this runs for every item of every evaluation
    if applies is False or profile_truth is False or counted is False:
        truth: TV = False
    elif applies is None or profile_truth is None or counted is None:
        truth = None
    else:
        truth = True
    status = _status(item, truth, as_of)
    payment = UNDECIDED if truth is not True else pay(item, company, count.qualifying if count else [],
                                                      status is _ELIGIBLE)
    out = ItemOutcome.__new__(ItemOutcome)
    out.id, out.item, out.status, out.benefit_class = item.id, item, status, item.benefit_class
    out.quantity, out.subtotal, out.units = payment.quantity, payment.subtotal, payment.units
    out.applies, out.assessed, out._decision, out._count = applies, status, decision, count
    out._late_facts, out._late, out._truth, out._payment, out._more = late_facts, late, truth, payment, ()
    return out


# Enum members as module constants: reading one off its class costs ~0.2 µs on Python 3.11, and these are read
# for every item of every evaluation.
_ELIGIBLE, _NOT_ELIGIBLE, _NOT_YET, _EXPIRED, _NEEDS_INFO = (
    Status.eligible, Status.not_eligible, Status.not_yet_in_force, Status.expired, Status.needs_info)


def _status(item: Item, truth: TV, as_of: dt.date) -> Status:
    if truth is False:
        return _NOT_ELIGIBLE
    if as_of < item.opens:
        return _NOT_YET
    until = item.claim_until
    if until is not None and as_of > until:
        return _EXPIRED
    if truth is None:
        return _NEEDS_INFO
    return HOLDS[item.benefit_class]


def _late_facts(item: Item, company: Company, as_of: dt.date) -> list[tuple[str, dt.date]]:
    """Profile dates the item's condition tests that lie after ``as_of``: they have not happened yet."""
    out = []
    for name in item.tested_dates:
        value = getattr(company, name, None)
        if value is not None and value > as_of:
            out.append((name, value))
    return out


def _not_after(item: Item, entries: list[Any], decision: ItemDecision,
               as_of: dt.date) -> tuple[ItemDecision, list[int]]:
    """The decision with every unit dated after ``as_of`` not counted, and those units' positions."""
    units = decision.units
    late = [i for i, entry in enumerate(entries)
            if i < len(units) and units[i] is not False
            and (when := item.unit_date(entry)) is not None and when > as_of]
    if not late:
        return decision, _NONE
    return decision.replace(units=tuple(False if i in late else v for i, v in enumerate(units))), late
