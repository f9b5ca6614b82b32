#!/usr/bin/env python3
"""A bounded load test of the search API on 127.0.0.1 (never another host).

Starts `kb.py serve --no-build` on a free local port in a subprocess, then
runs C client threads with keep-alive connections for D seconds, each asking
/api/search with queries from the quality table (and a few bad ones), and
reports requests/s, latency p50/p99 and the status codes. Any 5xx is a failure.

  python scripts/loadtest.py --seconds 60 --connections 50
"""
from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import yaml

ROOT = Path(__file__).resolve().parents[1]
BAD = ["", '"unbalanced', "x" * 5000, "nam:abc", "(((", "so:???"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(port: int, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def run(seconds: float, connections: int, site: Path, index: Path) -> dict:
    table = yaml.safe_load((ROOT / "tests" / "data" / "search_queries.yaml").read_text(encoding="utf-8"))
    queries = [row["q"] for row in table["queries"]] + BAD
    port = free_port()
    server = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "kb.py"), "serve", "--no-build", "--quiet",
                               "--host", "127.0.0.1", "--port", str(port), "--site", str(site), "--index", str(index)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(k: int) -> None:
        r = random.Random(k)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            q = r.choice(queries)
            t = time.perf_counter()
            try:
                conn.request("GET", f"/api/search?q={quote(q)}&page={r.randint(1, 3)}")
                resp = conn.getresponse()
                resp.read()
                code = resp.status
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(type(exc).__name__)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            with lock:
                latencies.append((time.perf_counter() - t) * 1000)
                statuses[code] = statuses.get(code, 0) + 1
        conn.close()

    try:
        wait_up(port)
        threads = [threading.Thread(target=client, args=(k,)) for k in range(connections)]
        start = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        elapsed = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=10)
    latencies.sort()
    n = len(latencies)
    return {"seconds": round(elapsed, 1), "connections": connections, "requests": n,
            "requests_per_s": round(n / elapsed, 1) if elapsed else 0,
            "p50_ms": round(latencies[n // 2], 1) if n else None,
            "p99_ms": round(latencies[min(n - 1, int(n * 0.99))], 1) if n else None,
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "server_errors_5xx": sum(v for k, v in statuses.items() if k >= 500),
            "client_errors": len(errors)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--site", default=str(ROOT / "site"))
    ap.add_argument("--index", default=str(ROOT / "index"))
    args = ap.parse_args()
    report = run(args.seconds, args.connections, Path(args.site), Path(args.index))
    print(json.dumps(report, indent=1))
    return 1 if report["server_errors_5xx"] else 0


if __name__ == "__main__":
    sys.exit(main())
