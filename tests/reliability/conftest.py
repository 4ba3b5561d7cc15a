"""One HTTP service for the reliability suite: uvicorn in a thread, serving every shipped policy."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def service_url() -> Iterator[str]:
    pytest.importorskip("fastapi")
    uvicorn = pytest.importorskip("uvicorn")
    from tests.test_service import free_port

    from ipsubsidy import Evaluator
    from ipsubsidy.http_guard import GuardedH11Protocol
    from ipsubsidy.service import create_app

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(Evaluator(None, "python")), host="127.0.0.1", port=port,
                                        log_level="warning", http=GuardedH11Protocol))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)
