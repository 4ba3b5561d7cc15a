"""The HTTP service protects itself: size limit (413), unknown query parameters, capped and truncated errors,
and numbers read exactly as the CLI reads them."""

from __future__ import annotations

import json
import socket
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.reliability.corpus import corpus

from ipsubsidy import ProfileError, evaluate, load_profile_json
from ipsubsidy.cli import main

CASES = corpus("service.json")


def _call(url: str, path: str, raw: bytes) -> tuple[int, Any]:
    from tests.test_service import call

    return call(url, "POST", path, raw=raw)


@pytest.mark.parametrize("param", CASES["misspelt_query"])
def test_unknown_query_parameter_is_named(service_url: str, param: str) -> None:
    status, body = _call(service_url, f"/evaluate?{param}=2022-06-30", b'{"city": "jinzhong"}')
    assert status == 422
    assert body["detail"][0]["field"] == param and "not a query parameter" in body["detail"][0]["message"]


def _raw_http(url: str, request: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_declared_oversize_body_is_413_unread(service_url: str) -> None:
    """The answer comes from the headers alone: the 2 MiB are never sent, let alone buffered."""
    reply = _raw_http(service_url, b"POST /evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                   b"Content-Length: 2097152\r\nConnection: close\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 413") and b"larger than" in reply


def test_streamed_oversize_body_is_413(service_url: str) -> None:
    chunk = b" " * 65536
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(20)) + b"0\r\n\r\n"
    try:
        reply = _raw_http(service_url, b"POST /evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                       b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + body)
    except ConnectionResetError:  # the server answered and closed while we were still sending: also a refusal
        return
    assert reply.startswith(b"HTTP/1.1 413")


def test_error_list_is_capped(service_url: str) -> None:
    profile = {"city": "jinzhong", "entity_type": "enterprise", "patents": [{"number": "bad"}] * 500}
    status, body = _call(service_url, "/evaluate", json.dumps(profile).encode())
    assert status == 422
    assert len(body["detail"]) == 21 and body["detail"][-1]["message"] == "480 more problems not shown"


def test_bad_value_not_echoed_whole(service_url: str) -> None:
    profile = {"city": "x" * 100_000, "entity_type": "enterprise"}
    status, body = _call(service_url, "/evaluate", json.dumps(profile).encode())
    assert status == 422 and len(json.dumps(body)) < 2_000


def test_duplicate_key_refused(service_url: str) -> None:
    raw = b'{"city": "jinzhong", "entity_type": "enterprise", "patents": [], "patents": []}'
    status, body = _call(service_url, "/evaluate", raw)
    assert status == 422 and body["detail"][0]["field"] == "patents"


def test_deep_nesting_names_the_profile(service_url: str) -> None:
    status, body = _call(service_url, "/evaluate", b"[" * 10_000 + b"]" * 10_000)
    assert status == 422 and "nested deeper" in body["detail"][0]["message"]


@pytest.mark.parametrize("case", [pytest.param(c, id=c["name"]) for c in CASES["big_numbers"]])
def test_big_numbers_agree_on_every_path(case: dict[str, Any], service_url: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """CLI, service and load_profile_json read the text exactly; json.loads data gives the same or an error."""
    raw = case["json"].encode()
    (tmp_path / "p.json").write_bytes(raw)
    assert main(["evaluate", str(tmp_path / "p.json"), "--as-of", "2022-06-30", "--format", "json"]) == 0
    by_cli = json.loads(capsys.readouterr().out)["total"]
    if "total" in case:
        assert Decimal(by_cli) == Decimal(case["total"])
    status, by_service = _call(service_url, "/evaluate?as_of=2022-06-30", raw)
    assert status == 200 and by_service["total"] == by_cli
    assert str(evaluate(load_profile_json(raw), "2022-06-30").total) == by_cli
    if case["float_refused"]:
        with pytest.raises(ProfileError, match="binary float"):
            evaluate(json.loads(raw), "2022-06-30")
    else:
        assert Decimal(str(evaluate(json.loads(raw), "2022-06-30").total)) == Decimal(by_cli)


@pytest.mark.parametrize("value", [0, "", 20220630, "2022-02-30", "30/06/2022"])
def test_as_of_is_named(value: object) -> None:
    from ipsubsidy import ArgumentError

    with pytest.raises(ArgumentError) as info:
        evaluate({"city": "jinzhong", "entity_type": "enterprise"}, value)  # type: ignore[arg-type]
    assert info.value.argument == "as_of" and str(info.value).startswith("as_of: ")


def _many_patents(count: int) -> dict[str, Any]:
    from ipsubsidy.identifiers import patent_check_digit

    patents = []
    for serial in range(count):
        digits = f"20211{serial:07d}"
        patents.append({"number": f"ZL{digits}.{patent_check_digit(digits)}", "grant_date": "2021-06-01"})
    return {"city": "jinzhong", "entity_type": "enterprise", "patents": patents}


def test_large_body_answered_by_the_helper_process_exactly(service_url: str) -> None:
    """A body over 64 KiB is evaluated in a separate process: same answer as the library, errors as usual."""
    profile = _many_patents(2_000)
    raw = json.dumps(profile).encode()
    assert len(raw) > 64 * 1024
    status, body = _call(service_url, "/evaluate?as_of=2022-06-30", raw)
    assert status == 200
    assert Decimal(body["total"]) == Decimal(evaluate(profile, "2022-06-30").total) == 2_000 * 5_000
    profile["patents"].append(dict(profile["patents"][0]))
    status, body = _call(service_url, "/evaluate?as_of=2022-06-30", json.dumps(profile).encode())
    assert status == 422 and body["detail"][0]["field"] == "patents" and "listed twice" in body["detail"][0]["message"]


def test_silent_and_half_sent_connections_are_closed(service_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Connections that never finish their headers are closed at the header deadline (not renewed by trickling)."""
    import time

    from ipsubsidy import http_guard

    monkeypatch.setattr(http_guard, "HEADER_TIMEOUT", 0.5)
    host, port = service_url.removeprefix("http://").split(":")
    silent = socket.create_connection((host, int(port)), timeout=10)
    trickling = socket.create_connection((host, int(port)), timeout=10)
    trickling.sendall(b"POST /evaluate HTTP/1.1\r\n")
    time.sleep(0.3)
    trickling.sendall(b"Host: x\r\n")
    with silent, trickling:
        assert silent.recv(10) == b""  # closed by the server
        assert trickling.recv(10) == b""
