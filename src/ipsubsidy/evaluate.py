"""evaluate(company, as_of): every applicable item with its status, amount, units, citation and reasons.

An item applies when its document's city is the profile's and the profile's entity type is among its
beneficiaries; an unknown city or type keeps the item, as needs_info. A backend decides each condition
(True / False / unknown) with its trace; ``assess`` turns decisions into outcomes (status, quantity, subtotal)
the same way for every backend (its docstring has the table); then 不重复享受 (``stacking``) and caps over
several items (``caps``) apply to the outcomes, ``assemble`` renders each as an ``ItemResult`` and, for 小微,
the results of both sizes are merged (``size_readings``). ``Evaluator.outcome`` stops before the rendering.

A document opens on the day it is issued, even where the window for the facts starts earlier; a unit or
fact dated after ``as_of`` never counts (it has not happened yet at ``as_of``).
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import threading
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ipsubsidy.assemble import item_result
from ipsubsidy.assess import assess
from ipsubsidy.caps import apply_caps
from ipsubsidy.construct import deferred
from ipsubsidy.engine.backend import Backend, BackendName, make_backend
from ipsubsidy.engine.decision import ItemDecision
from ipsubsidy.engine.logic import TV, all3
from ipsubsidy.errors import ArgumentError
from ipsubsidy.labels import unit_label, yuan
from ipsubsidy.outcome import ItemOutcome, Outcome
from ipsubsidy.places import KNOWN_CITIES
from ipsubsidy.policy.loader import load_policies, shipped_policies
from ipsubsidy.policy.model import Item, PolicySet
from ipsubsidy.profile import Company, parse_profile
from ipsubsidy.questions import ask
from ipsubsidy.result import ItemResult, Localized, Result
from ipsubsidy.size_readings import merge_readings, size_readings
from ipsubsidy.stacking import stacking_plan
from ipsubsidy.status import BenefitClass, Status
from ipsubsidy.traced import traced

__all__ = ["Backend", "BackendName", "Evaluator", "evaluate", "evaluation_date", "make_backend"]


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

    def evaluate(self, company: Company | dict[str, Any], as_of: dt.date | str | None = None, *,
                 trace: bool = False, explain: bool = True) -> Result:
        """The result for one profile; with ``trace=True`` a TracedResult, which adds every item's trace.

        ``explain=False`` is for a caller that reads only statuses, amounts and totals: it leaves every
        item's ``reasons`` and the ``questions`` empty and pays for neither (everything else is the same)."""
        _enter()
        try:
            return self._evaluate(company, as_of, trace, explain)
        finally:
            _leave()

    def outcome(self, company: Company | dict[str, Any], as_of: dt.date | str | None = None) -> Outcome:
        """Statuses, quantities, exact subtotals and the total for one profile, with no text (outcome.py): what
        ``evaluate`` decides, before it writes titles, units, reasons and questions."""
        _enter()
        try:
            profile = parse_profile(company)
            if size_readings(profile) is not None:  # 小微: the merge is made on the results
                return _outcome_of(self._evaluate(profile, as_of, False, False))
            when = evaluation_date(as_of)
            _policies, _backend, _applicable, _decisions, outcomes = self._assessed(profile, when, False)
            return _gathered(when, outcomes)
        finally:
            _leave()

    def _assessed(self, profile: Company, when: dt.date, trace: bool) -> tuple[
            PolicySet, Backend, list[tuple[Item, TV]], dict[str, ItemDecision], list[ItemOutcome]]:
        """Every applicable item decided and assessed, after 不重复享受 and the caps over several items."""
        policies, backend = self._state  # one snapshot for the whole evaluation
        applicable, items = _applicable(policies, profile)
        decisions = backend.decide(profile, items, trace)
        outcomes = [assess(item, applies, decisions[item.id], profile, when) for item, applies in applicable]
        outcomes = _stacked(policies, applicable, decisions, outcomes, profile, when)
        outcomes = apply_caps(policies, outcomes, profile)  # 合计最高不超过 over several items
        return policies, backend, applicable, decisions, outcomes

    def _evaluate(self, company: Company | dict[str, Any], as_of: dt.date | str | None,
                  trace: bool = False, explain: bool = True) -> Result:
        profile = parse_profile(company)
        if (sizes := size_readings(profile)) is not None:  # 小微: each exact size, merged without guessing
            return merge_readings([self._evaluate(profile.model_copy(update={"size": s}), as_of, trace, explain)
                                   for s in sizes], sizes)
        when = evaluation_date(as_of)
        policies, backend, applicable, decisions, outcomes = self._assessed(profile, when, True)
        gathered = _gathered(when, outcomes)
        claimable = [item_result(o, decisions[o.id], profile, when, explain) for o in gathered.items]
        other = [item_result(o, decisions[o.id], profile, when, explain) for o in gathered.other]
        asked = list(claimable)  # as evaluated, whatever a caller later does to ``items``

        def questions() -> dict[str, Any]:
            return {"questions": ask(policies, profile, decisions, asked, when) if explain else []}

        result = deferred(
            Result, questions, as_of=when, backend=backend.name, policies=policies.fingerprint,
            notices=_notices(policies, profile, when), items=claimable, other=other, total=yuan(gathered.total),
            not_stated=list(gathered.not_stated))
        return traced(result, applicable, decisions) if trace else result


_CLAIMABLE, _ELIGIBLE = BenefitClass.claimable, Status.eligible  # read off the Enum class once (~0.2 µs each)


def _gathered(when: dt.date, outcomes: list[ItemOutcome]) -> Outcome:
    claimable: list[ItemOutcome] = []
    other: list[ItemOutcome] = []
    not_stated: list[str] = []
    total = Decimal(0)
    for o in outcomes:
        if o.benefit_class is not _CLAIMABLE:
            other.append(o)
            continue
        claimable.append(o)
        if o.subtotal is not None:
            total += o.subtotal
        if o.status is _ELIGIBLE and o.item.spec.benefit.amount.not_stated is not None:
            not_stated.append(o.id)
    return Outcome(as_of=when, items=tuple(claimable), other=tuple(other), total=total,
                   not_stated=tuple(not_stated))


def _outcome_of(result: Result) -> Outcome:
    """The outcome a (merged) result shows."""
    def one(entry: ItemResult) -> ItemOutcome:
        out = ItemOutcome.__new__(ItemOutcome)
        out.id, out.status, out.benefit_class = entry.id, entry.status, entry.benefit_class
        out.quantity = entry.amount.quantity
        out.subtotal = None if entry.amount.subtotal is None else Decimal(entry.amount.subtotal)
        out.units = tuple((u.index, None if u.amount is None else Decimal(u.amount)) for u in entry.units)
        return out
    return Outcome(as_of=result.as_of, items=tuple(map(one, result.items)), other=tuple(map(one, result.other)),
                   total=Decimal(result.total), not_stated=tuple(result.not_stated))


def _stacked(policies: PolicySet, applicable: Sequence[tuple[Item, TV]], decisions: dict[str, ItemDecision],
             outcomes: list[ItemOutcome], company: Company, as_of: dt.date) -> list[ItemOutcome]:
    """Outcomes after the 不重复享受 rules: an item that yields units is re-assessed without them; one that
    yields its claim is not eligible, saying to which item it went."""
    if not policies.stacks:
        return outcomes
    plan = stacking_plan(policies, [item for item, _ in applicable], {o.id: o for o in outcomes})
    if not plan:
        return outcomes
    out = []
    for (item, applies), outcome in zip(applicable, outcomes, strict=True):
        give = plan.get(item.id)
        if give is None:
            out.append(outcome)
            continue
        shown = [index for index, _ in outcome.units]
        decision = decisions[item.id]
        if give.units:
            units = tuple(False if i in give.units else v for i, v in enumerate(decision.units))
            outcome = assess(item, applies, decision.replace(units=units), company, as_of)
        update: dict[str, Any] = {}
        if give.claim is not None:
            update = {"status": Status.not_eligible, "units": (), "quantity": None, "subtotal": None}

        def more(give: Any = give, shown: list[int] = shown, item: Item = item) -> list[Any]:
            entries = getattr(company, item.collection or "") or []
            return give.reasons({i: unit_label(entries[i], i) for i in shown})  # type: ignore[no-any-return]
        out.append(outcome.with_more(more, **update))
    return out


def _notices(policies: PolicySet, company: Company, as_of: dt.date) -> list[Localized]:
    """What to say before any item: the city has no encoded document, or none of its documents is open (the
    same for every profile of the city on the day: kept per set)."""
    if company.city is None:
        return []
    store: dict[tuple[str, dt.date], tuple[Localized, ...]] | None = policies.memo.get("notices")
    if store is None:
        store = policies.memo.setdefault("notices", {})
    key = (company.city, as_of)
    found = store.get(key)
    if found is None:
        if len(store) > 4096:  # many cities and dates: start again rather than grow
            store.clear()
        found = store[key] = tuple(_city_notices(policies, company.city, as_of))
    return list(found)


def _city_notices(policies: PolicySet, city: str, as_of: dt.date) -> list[Localized]:
    documents = [doc for doc in policies.documents if doc.city == city]
    known = KNOWN_CITIES.get(city)
    name = known.zh if known is not None else city
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


def _applicable(policies: PolicySet, company: Company) -> tuple[list[tuple[Item, TV]], list[Item]]:
    """The items that may apply to ``company`` with the truth of their place and beneficiary test, and the
    items alone; the same for every profile of the same city, district and entity type (kept per set)."""
    store: dict[tuple[Any, ...], tuple[list[tuple[Item, TV]], list[Item]]] | None = policies.memo.get("applicable")
    if store is None:
        store = policies.memo.setdefault("applicable", {})
    key = (company.city, company.district, company.entity_type)
    found = store.get(key)
    if found is None:
        applicable: list[tuple[Item, TV]] = [(item, tv) for item in policies.items_in(company.city)
                                             if (tv := _applies(item, company)) is not False]
        if len(store) > 4096:  # a registry of many places: start again rather than grow
            store.clear()
        found = store[key] = (applicable, [item for item, _ in applicable])
    return found


def _applies(item: Item, company: Company) -> TV:
    city = None if company.city is None else company.city == item.document.city
    kind = None if company.entity_type is None else company.entity_type in item.spec.beneficiaries
    district = item.document.meta.district
    place: TV = True if district is None else None if company.district is None else company.district == district
    return all3([city, place, kind])


_default: Evaluator | None = None
_default_lock = threading.Lock()


# Evaluations in flight, counted under a plain lock (its with-statement runs no Python code); the condition on
# the same lock is waited on and notified only while the interpreter exits (``_closing``).
_flight_lock = threading.Lock()
_gate = threading.Condition(_flight_lock)
_in_flight = 0
_closing = False


def _fresh_locks_after_fork() -> None:
    global _default_lock, _flight_lock, _gate, _in_flight
    _default_lock = threading.Lock()  # a thread of the parent may have held them: the child has no such thread
    _flight_lock = threading.Lock()
    _gate = threading.Condition(_flight_lock)
    _in_flight = 0


def _enter() -> None:
    global _in_flight
    with _flight_lock:
        while _closing:  # the interpreter is exiting: a (daemon) thread parks here, outside any C or Rust code
            _gate.wait()
        _in_flight += 1


def _leave() -> None:
    global _in_flight
    with _flight_lock:
        _in_flight -= 1
        if _closing:
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
             policies: PolicySet | None = None, backend: BackendName | None = None, trace: bool = False,
             explain: bool = True) -> Result:
    """Evaluate one profile against the shipped policies (or ``policies``) as of a date (default today).

    ``company`` may be a Company or plain data (a dict read from JSON or YAML); bad data raises
    ProfileError naming each field. With ``backend`` or ``policies`` a fresh Evaluator is built; for many
    evaluations build one Evaluator and reuse it. ``trace=True`` returns a TracedResult (traced.py): the
    same result with every item's comparisons, values and outcomes; ``explain=False`` leaves reasons and
    questions empty, for a caller that reads only statuses and totals.
    """
    if policies is None and backend is None:
        return _default_evaluator().evaluate(company, as_of, trace=trace, explain=explain)
    evaluator = Evaluator(policies, backend or "auto")
    try:
        return evaluator.evaluate(company, as_of, trace=trace, explain=explain)
    finally:
        evaluator.close()

