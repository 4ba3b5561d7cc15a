"""What a rule backend is (``Backend``) and how one is chosen (``make_backend``)."""

from __future__ import annotations

from typing import Literal, Protocol

from ipsubsidy.engine.decision import ItemDecision
from ipsubsidy.errors import BackendUnavailableError
from ipsubsidy.policy.model import Item, PolicySet
from ipsubsidy.profile import Company

__all__ = ["Backend", "BackendName", "make_backend"]

BackendName = Literal["auto", "python", "durable-rules"]


class Backend(Protocol):
    """Decides items for a profile: a truth per item and per counted unit, with the trace behind them
    (``trace=False``: a backend may leave the trace out, for a caller that explains nothing)."""

    name: str

    def decide(self, company: Company, items: list[Item], trace: bool = True) -> dict[str, ItemDecision]: ...

    def close(self) -> None: ...


def make_backend(policies: PolicySet, name: BackendName = "auto") -> Backend:
    """The named backend for a policy set; ``auto`` is durable-rules where it imports, else Python."""
    from ipsubsidy.engine import durable
    from ipsubsidy.engine.python import PythonBackend

    if name == "python" or (name == "auto" and not durable.available()):
        return PythonBackend(policies)
    if name in ("durable-rules", "auto"):
        return durable.DurableBackend(policies)
    raise BackendUnavailableError(f"unknown backend {name!r}; one of auto, python, durable-rules")
