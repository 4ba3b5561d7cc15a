"""The ``ipsubsidy`` command: in-process through ``cli.main`` (with capsys) and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ipsubsidy import Company, load_policies
from ipsubsidy.cli import main
from ipsubsidy.policy.source import normalise

ACCEPTANCE: dict[str, Any] = {
    "name": "晋中示例科技有限公司",
    "city": "晋中",
    "entity_type": "enterprise",
    "patents": [
        {"number": "ZL201811564288.X", "grant_date": "2021-03-02"},
        {"number": "ZL201510958772.0", "grant_date": "2021-06-15"},
        {"number": "ZL202010566088.9", "grant_date": "2021-11-30"},
        {"number": "US11000000B2", "kind": "invention", "grant_date": "2021-08-10"},
    ],
}
DOMESTIC = "jinzhong-2020.invention-patent-domestic"
FOREIGN = "jinzhong-2020.invention-patent-foreign"


@pytest.fixture
def profile_json(tmp_path: Path) -> Path:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(ACCEPTANCE, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def profile_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "profile.yaml"
    lines = ["city: 晋中市", "entity_type: enterprise", "patents:"]
    for patent in ACCEPTANCE["patents"]:
        lines.append("  - " + ", ".join(f"{k}: {v}" for k, v in patent.items()).join("{}"))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- evaluate --------------------------------------------------------------------------------------------------

def test_evaluate_json(capsys: pytest.CaptureFixture[str], profile_json: Path) -> None:
    code, out, err = run_main(capsys, "evaluate", str(profile_json), "--as-of", "2022-06-30", "--format", "json")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["as_of"] == "2022-06-30"
    assert result["total"] == "35000"
    items = {item["id"]: item for item in result["items"]}
    assert items[DOMESTIC]["status"] == "eligible"
    assert items[DOMESTIC]["amount"] == {"per_unit": "5000", "quantity": 3, "subtotal": "15000", "not_stated": None,
                                         "cap": None}
    assert items[FOREIGN]["amount"]["subtotal"] == "20000"
    assert items[DOMESTIC]["citation"]["section"] == "三(二)3"


def test_evaluate_as_of_changes_the_answer(capsys: pytest.CaptureFixture[str], profile_json: Path) -> None:
    code, out, _ = run_main(capsys, "evaluate", str(profile_json), "--as-of", "2026-11-22", "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert result["as_of"] == "2026-11-22"
    assert result["total"] == "0"
    statuses = {item["id"]: item["status"] for item in result["items"]}
    assert statuses[DOMESTIC] == statuses[FOREIGN] == "expired"


def test_evaluate_table_zh(capsys: pytest.CaptureFixture[str], profile_yaml: Path) -> None:
    code, out, err = run_main(capsys, "evaluate", str(profile_yaml), "--as-of", "2022-06-30")
    assert (code, err) == (0, "")
    assert "评估日: 2022-06-30" in out
    assert "[可申请] 国内授权发明专利一次性补助" in out
    assert "5000元 × 3 = 15000元" in out
    assert "三(二)3" in out
    lines = out.rstrip().splitlines()
    assert lines[-2] == "合计(可申请且金额明确): 35000 元"
    assert lines[-1].startswith("下一个问题 (")


def test_evaluate_table_en(capsys: pytest.CaptureFixture[str], profile_json: Path) -> None:
    code, out, _ = run_main(capsys, "evaluate", str(profile_json), "--as-of", "2022-06-30", "--lang", "en")
    assert code == 0
    assert "As of: 2022-06-30" in out
    assert "[eligible] One-time subsidy per domestic invention patent" in out
    assert "Total (eligible, stated amounts): 35000 yuan" in out
    assert "可申请" not in out


def test_evaluate_reads_standard_input(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(ACCEPTANCE)))
    code, out, _ = run_main(capsys, "evaluate", "-", "--as-of", "2022-06-30", "--format", "json")
    assert code == 0
    assert json.loads(out)["total"] == "35000"


# --- policies and schema -----------------------------------------------------------------------------------------

def test_policies_json_cites_every_item(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "policies", "--format", "json")
    assert code == 0
    documents = json.loads(out)["documents"]
    loaded = load_policies()
    assert {d["id"] for d in documents} == {d.id for d in loaded.documents}
    assert sum(len(d["items"]) for d in documents) == len(loaded.items)
    for document in documents:
        source = loaded.document(document["id"]).source
        for item in document["items"]:
            citation = item["citation"]
            assert citation["document"] == document["title"]["zh"], item["id"]
            assert citation["section"].strip(), item["id"]
            assert citation["quote"].strip(), item["id"]
            assert normalise(citation["quote"]) in source.normalised_body, item["id"]


def test_policies_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "policies")
    assert code == 0
    for item in load_policies().items:
        assert item.id in out
    assert "三(四)9" in out and "200000元" in out


def test_schema_is_a_json_schema_of_the_profile(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["type"] == "object"
    assert set(schema["properties"]) == set(Company.model_fields)
    assert schema.get("additionalProperties") is False
    patents = schema["properties"]["patents"]
    array = next(option for option in patents["anyOf"] if option.get("type") == "array")
    patent = _resolve(schema, array["items"])
    assert {"number", "kind", "grant_date"} <= set(patent["properties"])
    assert patent["required"] == ["number"]
    for ref in _refs(schema):  # every $ref resolves inside the document
        _resolve(schema, {"$ref": ref})


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return ([node["$ref"]] if "$ref" in node else []) + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref is None:
        return node
    assert ref.startswith("#/"), ref
    target: Any = schema
    for part in ref[2:].split("/"):
        target = target[part]
    assert isinstance(target, dict)
    return target


# --- bad input -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("profile", "field"),
    [
        ({"city": "晋中", "patents": [{"number": "ZL201811564288.1"}]}, "patents[0].number"),
        ({"city": "晋中", "entity_type": "company"}, "entity_type"),
        ({"citty": "晋中"}, "citty"),
        ({"finances": [{"year": 2021, "sales_revenue": "-5"}]}, "finances[0].sales_revenue"),
    ],
    ids=["check digit", "enum", "unknown field", "negative money"],
)
def test_bad_profile_exits_2_with_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                           profile: dict[str, Any], field: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    code, out, err = run_main(capsys, "evaluate", str(path))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert f"{field}:" in err
    assert "Traceback" not in err


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_main(capsys, "evaluate", str(tmp_path / "nope.json"))
    assert code == 2
    assert "nope.json" in err and err.count("\n") == 1


def test_bad_date_option_exits_2(capsys: pytest.CaptureFixture[str], profile_json: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["evaluate", str(profile_json), "--as-of", "2022-13-01"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "2022-13-01" in err and err.count("\n") == 1


# --- a real process ------------------------------------------------------------------------------------------------

def _process(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "ipsubsidy.cli", *argv], capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=120, check=False)


def test_subprocess_evaluate(profile_json: Path) -> None:
    done = _process("evaluate", str(profile_json), "--as-of", "2022-06-30", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"] == "35000"


def test_subprocess_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"city": "晋中", "patents": [{"number": "ZL201811564288.X", "kind": "design"}]}',
                    encoding="utf-8")
    done = _process("evaluate", str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert "patents[0].kind" in done.stderr
    assert "Traceback" not in done.stderr


def test_subprocess_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"city": "晋中", ', encoding="utf-8")
    done = _process("evaluate", str(path))
    assert done.returncode == 2
    assert "broken.json" in done.stderr and "JSON" in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_subprocess_schema() -> None:
    done = _process("schema")
    assert done.returncode == 0
    assert "patents" in json.loads(done.stdout)["properties"]
