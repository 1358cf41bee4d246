"""Whole-process timing shared by the benchmark scripts: median wall time and peak memory of a command."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    label: str
    median_s: float
    min_s: float
    max_s: float
    runs: int
    peak_rss_mib: float

    def row(self) -> dict[str, object]:
        return {
            "case": self.label,
            "median_s": round(self.median_s, 4),
            "min_s": round(self.min_s, 4),
            "max_s": round(self.max_s, 4),
            "runs": self.runs,
            "peak_rss_mib": round(self.peak_rss_mib, 1),
        }


def run_once(argv: Sequence[str], env: Mapping[str, str] | None = None) -> tuple[float, float]:
    """Run ``argv`` to completion; return its wall time (s) and peak resident memory (MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})}
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {code}: {stderr.strip()[-500:]}")
    return elapsed, usage.ru_maxrss / 1024  # ru_maxrss is KiB on Linux


def measure(
    label: str,
    argv: Sequence[str],
    *,
    runs: int = 5,
    warmup: int = 1,
    env: Mapping[str, str] | None = None,
) -> Timing:
    """Median of ``runs`` whole-process runs after ``warmup`` unmeasured ones."""
    for _ in range(warmup):
        run_once(argv, env)
    samples = [run_once(argv, env) for _ in range(runs)]
    times = [t for t, _ in samples]
    return Timing(label, statistics.median(times), min(times), max(times), runs, max(m for _, m in samples))


def markdown_table(rows: Sequence[Mapping[str, object]]) -> str:
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(r[k]) for k in keys) + " |" for r in rows]
    return "\n".join(lines)
