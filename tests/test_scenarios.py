"""The scenario runner: every case of ``tests/scenarios/*.yaml`` on every backend.

A scenario file (one per policy document) lists cases: a profile, an evaluation date and what to expect
of some items. Only the keys a case lists are checked. A file that does not match the format (an unknown
key, a float amount, a duplicate YAML key, an item id no policy defines) fails loudly as its own test
case; it never passes silently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError, field_validator

import ipsubsidy
from ipsubsidy import BenefitClass, Evaluator, ItemResult, PolicySet, Result, Status
from ipsubsidy.engine import durable
from ipsubsidy.result import HOLDS

SCENARIOS = Path(__file__).parent / "scenarios"
BACKENDS = [
    pytest.param("python", id="python"),
    pytest.param("durable-rules", id="durable-rules", marks=pytest.mark.durable),
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
    """Every item a case names exists in its document (an alias is accepted)."""
    document = policies.document(scenario.document)  # UnknownItemError for an unknown document
    ids = {item.id for item in document.items}
    for case in scenario.cases:
        for name in [*case.expect.items, *case.expect.absent]:
            if policies.item(name).id not in ids:  # UnknownItemError with a suggestion for a typo
                raise ValueError(f"{case.name}: {name!r} is not an item of {scenario.document}")


# --- collection ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Loaded:
    file: str
    case: Case | None = None
    error: str | None = None


def _collect() -> list[Any]:
    params: list[Any] = []
    for path in sorted(SCENARIOS.glob("*.yaml")):
        try:
            scenario = parse_scenario_file(path)
        except ValueError as exc:  # one failing case stands for the whole file
            params.append(pytest.param(Loaded(path.name, error=str(exc)), id=f"{path.stem}: MALFORMED"))
            continue
        params += [pytest.param(Loaded(path.name, case), id=f"{path.stem}: {case.name}") for case in scenario.cases]
    return params


CASES = _collect()


@pytest.fixture(scope="module")
def policies() -> PolicySet:
    return ipsubsidy.load_policies()


@pytest.fixture(scope="module", params=BACKENDS)
def evaluator(request: pytest.FixtureRequest, policies: PolicySet) -> Any:
    if request.param == "durable-rules" and not durable.available():
        pytest.skip(f"durable-rules cannot be imported on this Python ({durable._IMPORT_ERROR})")
    built = Evaluator(policies, backend=request.param)
    assert built.backend == request.param
    yield built
    built.close()


# --- checking --------------------------------------------------------------------------------------------------

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


@pytest.mark.parametrize("loaded", CASES)
def test_scenario(loaded: Loaded, evaluator: Evaluator, policies: PolicySet) -> None:
    if loaded.error is not None:
        pytest.fail(loaded.error, pytrace=False)
    assert loaded.case is not None
    result = evaluator.evaluate(loaded.case.profile, loaded.case.as_of)
    problems = check_case(loaded.case, result, policies)
    assert not problems, f"{loaded.file} / {loaded.case.name}:\n  " + "\n  ".join(problems)


# --- the files themselves ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_scenario_file_names_real_items(path: Path, policies: PolicySet) -> None:
    check_ids(parse_scenario_file(path), policies)


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_item_holds_in_some_case(path: Path, policies: PolicySet) -> None:
    """Every item is shown holding in some case: eligible for a claimable item, candidate for a selection..."""
    scenario = parse_scenario_file(path)
    shown = {policies.item(item_id).id for case in scenario.cases
             for item_id, want in case.expect.items.items()
             if want.status is not None and want.status == HOLDS[policies.item(item_id).benefit_class]}
    never = sorted(item.id for item in policies.document(scenario.document).items if item.id not in shown)
    assert not never, f"{path.name}: no case shows these items holding (eligible, candidate, ...): {never}"


def test_scenarios_exist() -> None:
    assert any(SCENARIOS.glob("*.yaml")), "no scenario files: the runner would pass on nothing"


# --- the runner fails loudly -----------------------------------------------------------------------------------

GOOD = """\
document: {doc}
cases:
  - name: a case
    as_of: 2021-01-01
    profile: {{city: 晋中}}
    expect:
      items:
        jinzhong-2020.madrid: {{status: needs_info}}
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("status: needs_info", "status: needs_info, statsu: eligible"), "statsu"),
        (("    expect:", "    expected: {}\n    expect:"), "expected"),
        (("status: needs_info", "subtotal: 5000.0"), "subtotal"),
        (("status: needs_info", "status: maybe"), "status"),
        (("status: needs_info", "status: needs_info, status: eligible"), "duplicate key"),
        (("  - name: a case\n", "  - name: a case\n    as_of: 2022-01-01\n"), "duplicate key"),
        (("document: jinzhong-2020", "document: jinzhong-2021"), "does not match the file name"),
    ],
    ids=["unknown item key", "unknown case key", "float money", "bad status", "duplicate key",
         "duplicate case key", "document mismatch"],
)
def test_malformed_scenario_files_are_refused(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = tmp_path / "jinzhong-2020.yaml"
    path.write_text(GOOD.format(doc="jinzhong-2020"), encoding="utf-8")
    parse_scenario_file(path)  # the unchanged file is fine
    path.write_text(GOOD.format(doc="jinzhong-2020").replace(*change), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        parse_scenario_file(path)


def test_an_unknown_item_id_is_refused(tmp_path: Path, policies: PolicySet) -> None:
    path = tmp_path / "jinzhong-2020.yaml"
    path.write_text(GOOD.format(doc="jinzhong-2020").replace("jinzhong-2020.madrid", "jinzhong-2020.madird"),
                    encoding="utf-8")
    with pytest.raises(ipsubsidy.UnknownItemError, match=r"did you mean 'jinzhong-2020\.madrid'"):
        check_ids(parse_scenario_file(path), policies)


def test_the_checker_reports_differences(policies: PolicySet) -> None:
    """The checker itself can fail: a wrong expectation on every key is reported, key by key."""
    case = Case.model_validate({
        "name": "wrong on purpose", "as_of": "2021-06-30",
        "profile": {"city": "晋中", "entity_type": "enterprise", "patents": []},
        "expect": {"total": "1", "absent": ["jinzhong-2020.madrid"], "items": {
            "jinzhong-2020.invention-patent-domestic": {
                "status": "eligible", "quantity": 1, "subtotal": "5000", "per_unit": "1", "section": "三(二)4",
                "missing": ["patents"], "units": ["x"], "reasons_contain": "no such text"},
            "jinzhong-2020.ip-education-school": {"status": "eligible"}}},
    })
    result = ipsubsidy.evaluate(case.profile, case.as_of, policies=policies, backend="python")
    problems = check_case(case, result, policies)
    for key in ("total", "absent", ".status", ".quantity", ".subtotal", ".per_unit", ".section", ".missing",
                ".units", ".reasons", "ip-education-school: expected in the result"):
        assert any(key in line for line in problems), (key, problems)
