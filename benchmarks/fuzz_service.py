"""Property-based fuzzing of the HTTP service with schemathesis, against its live OpenAPI document.

    python benchmarks/fuzz_service.py [--max-examples 300] [--max-time 240] [--backend auto] [--seed 1]

Starts ``ipsubsidy serve`` on 127.0.0.1 and a free port (loopback only), runs ``schemathesis run`` on
``/openapi.json`` with every check (``--checks all``: server errors, status codes and response schemas
against the document), both positive and negative data (``--mode all``), bounded by examples per
operation and a time budget, and reports the server errors (HTTP 5xx) it found. Exits non-zero on any
server error. Needs: pip install 'ipsubsidy[service]' schemathesis.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(base: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server exited before it came up")
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not come up")


def count_statuses(ndjson: Path) -> dict[str, int]:
    """Responses per status class, read from schemathesis' NDJSON event log."""
    counts: dict[str, int] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            status = node.get("status_code")
            if isinstance(status, int) and "elapsed" in node:
                key = f"{status // 100}xx"
                counts[key] = counts.get(key, 0) + 1
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    if ndjson.exists():
        for line in ndjson.read_text(encoding="utf-8").splitlines():
            walk(json.loads(line))
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=300, help="examples per operation and phase")
    parser.add_argument("--max-time", type=int, default=240, help="time budget of the fuzz run, seconds")
    parser.add_argument("--backend", choices=["auto", "python", "durable-rules"], default="auto")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    st = shutil.which("schemathesis") or str(Path(sys.executable).with_name("schemathesis"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "ipsubsidy.cli", "serve", "--host", "127.0.0.1",
                               "--port", str(port), "--backend", args.backend],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ})
    try:
        wait_up(base, server)
        with tempfile.TemporaryDirectory() as tmp:
            ndjson = Path(tmp) / "events.ndjson"
            command = [st, "run", f"{base}/openapi.json", "--checks", "all", "--mode", "all",
                       "--max-examples", str(args.max_examples), "--max-time", str(args.max_time),
                       "--seed", str(args.seed), "--request-timeout", "30", "--continue-on-failure",
                       "--generation-database", "none", "--report", "ndjson", "--report-ndjson-path", str(ndjson)]
            print("$", " ".join(command), flush=True)
            started = time.monotonic()
            run = subprocess.run(command, text=True, capture_output=True, timeout=args.max_time + 300)
            elapsed = time.monotonic() - started
            print(run.stdout[-6000:])
            statuses = count_statuses(ndjson)
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    server_errors = statuses.get("5xx", 0)
    tracebacks = err.decode("utf-8", "replace").count("Traceback")
    print(f"fuzz: {sum(statuses.values())} requests in {elapsed:.0f} s; "
          f"by status class {dict(sorted(statuses.items()))}; "
          f"server errors: {server_errors}; tracebacks in the server log: {tracebacks}; "
          f"schemathesis exit code {run.returncode}")
    return 1 if server_errors or tracebacks else 0


if __name__ == "__main__":
    raise SystemExit(main())
