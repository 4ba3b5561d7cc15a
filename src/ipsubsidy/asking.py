"""Which facts are worth asking, and in what order: relevance (three-valued logic) and money at stake.

A fact is asked only when its answer can still change an outcome of an item whose money can still be claimed:

- items already ``not_eligible`` (a false fact settles them) and ``expired`` items are never asked about;
- nor is an item whose claim period is over at ``as_of`` even when facts are missing (``needs_info``): the
  answer could only turn it into ``expired``, and the hotline wants money that can still be claimed. Items
  not yet in force are asked about (their money can be claimed later);
- an eligible item is asked about only for units still undecided and only when it pays per unit (each
  unit adds money); a fixed or unstated amount already won does not change;
- within a condition, an unknown comparison is asked only when some values of the other unknown
  comparisons make its answer decide the condition (three-valued logic, checked exhaustively for up to
  12 unknown comparisons per condition; beyond that every unknown counts). Two comparisons of the same
  fact are treated as separate unknowns, which can only ask more, never less.

Money a question could unlock, summed over the items it decides: a fixed amount whole; a per-unit amount
× the units still open (one for a question about one unit; for a list not given yet, the fewest units the
item counts, ``at_least``). Items without a stated amount count 0 yuan but still count as items decided.
Ranking: money, then number of items, then the order of the policies.

The facts come from the decisions' traces (engine/trace.py); questions.py words them.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from pydantic import BaseModel

from ipsubsidy.engine.decision import ItemDecision
from ipsubsidy.engine.logic import TV, all3, any3, not3
from ipsubsidy.engine.trace import LeafTrace, Leaves
from ipsubsidy.policy.conditions import All, Compare, Condition, Not, leaves
from ipsubsidy.policy.model import Item, PolicySet
from ipsubsidy.profile import Company
from ipsubsidy.result import ItemResult
from ipsubsidy.status import Status

__all__ = ["MAX_EXHAUSTIVE", "Ask", "rank", "relevant_leaves"]

MAX_EXHAUSTIVE = 12


# --- which unknown comparisons matter --------------------------------------------------------------------

Logic = Callable[[dict[Compare, TV]], TV]


def _compile(cond: Condition) -> Logic:
    """The condition's truth from given truths of its comparisons (Kleene logic), as a closure built once."""
    if isinstance(cond, Compare):
        return lambda known: known.get(cond)
    if isinstance(cond, Not):
        child = _compile(cond.child)
        return lambda known: not3(child(known))
    children = tuple(_compile(c) for c in cond.children)
    combine = all3 if isinstance(cond, All) else any3
    return lambda known: combine([child(known) for child in children])


_compiled: dict[int, tuple[Condition, Logic, tuple[Compare, ...]]] = {}


def _logic(cond: Condition) -> tuple[Logic, tuple[Compare, ...]]:
    """The compiled logic of a condition and its comparisons in order (built on first use, then kept)."""
    found = _compiled.get(id(cond))
    if found is None or found[0] is not cond:
        if len(_compiled) > 50_000:  # policy sets reloaded many times: drop the old ones' entries
            _compiled.clear()
        found = _compiled[id(cond)] = (cond, _compile(cond), tuple(leaves(cond)))  # cond kept: its id stays
    return found[1], found[2]


def relevant_leaves(cond: Condition, outcomes: dict[Compare, TV]) -> list[Compare]:
    """The unknown comparisons of ``cond`` whose answer can decide it for some answers to the others."""
    value, compares = _logic(cond)
    unknown = list(dict.fromkeys(leaf for leaf in compares if outcomes.get(leaf) is None))
    if len(unknown) > MAX_EXHAUSTIVE:
        return unknown
    out = []
    base = {k: v for k, v in outcomes.items() if v is not None}
    for leaf in unknown:
        others = [o for o in unknown if o != leaf]
        for combo in itertools.product((True, False), repeat=len(others)):
            known = {**base, **dict(zip(others, combo, strict=True))}
            if value({**known, leaf: True}) != value({**known, leaf: False}):
                out.append(leaf)
                break
    return out


def _asked_facts(cond: Condition, trace: Leaves) -> list[tuple[LeafTrace, str]]:
    outcomes = {t.leaf: t.outcome for t in trace}
    wanted = set(relevant_leaves(cond, outcomes))
    return [(t, name) for t in trace if t.leaf in wanted and t.outcome is None for name in t.missing]


# --- collecting candidate facts ----------------------------------------------------------------------------

@dataclass
class Ask:
    path: str
    model: type[BaseModel]
    name: str                           # the field (or, for a year row, the list) asked for
    index: int | None = None            # the unit's position, for a unit field
    year: int | None = None             # for a missing year row of a per-year list
    items: list[Item] = field(default_factory=list)
    money: Decimal = Decimal(0)


def _stake(item: Item, entries: list[BaseModel] | None, decision: ItemDecision) -> Decimal:
    """Stated yuan the item as a whole could still pay."""
    amount = item.spec.benefit.amount
    if amount.fixed is not None:
        return amount.fixed
    if amount.per_unit is None:
        return Decimal(0)
    least = item.spec.counts.at_least if item.spec.counts else 1
    if entries is None:
        return amount.per_unit * least
    open_units = sum(1 for v in decision.units if v is not False)
    return amount.per_unit * max(open_units, least)


def _claimable_later(item: Item, as_of: dt.date) -> bool:
    until = item.claim_until
    return until is None or as_of <= until


def _candidates(item: Item, result: ItemResult, decision: ItemDecision, company: Company,
                as_of: dt.date) -> Iterable[tuple[Ask, Decimal]]:
    if result.status in (Status.not_eligible, Status.expired) or not _claimable_later(item, as_of):
        return
    stake = _stake(item, None if item.collection is None else getattr(company, item.collection), decision)
    for name in ("city", "district", "entity_type"):
        if name in result.missing and getattr(company, name) is None:
            yield Ask(name, Company, name), stake
    trace = decision.trace
    assert trace is not None, "a backend decides with a trace"
    if decision.profile is None:
        for _trace, name in _asked_facts(item.qualifies, trace.profile()):
            yield Ask(name, Company, name), stake
    collection, counts = item.collection, item.spec.counts
    if collection is None or counts is None or item.unit_model is None:
        return
    entries = getattr(company, collection)
    if entries is None:
        yield Ask(collection, Company, collection), stake
        return
    per_unit = item.spec.benefit.amount.per_unit
    settled = sum(1 for v in decision.units if v is True) >= counts.at_least
    if settled and per_unit is None:
        return
    unit_money = per_unit if per_unit is not None else stake
    for i in range(len(entries)):
        if i < len(decision.units) and decision.units[i] is None:
            for _trace, name in _asked_facts(item.unit_condition, trace.unit(i)):
                yield Ask(f"{collection}[{i}].{name}", item.unit_model, name, index=i), unit_money
    if counts.per_year and counts.date and item.window_start and item.window_end:
        given = {getattr(e, counts.date) for e in entries}
        for year in range(item.window_start.year, item.window_end.year + 1):
            if year not in given:
                yield (Ask(f"{collection}[{counts.date}={year}]", item.unit_model, collection, year=year),
                       unit_money)


def rank(policies: PolicySet, company: Company, decisions: dict[str, ItemDecision], results: list[ItemResult],
         as_of: dt.date) -> list[Ask]:
    """The facts worth asking of ``company``, most money first (see the module's rules)."""
    by_id = {r.id: r for r in results}
    found: dict[str, Ask] = {}
    for item in policies.items_in(company.city):  # the items evaluate() considered, in policy order
        result = by_id.get(item.id)
        if result is None:
            continue
        for candidate, money in _candidates(item, result, decisions[item.id], company, as_of):
            entry = found.setdefault(candidate.path, candidate)
            if item not in entry.items:
                entry.items.append(item)
                entry.money += money
    order = {path: n for n, path in enumerate(found)}
    return sorted(found.values(), key=lambda a: (-a.money, -len(a.items), order[a.path]))
