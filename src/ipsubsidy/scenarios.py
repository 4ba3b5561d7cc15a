"""Scenario files: cases of a profile, an evaluation date and what to expect, run like ``openfisca test``.

A scenario file (one per policy document, in a package's ``tests/`` folder) lists cases. Only the keys a
case lists are checked. A file that does not match the format (an unknown key, a float amount, a duplicate
YAML key, an item id no policy defines) is refused with a ValueError naming the file and the problem: it never
passes silently. ``ipsubsidy test DIR`` runs every case of a package on every available backend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError, field_validator

from ipsubsidy.evaluate import Evaluator
from ipsubsidy.policy.model import PolicySet
from ipsubsidy.result import HOLDS, BenefitClass, ItemResult, Result, Status

__all__ = [
    "Case",
    "ScenarioFile",
    "ScenarioReport",
    "check_case",
    "check_ids",
    "parse_scenario_file",
    "run_scenarios",
    "scenario_files",
    "unshown_items",
]


# --- the format ------------------------------------------------------------------------------------------------

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemExpect(_Strict):
    status: Status | None = None
    quantity: StrictInt | None = None
    subtotal: StrictStr | None = None   # money as a string of yuan, never a YAML float
    per_unit: StrictStr | None = None   # null: the source states no amount
    section: StrictStr | None = None
    missing: list[StrictStr] | None = None
    units: list[StrictStr] | None = None
    reasons_contain: StrictStr | list[StrictStr] | None = None
    benefit_class: BenefitClass | None = None
    alternative_subtotal: StrictStr | None = None  # the other reading's amount, shown beside the item
    asked: bool | None = None           # whether some question names this item

    @property
    def given(self) -> set[str]:
        return self.model_fields_set


class Expect(_Strict):
    total: StrictStr | None = None
    eligible: list[StrictStr] | None = None    # exactly these items are eligible (an empty list: none)
    notices_contain: StrictStr | None = None   # a notice at the top of the result says this
    questions: StrictInt | None = None         # how many questions are asked
    items: dict[str, ItemExpect] = Field(default_factory=dict)
    absent: list[StrictStr] = Field(default_factory=list)

    @field_validator("items", mode="before")
    @classmethod
    def _items_given(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("items is empty; leave it out or list some items")
        return value


class Case(_Strict):
    name: StrictStr = Field(min_length=1)
    as_of: dt.date
    profile: dict[str, Any]
    expect: Expect


class ScenarioFile(_Strict):
    document: StrictStr
    cases: list[Case] = Field(min_length=1)


class _NoDuplicates(yaml.SafeLoader):
    """SafeLoader that refuses a repeated key: a case listing the same item twice would hide the first."""


def _mapping(loader: _NoDuplicates, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_NoDuplicates.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def parse_scenario_file(path: Path) -> ScenarioFile:
    """Read and validate one scenario file; raise ValueError naming the file and the problem."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_NoDuplicates)  # a SafeLoader
        scenario = ScenarioFile.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise ValueError(f"{path.name}: malformed scenario file: {exc}") from None
    if scenario.document != path.stem:
        raise ValueError(f"{path.name}: document {scenario.document!r} does not match the file name")
    names = [case.name for case in scenario.cases]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{path.name}: case names must be unique, repeated: {duplicates}")
    return scenario


def check_ids(scenario: ScenarioFile, policies: PolicySet) -> None:
    """The file's document is loaded, and every item a case names is an item of a loaded document (an alias
    is accepted): a package's case may check a shipped item it stacks with. UnknownItemError, with a
    suggestion, for a typo."""
    policies.document(scenario.document)
    for case in scenario.cases:
        for name in [*case.expect.items, *case.expect.absent]:
            policies.item(name)


def _find(result: Result, item_id: str, policies: PolicySet) -> ItemResult | None:
    canonical = policies.item(item_id).id
    return next((item for item in result.all_items() if item.id == canonical), None)


def check_case(case: Case, result: Result, policies: PolicySet) -> list[str]:
    """Every difference between what the case expects and the result, as readable lines."""
    problems: list[str] = []
    expect = case.expect
    if expect.total is not None and result.total != expect.total:
        problems.append(f"total: expected {expect.total}, got {result.total}")
    if expect.eligible is not None:
        want_ids = sorted(policies.item(i).id for i in expect.eligible)
        got_ids = sorted(i.id for i in result.by_status(Status.eligible))
        if want_ids != got_ids:
            problems.append(f"eligible: expected {want_ids}, got {got_ids}")
    if expect.notices_contain is not None and not any(expect.notices_contain in n.zh for n in result.notices):
        problems.append(f"notices: none contains {expect.notices_contain!r}; notices: {[n.zh for n in result.notices]}")
    if expect.questions is not None and len(result.questions) != expect.questions:
        problems.append(f"questions: expected {expect.questions}, got {[q.path for q in result.questions]}")
    for item_id in expect.absent:
        found = _find(result, item_id, policies)
        if found is not None:
            problems.append(f"{item_id}: expected absent, got status {found.status.value}")
    for item_id, want in expect.items.items():
        got = _find(result, item_id, policies)
        if got is None:
            problems.append(f"{item_id}: expected in the result, absent")
            continue
        actual: dict[str, Any] = {
            "status": got.status,
            "quantity": got.amount.quantity,
            "subtotal": got.amount.subtotal,
            "per_unit": got.amount.per_unit,
            "section": got.citation.section,
            "units": [unit.label for unit in got.units],
            "benefit_class": got.benefit_class,
            "alternative_subtotal": got.alternative.subtotal if got.alternative else None,
            "asked": any(got.id in q.items for q in result.questions),
        }
        for key in sorted(want.given - {"missing", "reasons_contain"}):
            if actual[key] != getattr(want, key):
                problems.append(f"{item_id}.{key}: expected {getattr(want, key)!r}, got {actual[key]!r}")
        if want.missing is not None:
            lacking = [path for path in want.missing if path not in got.missing]
            if lacking:
                problems.append(f"{item_id}.missing: {lacking} not among {got.missing}")
        if want.reasons_contain is not None:
            needles = [want.reasons_contain] if isinstance(want.reasons_contain, str) else want.reasons_contain
            texts = [reason.zh for reason in got.reasons]
            for needle in needles:
                if not any(needle in text for text in texts):
                    problems.append(f"{item_id}.reasons: no reason contains {needle!r}; reasons: {texts}")
    return problems


def unshown_items(scenario: ScenarioFile, policies: PolicySet) -> list[str]:
    """Items of the file's document that no case shows holding (eligible, candidate, service_available...)."""
    shown = {policies.item(item_id).id for case in scenario.cases
             for item_id, want in case.expect.items.items()
             if want.status is not None and want.status == HOLDS[policies.item(item_id).benefit_class]}
    return sorted(item.id for item in policies.document(scenario.document).items if item.id not in shown)


def scenario_files(paths: Iterable[Path | str]) -> list[Path]:
    """Scenario files named: files as given; a package folder as its ``tests/*.yaml``; a folder as its ``*.yaml``."""
    files: list[Path] = []
    for entry in (Path(p) for p in paths):
        if entry.is_dir():
            folder = entry / "tests" if (entry / "tests").is_dir() else entry
            files.extend(sorted(folder.glob("*.yaml")))
        else:
            files.append(entry)
    return files


@dataclass
class ScenarioReport:
    passed: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and self.passed > 0

    def text(self) -> str:
        lines = [f"FAIL {failure}" for failure in self.failures]
        if not self.passed and not self.failures:
            lines.append("no scenario cases found")
        lines.append(f"{self.passed} passed, {len(self.failures)} failed")
        return "\n".join(lines)


def run_scenarios(paths: Iterable[Path | str], policies: PolicySet,
                  backends: Iterable[str] = ("python",)) -> ScenarioReport:
    """Run every case of the scenario files on every backend; collect each difference, never stop early."""
    report = ScenarioReport()
    evaluators = [Evaluator(policies, backend=b) for b in backends]  # type: ignore[arg-type]
    try:
        for path in scenario_files(paths):
            try:
                scenario = parse_scenario_file(path)
                check_ids(scenario, policies)
            except (ValueError, KeyError) as exc:
                report.failures.append(f"{path.name}: {exc}")
                continue
            unshown = unshown_items(scenario, policies)
            if unshown:
                report.failures.append(f"{path.name}: no case shows these items holding: {', '.join(unshown)}")
            for case in scenario.cases:
                for evaluator in evaluators:
                    result = evaluator.evaluate(case.profile, case.as_of)
                    problems = check_case(case, result, policies)
                    if problems:
                        report.failures.append(f"{path.name} / {case.name} [{evaluator.backend}]:\n  "
                                               + "\n  ".join(problems))
                    else:
                        report.passed += 1
    finally:
        for evaluator in evaluators:
            evaluator.close()
    return report
