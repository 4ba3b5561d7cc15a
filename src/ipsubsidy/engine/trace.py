"""The trace of one evaluation: every comparison with the value it saw, per item, recorded as it is decided.

    ItemTrace.profile()   the leaves of the item's ``qualifies`` condition, in tree order
    ItemTrace.unit(i)     the leaves of its unit condition on entry i of the counted list

A leaf is a ``LeafTrace``: the comparison (field path, operator, threshold), the value seen (None when
unknown), the outcome (True / False / None) and the facts that were missing. Every leaf of a tree is
recorded, with no short cut, so an explanation can name every failed comparison. The Python backend
records the trace in the pass that decides (``RecordedTrace``); the durable-rules backend decides in its
matcher, which reports only truths, so its trace is the same record computed from the profile the first
time an explanation reads it (``DeferredTrace``): the leaves are pure functions of the profile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol

from pydantic import BaseModel

from ipsubsidy.engine.logic import TV
from ipsubsidy.policy.conditions import Compare

__all__ = ["DeferredTrace", "ItemTrace", "LeafTrace", "Leaves", "RecordedTrace", "Tracer"]


class LeafTrace(NamedTuple):
    """One comparison as evaluated: the value seen (None when unknown) and its outcome."""

    leaf: Compare
    value: Any
    outcome: TV
    missing: tuple[str, ...] = ()
    zero_denominator: bool = False


Leaves = tuple[LeafTrace, ...]
#: a compiled condition that appends each leaf's trace to the list and returns the condition's truth
Tracer = Callable[[BaseModel, list[LeafTrace]], TV]


class ItemTrace(Protocol):
    def profile(self) -> Leaves: ...

    def unit(self, index: int) -> Leaves: ...


class RecordedTrace:
    """Leaves recorded while deciding."""

    __slots__ = ("_profile", "_units")

    def __init__(self, profile: Leaves, units: Sequence[Leaves] = ()) -> None:
        self._profile = profile
        self._units = units

    def profile(self) -> Leaves:
        return self._profile

    def unit(self, index: int) -> Leaves:
        return self._units[index]


class DeferredTrace:
    """Leaves computed from the profile on first reading (for a backend whose matcher reports only truths).
    ``tracers`` are the item's compiled (profile, unit) tracers; nothing is computed until a leaf is read."""

    __slots__ = ("_entries", "_profile", "_subject", "_tracers", "_units")
    _profile: Leaves                  # set on first reading
    _units: dict[int, Leaves]         # set on first reading of a unit

    def __init__(self, subject: BaseModel, tracers: tuple[Tracer, Tracer], entries: Sequence[BaseModel]) -> None:
        self._subject, self._tracers, self._entries = subject, tracers, entries

    def profile(self) -> Leaves:
        try:
            return self._profile
        except AttributeError:
            out: list[LeafTrace] = []
            self._tracers[0](self._subject, out)
            self._profile = tuple(out)
            return self._profile

    def unit(self, index: int) -> Leaves:
        try:
            units = self._units
        except AttributeError:
            units = self._units = {}
        found = units.get(index)
        if found is None:
            out: list[LeafTrace] = []
            self._tracers[1](self._entries[index], out)
            found = units[index] = tuple(out)
        return found
