"""evaluate(company, as_of): every applicable item with its status, amount, units, citation and reasons.

An item applies when its document's city is the profile's and the profile's entity type is among its
beneficiaries; an unknown city or type keeps the item, as needs_info. A backend decides each condition
(True / False / unknown); this module turns decisions into statuses the same way for every backend:

    condition false                             → not_eligible  (the failed comparison: value and threshold)
    otherwise, as_of before the document opens  → not_yet_in_force
    otherwise, as_of after the last claim day   → expired       (no question is asked about it)
    condition unknown                           → needs_info    (with the missing field paths)
    condition true                              → by the item's benefit class: eligible (claimable only:
                                                  amount per unit × qualifying units), candidate,
                                                  service_available, encouraged or policy_pending

A document opens on the day it is issued, even where the window for the facts starts earlier; a unit or
fact dated after ``as_of`` never counts (it has not happened yet at ``as_of``).
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Literal, Protocol

from ipsubsidy.amounts import pay
from ipsubsidy.caps import apply_caps
from ipsubsidy.engine.logic import TV, ItemDecision, all3
from ipsubsidy.engine.python import LeafTrace, PythonBackend, trace_condition
from ipsubsidy.errors import ArgumentError, BackendUnavailableError
from ipsubsidy.explain import field_label, leaf_reason, unit_label
from ipsubsidy.places import KNOWN_CITIES
from ipsubsidy.policy.conditions import leaves
from ipsubsidy.policy.loader import load_policies, shipped_policies
from ipsubsidy.policy.model import Item, PolicySet
from ipsubsidy.profile import Company, parse_profile
from ipsubsidy.questions import ask
from ipsubsidy.result import (
    HOLDS,
    AlternativeOut,
    BenefitClass,
    CitationOut,
    ItemResult,
    Localized,
    Reason,
    Result,
    Status,
    yuan,
)
from ipsubsidy.shortfall import count_shortfall
from ipsubsidy.size_readings import merge_readings, size_readings
from ipsubsidy.stacking import stacking_plan

__all__ = ["Backend", "BackendName", "Evaluator", "evaluate", "evaluation_date"]

BackendName = Literal["auto", "python", "durable-rules"]


class Backend(Protocol):
    name: str

    def decide(self, company: Company, items: list[Item]) -> dict[str, ItemDecision]: ...

    def close(self) -> None: ...


def make_backend(policies: PolicySet, name: BackendName = "auto") -> Backend:
    """The named backend for a policy set; ``auto`` is durable-rules where it imports, else Python."""
    from ipsubsidy.engine import durable

    if name == "python" or (name == "auto" and not durable.available()):
        return PythonBackend(policies)
    if name in ("durable-rules", "auto"):
        return durable.DurableBackend(policies)
    raise BackendUnavailableError(f"unknown backend {name!r}; one of auto, python, durable-rules")


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


class Evaluator:
    """Policies loaded and compiled once; ``evaluate`` is cheap and thread-safe.

    ``reload`` builds the new backend first and swaps it in whole: an evaluation runs entirely on the
    rules it started with.
    """

    def __init__(self, policies: PolicySet | None = None, backend: BackendName = "auto") -> None:
        self._backend_name: BackendName = backend
        self._state = self._build(shipped_policies() if policies is None else policies)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled as its policy files and backend name (for a process pool); rebuilt on unpickling."""
        return {"files": [str(doc.file) for doc in self.policies.documents], "backend": self._backend_name}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._backend_name = state["backend"]
        self._state = self._build(load_policies(state["files"]))

    def _build(self, policies: PolicySet) -> tuple[PolicySet, Backend]:
        return policies, make_backend(policies, self._backend_name)

    @property
    def policies(self) -> PolicySet:
        return self._state[0]

    @property
    def backend(self) -> str:
        return self._state[1].name

    def reload(self, policies: PolicySet) -> None:
        # Build first, then swap one reference. Evaluations in flight keep the old backend alive; it releases
        # its ruleset when the last of them drops it (DurableBackend.__del__), never under their feet.
        self._state = self._build(policies)

    def close(self) -> None:
        self._state[1].close()

    def __enter__(self) -> Evaluator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def evaluate(self, company: Company | dict[str, Any], as_of: dt.date | str | None = None) -> Result:
        _enter()
        try:
            return self._evaluate(company, as_of)
        finally:
            _leave()

    def _evaluate(self, company: Company | dict[str, Any], as_of: dt.date | str | None) -> Result:
        profile = parse_profile(company)
        if (sizes := size_readings(profile)) is not None:  # 小微: each exact size, merged without guessing
            return merge_readings([self._evaluate(profile.model_copy(update={"size": s}), as_of) for s in sizes], sizes)
        when = evaluation_date(as_of)
        policies, backend = self._state  # one snapshot for the whole evaluation
        candidates = policies.items_in(profile.city)
        applicable = [(item, tv) for item in candidates if (tv := _applies(item, profile)) is not False]
        decisions = backend.decide(profile, [item for item, _ in applicable])
        results = [_item_result(item, applies, decisions[item.id], profile, when) for item, applies in applicable]
        results = _stacked(policies, applicable, decisions, results, profile, when)
        results = apply_caps(policies, results, profile)  # 合计最高不超过 over several items
        claimable = [r for r in results if r.benefit_class == BenefitClass.claimable]
        questions = ask(policies, profile, decisions, claimable, when)
        total = sum((Decimal(i.amount.subtotal) for i in claimable if i.amount.subtotal is not None), Decimal(0))
        return Result(
            as_of=when, backend=backend.name, policies=policies.fingerprint,
            notices=_notices(policies, profile, when), items=claimable,
            other=[r for r in results if r.benefit_class != BenefitClass.claimable], total=yuan(total),
            not_stated=[i.id for i in claimable if i.status == Status.eligible and i.amount.not_stated is not None],
            questions=questions)


def _stacked(policies: PolicySet, applicable: Sequence[tuple[Item, TV]], decisions: dict[str, ItemDecision],
             results: list[ItemResult], company: Company, as_of: dt.date) -> list[ItemResult]:
    """Results after the 不重复享受 rules: an item that yields units is re-derived without them; one that
    yields its claim is not eligible, saying to which item it went."""
    if not any(item.spec.stacking for item, _ in applicable):
        return results
    plan = stacking_plan(policies, [item for item, _ in applicable], {r.id: r for r in results})
    if not plan:
        return results
    out = []
    for (item, applies), result in zip(applicable, results, strict=True):
        give = plan.get(item.id)
        if give is None:
            out.append(result)
            continue
        labels = {u.index: u.label for u in result.units}
        decision = decisions[item.id]
        if give.units:
            units = tuple(False if i in give.units else v for i, v in enumerate(decision.units))
            result = _item_result(item, applies, replace(decision, units=units), company, as_of)
        if give.claim is not None:
            result = result.model_copy(update={
                "status": Status.not_eligible, "units": [],
                "amount": result.amount.model_copy(update={"quantity": None, "subtotal": None})})
        out.append(result.model_copy(update={"reasons": [*result.reasons, *give.reasons(labels)]}))
    return out


def _notices(policies: PolicySet, company: Company, as_of: dt.date) -> list[Localized]:
    """What to say before any item: the city has no encoded document, or none of its documents is open."""
    if company.city is None:
        return []
    documents = [doc for doc in policies.documents if doc.city == company.city]
    known = KNOWN_CITIES.get(company.city)
    name = known.zh if known is not None else company.city
    if not documents:
        return [Localized(zh=f"尚未收录{name}的知识产权政策文件。",
                          en=f"No encoded policy document covers {name}.")]
    # an item restating national law outlives its document: it does not keep the document open
    if any(item.open_at(as_of) and item.spec.restates is None for doc in documents for item in doc.items):
        return []
    out = []
    for doc in documents:
        period = doc.meta.period
        opens = max(period.start, doc.meta.date)
        if as_of < opens:
            out.append(Localized(zh=f"{name}的《{doc.meta.title.zh}》自{opens}起施行(评估日{as_of})。",
                                 en=f"{name}'s “{doc.meta.title.en}” opens on {opens} (as of {as_of})."))
        else:
            out.append(Localized(zh=f"{name}的《{doc.meta.title.zh}》已于{period.end}截止(评估日{as_of})。",
                                 en=f"{name}'s “{doc.meta.title.en}” closed on {period.end} (as of {as_of})."))
    return out


def _applies(item: Item, company: Company) -> TV:
    city = None if company.city is None else company.city == item.document.city
    kind = None if company.entity_type is None else company.entity_type in item.spec.beneficiaries
    district = item.document.meta.district
    place: TV = True if district is None else None if company.district is None else company.district == district
    return all3([city, place, kind])


def _item_result(item: Item, applies: TV, decision: ItemDecision, company: Company, as_of: dt.date) -> ItemResult:
    reasons: list[Reason] = []
    missing: list[str] = []
    if applies is None:
        places = ("city", "district") if item.document.meta.district else ("city",)
        missing += [name for name in (*places, "entity_type") if getattr(company, name) is None]
    profile_truth = decision.profile
    if profile_truth is True:
        for name, value in _late_facts(item, company, as_of):
            profile_truth = False
            reasons.append(Reason(
                zh=f"{field_label(Company, name, 'zh')} {value} 晚于评估日 {as_of}，评估日尚未发生",
                en=f"{field_label(Company, name, 'en')} {value} is after the evaluation date {as_of}",
                field=name, value=str(value), threshold=str(as_of)))
    truth_parts: list[TV] = [applies, profile_truth]
    if decision.profile is not True:
        trace: list[LeafTrace] = []
        trace_condition(item.qualifies, company, trace)
        reasons += [leaf_reason(t, Company, obj=company) for t in trace if t.outcome is False]
        missing += [m for t in trace if t.outcome is None for m in t.missing]
    qualifying: list[int] = []
    late: list[int] = []
    if item.collection is not None:
        decision, late = _not_after(item, company, decision, as_of)
        count = _count(item, company, decision)
        truth_parts.append(count.truth)
        qualifying = count.qualifying
        reasons_u, missing_u = _unit_explanations(item, company, decision, count)
        reasons += reasons_u
        missing += missing_u
        reasons += _late_reasons(item, company, late, as_of, count.truth)
    truth = all3(truth_parts)
    status = _status(item, truth, as_of)
    if status in (Status.expired, Status.not_yet_in_force):
        bound = item.claim_until if status == Status.expired else item.opens
        word = ("已于{}截止", "closed on {}") if status == Status.expired else ("自{}起施行", "opens on {}")
        facts = ("条件符合", "the facts qualify") if truth is True else ("条件尚未确定", "the facts are not settled")
        reasons.append(Reason(zh=f"{facts[0]}，但政策{word[0].format(bound)}(评估日{as_of})",
                              en=f"{facts[1]}, but the policy {word[1].format(bound)} (as of {as_of})"))
        if status == Status.expired:
            missing = []  # nothing is worth asking about a closed document
    payment = pay(item, company, qualifying if truth is True else None, status == Status.eligible)
    reasons += payment.reasons
    if status != Status.expired:
        missing += payment.missing
    benefit = item.spec.benefit
    return ItemResult(
        id=item.id, document=item.document.id, title=Localized(zh=item.title.zh, en=item.title.en),
        status=status, benefit_class=benefit.class_,
        class_reason=Localized(zh=benefit.class_reason.zh, en=benefit.class_reason.en),
        benefit_kind=benefit.kind.value, one_time=benefit.one_time,
        amount=payment.amount,
        alternative=_alternative(item, status, len(qualifying) if truth is True else None),
        restates=None if item.spec.restates is None else Localized(zh=item.spec.restates.zh,
                                                                   en=item.spec.restates.en),
        units=payment.units,
        citation=CitationOut(document=item.document.meta.title.zh, section=item.spec.citation.section,
                             sentence=item.sentence,
                             quote=item.spec.citation.quote),
        departments=list(item.spec.departments), reasons=reasons,
        missing=list(dict.fromkeys(missing)),
        notes=[Localized(zh=n.zh, en=n.en) for n in item.spec.notes])


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


def _late_facts(item: Item, company: Company, as_of: dt.date) -> list[tuple[str, dt.date]]:
    """Profile dates the item's condition tests that lie after ``as_of``: they have not happened yet."""
    out = []
    for leaf in leaves(item.qualifies):
        for name in leaf.facts:
            value = getattr(company, name, None)
            if isinstance(value, dt.date) and value > as_of:
                out.append((name, value))
    return list(dict.fromkeys(out))


def _unit_date(item: Item, entry: Any) -> dt.date | None:
    """The date a unit happened: its window date, or for a per-year row the year's first day."""
    counts = item.spec.counts
    if counts is None or counts.date is None:
        return None
    value = getattr(entry, counts.date, None)
    if isinstance(value, int):
        return dt.date(value, 1, 1)
    return value if isinstance(value, dt.date) else None


def _not_after(item: Item, company: Company, decision: ItemDecision,
               as_of: dt.date) -> tuple[ItemDecision, list[int]]:
    """The decision with every unit dated after ``as_of`` not counted, and those units' positions."""
    entries = getattr(company, item.collection or "") or []
    late = [i for i, entry in enumerate(entries)
            if i < len(decision.units) and decision.units[i] is not False
            and (when := _unit_date(item, entry)) is not None and when > as_of]
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
        out.append(Reason(zh=f"{unit_label(entries[i], i)}：{label_zh} {value} 晚于评估日 {as_of}，不计入",
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
    return AlternativeOut(zh=alt.reading.zh, en=alt.reading.en, per_unit=yuan(per_unit), quantity=quantity,
                          subtotal=subtotal)


def _unit_explanations(item: Item, company: Company, decision: ItemDecision,
                       count: _Count) -> tuple[list[Reason], list[str]]:
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
        trace: list[LeafTrace] = []
        trace_condition(item.unit_condition, entry, trace)
        path = f"{collection}[{i}]."
        if decision.units[i] is None:
            missing += [f"{path}{m}" for t in trace if t.outcome is None for m in t.missing]
        else:
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
    if count.truth is False and not reasons:
        zh = f"没有符合条件的{collection}" if not entries else "符合条件的数量不足"
        reasons.append(Reason(zh=zh, en=f"no qualifying {collection}" if not entries else
                              f"fewer than {spec.at_least if spec else 1} qualifying {collection}",
                              field=collection,
                              shortfall=count_shortfall(collection, field_label(Company, collection, "zh"),
                                                        field_label(Company, collection, "en"),
                                                        len(count.qualifying), spec.at_least if spec else 1)))
    return reasons, missing


_default: Evaluator | None = None
_default_lock = threading.Lock()


_gate = threading.Condition()  # counts evaluations in flight; closed at interpreter exit
_in_flight = 0
_closing = False


def _fresh_locks_after_fork() -> None:
    global _default_lock, _gate, _in_flight
    _default_lock = threading.Lock()  # a thread of the parent may have held them: the child has no such thread
    _gate = threading.Condition()
    _in_flight = 0


def _enter() -> None:
    global _in_flight
    with _gate:
        while _closing:  # the interpreter is exiting: a (daemon) thread parks here, outside any C or Rust code
            _gate.wait()
        _in_flight += 1


def _leave() -> None:
    global _in_flight
    with _gate:
        _in_flight -= 1
        _gate.notify_all()


def _close_at_exit() -> None:
    """Let evaluations in flight finish (5 s at most) and start no new one: daemon threads evaluating while the
    interpreter is torn down would otherwise be stopped inside pydantic-core or durable-rules and abort."""
    global _closing
    with _gate:
        _closing = True
        _gate.wait_for(lambda: _in_flight == 0, timeout=5)


os.register_at_fork(after_in_child=_fresh_locks_after_fork)
atexit.register(_close_at_exit)


def _default_evaluator() -> Evaluator:
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Evaluator()
    return _default


def evaluation_date(as_of: object) -> dt.date:
    """``as_of`` as a date: None means today, a date or an ISO ``YYYY-MM-DD`` string; anything else is refused."""
    if as_of is None:
        return dt.date.today()
    if isinstance(as_of, dt.datetime):
        raise ArgumentError("as_of", f"expected a date, got a datetime ({as_of.isoformat()}); pass .date()")
    if isinstance(as_of, dt.date):
        return as_of
    if isinstance(as_of, str) and len(as_of) == 10:
        try:
            return dt.date.fromisoformat(as_of)
        except ValueError:
            pass
    shown = repr(as_of) if len(repr(as_of)) <= 40 else repr(as_of)[:40] + "…"
    raise ArgumentError("as_of", f"expected a date or 'YYYY-MM-DD' (None for today), got {shown}")


def evaluate(company: Company | dict[str, Any], as_of: dt.date | str | None = None, *,
             policies: PolicySet | None = None, backend: BackendName | None = None) -> Result:
    """Evaluate one profile against the shipped policies (or ``policies``) as of a date (default today).

    ``company`` may be a Company or plain data (a dict read from JSON or YAML); bad data raises
    ProfileError naming each field. With ``backend`` or ``policies`` a fresh Evaluator is built; for many
    evaluations build one Evaluator and reuse it.
    """
    if policies is None and backend is None:
        return _default_evaluator().evaluate(company, as_of)
    evaluator = Evaluator(policies, backend or "auto")
    try:
        return evaluator.evaluate(company, as_of)
    finally:
        evaluator.close()
