"""One HTTP service for the reliability suite: uvicorn in a thread, serving every shipped policy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def service_url() -> Iterator[str]:
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    from tests.live_server import live_server

    from ipsubsidy import Evaluator
    from ipsubsidy.http_guard import GuardedH11Protocol
    from ipsubsidy.service import create_app

    with live_server(create_app(Evaluator(None, "python")), http=GuardedH11Protocol) as url:
        yield url
