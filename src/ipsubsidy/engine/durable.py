"""The durable-rules backend: condition trees compiled to Rete rulesets, built once per policy set.

Driven as docs/engine.md (and the measured notes on durable-rules) require: the C module directly, no
``Host`` and no Python callbacks; facts, never events; one fact per unit so a per-unit rule fires once
per unit; deterministic fact ids; a sentinel fact with an always-firing rule so no session is deleted
without an action (which crashes the process); results read from the action payloads and de-duplicated
(``$or`` fires twice when both branches hold); the session emptied after every evaluation (its facts
retracted; deleted instead after a failure); and each ruleset evaluated under its own lock (the C code never
releases the GIL, so a lock costs nothing).
The rulesets: one over every item, used when the profile's city is unknown, and one per city.

Three-valued logic in a two-valued matcher: every condition compiles twice, to the pattern that proves
it true and the pattern that proves it false, each requiring the facts it reads to be present (values
the library left out because they are unknown). A unit or profile that fires neither is unknown.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import weakref
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from ipsubsidy.engine.compiled import tracer
from ipsubsidy.engine.decision import ItemDecision
from ipsubsidy.engine.facts import FactEncoder, ratio_field
from ipsubsidy.engine.logic import TV
from ipsubsidy.engine.trace import DeferredTrace, RecordedTrace
from ipsubsidy.errors import BackendUnavailableError, UnknownItemError, suggest
from ipsubsidy.policy.conditions import NEGATED, All, Any_, Compare, Condition, Not
from ipsubsidy.policy.model import Item, PolicySet
from ipsubsidy.profile import Company

__all__ = ["DurableBackend", "available", "compile_ruleset"]

try:  # durable-rules 2.0.28 does not import on Python 3.13+ (PyEval_CallObject is gone)
    import durable_rules_engine as _dre
except ImportError as _exc:  # pragma: no cover - depends on the interpreter
    _dre = None
    _IMPORT_ERROR: str = str(_exc)
else:
    _IMPORT_ERROR = ""

_TRUE: dict[str, Any] = {"$true": True}
_FALSE: dict[str, Any] = {"$false": True}
_names = itertools.count(1)
_OPS = {"ge": "$gte", "gt": "$gt", "le": "$lte", "lt": "$lt", "ne": "$neq"}


def available() -> bool:
    return _dre is not None


def _and(parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    kept: list[dict[str, Any]] = []
    for part in parts:
        if part is _FALSE:
            return _FALSE
        if part is not _TRUE:
            kept.append(part)
    if not kept:
        return _TRUE
    return kept[0] if len(kept) == 1 else {"$and": kept}


def _or(parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    kept: list[dict[str, Any]] = []
    for part in parts:
        if part is _TRUE:
            return _TRUE
        if part is not _FALSE:
            kept.append(part)
    if not kept:
        return _FALSE
    return kept[0] if len(kept) == 1 else {"$or": kept}


def _leaf(leaf: Compare, positive: bool, enc: FactEncoder) -> dict[str, Any]:
    op = leaf.op if positive else NEGATED[leaf.op]
    if leaf.ratio_to is not None:
        name = ratio_field(leaf.fact, leaf.ratio_to)
        ppm = int(leaf.value * 1_000_000)
        # floor(x·10⁶) ≥ n ⇔ x ≥ n/10⁶ and floor < n ⇔ x < n/10⁶; ceil decides gt and le.
        bound = f"{name}_lo" if op in ("ge", "lt") else f"{name}_hi"
        test = {_OPS[op]: {bound: ppm}}
        if positive:  # an undefined ratio (zero denominator) makes every ratio test false
            return {"$and": [{f"{name}_ok": 1}, test]}
        return {"$or": [{f"{name}_ok": 0}, {"$and": [{f"{name}_ok": 1}, test]}]}
    field = f"{leaf.fact}__n" if leaf.count else leaf.fact
    present = {"$ex": {field: 1}}
    if op in ("in", "not_in"):
        values = [enc.value(v) for v in leaf.value]
        if op == "in":
            return _or({field: v} for v in values)
        return _and([present, *({"$neq": {field: v}} for v in values)])
    value = leaf.value if leaf.count else enc.value(leaf.value)
    if op == "eq":
        return {field: value}
    return {"$and": [present, {_OPS[op]: {field: value}}]}


def compile_condition(cond: Condition, positive: bool, enc: FactEncoder) -> dict[str, Any]:
    """The durable-rules pattern proving ``cond`` true (positive) or false; _TRUE/_FALSE for constants."""
    if isinstance(cond, Compare):
        return _leaf(cond, positive, enc)
    if isinstance(cond, Not):
        return compile_condition(cond.child, not positive, enc)
    parts = [compile_condition(child, positive, enc) for child in cond.children]
    conjunctive = isinstance(cond, All) == positive
    assert isinstance(cond, All | Any_)
    return _and(parts) if conjunctive else _or(parts)


def compile_ruleset(items: Sequence[Item], enc: FactEncoder) -> tuple[dict[str, Any], dict[str, Any]]:
    """(ruleset definition, constants): rule ``i{n}_{p|u}{T|F}`` for item n; constants for trivial trees."""
    rules: dict[str, Any] = {"sentinel": {"all": [{"m": {"t": "sentinel"}}]}}
    constants: dict[str, Any] = {}
    for n, item in enumerate(items):
        targets = [("p", "company", item.qualifies)]
        if item.collection is not None:
            targets.append(("u", item.collection, item.unit_condition))
        for scope, kind, cond in targets:
            for positive in (True, False):
                pattern = compile_condition(cond, positive, enc)
                key = f"i{n}_{scope}{'T' if positive else 'F'}"
                if pattern is _TRUE or pattern is _FALSE:
                    constants[key] = pattern is _TRUE
                else:
                    rules[key] = {"all": [{"m": {"$and": [{"t": kind}, pattern]}}]}
    return rules, constants


_live: weakref.WeakSet[_Ruleset] = weakref.WeakSet()


def _reset_after_fork() -> None:
    for ruleset in list(_live):
        ruleset._after_fork()


os.register_at_fork(after_in_child=_reset_after_fork)


_HEAD = '":{"m":{"id":"'
_HEAD_LENGTH = len(_HEAD)
#: the facts' JSON: compact, "id" first as each fact dict is built, built once (json.dumps makes an encoder per call)
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _fired(message: str, fired: dict[str, set[str]]) -> None:
    """Adds to ``fired`` (fact id → rules) the rule and fact id of one action message:
    ``{"RULE":{"m":{"id":"ID",...}}}``, the fact as we posted it.

    The message carries the fact's own JSON text, which this module wrote with ``"id"`` first and compact
    separators, so rule and id are read by position; any other shape is parsed as JSON."""
    end = message.find('"', 2)
    if message.startswith(_HEAD, end) and message.startswith('{"') and message.count('{"m":') == 1:
        start = end + _HEAD_LENGTH
        pairs: Iterable[tuple[str, str]] = ((message[2:end], message[start:message.index('"', start)]),)
    else:
        pairs = [(rule, bound["m"]["id"]) for rule, bound in json.loads(message).items()]
    for rule, fact_id in pairs:
        rules = fired.get(fact_id)
        if rules is None:
            fired[fact_id] = {rule}
        else:
            rules.add(rule)


_NONE_FIRED: frozenset[str] = frozenset()


def _truth(true: str, false: str, constant: TV, rules: AbstractSet[str]) -> TV:
    """The truth of a condition on one fact: its constant, or which of its two rules fired on the fact."""
    if constant is not None:
        return constant
    if true in rules:
        return True
    return False if false in rules else None


class _Ruleset:
    """One compiled ruleset over some items, with its own lock, fixed session id and fact encoder."""

    _SID = "1"

    def __init__(self, items: Sequence[Item], name: str) -> None:
        assert _dre is not None
        self.items = tuple(items)
        self.name = name
        self.encoder = FactEncoder(self.items)
        definition, self._constants = compile_ruleset(self.items, self.encoder)
        self._index = {item.id: n for n, item in enumerate(self.items)}
        # per item, computed once: its rule names, which of them are constants, its collection and tracers
        self._plan = {item.id: self._item_plan(n, item) for n, item in enumerate(self.items)}
        self._lock = threading.Lock()
        self._acted = False  # whether an action has fired in the session (kept between evaluations)
        self._definition = json.dumps(definition, ensure_ascii=False)
        self._handle: int | None = _dre.create_ruleset(name, self._definition)
        _live.add(self)

    def _after_fork(self) -> None:
        """In a forked child: a fresh lock; if a parent thread was mid-evaluation, a fresh ruleset too (the
        inherited one may hold that thread's half-asserted session, and the thread does not exist here)."""
        held = self._lock.locked()
        self._lock = threading.Lock()
        if held and self._handle is not None and _dre is not None:
            self.name = f"{self.name}.fork{os.getpid()}"
            self._handle = _dre.create_ruleset(self.name, self._definition)
            self._acted = False

    def _item_plan(self, n: int, item: Item) -> tuple[Any, ...]:
        def keys(scope: str) -> tuple[str, str, TV]:
            """The rule proving the condition true, the one proving it false, and its value if constant."""
            true, false = f"i{n}_{scope}T", f"i{n}_{scope}F"
            constant = True if self._constants.get(true) else False if self._constants.get(false) else None
            return true, false, constant
        profile = keys("p")
        # an item whose condition compares no fact has one decision for every profile with no unit to decide
        settled = None if item.tested_facts else ItemDecision(profile[2], (), RecordedTrace(()))
        return (item.id, settled, *profile, *keys("u"), item.collection,
                (tracer(item.qualifies), tracer(item.unit_condition)))

    def _fire(self, facts: list[dict[str, Any]]) -> dict[str, set[str]]:
        """Assert the facts, run every action and return the rules fired on each fact id, leaving the session
        empty for the next evaluation: its facts are retracted (no rule negates, so retracting starts no
        action). The session itself is kept: making one zeroes ~0.5 MB, which was a third of the matcher's
        time when each evaluation deleted its session. Should anything fail part-way, it is deleted."""
        assert _dre is not None and self._handle is not None
        fired: dict[str, set[str]] = {}
        handle = self._handle
        text = _ENCODE(facts)
        done = False
        try:
            result = _dre.assert_facts(handle, text)
            state = result[1] if isinstance(result, tuple) else result
            action = _dre.start_action_for_state(handle, state)
            message = action[1] if action else None
            self._acted = self._acted or bool(message)
            while message:
                _fired(message, fired)
                message = _dre.complete_and_start_action(handle, state)
            _dre.retract_facts(handle, text)
            done = True
        finally:
            if not done:
                self._discard(text)
        return fired

    def _discard(self, text: str) -> None:
        """After a failure part-way: retract what may have been asserted (retracting a fact never asserted
        does nothing), then delete the session, if an action ever fired in it (deleting a session in which
        none did crashes durable-rules); the next evaluation starts a new one."""
        assert _dre is not None and self._handle is not None
        try:
            _dre.retract_facts(self._handle, text)
        finally:
            if self._acted:
                self._acted = False
                _dre.delete_state(self._handle, self._SID)

    def decide(self, company: Company, items: list[Item], trace: bool = True) -> dict[str, ItemDecision] | None:
        """The items' decisions, or None when this ruleset does not hold every one of them."""
        facts, ids = self.encoder.facts(company, self._SID)
        with self._lock:
            if self._handle is None:
                raise BackendUnavailableError("this backend was closed")
            fired = self._fire(facts)
        out: dict[str, ItemDecision] = {}
        on_company = fired.get(ids["company"][0], _NONE_FIRED)
        plan = self._plan
        for item in items:
            found = plan.get(item.id)
            if found is None:  # an item of another ruleset (the session is already empty)
                return None
            item_id, settled, p_true, p_false, p_constant, u_true, u_false, u_constant, collection, tracers = found
            entries = None if collection is None else getattr(company, collection)
            if settled is not None and not entries:
                out[item_id] = settled
                continue
            profile = _truth(p_true, p_false, p_constant, on_company)
            if not entries:
                out[item_id] = ItemDecision(profile, (), DeferredTrace(company, tracers, ()) if trace else None)
                continue
            units = tuple([_truth(u_true, u_false, u_constant, fired.get(i, _NONE_FIRED)) for i in ids[collection]])
            out[item_id] = ItemDecision(profile, units, DeferredTrace(company, tracers, entries) if trace else None)
        return out

    def close(self) -> None:
        with self._lock:
            if self._handle is not None and _dre is not None:
                _dre.delete_ruleset(self._handle)
                self._handle = None

    def __del__(self) -> None:
        # No lock here: nothing else can hold a reference being finalised. Works on half-built objects too.
        handle = self.__dict__.get("_handle")
        if handle is not None and _dre is not None:
            self._handle = None
            # No contextlib.suppress: at interpreter shutdown module globals may already be gone.
            try:  # noqa: SIM105
                _dre.delete_ruleset(handle)
            except Exception:
                pass


class DurableBackend:
    """The policy set compiled to durable-rules: one ruleset for every item (used when the profile's city
    is unknown) and one per city, so a profile's facts only meet the rules of items that can apply to it."""

    name = "durable-rules"

    def __init__(self, policies: PolicySet) -> None:
        if _dre is None:
            raise BackendUnavailableError(
                f"durable-rules cannot be imported here ({_IMPORT_ERROR}); use backend='python'")
        self.policies = policies
        # Names no host application will use: its own rulesets live in the same C registry.
        prefix = f"ipsubsidy.{os.getpid()}.{next(_names)}.{policies.fingerprint}"
        self._all = _Ruleset(policies.items, prefix)
        cities = dict.fromkeys(doc.city for doc in policies.documents)
        self._by_city = {city: _Ruleset(policies.items_in(city), f"{prefix}.{city}") for city in cities}

    @property
    def ruleset_name(self) -> str:
        """The name of the ruleset over every item (the per-city ones add ``.<city>``)."""
        return self._all.name

    def decide(self, company: Company, items: list[Item], trace: bool = True) -> dict[str, ItemDecision]:
        """Decide ``items`` (any of the set's) for a company: on its city's ruleset when that holds them all.
        The matcher reports truths only; the trace is computed from the profile on first reading, and not
        offered at all with ``trace=False``."""
        ruleset = self._by_city.get(company.city) if company.city is not None else None
        out = None if ruleset is None else ruleset.decide(company, items, trace)
        if out is None:
            out = self._all.decide(company, items, trace)
        if out is None:  # an item of another policy set
            unknown = next(item.id for item in items if item.id not in self._all._index)
            raise UnknownItemError(unknown, suggest(unknown, self._all._index))
        return out

    def close(self) -> None:
        for ruleset in (self._all, *self._by_city.values()):
            ruleset.close()
