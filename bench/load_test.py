"""Bounded load test of a SPARQL endpoint: N requests from C concurrent clients on loopback.

    python bench/load_test.py                        # starts `mscgraph serve` on a free port itself
    python bench/load_test.py --url http://127.0.0.1:7878/sparql --requests 4000 --concurrency 8

Each client sends GET requests (SPARQL 1.1 Protocol, JSON results) cycling through a few
queries of different cost. Prints throughput and latency percentiles; exits 1 if any request
failed (non-200, unreadable JSON, or no rows).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

PREFIXES = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX msc: <https://w3id.org/mscgraph/ontology/>\n"
    "PREFIX d: <https://w3id.org/mscgraph/data/>\n"
)
ACCEPT = "application/sparql-results+json"
QUERIES = {
    "diseases": PREFIXES + 'SELECT ?d ?l WHERE { ?d a msc:Disease ; rdfs:label ?l FILTER(lang(?l) = "en") }',
    "ss-findings": PREFIXES
    + "SELECT ?f ?m ?dir WHERE { ?f a msc:Finding ; msc:inDisease d:SS ; msc:aboutMechanism ?m ;"
    " msc:hasDirection ?dir }",
    "count-by-type": PREFIXES + "SELECT ?t (COUNT(?s) AS ?n) WHERE { ?s a ?t } GROUP BY ?t ORDER BY DESC(?n)",
}


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def run(url: str, requests: int, concurrency: int, timeout: float) -> dict[str, object]:
    urls = [url + "?" + urllib.parse.urlencode({"query": q}) for q in QUERIES.values()]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(requests))

    def client() -> None:
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            req = urllib.request.Request(urls[n % len(urls)], headers={"Accept": ACCEPT})
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=timeout) as response:
                    doc = json.loads(response.read())
                ok = response.status == 200 and doc["results"]["bindings"]
                problem = None if ok else f"request {n}: HTTP {response.status} or no rows"
            except Exception as exc:  # every failure counts, whatever it is
                problem = f"request {n}: {type(exc).__name__}: {exc}"
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                if problem:
                    errors.append(problem)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "concurrency": concurrency,
        "errors": len(errors),
        "first_errors": errors[:3],
        "wall_s": round(wall, 3),
        "throughput_rps": round(len(latencies) / wall, 1),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2) if ordered else None,
        "p50_ms": round(percentile(ordered, 50) * 1000, 2),
        "p95_ms": round(percentile(ordered, 95) * 1000, 2),
        "p99_ms": round(percentile(ordered, 99) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2) if ordered else None,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen[bytes]:
    """`mscgraph serve` (the one next to this Python) on ``port``; waits until it accepts connections."""
    exe = Path(sys.executable).with_name("mscgraph")
    argv = [str(exe)] if exe.exists() else [sys.executable, "-m", "mscgraph.cli"]
    proc = subprocess.Popen(
        [*argv, "serve", "--port", str(port), "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"mscgraph serve exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("mscgraph serve did not start listening within 60 s")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="SPARQL endpoint (default: start `mscgraph serve` on a free port)")
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=30.0, help="Client time-out per request (s)")
    parser.add_argument("--json", action="store_true", help="Print the summary as JSON")
    args = parser.parse_args()

    server = None
    url = args.url
    if url is None:
        port = free_port()
        server = start_server(port)
        url = f"http://127.0.0.1:{port}/sparql"
    try:
        run(url, min(50, args.requests), args.concurrency, args.timeout)  # warm-up, not counted
        summary = run(url, args.requests, args.concurrency, args.timeout)
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
    summary["cpus"] = os.cpu_count()
    if args.json:
        print(json.dumps(summary))
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
