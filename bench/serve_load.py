#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A bounded load test of ``rhrt serve`` on loopback: N concurrent clients × M requests each.

Usage::

    .venv/bin/python bench/serve_load.py                      # 8 clients × 2,000 requests
    .venv/bin/python bench/serve_load.py --clients 2 --requests 50 --target page

The server (``rhrt.serve.app.create_app`` on the bundled ruleset, uvicorn, one worker) runs in
its own process on a free 127.0.0.1 port; each client is a thread with one keep-alive
connection. ``--target assess`` POSTs generated cases (seeded; 0 to 8 concerns, an age) to
``/api/assess``; ``page`` POSTs the same cases as the no-JavaScript form to ``/``. Every
response is checked (status 200 and, for the API, the level the library gives for that case);
anything else counts as an error. Bounded: the run stops after ``--max-seconds`` whatever is
left. Prints and writes ``bench/results/serve-latest.json``: errors, requests, throughput and
p50/p90/p99/max latency. Only loopback is ever contacted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
SERVER = """
import sys, rhrt
from rhrt.serve._thread import running
from rhrt.serve.app import create_app
with running(create_app(rhrt.load_ruleset())) as url:
    print(url, flush=True)
    sys.stdin.read()
"""


def _cases(n: int, seed: int) -> list[dict[str, object]]:
    import rhrt

    ids = [i.id for i in rhrt.load_ruleset().model.indicators]
    rng = random.Random(seed)
    return [{"child": {"age_years": rng.randint(0, 17)},
             "indicators": rng.sample(ids, rng.randint(0, 8))} for _ in range(n)]


def _form(case: dict[str, object]) -> bytes:
    pairs = [("child.age_years", str(case["child"]["age_years"]))]  # type: ignore[index]
    pairs += [("indicator", i) for i in case["indicators"]]  # type: ignore[attr-defined]
    return urllib.parse.urlencode(pairs).encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=2_000, help="per client")
    parser.add_argument("--target", choices=("assess", "page"), default="assess")
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--out", default=str(HERE / "results" / "serve-latest.json"))
    args = parser.parse_args()
    if not (1 <= args.clients <= 64 and 1 <= args.requests <= 100_000):
        parser.error("--clients 1..64, --requests 1..100000")

    import rhrt

    ruleset = rhrt.load_ruleset()
    cases = _cases(500, seed=19)
    expected = [ruleset.assess(c).level for c in cases]
    server = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = urllib.parse.urlsplit(server.stdout.readline().strip())
        assert url.hostname == "127.0.0.1", "loopback only"
        latencies: list[list[float]] = [[] for _ in range(args.clients)]
        errors = [0] * args.clients
        stop_at = time.monotonic() + args.max_seconds

        def client(k: int) -> None:
            conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
            for n in range(args.requests):
                if time.monotonic() > stop_at:
                    return
                i = (k * args.requests + n) % len(cases)
                if args.target == "assess":
                    path, body = "/api/assess", json.dumps({"case": cases[i]}).encode()
                    kind = "application/json"
                else:
                    path, body, kind = "/", _form(cases[i]), "application/x-www-form-urlencoded"
                start = time.perf_counter()
                try:
                    conn.request("POST", path, body, {"content-type": kind,
                                                      "host": "127.0.0.1"})
                    response = conn.getresponse()
                    data = response.read()
                    took = time.perf_counter() - start
                    ok = response.status == 200
                    if ok and args.target == "assess":
                        ok = json.loads(data)["level"] == expected[i]
                except (OSError, http.client.HTTPException, ValueError):
                    took, ok = time.perf_counter() - start, False
                    conn.close()
                    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
                latencies[k].append(took)
                if not ok:
                    errors[k] += 1
            conn.close()

        began = time.perf_counter()
        threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - began
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=30)

    every = sorted(x for per in latencies for x in per)
    q = statistics.quantiles(every, n=100, method="inclusive") if len(every) > 1 else every * 99
    result = {
        "target": args.target,
        "clients": args.clients,
        "requests_per_client": args.requests,
        "requests": len(every),
        "errors": sum(errors),
        "seconds": round(wall, 2),
        "requests_per_second": round(len(every) / wall, 1),
        "latency_ms": {"p50": round(q[49] * 1000, 2), "p90": round(q[89] * 1000, 2),
                       "p99": round(q[98] * 1000, 2), "max": round(every[-1] * 1000, 2)},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_average": [round(x, 2) for x in os.getloadavg()]},
        "rhrt": rhrt.__version__,
    }
    print(json.dumps(result, indent=2))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if result["errors"] == 0 and len(every) == args.clients * args.requests else 1


if __name__ == "__main__":
    raise SystemExit(main())
