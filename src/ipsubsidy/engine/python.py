"""The plain-Python backend: each item decided by its compiled conditions (engine/compiled.py), with the trace.

It is the reference the durable-rules backend is proved against and the fallback where durable-rules cannot be
installed: its tracers decide and record every leaf in the same pass (``decide``); with ``trace=False`` its
deciders give the same truths and record nothing (``Evaluator.outcome``).
"""

from __future__ import annotations

from ipsubsidy.engine.compiled import compile_decider, tracer
from ipsubsidy.engine.decision import ItemDecision
from ipsubsidy.engine.logic import TV
from ipsubsidy.engine.trace import LeafTrace, RecordedTrace
from ipsubsidy.policy.model import Item, PolicySet
from ipsubsidy.profile import Company

__all__ = ["PythonBackend"]


#: the untraced decisions of an item with no unit to decide, one per truth (a decision is immutable)
_BARE: dict[TV, ItemDecision] = {value: ItemDecision(value) for value in (True, False, None)}


class PythonBackend:
    """Decides every item of a policy set in plain Python, from tracers compiled once. Thread-safe."""

    name = "python"

    def __init__(self, policies: PolicySet) -> None:
        self.policies = policies
        # an item whose condition compares no fact has one decision for every profile with no unit to decide
        settled = {item.id: ItemDecision(compile_decider(item.qualifies)(None), (), RecordedTrace(()))  # type: ignore[arg-type]
                   for item in policies.items if not item.tested_facts}
        self._compiled = {item.id: (settled.get(item.id), tracer(item.qualifies), item.collection,
                                    tracer(item.unit_condition)) for item in policies.items}
        self._deciders = {item.id: (settled.get(item.id), compile_decider(item.qualifies), item.collection,
                                    compile_decider(item.unit_condition)) for item in policies.items}

    def decide(self, company: Company, items: list[Item], trace: bool = True) -> dict[str, ItemDecision]:
        """Every item's truths; with ``trace`` (the default) every leaf behind them, recorded in the same pass."""
        if not trace:
            return self._truths(company, items)
        out: dict[str, ItemDecision] = {}
        compiled = self._compiled
        for item in items:
            item_id = item.id
            settled, qualifies, collection, unit = compiled[item_id]
            entries = None if collection is None else getattr(company, collection)
            if settled is not None and not entries:
                out[item_id] = settled
                continue
            leaves: list[LeafTrace] = []
            truth = qualifies(company, leaves)
            if not entries:
                out[item_id] = ItemDecision(truth, (), RecordedTrace(tuple(leaves)))
                continue
            truths: list[TV] = []
            unit_leaves = []
            for entry in entries:
                mine: list[LeafTrace] = []
                truths.append(unit(entry, mine))
                unit_leaves.append(tuple(mine))
            out[item_id] = ItemDecision(truth, tuple(truths), RecordedTrace(tuple(leaves), unit_leaves))
        return out

    def _truths(self, company: Company, items: list[Item]) -> dict[str, ItemDecision]:
        out: dict[str, ItemDecision] = {}
        deciders = self._deciders
        for item in items:
            item_id = item.id
            settled, qualifies, collection, unit = deciders[item_id]
            entries = None if collection is None else getattr(company, collection)
            if not entries:
                out[item_id] = settled if settled is not None else _BARE[qualifies(company)]
                continue
            out[item_id] = ItemDecision(qualifies(company), tuple([unit(e) for e in entries]))
        return out

    def close(self) -> None:
        """Nothing to release."""
