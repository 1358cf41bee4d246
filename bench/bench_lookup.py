"""Whole-process cost of `mscgraph mechanisms SS` (cold process, index on disk) vs the naive rdflib way.

    python bench/bench_lookup.py [--runs 7]

Prints a markdown table (median of N runs after a warm-up) for docs/benchmark.md.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from harness import markdown_table, measure

BENCH = Path(__file__).resolve().parent
SS = "https://w3id.org/mscgraph/data/SS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    script = shutil.which("mscgraph", path=str(Path(sys.executable).parent)) or "mscgraph"
    with tempfile.TemporaryDirectory() as cache:
        env = {"MSCGRAPH_CACHE": cache}
        lookup = measure(
            "mscgraph mechanisms SS (index on disk)", [script, "mechanisms", "SS"], runs=args.runs, env=env
        )
        nocache = measure(
            "mscgraph mechanisms SS --no-cache (in-memory Oxigraph)",
            [script, "mechanisms", "SS", "--no-cache"],
            runs=args.runs,
            env=env,
        )
        naive = measure(
            "naive: rdflib parse + the per-finding query",
            [sys.executable, str(BENCH / "naive_lookup.py"), "mechanisms-for-disease", f"disease={SS}"],
            runs=args.runs,
        )
        startup = measure(
            "python -c pass (interpreter floor)", [sys.executable, "-c", "pass"], runs=args.runs
        )
    with tempfile.TemporaryDirectory() as cache:
        build = measure(
            "first run: build the index, then look up",
            ["sh", "-c", f'rm -rf "{cache}"/* && "{script}" mechanisms SS'],
            runs=args.runs,
            env={"MSCGRAPH_CACHE": cache},
        )
    rows = [t.row() for t in (lookup, nocache, naive, build, startup)]
    for row in rows:
        row["vs_naive"] = f"{naive.median_s / float(row['median_s']):.1f}×"  # type: ignore[arg-type]
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
