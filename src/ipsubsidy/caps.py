"""合计最高不超过: caps over several items, applied to the items' outcomes after each item's own amount and cap
and after 不重复享受.

A policy file's ``caps`` entry names items (of its own or any other loaded document), an amount, and
``per: claimant`` (the most they pay one claimant together) or ``per: year`` (together in each calendar
year of their units' dates). The allowance is filled in the order the entry lists its items: the first is
paid in full first, so **the item listed last is the one reduced first** — deterministic, and the author
lists the items as the text ranks them. An item whose allowance is spent pays nothing and is not eligible;
a reduced item keeps its units and says which cap reduced it, by how much, and with which items it shares
the cap. Caps apply one after another, in the order the documents and their entries are loaded. Only eligible
items with a stated subtotal take part: a cap never raises an amount, and money is never over-promised.
"""

from __future__ import annotations

from decimal import Decimal

from ipsubsidy.outcome import ItemOutcome
from ipsubsidy.policy.model import Document, Item, PolicySet
from ipsubsidy.policy.schema import TotalCap
from ipsubsidy.profile import Company
from ipsubsidy.result import Reason, Status, yuan

__all__ = ["apply_caps", "cap_shares", "rules_beyond_conditions"]

_Share = dict[int | None, Decimal]  # yuan by calendar year (None: the claimant's whole amount)


def cap_shares(cap: TotalCap, item: Item, result: ItemOutcome, company: Company) -> _Share:
    """What an eligible item pays, split as the cap counts it: whole, or by the years of its units' dates
    (after the item's own yearly cap). The loader refuses a yearly cap over an item whose years are unknown."""
    subtotal = result.subtotal or Decimal(0)
    if cap.per == "claimant":
        return {None: subtotal}
    entries = getattr(company, item.collection or "") or []
    share: _Share = {}
    for index, amount in result.units:
        if amount is not None and index < len(entries):
            when = item.unit_date(entries[index])
            year = None if when is None else when.year
            share[year] = share.get(year, Decimal(0)) + amount
    own = item.spec.cap
    if own is not None and own.per == "year":
        share = {year: min(amount, own.amount) for year, amount in share.items()}
    if sum(share.values(), Decimal(0)) != subtotal:  # units that no year can be read for: cap the whole
        return {None: subtotal}
    return share


def _reason(cap: TotalCap, others: list[str], others_en: list[str], year: int | None, paid: Decimal,
            asked: Decimal) -> Reason:
    each = "年度" if cap.per == "year" else ""
    when_zh = f"{year}年度" if year is not None else ""
    when_en = f"{year}: " if year is not None else ""
    with_zh = "与" + "".join(f"“{t}”" for t in others) + "合计"
    spent = paid == 0
    zh = (f"{with_zh}单个企业{each}最高不超过{yuan(cap.amount)}元({cap.section})：{when_zh}"
          + (f"额度已由前列项目用完，本项不予计入(未封顶为{yuan(asked)}元)" if spent
             else f"本项按{yuan(paid)}元计(未封顶为{yuan(asked)}元)"))
    per_en = " a year" if cap.per == "year" else ""
    en = (f"at most {yuan(cap.amount)} yuan per claimant{per_en} together with "
          + ", ".join(f"“{t}”" for t in others_en) + f" ({cap.section}): {when_en}"
          + (f"the items listed before this one take the whole allowance (uncapped {yuan(asked)} yuan)" if spent
             else f"this item counted at {yuan(paid)} yuan (uncapped {yuan(asked)} yuan)"))
    return Reason(zh=zh, en=en, field="caps", value=yuan(asked), threshold=yuan(cap.amount))


def _reduced(result: ItemOutcome, reasons: list[Reason], paid: Decimal) -> ItemOutcome:
    if paid == 0:
        return result.with_more(lambda: reasons, status=Status.not_eligible, units=(), quantity=None,
                                subtotal=None)
    return result.with_more(lambda: reasons, subtotal=paid)


def _apply(policies: PolicySet, cap: TotalCap, out: list[ItemOutcome], position: dict[str, int],
           company: Company) -> None:
    allowance: dict[int | None, Decimal] = {}
    for name in cap.items:
        item = policies.item(name)
        at = position.get(item.id)
        if at is None or out[at].status != Status.eligible or out[at].subtotal is None:
            continue
        share = cap_shares(cap, item, out[at], company)
        reasons: list[Reason] = []
        paid_total = Decimal(0)
        others = [policies.item(n) for n in cap.items if policies.item(n).id != item.id]
        for year, asked in sorted(share.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
            left = allowance.get(year, cap.amount)
            paid = min(asked, left)
            allowance[year] = left - paid
            paid_total += paid
            if paid < asked:
                reasons.append(_reason(cap, [o.title.zh for o in others], [o.title.en for o in others], year,
                                       paid, asked))
        if reasons:
            out[at] = _reduced(out[at], reasons, paid_total)


def apply_caps(policies: PolicySet, results: list[ItemOutcome], company: Company) -> list[ItemOutcome]:
    """The outcomes with every cap over several items applied (see the module docstring)."""
    if not policies.caps:
        return results
    out = list(results)
    position = {result.id: index for index, result in enumerate(out)}
    caps: tuple[tuple[Document, TotalCap], ...] = policies.caps
    for _doc, cap in caps:
        _apply(policies, cap, out, position, company)
    return out


def rules_beyond_conditions(policies: PolicySet) -> list[str]:
    """What a backend that compiles only conditions and stated amounts (the columnar one) would get wrong in
    ``policies``: each item with its own cap, tiers or 不重复享受, and each cap over several items, named.
    Such a backend must refuse the set (or apply these) rather than over-promise."""
    out = []
    for item in policies.items:
        kinds = [name for name, present in (("cap", item.spec.cap is not None),
                                            ("tiers", item.spec.benefit.amount.tiers is not None),
                                            ("stacking", item.spec.stacking is not None)) if present]
        out += [f"{item.id}: {kind}" for kind in kinds]
    out += [f"{doc.id}: caps[{doc.caps.index(cap)}] over {', '.join(cap.items)}" for doc, cap in policies.caps]
    return out
