"""One item's result as a reader sees it, from its outcome (assess.py): title, citation, amount, units, reasons.

Reasons and missing facts are read from the decision's trace (engine/trace.py) when the result is first read
or serialised; no condition is walked again. What never changes between evaluations (title, citation, notes,
departments) is built once per item.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from typing import Any

from ipsubsidy.amounts import Payment, amount_out, units_out
from ipsubsidy.assess import Count
from ipsubsidy.construct import deferred_from
from ipsubsidy.engine.decision import ItemDecision
from ipsubsidy.engine.logic import TV
from ipsubsidy.engine.trace import ItemTrace
from ipsubsidy.explain import leaf_reason
from ipsubsidy.labels import field_label, unit_label, yuan
from ipsubsidy.outcome import ItemOutcome
from ipsubsidy.policy.model import Item
from ipsubsidy.profile import Company
from ipsubsidy.result import AlternativeOut, AmountOut, CitationOut, ItemResult, Localized, Reason, trusted
from ipsubsidy.shortfall import count_shortfall
from ipsubsidy.status import Status

__all__ = ["item_result"]


@dataclass(frozen=True)
class _Fixed:
    """What an item's result holds in every evaluation: the fields no evaluation changes (frozen models and
    text, shared), its amount while undecided (shared), and the lists each result gets its own copy of."""

    fields: dict[str, Any]   # id, document, title, benefit_class, class_reason, benefit_kind, one_time, ...
    undecided: AmountOut
    departments: tuple[str, ...]
    notes: tuple[Localized, ...]


def _fixed_parts(item: Item) -> _Fixed:
    store = item.memo
    found: _Fixed | None = store.get(_Fixed)
    if found is None:
        benefit, spec = item.spec.benefit, item.spec
        restates = None if spec.restates is None else Localized(zh=spec.restates.zh, en=spec.restates.en)
        found = store[_Fixed] = _Fixed(
            fields={"id": item.id, "document": item.document.id,
                    "title": Localized(zh=item.title.zh, en=item.title.en), "benefit_class": benefit.class_,
                    "class_reason": Localized(zh=benefit.class_reason.zh, en=benefit.class_reason.en),
                    "benefit_kind": benefit.kind.value, "one_time": benefit.one_time, "restates": restates,
                    "citation": CitationOut(document=item.document.meta.title.zh, section=spec.citation.section,
                                            sentence=item.sentence, quote=spec.citation.quote)},
            undecided=amount_out(item, None, None),
            departments=tuple(spec.departments),
            notes=tuple(Localized(zh=n.zh, en=n.en) for n in spec.notes))
    return found


def _trace(decision: ItemDecision) -> ItemTrace:
    assert decision.trace is not None, "a backend decides with a trace"
    return decision.trace


def item_result(outcome: ItemOutcome, decided: ItemDecision, company: Company, as_of: dt.date,
                explain: bool = True) -> ItemResult:
    """The item's result: amount and units now; ``reasons`` and ``missing`` when first read (``explain=False``
    leaves ``reasons`` empty, for a caller that reads only statuses and totals). ``decided`` is the backend's
    decision of the item, read when the outcome holds none of its own (a shared outcome, assess.py).

    The parts that never change (title, citation, notes...) are built once per item and shared (frozen); the
    lists are the result's own, so a caller changing one result changes no other."""
    item = outcome.item
    fixed = _fixed_parts(item)
    count = outcome._count
    fields = fixed.fields.copy()  # then what this evaluation decided: the first reading orders them all
    fields["status"] = outcome.status
    fields["amount"] = fixed.undecided if outcome.quantity is None else amount_out(item, outcome.quantity,
                                                                                    outcome.subtotal)
    alternative = None
    if item.spec.benefit.alternative is not None:
        qualifying = len(count.qualifying) if count is not None else 0
        alternative = _alternative(item, outcome.assessed, qualifying if outcome._truth is True else None)
    fields["alternative"] = alternative
    fields["units"] = units_out(item, company, outcome.units) if outcome.units else []
    fields["departments"] = list(fixed.departments)
    fields["notes"] = list(fixed.notes)
    decision = decided if outcome._decision is None else outcome._decision
    return deferred_from(ItemResult, partial(_explained, outcome, decision, company, as_of, explain), fields)


def _explained(outcome: ItemOutcome, decision: ItemDecision, company: Company, as_of: dt.date,
               explain: bool) -> dict[str, Any]:
    """The fill of an item's result: its reasons and missing facts, and the reasons later rules added."""
    why = _explanations(outcome.item, outcome.applies, decision, outcome._count, outcome._late_facts,
                        outcome._late, company, as_of, outcome._truth, outcome.assessed, outcome._payment, explain)
    if explain and outcome._more:
        why["reasons"] = [*why["reasons"], *(reason for more in outcome._more for reason in more())]
    return why


def _explanations(item: Item, applies: TV, decision: ItemDecision, count: Count | None,
                  late_facts: list[tuple[str, dt.date]], late: list[int], company: Company, as_of: dt.date,
                  truth: TV, status: Status, payment: Payment, explain: bool) -> dict[str, Any]:
    """The item's ``reasons`` (empty when ``explain`` is False) and ``missing``, read from the decision's trace
    (``decision`` as counted: the units dated after ``as_of``, ``late``, set False)."""
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
        reasons_u, missing_u = _unit_explanations(item, company, decision, count, explain)
        missing += missing_u
        if explain:
            reasons += reasons_u
            reasons += _late_reasons(item, company, late, as_of)
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


def _late_reasons(item: Item, company: Company, late: list[int], as_of: dt.date) -> list[Reason]:
    """One reason for each unit not counted because it is dated after ``as_of`` (as for every unit not counted)."""
    if not late:
        return []
    entries = getattr(company, item.collection or "")
    counts = item.spec.counts
    assert counts is not None and counts.date is not None and item.unit_model is not None
    out = []
    for i in late:
        value = getattr(entries[i], counts.date)
        label_zh = field_label(item.unit_model, counts.date, "zh")
        label_en = field_label(item.unit_model, counts.date, "en")
        out.append(trusted(Reason, zh=f"{unit_label(entries[i], i)}：{label_zh} {value} 晚于评估日 {as_of}，不计入",
                          en=f"{unit_label(entries[i], i)}: {label_en} {value} is after the evaluation date {as_of}",
                          field=f"{item.collection}[{i}].{counts.date}", value=str(value), threshold=str(as_of)))
    return out


def _alternative(item: Item, status: Status, qualifying: int | None) -> AlternativeOut:
    """The other reading the text allows, with what it would pay; shown, never totalled (built once per item,
    status and count: frozen)."""
    alt = item.spec.benefit.alternative
    assert alt is not None
    eligible = status == Status.eligible
    store = item.memo
    key = ("alternative", eligible, qualifying)
    found: AlternativeOut | None = store.get(key)
    if found is None:
        per_unit = alt.per_unit if alt.per_unit is not None else item.stated_amount
        assert per_unit is not None  # the loader requires an amount for an alternative reading
        quantity = None if qualifying is None else qualifying // alt.every
        subtotal = yuan(per_unit * quantity) if eligible and quantity is not None else None
        found = trusted(AlternativeOut, zh=alt.reading.zh, en=alt.reading.en, per_unit=yuan(per_unit),
                        quantity=quantity, subtotal=subtotal)
        if len(store) < 512:  # the counts one item meets are few; a registry of odd ones is not kept
            store[key] = found
    return found


def _unit_explanations(item: Item, company: Company, decision: ItemDecision, count: Count,
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


