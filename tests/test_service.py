"""The reference HTTP service, started for real on loopback and spoken to over HTTP.

Skipped where the service extra (fastapi, uvicorn) is not installed; the core package never needs it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")

from tests.live_server import free_port, live_server  # noqa: E402

from ipsubsidy import Evaluator, load_policies  # noqa: E402
from ipsubsidy.service import create_app  # noqa: E402

ROOT = Path(__file__).parent.parent
POLICIES = ROOT / "policies"
PROFILE = {
    "city": "晋中", "entity_type": "enterprise",
    "patents": [{"number": "ZL202010566088.9", "grant_date": "2021-03-01"},
                {"number": "US11223344B2", "kind": "invention", "grant_date": "2021-09-01"}],
}




def call(base: str, method: str, path: str, body: Any = None, raw: bytes | None = None) -> tuple[int, Any]:
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """uvicorn in a thread on 127.0.0.1 and a free port, serving the Jinzhong policies."""
    app = create_app(Evaluator(load_policies([POLICIES / "jinzhong-2020.yaml"]), "python"))
    with live_server(app) as url:
        yield url


def test_health(server: str) -> None:
    status, body = call(server, "GET", "/health")
    assert status == 200 and body["status"] == "ok" and body["items"] == 22 and body["backend"] == "python"


def test_evaluate_gives_the_library_json(server: str) -> None:
    status, body = call(server, "POST", "/evaluate?as_of=2022-06-30&lang=en", PROFILE)
    assert status == 200
    expected = Evaluator(load_policies([POLICIES / "jinzhong-2020.yaml"]), "python").evaluate(
        PROFILE, dt.date(2022, 6, 30))
    assert body == json.loads(expected.model_dump_json())
    assert body["total"] == "25000" and body["questions"]


def test_evaluate_with_trace_adds_the_trace_and_changes_nothing_else(server: str) -> None:
    status, plain = call(server, "POST", "/evaluate?as_of=2022-06-30", PROFILE)
    status_t, traced = call(server, "POST", "/evaluate?as_of=2022-06-30&trace=true", PROFILE)
    assert status == status_t == 200 and "trace" not in plain
    trace = traced.pop("trace")
    assert traced == plain
    domestic = next(t for t in trace if t["id"] == "jinzhong-2020.invention-patent-domestic")
    assert domestic["units"][0]["outcome"] is True and domestic["count"]["qualifying"] == 1


def test_summary(server: str) -> None:
    status, body = call(server, "POST", "/summary?as_of=2022-06-30&lang=zh", PROFILE)
    assert status == 200 and "合计25000元" in body["summary"]


@pytest.mark.parametrize(("body", "field"), [
    ({"patents": [{"number": "ZL202010566088.1"}]}, "patents[0].number"),   # wrong check digit
    ({"city": "晋中", "entity_type": "company"}, "entity_type"),
    ({"finances": [{"year": 2021, "rd_expense": "-1"}]}, "finances[0].rd_expense"),
    ({"colour": "red"}, "colour"),
    ([1, 2], "(profile)"),
    ({"name": "\ud800"}, "name"),                                           # a lone surrogate
])
def test_invalid_profile_is_422_with_the_field_path(server: str, body: Any, field: str) -> None:
    status, answer = call(server, "POST", "/evaluate", body)
    assert status == 422
    assert field in [d["field"] for d in answer["detail"]], answer


@pytest.mark.parametrize(("path", "raw", "field"), [
    ("/evaluate?as_of=2022-13-01", b"{}", "as_of"),
    ("/evaluate?lang=fr", b"{}", "lang"),
    ("/evaluate", b"{not json", "(profile)"),
    ("/evaluate", b"", "(profile)"),
])
def test_invalid_request_is_422(server: str, path: str, raw: bytes, field: str) -> None:
    status, answer = call(server, "POST", path, raw=raw)
    assert status == 422, answer
    assert answer["detail"] and all("field" in d and "message" in d for d in answer["detail"])
    assert any(d["field"] == field or d["field"].startswith(field) for d in answer["detail"]), answer


def test_items_with_citation_and_aliases(server: str) -> None:
    status, item = call(server, "GET", "/items/jinzhong-2020.fengming")
    assert status == 200 and item["id"] == "jinzhong-2020.fenghuang"
    assert item["citation"]["section"] == "三(四)8" and "凤凰计划" in item["citation"]["quote"]
    status, missing = call(server, "GET", "/items/jinzhong-2020.fenhuang")
    assert status == 404 and "jinzhong-2020.fenghuang" in missing["detail"]


def test_policies_and_schema(server: str) -> None:
    status, listing = call(server, "GET", "/policies")
    assert status == 200 and [d["id"] for d in listing["documents"]] == ["jinzhong-2020"]
    status, schema = call(server, "GET", "/schema")
    assert status == 200 and "patents" in schema["properties"]
    status, openapi = call(server, "GET", "/openapi.json")
    body = openapi["paths"]["/evaluate"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Company"}
    assert "Patent" in openapi["components"]["schemas"]


def test_ipsubsidy_serve_answers_like_ipsubsidy_evaluate(tmp_path: Path) -> None:
    """Acceptance: the command a new user types, a real HTTP request, the same JSON as the CLI."""
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(PROFILE, ensure_ascii=False), encoding="utf-8")
    exe = [sys.executable, "-m", "ipsubsidy.cli"]
    cli = subprocess.run([*exe, "evaluate", str(profile), "--as-of", "2022-06-30", "--format", "json"],
                         capture_output=True, text=True, check=True, timeout=120)
    port = free_port()
    proc = subprocess.Popen([*exe, "serve", "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ})
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if call(base, "GET", "/health")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "ipsubsidy serve did not come up"
            time.sleep(0.2)
        status, body = call(base, "POST", "/evaluate?as_of=2022-06-30", PROFILE)
    finally:
        proc.terminate()
        proc.wait(20)
    assert status == 200
    assert body == json.loads(cli.stdout)
