"""One evaluation per client row (小微 rows are read as small and as micro by the evaluator, size_readings)."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from decimal import Decimal

from ipsubsidy.evaluate import Evaluator
from ipsubsidy.intake.build import CellError, Client, Intake
from ipsubsidy.result import Result, Status

__all__ = ["ClientResult", "Screening", "claimable_total", "screen"]


@dataclass
class ClientResult:
    """A client and its result; ``result`` None when no encoded document covers its city (``notice`` says so)."""

    client: Client
    result: Result | None
    notice: str | None = None


@dataclass
class Screening:
    as_of: dt.date
    clients: list[ClientResult] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    rows_read: dict[str, int] = field(default_factory=dict)
    rows_used: dict[str, int] = field(default_factory=dict)


def claimable_total(result: Result) -> Decimal:
    """Stated yuan of the eligible claimable items (the conservative reading)."""
    return sum((Decimal(i.amount.subtotal) for i in result.items
                if i.status == Status.eligible and i.amount.subtotal is not None), Decimal(0))


def _evaluate(evaluator: Evaluator, client: Client, as_of: dt.date) -> ClientResult:
    city = client.profile.city
    if client.city_zh is not None and (city is None or not evaluator.policies.items_in(city)):
        return ClientResult(client, None, f"{client.city_zh}: no encoded policy document covers this city")
    return ClientResult(client, evaluator.evaluate(client.profile, as_of))  # 小微 is merged by the evaluator


def screen(intake: Intake, as_of: dt.date, evaluator: Evaluator | None = None,
           progress: bool | None = None) -> Screening:
    """Evaluate every client of an intake; a progress bar on a terminal (tqdm), quiet otherwise."""
    from tqdm import tqdm

    own = evaluator is None
    ev = Evaluator() if evaluator is None else evaluator
    show = sys.stderr.isatty() if progress is None else progress
    out = Screening(as_of, errors=list(intake.errors), rows_read=dict(intake.rows_read),
                    rows_used=dict(intake.rows_used))
    try:
        for client in tqdm(intake.clients, desc="screen", unit="client", disable=not show):
            out.clients.append(_evaluate(ev, client, as_of))
    finally:
        if own:
            ev.close()
    return out


