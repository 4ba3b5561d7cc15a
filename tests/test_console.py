"""POST /answer, the console's assets, offline docs, CORS and form bodies, against a real server on loopback."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")

from tests.live_server import live_server  # noqa: E402

from ipsubsidy import Evaluator, load_policies  # noqa: E402
from ipsubsidy.console import apply_answer  # noqa: E402
from ipsubsidy.service import create_app  # noqa: E402

POLICIES = Path(__file__).parent.parent / "policies" / "jinzhong-2020.yaml"
START = {"city": "晋中市", "entity_type": "enterprise"}
AS_OF = "2022-06-30"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    app = create_app(Evaluator(load_policies([POLICIES]), "python"), cors_origins=("https://hotline.example",))
    with live_server(app) as url:
        yield url


def fetch(url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
          method: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def answer(base: str, state: dict[str, Any]) -> tuple[int, Any]:
    status, _, body = fetch(f"{base}/answer?as_of={AS_OF}", json.dumps(state).encode(),
                            {"Content-Type": "application/json"})
    return status, json.loads(body)


def test_first_call_gives_the_top_question_and_a_short_line(server: str) -> None:
    status, body = answer(server, {"profile": START, "skipped": []})
    assert status == 200
    assert body["next"]["path"] == "brand_plan_selections" and body["next"]["type"] == "list"
    assert body["short"]["zh"] == "目前还没有可以确认申请的项目。另有10项待补充信息。"


def test_an_answer_updates_the_total_and_moves_on(server: str) -> None:
    plan = [{"plan": "fenghuang", "date": "2021-08-16"}]
    status, body = answer(server, {"profile": START, "answer": {"path": "brand_plan_selections", "value": plan}})
    assert status == 200 and body["result"]["total"] == "300000"
    assert body["profile"]["brand_plan_selections"] == plan and body["next"]["path"] != "brand_plan_selections"
    expected = Evaluator(load_policies([POLICIES]), "python").evaluate(
        {**START, "brand_plan_selections": plan}, dt.date.fromisoformat(AS_OF))
    assert body["result"]["total"] == expected.total and len(body["short"]["zh"]) < 80


def test_a_skipped_question_is_not_asked_again(server: str) -> None:
    _, first = answer(server, {"profile": START, "skipped": []})
    _, body = answer(server, {"profile": START, "skipped": [first["next"]["path"]]})
    assert body["next"]["path"] != first["next"]["path"]
    assert first["next"]["path"] in [q["path"] for q in body["skipped_questions"]]


@pytest.mark.parametrize(("path", "value", "field"), [
    ("patents", [{"number": "ZL20201056608", "grant_date": "2021-03-01"}], "patents[0].number"),
    ("finances", [{"year": 2021, "rd_expense": "-5"}], "finances[0].rd_expense"),
    ("brand_plan_selections", [{"plan": "fenghuang", "date": "2031-01-01"}], "brand_plan_selections[0].date"),
])
def test_a_bad_answer_is_422_naming_the_field(server: str, path: str, value: Any, field: str) -> None:
    status, body = answer(server, {"profile": START, "answer": {"path": path, "value": value}})
    assert status == 422
    assert field in [d["field"] for d in body["detail"]], body


def test_form_encoded_answer(server: str) -> None:
    form = urllib.parse.urlencode({"profile": json.dumps(START), "path": "size", "value": "small",
                                   "skipped": "[]"}).encode()
    status, _, raw = fetch(f"{server}/answer?as_of={AS_OF}", form,
                           {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and json.loads(raw)["profile"]["size"] == "small"


def test_the_page_and_its_assets_are_served_locally(server: str) -> None:
    status, headers, page = fetch(server + "/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    text = page.decode()
    assert "http://" not in text and "https://" not in text and "/console/console.js" in text
    for name in ("console.js", "console.css"):
        status, _, asset = fetch(f"{server}/console/{name}")
        assert status == 200 and b"https://" not in asset
    assert fetch(server + "/console/../service.py")[0] == 404
    status, _, names = fetch(server + "/console/labels.json")
    assert json.loads(names)["fenghuang"] == "凤凰计划"


def test_docs_use_local_assets(server: str) -> None:
    status, _, page = fetch(server + "/docs")
    assert status == 200 and b"cdn.jsdelivr" not in page and b"/docs-assets/swagger-ui-bundle.js" in page
    status, _, script = fetch(server + "/docs-assets/swagger-ui-bundle.js")
    assert status == 200 and len(script) > 100_000


def test_cors_allows_the_configured_origin_only(server: str) -> None:
    preflight = {"Origin": "https://hotline.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"}
    status, headers, _ = fetch(server + "/answer", headers=preflight, method="OPTIONS")
    assert status == 200 and headers.get("access-control-allow-origin") == "https://hotline.example"
    status, headers, _ = fetch(server + "/answer", headers={**preflight, "Origin": "https://other.example"},
                               method="OPTIONS")
    assert status == 400 and "access-control-allow-origin" not in {k.lower() for k in headers}


@pytest.mark.parametrize(("path", "value", "expected"), [
    ("size", "small", {"size": "small"}),
    ("finances[year=2022]", {"rd_expense": "5"}, {"finances": [{"year": 2022, "rd_expense": "5"}]}),
    ("finances[0].rd_expense", "7", {"finances": [{"year": 2020, "rd_expense": "7"}]}),
])
def test_apply_answer_sets_the_question_path(path: str, value: Any, expected: dict[str, Any]) -> None:
    profile = {"finances": [{"year": 2020}]} if path.startswith("finances[0]") else {}
    assert apply_answer(profile, path, value) == expected
