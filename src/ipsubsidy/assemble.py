"""One item's result from its decision and trace: status, amount, units, citation, reasons and missing facts.

    condition false                             → not_eligible  (the failed comparison: value and threshold)
    otherwise, as_of before the document opens  → not_yet_in_force
    otherwise, as_of after the last claim day   → expired       (no question is asked about it)
    condition unknown                           → needs_info    (with the missing field paths)
    condition true                              → by the item's benefit class: eligible (claimable only:
                                                  amount per unit × qualifying units), candidate,
                                                  service_available, encouraged or policy_pending

Reasons and missing facts are read from the decision's trace (engine/trace.py); no condition is walked again.
What never changes between evaluations (title, citation, notes, departments) is built once per item.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, replace
from typing import Any

from ipsubsidy.amounts import Payment, pay
from ipsubsidy.construct import deferred, filled, fresh_copy
from ipsubsidy.engine.decision import ItemDecision
from ipsubsidy.engine.logic import TV, all3
from ipsubsidy.engine.trace import ItemTrace
from ipsubsidy.explain import leaf_reason
from ipsubsidy.labels import field_label, unit_label, yuan
from ipsubsidy.policy.conditions import leaves
from ipsubsidy.policy.model import Item
from ipsubsidy.profile import Company
from ipsubsidy.result import AlternativeOut, CitationOut, ItemResult, Localized, Reason, trusted
from ipsubsidy.shortfall import count_shortfall
from ipsubsidy.status import HOLDS, Status

__all__ = ["item_result"]


@dataclass(frozen=True)
class _Count:
    truth: TV
    qualifying: list[int]
    pending: list[int]


def _count(item: Item, company: Company, decision: ItemDecision) -> _Count:
    counts = item.spec.counts
    assert counts is not None and item.collection is not None
    entries = getattr(company, item.collection)
    yes = [i for i, v in enumerate(decision.units) if v is True]
    maybe = [i for i, v in enumerate(decision.units) if v is None]
    if len(yes) >= counts.at_least:
        return _Count(True, yes, maybe)
    if entries is None:
        return _Count(None, yes, maybe)
    if counts.per_year and counts.date and item.window_start and item.window_end:
        seen = {getattr(e, counts.date): decision.units[i] for i, e in enumerate(entries)}
        years = range(item.window_start.year, item.window_end.year + 1)
        decided = all(seen.get(year) is False for year in years)
        return _Count(False if decided else None, yes, maybe)
    return _Count(False if len(yes) + len(maybe) < counts.at_least else None, yes, maybe)


@dataclass(frozen=True)
class _Fixed:
    """The parts of an item's result that are the same in every evaluation."""

    title: Localized
    class_reason: Localized
    restates: Localized | None
    citation: CitationOut
    departments: tuple[str, ...]
    notes: list[Localized]
    dated_facts: tuple[str, ...]   # the profile fields the condition tests, for the not-after-as_of check
    constant: bool                 # no fact decides it but city and type: the result depends on nothing else


_fixed: dict[int, tuple[Item, _Fixed]] = {}
_fixed_lock = threading.Lock()


def _fixed_parts(item: Item) -> _Fixed:
    found = _fixed.get(id(item))
    if found is not None and found[0] is item:
        return found[1]
    benefit = item.spec.benefit
    parts = _Fixed(
        title=Localized(zh=item.title.zh, en=item.title.en),
        class_reason=Localized(zh=benefit.class_reason.zh, en=benefit.class_reason.en),
        restates=None if item.spec.restates is None else Localized(zh=item.spec.restates.zh,
                                                                   en=item.spec.restates.en),
        citation=CitationOut(document=item.document.meta.title.zh, section=item.spec.citation.section,
                             sentence=item.sentence, quote=item.spec.citation.quote),
        departments=tuple(item.spec.departments),
        notes=[Localized(zh=n.zh, en=n.en) for n in item.spec.notes],
        dated_facts=tuple(dict.fromkeys(name for leaf in leaves(item.qualifies) for name in leaf.facts)),
        constant=item.collection is None and not any(True for _ in leaves(item.qualifies))
        and benefit.amount.tiers is None)
    with _fixed_lock:  # the item is kept with its parts, so its id cannot be reused while cached
        if len(_fixed) > 20_000:  # policy sets reloaded many times: drop the old ones' entries
            _fixed.clear()
        _fixed[id(item)] = (item, parts)
    return parts


def _trace(decision: ItemDecision) -> ItemTrace:
    assert decision.trace is not None, "a backend decides with a trace"
    return decision.trace


_constant: dict[tuple[Any, ...], tuple[Item, ItemResult]] = {}


def item_result(item: Item, applies: TV, decision: ItemDecision, company: Company, as_of: dt.date,
                explain: bool = True) -> ItemResult:
    """The item's result; ``explain=False`` leaves ``reasons`` empty (statuses, amounts and missing facts are
    the same), for a caller that reads only statuses and totals.

    An item no fact decides but city and entity type (a service, an encouragement...) has the same result
    for every profile with the same of those: it is built once per (applies, unknown ones, as_of) and copied
    (its lists fresh, so a caller changing one result changes no other)."""
    fixed = _fixed_parts(item)
    if not fixed.constant:
        return _item_result(item, fixed, applies, decision, company, as_of, explain)
    key = (id(item), applies, decision.profile, company.city is None, company.district is None,
           company.entity_type is None, as_of, explain)
    found = _constant.get(key)
    if found is None or found[0] is not item:
        if len(_constant) > 4096:  # many evaluation dates: start again rather than grow
            _constant.clear()
        # built whole: a pending fill would keep this profile alive in the cache
        found = _constant[key] = (item, filled(_item_result(item, fixed, applies, decision, company, as_of, explain)))
    return fresh_copy(found[1])


def _item_result(item: Item, fixed: _Fixed, applies: TV, decision: ItemDecision, company: Company,
                 as_of: dt.date, explain: bool) -> ItemResult:
    """Status, amount and units now; reasons and missing facts when first read (``_explanations``)."""
    profile_truth = decision.profile
    late_facts = _late_facts(fixed, company, as_of) if profile_truth is True else []
    if late_facts:
        profile_truth = False
    truth_parts: list[TV] = [applies, profile_truth]
    counted, count, late = decision, None, list[int]()
    if item.collection is not None:
        counted, late = _not_after(item, company, decision, as_of)
        count = _count(item, company, counted)
        truth_parts.append(count.truth)
    qualifying = [] if count is None else count.qualifying
    truth = all3(truth_parts)
    status = _status(item, truth, as_of)
    payment = pay(item, company, qualifying if truth is True else None, status == Status.eligible)
    benefit = item.spec.benefit

    def explanations() -> dict[str, Any]:
        return _explanations(item, applies, decision, counted, count, late_facts, late, company, as_of, truth,
                             status, payment, explain)

    return deferred(ItemResult, explanations,
        id=item.id, document=item.document.id, title=fixed.title, status=status, benefit_class=benefit.class_,
        class_reason=fixed.class_reason, benefit_kind=benefit.kind.value, one_time=benefit.one_time,
        amount=payment.amount, alternative=_alternative(item, status, len(qualifying) if truth is True else None),
        restates=fixed.restates, units=payment.units, citation=fixed.citation,
        departments=list(fixed.departments), notes=list(fixed.notes))


def _explanations(item: Item, applies: TV, decision: ItemDecision, counted: ItemDecision, count: _Count | None,
                  late_facts: list[tuple[str, dt.date]], late: list[int], company: Company, as_of: dt.date,
                  truth: TV, status: Status, payment: Payment, explain: bool) -> dict[str, Any]:
    """The item's ``reasons`` (empty when ``explain`` is False) and ``missing``, read from the decision's trace:
    ``decision`` as the backend made it, ``counted`` without the units dated after ``as_of`` (``late``)."""
    reasons: list[Reason] = []
    missing: list[str] = []
    if applies is None:
        places = ("city", "district") if item.document.meta.district else ("city",)
        missing += [name for name in (*places, "entity_type") if getattr(company, name) is None]
    if explain:
        reasons += [trusted(
            Reason, zh=f"{field_label(Company, name, 'zh')} {value} 晚于评估日 {as_of}，评估日尚未发生",
            en=f"{field_label(Company, name, 'en')} {value} is after the evaluation date {as_of}",
            field=name, value=str(value), threshold=str(as_of)) for name, value in late_facts]
    if decision.profile is not True:
        trace = _trace(decision).profile()
        if explain:
            reasons += [leaf_reason(t, Company, obj=company) for t in trace if t.outcome is False]
        missing += [m for t in trace if t.outcome is None for m in t.missing]
    if count is not None:
        reasons_u, missing_u = _unit_explanations(item, company, counted, count, explain)
        missing += missing_u
        if explain:
            reasons += reasons_u
            reasons += _late_reasons(item, company, late, as_of, count.truth)
    if status in (Status.expired, Status.not_yet_in_force) and explain:
        bound = item.claim_until if status == Status.expired else item.opens
        word = ("已于{}截止", "closed on {}") if status == Status.expired else ("自{}起施行", "opens on {}")
        facts = ("条件符合", "the facts qualify") if truth is True else ("条件尚未确定", "the facts are not settled")
        reasons.append(trusted(Reason, zh=f"{facts[0]}，但政策{word[0].format(bound)}(评估日{as_of})",
                              en=f"{facts[1]}, but the policy {word[1].format(bound)} (as of {as_of})"))
    if status == Status.expired:
        missing = []  # nothing is worth asking about a closed document
    if explain:
        reasons += payment.reasons
    if status != Status.expired:
        missing += payment.missing
    return {"reasons": reasons, "missing": list(dict.fromkeys(missing))}


def _status(item: Item, truth: TV, as_of: dt.date) -> Status:
    if truth is False:
        return Status.not_eligible
    if as_of < item.opens:
        return Status.not_yet_in_force
    until = item.claim_until
    if until is not None and as_of > until:
        return Status.expired
    if truth is None:
        return Status.needs_info
    return HOLDS[item.benefit_class]


def _late_facts(fixed: _Fixed, company: Company, as_of: dt.date) -> list[tuple[str, dt.date]]:
    """Profile dates the item's condition tests that lie after ``as_of``: they have not happened yet."""
    out = []
    for name in fixed.dated_facts:
        value = getattr(company, name, None)
        if isinstance(value, dt.date) and value > as_of:
            out.append((name, value))
    return out


def _not_after(item: Item, company: Company, decision: ItemDecision,
               as_of: dt.date) -> tuple[ItemDecision, list[int]]:
    """The decision with every unit dated after ``as_of`` not counted, and those units' positions."""
    entries = getattr(company, item.collection or "") or []
    late = [i for i, entry in enumerate(entries)
            if i < len(decision.units) and decision.units[i] is not False
            and (when := item.unit_date(entry)) is not None and when > as_of]
    if not late:
        return decision, []
    units = tuple(False if i in late else v for i, v in enumerate(decision.units))
    return replace(decision, units=units), late


def _late_reasons(item: Item, company: Company, late: list[int], as_of: dt.date, holds: TV) -> list[Reason]:
    if not late:
        return []
    entries = getattr(company, item.collection or "")
    counts = item.spec.counts
    assert counts is not None and counts.date is not None and item.unit_model is not None
    out = []
    for i in late[:1] if holds is True else late:
        value = getattr(entries[i], counts.date)
        label_zh = field_label(item.unit_model, counts.date, "zh")
        label_en = field_label(item.unit_model, counts.date, "en")
        out.append(trusted(Reason, zh=f"{unit_label(entries[i], i)}：{label_zh} {value} 晚于评估日 {as_of}，不计入",
                          en=f"{unit_label(entries[i], i)}: {label_en} {value} is after the evaluation date {as_of}",
                          field=f"{item.collection}[{i}].{counts.date}", value=str(value), threshold=str(as_of)))
    return out


def _alternative(item: Item, status: Status, qualifying: int | None) -> AlternativeOut | None:
    """The other reading the text allows, with what it would pay; shown, never totalled."""
    alt = item.spec.benefit.alternative
    if alt is None:
        return None
    per_unit = alt.per_unit if alt.per_unit is not None else item.stated_amount
    assert per_unit is not None  # the loader requires an amount for an alternative reading
    quantity = None if qualifying is None else qualifying // alt.every
    subtotal = yuan(per_unit * quantity) if status == Status.eligible and quantity is not None else None
    return trusted(AlternativeOut, zh=alt.reading.zh, en=alt.reading.en, per_unit=yuan(per_unit), quantity=quantity,
                          subtotal=subtotal)


def _unit_explanations(item: Item, company: Company, decision: ItemDecision, count: _Count,
                       explain: bool = True) -> tuple[list[Reason], list[str]]:
    collection = item.collection
    assert collection is not None and item.unit_model is not None
    entries = getattr(company, collection)
    if entries is None:
        return [], [collection]
    reasons: list[Reason] = []
    missing: list[str] = []
    for i, entry in enumerate(entries):
        if decision.units[i] is True:
            continue
        trace = _trace(decision).unit(i)
        path = f"{collection}[{i}]."
        if decision.units[i] is None:
            missing += [f"{path}{m}" for t in trace if t.outcome is None for m in t.missing]
        elif explain:
            prefix = f"{unit_label(entry, i)}："
            failed = [t for t in trace if t.outcome is False]
            if count.truth is True:  # the item holds: one reason says why this unit was not counted
                failed = failed[:1]
            reasons += [leaf_reason(t, item.unit_model, prefix, path, entry) for t in failed]
    spec = item.spec.counts
    if spec is not None and spec.per_year and spec.date and item.window_start and item.window_end:
        years = {getattr(e, spec.date) for e in entries}
        for year in range(item.window_start.year, item.window_end.year + 1):
            if year not in years and count.truth is None:
                missing.append(f"{collection}[{spec.date}={year}]")
    if count.truth is False and not reasons and explain:
        zh = f"没有符合条件的{collection}" if not entries else "符合条件的数量不足"
        reasons.append(trusted(Reason, zh=zh, en=f"no qualifying {collection}" if not entries else
                              f"fewer than {spec.at_least if spec else 1} qualifying {collection}",
                              field=collection,
                              shortfall=count_shortfall(collection, field_label(Company, collection, "zh"),
                                                        field_label(Company, collection, "en"),
                                                        len(count.qualifying), spec.at_least if spec else 1)))
    return reasons, missing


