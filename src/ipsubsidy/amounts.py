"""What an item pays: a stated amount per unit or per claim, tiers by level or ranking, and caps.

A tier is the first whose condition holds for the unit (or the profile). When an earlier tier is still
unknown, the unit is valued at the lowest tier it could still fall in — money is never over-promised — and
the unknown facts are listed as missing. A cap (单个企业最高不超过…) bounds what one claimant is paid, in all
or in each calendar year of the units' dates. Amounts are Decimal yuan, exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from ipsubsidy.engine.compiled import tracer
from ipsubsidy.engine.trace import LeafTrace
from ipsubsidy.labels import unit_label, yuan
from ipsubsidy.policy.model import Item
from ipsubsidy.result import AmountOut, Localized, Reason, UnitOut, trusted

__all__ = ["Payment", "amount_out", "pay", "units_out"]


@dataclass(slots=True)
class Payment:
    """An item's amount once its status is known: how many units, the subtotal owed (exact yuan, None when not
    owed or not stated), the units shown with each one's amount, and what the tiers and cap said."""

    quantity: int | None = None                             # None while the units are undecided
    subtotal: Decimal | None = None
    units: tuple[tuple[int, Decimal | None], ...] = ()      # (entry index, its yuan; None when paid per claim)
    reasons: list[Reason] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


UNDECIDED = Payment()
"""The payment of every item whose units are not decided (shared: read, never changed)."""


def _tier(item: Item, obj: BaseModel, path: str) -> tuple[Decimal | None, list[str], bool]:
    """(amount, missing facts, settled) of the first tier that holds for ``obj``, valued low while unknown."""
    tiers = item.spec.benefit.amount.tiers or []
    possible: list[Decimal] = []
    missing: list[str] = []
    for tier, cond in zip(tiers, item.tiers, strict=True):
        trace: list[LeafTrace] = []
        truth = tracer(cond)(obj, trace)
        if truth is False:
            continue
        possible.append(tier.amount)
        if truth is True:
            break
        missing += [f"{path}{m}" for t in trace if t.outcome is None for m in t.missing]
    if not possible:
        return None, [], True
    return min(possible), missing, not missing


def _undecided_amount(item: Item) -> AmountOut:
    """The item's amount while its units are undecided: the same in every evaluation (built once; frozen)."""
    store = item.memo
    found: AmountOut | None = store.get(AmountOut)
    if found is None:
        spec = item.spec.benefit.amount
        not_stated = trusted(Localized, zh=spec.not_stated.zh, en=spec.not_stated.en) if spec.not_stated else None
        per_unit, cap = item.stated_amount, item.spec.cap
        found = store[AmountOut] = trusted(
            AmountOut, per_unit=None if per_unit is None else yuan(per_unit), quantity=None, subtotal=None,
            not_stated=not_stated, cap=None if cap is None else yuan(cap.amount))
    return found


def pay(item: Item, company: BaseModel, qualifying: list[int] | None, paid: bool) -> Payment:
    """The amount of ``item`` for ``company``: ``qualifying`` are the counted units (None while the facts
    are undecided); ``paid`` says whether the subtotal is owed now (the item is eligible)."""
    if qualifying is None:
        return UNDECIDED
    out = Payment()
    spec = item.spec.benefit.amount
    collection = item.collection
    entries: list[Any] = (getattr(company, collection) or []) if collection else []
    per_unit = item.stated_amount
    cap = item.spec.cap
    each: list[tuple[int | None, Decimal | None]] = []  # (unit index or None for the claim, its amount)
    if item.per_unit_paid:
        for i in qualifying:
            value: Decimal | None = per_unit
            if spec.tiers is not None:
                value, missing, settled = _tier(item, entries[i], f"{collection}[{i}].")
                out.missing += missing
                if value is None:
                    out.reasons.append(trusted(Reason, zh=f"{unit_label(entries[i], i)}：不属于任何一档，不计入",
                                              en=f"{unit_label(entries[i], i)}: falls in no tier, not counted"))
                    continue
                if not settled:
                    name = unit_label(entries[i], i)
                    out.reasons.append(trusted(Reason, zh=f"{name}：档次未定，按可能的最低档{yuan(value)}元计",
                                              en=f"{name}: tier not settled, valued at the lowest possible, "
                                                 f"{yuan(value)} yuan"))
            each.append((i, value))
        out.units = tuple((i, v) for i, v in each if i is not None)
    else:
        value = per_unit
        if spec.tiers is not None:
            value, out.missing, settled = _tier(item, company, "")
            if value is not None and not settled:
                out.reasons.append(trusted(Reason, zh=f"档次未定，按可能的最低档{yuan(value)}元计",
                                          en=f"tier not settled, valued at the lowest possible, {yuan(value)} yuan"))
        each.append((None, value))
        # paid once per claim: the units that qualify it are shown, with no amount of their own
        out.units = tuple((i, None) for i in qualifying) if collection else ()
    out.quantity = quantity = len(each)
    stated = [v for _, v in each if v is not None]
    subtotal = sum(stated, Decimal(0)) if paid and spec.not_stated is None and len(stated) == quantity else None
    if subtotal is not None and cap is not None:
        subtotal = _capped(item, entries, each, subtotal, out)
    out.subtotal = subtotal
    return out


def amount_out(item: Item, quantity: int | None, subtotal: Decimal | None) -> AmountOut:
    """The item's amount as a result shows it: per unit, quantity (None while undecided), subtotal, cap (built
    once per item, quantity and subtotal: frozen, shared by the results that show it)."""
    undecided = _undecided_amount(item)
    if quantity is None:
        return undecided
    store = item.memo
    key = ("amount", quantity, subtotal)
    found: AmountOut | None = store.get(key)
    if found is None:
        found = trusted(AmountOut, per_unit=undecided.per_unit, quantity=quantity,
                        subtotal=None if subtotal is None else yuan(subtotal), not_stated=undecided.not_stated,
                        cap=undecided.cap)
        if len(store) < 512:  # the amounts one item pays are few; a registry of odd ones is not kept
            store[key] = found
    return found


def units_out(item: Item, company: BaseModel, units: tuple[tuple[int, Decimal | None], ...]) -> list[UnitOut]:
    """The units as a result shows them: each with its label, and its yuan when the item pays per unit."""
    if not units:
        return []
    collection = item.collection or ""
    entries: list[Any] = getattr(company, collection) or []
    if item.per_unit_paid:
        return [trusted(UnitOut, collection=collection, index=i, label=unit_label(entries[i], i),
                        amount=None if v is None else yuan(v)) for i, v in units]
    return [trusted(UnitOut, collection=collection, index=i, label=unit_label(entries[i], i)) for i, _ in units]


def _capped(item: Item, entries: list[Any], each: list[tuple[int | None, Decimal | None]], subtotal: Decimal,
            out: Payment) -> Decimal:
    cap = item.spec.cap
    assert cap is not None
    if cap.per == "claimant":
        if subtotal > cap.amount:
            out.reasons.append(trusted(Reason,
                zh=f"单个申请人最高不超过{yuan(cap.amount)}元：按{yuan(cap.amount)}元计(未封顶为{yuan(subtotal)}元)",
                en=f"capped at {yuan(cap.amount)} yuan per claimant (uncapped {yuan(subtotal)} yuan)",
                value=yuan(subtotal), threshold=yuan(cap.amount)))
            return cap.amount
        return subtotal
    counts = item.spec.counts
    assert counts is not None and counts.date is not None
    by_year: dict[int, Decimal] = {}
    for i, value in each:
        assert i is not None and value is not None
        when = item.unit_date(entries[i])
        year = 0 if when is None else when.year
        by_year[year] = by_year.get(year, Decimal(0)) + value
    total = Decimal(0)
    for year, amount in sorted(by_year.items()):
        if amount > cap.amount:
            out.reasons.append(trusted(Reason,
                zh=f"{year}年度最高不超过{yuan(cap.amount)}元：按{yuan(cap.amount)}元计(未封顶为{yuan(amount)}元)",
                en=f"{year}: capped at {yuan(cap.amount)} yuan a year (uncapped {yuan(amount)} yuan)",
                value=yuan(amount), threshold=yuan(cap.amount)))
            amount = cap.amount
        total += amount
    return total
