"""Throughput and latency of the HTTP service under concurrent clients on loopback.

    python benchmarks/bench_service.py [--clients 16] [--requests 4000] [--backend auto] [--workers 1]

Starts ``ipsubsidy serve`` (uvicorn, one process) on 127.0.0.1 and a free port, warms it up, then
``--clients`` threads with keep-alive connections POST /evaluate with a rotating mix of profiles (full,
partial, matching nothing) until ``--requests`` are done. Prints throughput and p50/p90/p99/max latency;
every response must be 200.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

PROFILES = [
    {"city": "晋中", "entity_type": "enterprise", "size": "small"},
    {"city": "晋中", "entity_type": "enterprise",
     "patents": [{"number": "ZL202010566088.9", "grant_date": "2021-03-01"},
                 {"number": "US11223344B2", "kind": "invention", "grant_date": "2021-09-01"}],
     "finances": [{"year": 2021, "sales_revenue": "1000000", "rd_expense": "40000",
                   "main_business_revenue": "1000", "commercialised_revenue": "300"}]},
    {"city": "厦门", "entity_type": "individual"},
    {},
    {"city": "合肥", "entity_type": "enterprise", "patents": []},
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--backend", choices=["auto", "python", "durable-rules"], default="auto")
    parser.add_argument("--as-of", default="2022-06-30")
    args = parser.parse_args(argv)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "ipsubsidy.cli", "serve", "--host", "127.0.0.1",
                               "--port", str(port), "--backend", args.backend],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ})
    bodies = [json.dumps(p, ensure_ascii=False).encode() for p in PROFILES]
    path = f"/evaluate?as_of={args.as_of}"
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    counter = iter(range(args.requests))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    health = json.loads(r.read())
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not come up") from None
                time.sleep(0.2)

        def client(n: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine: list[float] = []
            bad: list[int] = []
            for i in counter if n >= 0 else range(50):
                body = bodies[i % len(bodies)]
                t0 = time.perf_counter()
                conn.request("POST", path, body, {"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                mine.append(time.perf_counter() - t0)
                if response.status != 200:
                    bad.append(response.status)
            conn.close()
            if n >= 0:
                with lock:
                    latencies.extend(mine)
                    failures.extend(bad)

        client(-1)  # warm-up, not measured
        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(30)
    ms = [x * 1000 for x in latencies]
    print(f"backend {health['backend']}, {health['items']} items, {args.clients} clients, "
          f"{len(latencies)} requests in {elapsed:.1f} s, Python {sys.version.split()[0]}")
    print(f"throughput {len(latencies) / elapsed:.0f} req/s; latency ms: p50 {percentile(ms, 0.50):.1f}  "
          f"p90 {percentile(ms, 0.90):.1f}  p99 {percentile(ms, 0.99):.1f}  max {max(ms):.1f}  "
          f"mean {statistics.fmean(ms):.1f}; non-200: {len(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
