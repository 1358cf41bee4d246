"""Whole-process timing shared by the benchmark scripts: median wall time and peak memory of a command."""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    label: str
    median_s: float
    min_s: float
    max_s: float
    runs: int
    peak_rss_mib: float

    @classmethod
    def of(cls, label: str, samples: Sequence[tuple[float, float]]) -> Timing:
        """The timing of ``samples``, each (wall time s, peak RSS MiB) of one run."""
        times, peak = [t for t, _ in samples], max(m for _, m in samples)
        return cls(label, statistics.median(times), min(times), max(times), len(times), peak)

    def row(self) -> dict[str, object]:
        return {
            "case": self.label,
            "median_s": round(self.median_s, 4),
            "min_s": round(self.min_s, 4),
            "max_s": round(self.max_s, 4),
            "runs": self.runs,
            "peak_rss_mib": round(self.peak_rss_mib, 1),
        }


class TimedOut(RuntimeError):
    """A run took longer than its timeout (it was killed)."""


def run_once(
    argv: Sequence[str],
    env: Mapping[str, str] | None = None,
    *,
    ok_codes: Collection[int] = (0,),
    timeout: float | None = None,
) -> tuple[float, float]:
    """Run ``argv`` to completion; return its wall time (s) and peak resident memory (MiB).

    stderr goes to a temporary file (a pipe could fill up and stall a chatty command).
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), stdout=subprocess.DEVNULL, stderr=err, env={**os.environ, **(env or {})}
        )
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        if timer:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if timeout and elapsed >= timeout:
            raise TimedOut(f"{' '.join(argv)} took more than {timeout:.0f} s")
        if proc.returncode not in ok_codes:
            err.seek(0)
            stderr = err.read().decode(errors="replace")
            raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {stderr.strip()[-500:]}")
    return elapsed, usage.ru_maxrss / 1024  # ru_maxrss is KiB on Linux


def measure(
    label: str,
    argv: Sequence[str],
    *,
    runs: int = 5,
    warmup: int = 1,
    env: Mapping[str, str] | None = None,
    setup: Callable[[], object] | None = None,
    ok_codes: Collection[int] = (0,),
    timeout: float | None = None,
) -> Timing:
    """Median of ``runs`` whole-process runs after ``warmup`` unmeasured ones.

    ``setup`` runs before every run, untimed (e.g. to delete an index that the run rebuilds).
    """

    def one() -> tuple[float, float]:
        if setup:
            setup()
        return run_once(argv, env, ok_codes=ok_codes, timeout=timeout)

    for _ in range(warmup):
        one()
    samples = [one() for _ in range(runs)]
    return Timing.of(label, samples)


def markdown_table(rows: Sequence[Mapping[str, object]]) -> str:
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(r[k]) for k in keys) + " |" for r in rows]
    return "\n".join(lines)
