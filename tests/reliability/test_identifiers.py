"""Patent numbers are normalised before the office is inferred: the corpus ``identifiers.json`` through the
library on both backends, the CLI and the HTTP service, each giving the exact yuan or the field-naming error."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.backends import BACKENDS
from tests.reliability.corpus import cli, corpus

from ipsubsidy import ProfileError, evaluate

CASES = corpus("identifiers.json")
AS_OF = dt.date(2022, 6, 30)
DOMESTIC, FOREIGN = "jinzhong-2020.invention-patent-domestic", "jinzhong-2020.invention-patent-foreign"


def _profile(patents: list[dict[str, Any]]) -> dict[str, Any]:
    return {"city": "jinzhong", "entity_type": "enterprise", "patents": patents}


def _granted(number: str) -> dict[str, Any]:
    return _profile([{"number": number, "kind": "invention", "grant_date": "2021-06-01"}])


def _subtotal(result: Any, item_id: str) -> Decimal:
    item = result.item(item_id)
    return Decimal(item.amount.subtotal or 0) if item.status == "eligible" else Decimal(0)


ANSWERS = [pytest.param(c, id=c["name"]) for c in CASES["answers"]]
ERRORS = [pytest.param(c, id=c["name"]) for c in CASES["errors"]]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", ANSWERS)
def test_library_exact_amounts(case: dict[str, Any], backend: str) -> None:
    result = evaluate(_granted(case["number"]), AS_OF, backend=backend)  # type: ignore[arg-type]
    assert _subtotal(result, DOMESTIC) == case["domestic"]
    assert _subtotal(result, FOREIGN) == case["foreign"]


@pytest.mark.parametrize("case", ERRORS)
def test_library_names_the_field(case: dict[str, Any]) -> None:
    with pytest.raises(ProfileError) as info:
        evaluate(_profile(case["patents"]), AS_OF)
    assert case["field"] in str(info.value)
    assert case["says"] in str(info.value)


@pytest.mark.parametrize("case", ERRORS[:3])
def test_cli_one_line_exit_2(case: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(_profile(case["patents"]), ensure_ascii=False), encoding="utf-8")
    done = cli("evaluate", str(path), "--as-of", "2022-06-30")
    assert done.returncode == 2
    err = done.stderr.decode()
    assert err.count("\n") == 1 and case["field"] in err and "Traceback" not in err


def test_cli_full_width_number_is_domestic(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(_granted("ＺＬ２０２１１０１００２００.４"), ensure_ascii=False), encoding="utf-8")
    done = cli("evaluate", str(path), "--as-of", "2022-06-30", "--format", "json")
    assert done.returncode == 0, done.stderr
    items = {i["id"]: i for i in json.loads(done.stdout)["items"]}
    assert items[DOMESTIC]["status"] == "eligible" and Decimal(items[DOMESTIC]["amount"]["subtotal"]) == 5000
    assert items[FOREIGN]["status"] != "eligible"


@pytest.mark.parametrize("case", ERRORS)
def test_service_names_the_field(case: dict[str, Any], service_url: str) -> None:
    from tests.test_service import call

    status, body = call(service_url, "POST", "/evaluate?as_of=2022-06-30", _profile(case["patents"]))
    assert status == 422
    text = json.dumps(body, ensure_ascii=False)
    assert case["field"] in text and case["says"] in text
