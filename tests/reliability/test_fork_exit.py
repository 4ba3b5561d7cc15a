"""Fork- and exit-safety: a child forked while other threads evaluate is not deadlocked, an Evaluator goes
through a process pool, and a process exiting while daemon threads evaluate ends cleanly."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import subprocess
import sys
import threading
from concurrent.futures import ProcessPoolExecutor

import pytest
from tests.backends import BACKENDS

from ipsubsidy import Evaluator

PROFILE = {"city": "jinzhong", "entity_type": "enterprise",
           "patents": [{"number": "ZL202110100200.4", "grant_date": "2021-06-01"}]}
AS_OF = dt.date(2022, 6, 30)


def _total(evaluator: Evaluator) -> str:
    return str(evaluator.evaluate(PROFILE, AS_OF).total)


@pytest.mark.parametrize("backend", BACKENDS)
def test_evaluator_pickles_and_rebuilds(backend: str) -> None:
    evaluator = Evaluator(backend=backend)  # type: ignore[arg-type]
    copy = pickle.loads(pickle.dumps(evaluator))
    assert copy.backend == evaluator.backend and copy.policies.fingerprint == evaluator.policies.fingerprint
    assert _total(copy) == _total(evaluator)


@pytest.mark.parametrize("backend", BACKENDS)
def test_evaluator_in_a_process_pool(backend: str) -> None:
    evaluator = Evaluator(backend=backend)  # type: ignore[arg-type]
    with ProcessPoolExecutor(2) as pool:
        totals = list(pool.map(_total, [evaluator] * 4))
    assert totals == [_total(evaluator)] * 4


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize("backend", BACKENDS)
def test_fork_while_threads_evaluate(backend: str) -> None:
    evaluator = Evaluator(backend=backend)  # type: ignore[arg-type]
    expected = _total(evaluator)
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            evaluator.evaluate(PROFILE, AS_OF)

    threads = [threading.Thread(target=busy, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(12):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: one evaluation, its total down the pipe, then out
                try:
                    os.write(write, _total(evaluator).encode())
                finally:
                    os._exit(0)
            os.close(write)
            with os.fdopen(read, "rb") as pipe:
                got = pipe.read().decode()
            os.waitpid(pid, 0)
            assert got == expected
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)


@pytest.mark.parametrize("backend", BACKENDS)
def test_exit_while_daemon_threads_evaluate(backend: str) -> None:
    code = f"""
import threading, datetime as dt
from ipsubsidy import Evaluator
ev = Evaluator(backend={backend!r})
profile = {PROFILE!r}
def busy():
    while True:
        ev.evaluate(profile, dt.date(2022, 6, 30))
for _ in range(4):
    threading.Thread(target=busy, daemon=True).start()
import time; time.sleep(0.5)
print("bye")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout == b"bye\n"
