"""Explanations built on first read: a result whose reasons and questions are deferred holds, serialises, compares,
copies and pickles exactly as one built eagerly, builds them once, and a caller reading only statuses and totals
never builds them."""

from __future__ import annotations

import copy
import importlib
import pickle
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from ipsubsidy import Evaluator, assemble, shipped_policies
from ipsubsidy.construct import Deferred, deferred, pending, trusted
from ipsubsidy.result import Reason, Result

ROOT = Path(__file__).resolve().parents[1]
PROFILE = yaml.safe_load((ROOT / "examples" / "jinzhong-patents.yaml").read_text(encoding="utf-8"))


class _Box(Deferred):
    deferred_fields = ("late",)
    early: int
    late: list[int]
    after: str = "z"


def _counting(value: list[int]) -> tuple[Any, list[int]]:
    calls: list[int] = []

    def fill() -> dict[str, Any]:
        calls.append(1)
        return {"late": list(value)}

    return fill, calls


def test_fill_runs_once_on_first_read_and_keeps_field_order() -> None:
    fill, calls = _counting([1, 2])
    box = deferred(_Box, fill, early=0)
    assert box.early == 0 and calls == []  # an eager field is read without filling
    assert pending(box) is fill
    assert box.late == [1, 2] and calls == [1]
    assert box.late == [1, 2] and calls == [1]
    assert pending(box) is None
    assert list(box.__dict__) == ["early", "late", "after"]
    assert box.model_dump_json() == _Box(early=0, late=[1, 2]).model_dump_json()


@pytest.mark.parametrize("read", [
    lambda b: b.model_dump_json(),
    lambda b: b.model_dump(),
    lambda b: b == _Box(early=0, late=[1, 2]),
    lambda b: copy.copy(b).late,
    lambda b: pickle.loads(pickle.dumps(b)).late,
    lambda b: repr(b),
    lambda b: b.model_copy(update={"early": 5}).late,
])
def test_every_way_of_reading_the_model_fills_it(read: Any) -> None:
    fill, calls = _counting([1, 2])
    box = deferred(_Box, fill, early=0)
    read(box)
    assert calls == [1]
    assert box == _Box(early=0, late=[1, 2])


def test_a_model_holding_a_deferred_one_serialises_it_filled() -> None:
    class Holder(BaseModel):
        box: _Box

    fill, _ = _counting([3])
    holder = Holder(box=deferred(_Box, fill, early=1))
    assert holder.model_dump_json() == '{"box":{"early":1,"late":[3],"after":"z"}}'


def test_threads_reading_at_once_fill_it_once() -> None:
    gate = threading.Barrier(8)
    calls: list[int] = []

    def fill() -> dict[str, Any]:
        calls.append(1)
        return {"late": [7]}

    box = deferred(_Box, fill, early=0)
    seen: list[list[int]] = []

    def read() -> None:
        gate.wait()
        seen.append(box.late)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and seen == [[7]] * 8


def test_evaluate_builds_no_explanation_until_one_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    evaluate_module = importlib.import_module("ipsubsidy.evaluate")  # the package's ``evaluate`` is the function
    explain, ask = assemble._explanations, evaluate_module.ask

    def counted_explain(*args: Any) -> Any:
        built.append("item")
        return explain(*args)

    def counted_ask(*args: Any) -> Any:
        built.append("questions")
        return ask(*args)

    monkeypatch.setattr(assemble, "_explanations", counted_explain)
    monkeypatch.setattr(evaluate_module, "ask", counted_ask)
    evaluator = Evaluator(shipped_policies(), "python")
    result = evaluator.evaluate(PROFILE, "2022-06-30")
    statuses = {item.id: item.status for item in result.all_items()}
    amounts = {item.id: (item.amount.subtotal, item.units, item.title.zh) for item in result.all_items()}
    assert result.total == "35000" and statuses and amounts and built == []  # no explanation built yet
    assert result.questions  # the questions read the items' missing facts
    assert built.count("questions") == 1 and 0 < built.count("item") <= len(result.items)
    result.model_dump_json()
    assert built.count("item") == len(result.all_items())  # each item's once, on first read


def test_a_deferred_result_equals_its_validated_copy() -> None:
    result = Evaluator(shipped_policies(), "python").evaluate(PROFILE, "2022-06-30")
    again = Result.model_validate_json(result.model_dump_json())
    assert again == result and pending(again) is None


def test_results_of_one_item_share_no_list() -> None:
    evaluator = Evaluator(shipped_policies(), "python")
    first, second = (evaluator.evaluate(PROFILE, "2022-06-30") for _ in range(2))
    constant = [item.id for item in first.other if not item.units and not item.missing]
    assert constant  # the services and encouragements of the Jinzhong document
    a, b = first.item(constant[0]), second.item(constant[0])
    a.notes.append(a.notes[0] if a.notes else a.title)
    a.reasons.append(trusted(Reason, zh="x", en="x"))
    assert a.notes != b.notes and a.reasons != b.reasons
