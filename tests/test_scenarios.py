"""The scenario runner: every case of ``tests/scenarios/*.yaml`` on every backend.

A scenario file (one per policy document) lists cases: a profile, an evaluation date and what to expect
of some items. Only the keys a case lists are checked. A file that does not match the format (an unknown
key, a float amount, a duplicate YAML key, an item id no policy defines) fails loudly as its own test
case; it never passes silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import ipsubsidy
from ipsubsidy import Evaluator, PolicySet
from ipsubsidy.engine import durable
from ipsubsidy.scenarios import Case, check_case, check_ids, parse_scenario_file, unshown_items

SCENARIOS = Path(__file__).parent / "scenarios"
BACKENDS = [
    pytest.param("python", id="python"),
    pytest.param("durable-rules", id="durable-rules", marks=pytest.mark.durable),
]


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
    never = unshown_items(parse_scenario_file(path), policies)
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
