"""The HTTP service under hostile clients: a heavy request in flight, oversize bodies, idle and slow
connections, abandoned requests. Prints what other callers see meanwhile.

    python benchmarks/hostile_service.py [--backend auto] [--workers 1] [--idle 2000] [--seconds 10]

Starts ``ipsubsidy serve`` on 127.0.0.1 and a free port, then:
1. light callers alone: p50/p99 of 8 threads POSTing a small profile;
2. the same while one client loops on the heaviest body the service accepts (10,000 patents, ~0.6 MB);
3. a 210 MB body (declared) and a 5 MB streamed body: status and time to the answer, server RSS after;
4. ``--idle`` connections opened and left idle (half of them with half-sent headers): does a new caller
   still get its answer, and how fast; how many idle ones the server has closed after its timeouts;
5. abandoned requests: 50 heavy requests whose clients close at once; light-caller p99 meanwhile.
"""

from __future__ import annotations

import argparse
import http.client
import json
import resource
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_service import free_port, percentile

from ipsubsidy.http_guard import HEADER_TIMEOUT
from ipsubsidy.identifiers import patent_check_digit

LIGHT = json.dumps({"city": "晋中", "entity_type": "enterprise", "patents": [
    {"number": "ZL202010566088.9", "grant_date": "2021-03-01"}]}, ensure_ascii=False).encode()


def heavy_body(count: int = 10_000) -> bytes:
    patents = []
    for serial in range(count):
        digits = f"20211{serial:07d}"
        patents.append({"number": f"ZL{digits}.{patent_check_digit(digits)}", "grant_date": "2021-06-01"})
    return json.dumps({"city": "晋中", "entity_type": "enterprise", "patents": patents}).encode()


def post(port: int, body: bytes, timeout: float = 60) -> tuple[int, float]:
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", "/evaluate?as_of=2022-06-30", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - start
    finally:
        conn.close()


def light_callers(port: int, seconds: float, threads: int = 8) -> list[float]:
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    def run() -> None:
        while time.monotonic() < deadline:
            status, took = post(port, LIGHT)
            assert status == 200, status
            latencies.append(took)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies


def show(label: str, latencies: list[float]) -> None:
    print(f"{label}: {len(latencies)} requests, p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
          f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")


def rss_mib(pid: int) -> float:
    total = 0
    for child in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["auto", "python", "durable-rules"], default="auto")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--idle", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args(argv)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "ipsubsidy.cli", "serve", "--port", str(port),
                               "--backend", args.backend, "--workers", str(args.workers)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).read()
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        heavy = heavy_body()
        status, took = post(port, heavy)
        print(f"backend {args.backend}, workers {args.workers}; heavy body {len(heavy) / 1e6:.2f} MB: "
              f"{status} in {took * 1000:.0f} ms")
        show("1. light callers alone", light_callers(port, args.seconds))

        stop = threading.Event()
        heavy_times: list[float] = []

        def heavy_loop() -> None:
            while not stop.is_set():
                heavy_times.append(post(port, heavy)[1])

        looper = threading.Thread(target=heavy_loop)
        looper.start()
        show("2. light callers, one heavy request always in flight", light_callers(port, args.seconds))
        stop.set()
        looper.join()
        print(f"   heavy requests meanwhile: {len(heavy_times)}, "
              f"median {sorted(heavy_times)[len(heavy_times) // 2] * 1000:.0f} ms")

        start = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.sendall(b"POST /evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 220200960\r\n\r\n")
            reply = conn.recv(200).split(b"\r\n")[0].decode()
        print(f"3. 210 MB declared: {reply} in {(time.perf_counter() - start) * 1000:.0f} ms")
        start = time.perf_counter()
        try:
            status, _ = post(port, b" " * (5 * 1024 * 1024))
            shown = str(status)
        except OSError as exc:
            shown = f"connection closed by the server ({type(exc).__name__})"
        print(f"   5 MB sent: {shown} in {(time.perf_counter() - start) * 1000:.0f} ms; "
              f"server RSS {rss_mib(server.pid):.0f} MiB")

        idle: list[socket.socket] = []
        for n in range(args.idle):
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            except OSError as exc:
                print(f"   (stopped opening idle connections at {n}: {exc})")
                break
            if n % 2:
                sock.sendall(b"POST /evaluate HTTP/1.1\r\nHost: x\r\n")  # headers never finished
            idle.append(sock)
        status, took = post(port, LIGHT, timeout=30)
        print(f"4. {len(idle)} idle connections open: a new caller gets {status} in {took * 1000:.0f} ms")
        time.sleep(HEADER_TIMEOUT + 2)
        closed = 0
        for sock in idle:
            sock.setblocking(False)
            try:
                closed += sock.recv(1) == b""
            except BlockingIOError:
                pass
            except OSError:
                closed += 1
            sock.close()
        print(f"   after {HEADER_TIMEOUT + 2:.0f} s the server had closed {closed} of them")

        def abandon() -> None:
            for _ in range(50):
                with socket.create_connection(("127.0.0.1", port)) as conn:
                    conn.sendall(b"POST /evaluate?as_of=2022-06-30 HTTP/1.1\r\nHost: x\r\n"
                                 b"Content-Type: application/json\r\nContent-Length: "
                                 + str(len(heavy)).encode() + b"\r\n\r\n" + heavy)

        quitter = threading.Thread(target=abandon)
        quitter.start()
        show("5. light callers while 50 heavy requests are abandoned", light_callers(port, args.seconds / 2))
        quitter.join()
        status, took = post(port, LIGHT)
        print(f"   afterwards: {status} in {took * 1000:.0f} ms; server RSS {rss_mib(server.pid):.0f} MiB")
    finally:
        server.terminate()
        server.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
