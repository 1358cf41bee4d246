"""Scale benchmark: mscgraph and the naive rdflib way, side by side, on graphs ×1, ×100, ×1000.

    python bench/bench_scale.py                # ×1, ×100, ×1000
    python bench/bench_scale.py --quick        # ×1 and ×10 only
    python bench/bench_scale.py --scales 1000  # one size; results of other sizes are kept
    python bench/bench_scale.py --scales 1 --runs 1 --no-warmup  # a quick check (what the test runs)

For each size, bench/generate.py writes a synthetic graph into ``--out`` (default bench/out,
ignored by git), then every case runs as a whole process (bench/harness.py): median wall time
of ``--runs`` runs after a warm-up, and peak resident memory. A case whose warm-up takes longer
than ``--slow`` seconds is measured once more only (runs = 1 in the table), and a run longer than
``--timeout`` seconds is killed and shown as "> N s".

Writes bench/results/scale-<N>.json per size, then bench/results/scale.md (every size found)
and docs/scale.png (time vs size, log-log, one line per case and engine).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from harness import TimedOut, Timing, markdown_table, measure, run_once

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SS = "https://w3id.org/mscgraph/data/SS"


@dataclass
class Case:
    name: str
    argv: list[str]
    setup: Callable[[], object] | None = None
    ok_codes: tuple[int, ...] = (0,)
    env: dict[str, str] = field(default_factory=dict)
    limited: bool = True  # False: never killed (the index builds, which every later case needs)
    targets: dict[int, float] = field(default_factory=dict)  # size -> seconds the case should stay under


def python() -> str:
    return sys.executable


def mscgraph() -> str:
    return shutil.which("mscgraph", path=str(Path(sys.executable).parent)) or "mscgraph"


def cases(data: Path, work: Path, cache: Path) -> tuple[list[Case], list[Case]]:
    """The mscgraph cases and the naive ones; same names mean the same work."""
    env = {"MSCGRAPH_CACHE": str(cache)}
    d = ["--data", str(data)]
    bulk_store = work / "oxigraph-bulk"

    def fresh_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def fresh_bulk() -> None:
        shutil.rmtree(bulk_store, ignore_errors=True)

    ours = [
        Case(
            "index build",
            [python(), "-c", "import sys, mscgraph; mscgraph.load(sys.argv[1:])", str(data)],
            setup=fresh_cache,
            env=env,
            limited=False,
        ),
        Case(
            "pyoxigraph bulk_load",
            [python(), str(BENCH / "oxigraph_bulk.py"), str(bulk_store), str(data)],
            setup=fresh_bulk,
            limited=False,
        ),
        Case("lookup: mechanisms SS", [mscgraph(), "mechanisms", "SS", *d], env=env),
        Case("validate", [mscgraph(), "validate", *d], ok_codes=(0, 1), env=env, targets={100: 6, 1000: 60}),
        Case(
            "query: shared-mechanisms-all-pairs",
            [mscgraph(), "sparql", "--named", "shared-mechanisms-all-pairs", "--format", "tsv", *d],
            env=env,
        ),
        Case(
            "export --format nt",
            [mscgraph(), "export", "--format", "nt", "-o", str(work / "ours.nt"), *d],
            env=env,
        ),
        Case(
            "html --disease SS",
            [mscgraph(), "html", "--disease", "SS", "-o", str(work / "ours.html"), *d],
            env=env,
        ),
    ]
    naive = [python(), str(BENCH / "naive.py"), "--data", str(data)]
    theirs = [
        Case("lookup: mechanisms SS", [*naive, "query", "mechanisms-for-disease", f"disease={SS}"]),
        Case("validate", [*naive, "validate"]),
        Case("query: shared-mechanisms-all-pairs", [*naive, "query", "shared-mechanisms-all-pairs"]),
        Case("export --format nt", [*naive, "export", str(work / "naive.nt")]),
        Case("html --disease SS", [*naive, "html", str(work / "naive.html"), "--disease", SS]),
    ]
    return ours, theirs


def run_case(case: Case, runs: int, slow: float, timeout: float, warmup: bool = True) -> dict[str, object]:
    """Measure one case; slow cases get one measured run, timed-out ones a lower bound."""
    timeout = timeout if case.limited else None
    try:
        n = runs
        if warmup:
            if case.setup:
                case.setup()
            warm, _ = run_once(case.argv, case.env, ok_codes=case.ok_codes, timeout=timeout)
            n = runs if warm <= slow else 1
        t = measure(
            case.name,
            case.argv,
            runs=n,
            warmup=0,
            env=case.env,
            setup=case.setup,
            ok_codes=case.ok_codes,
            timeout=timeout,
        )
    except TimedOut:
        return {"median_s": None, "timeout_s": timeout, "runs": 0, "peak_rss_mib": None}
    return _row(t)


def _row(t: Timing) -> dict[str, object]:
    return {
        "median_s": t.median_s,
        "min_s": t.min_s,
        "max_s": t.max_s,
        "runs": t.runs,
        "peak_rss_mib": round(t.peak_rss_mib, 1),
    }


def count_triples(store_dir: Path) -> int:
    import pyoxigraph as ox

    return len(ox.Store.read_only(str(store_dir)))


def bench_scale(
    scale: int, out: Path, runs: int, slow: float, timeout: float, warmup: bool = True
) -> dict[str, object]:
    sys.path.insert(0, str(BENCH))
    from generate import generate

    data = out / f"x{scale}"
    work = out / f"work-x{scale}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    print(f"×{scale}: generating {data} ...", file=sys.stderr, flush=True)
    generate(scale, data)
    ours, theirs = cases(data, work, work / "cache")
    result: dict[str, object] = {"scale": scale, "mscgraph": {}, "naive": {}}
    for engine, todo in (("mscgraph", ours), ("naive", theirs)):
        for case in todo:
            print(f"×{scale}: {engine}: {case.name} ...", file=sys.stderr, flush=True)
            row = run_case(case, runs, slow, timeout, warmup)
            result[engine][case.name] = row  # type: ignore[index]
            print(f"    {_fmt(row)}", file=sys.stderr, flush=True)
            if case.name == "pyoxigraph bulk_load":
                result["triples"] = count_triples(work / "oxigraph-bulk")
            if case.name == "index build" and not row.get("runs"):  # later cases need the index
                run_once(case.argv, case.env)
    shutil.rmtree(work, ignore_errors=True)
    return result


def _fmt(row: dict[str, object] | None) -> str:
    if not row:
        return "–"
    if row.get("median_s") is None:
        return f"> {row['timeout_s']:.0f} s"
    return f"{row['median_s']:.3f} s"


def table(results: list[dict]) -> str:
    rows = []
    for r in sorted(results, key=lambda r: r["scale"]):
        ours, naive = r["mscgraph"], r["naive"]
        for name, mine in ours.items():
            other = naive.get(name)
            if name == "index build":
                other, vs = ours.get("pyoxigraph bulk_load"), "bulk_load"
            elif name == "pyoxigraph bulk_load":
                continue
            else:
                vs = "naive"
            ratio = ""
            if mine.get("median_s") and other and other.get("median_s"):
                ratio = (
                    f"{mine['median_s'] / other['median_s']:.2f}× bulk_load"
                    if vs == "bulk_load"
                    else f"{other['median_s'] / mine['median_s']:.1f}× faster"
                )
            elif mine.get("median_s") and other and other.get("timeout_s"):  # a lower bound
                ratio = f"> {other['timeout_s'] / mine['median_s']:.1f}× faster"
            rows.append(
                {
                    "size": f"×{r['scale']}",
                    "triples": f"{r.get('triples', 0):,}",
                    "case": name,
                    "mscgraph": _fmt(mine),
                    "MiB": mine.get("peak_rss_mib") or "–",
                    "runs": mine.get("runs", 0),
                    "vs": "pyoxigraph bulk_load" if vs == "bulk_load" else "naive rdflib",
                    "other": _fmt(other),
                    "other MiB": (other or {}).get("peak_rss_mib") or "–",
                    "other runs": (other or {}).get("runs", 0),
                    "ratio": ratio,
                }
            )
    return markdown_table(rows)


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = sorted(results, key=lambda r: r["scale"])
    fig, ax = plt.subplots(figsize=(9, 6))
    names = list(results[-1]["mscgraph"])
    colors = dict(zip(names, plt.rcParams["axes.prop_cycle"].by_key()["color"] * 2, strict=False))
    for engine, style in (("mscgraph", "-o"), ("naive", "--s")):
        for name in names:
            pts = [
                (r.get("triples") or r["scale"], r[engine][name]["median_s"])
                for r in results
                if name in r[engine] and r[engine][name].get("median_s")
            ]
            if pts:
                xs, ys = zip(*pts, strict=True)
                ax.plot(xs, ys, style, color=colors[name], label=f"{engine}: {name}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("triples (synthetic graph ×1, ×100, ×1000 the real data)")
    ax.set_ylabel("whole-process wall time, median (s)")
    ax.set_title("mscgraph vs naive rdflib: time vs graph size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=110)
    tmp.replace(path)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="×1 and ×10 only")
    parser.add_argument("--scales", default=None, help="comma-separated sizes (default 1,100,1000)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-warmup", action="store_true", help="measure the first run (a quick check)")
    parser.add_argument("--slow", type=float, default=20.0, help="warm-up seconds above which runs = 1")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds after which a run is killed")
    parser.add_argument("--out", type=Path, default=BENCH / "out", help="generated graphs (git-ignored)")
    parser.add_argument("--results", type=Path, default=BENCH / "results")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "scale.png")
    args = parser.parse_args()
    scales = [1, 10] if args.quick else [int(s) for s in (args.scales or "1,100,1000").split(",")]
    args.results.mkdir(parents=True, exist_ok=True)
    for scale in scales:
        result = bench_scale(scale, args.out, args.runs, args.slow, args.timeout, not args.no_warmup)
        (args.results / f"scale-{scale}.json").write_text(json.dumps(result, indent=1))
    keep = set(scales) if args.quick else None
    results = [json.loads(p.read_text()) for p in sorted(args.results.glob("scale-*.json"))]
    results = [r for r in results if keep is None or r["scale"] in keep]
    md = table(results)
    (args.results / "scale.md").write_text(md + "\n")
    args.plot.parent.mkdir(parents=True, exist_ok=True)
    plot(results, args.plot)
    print(md)


if __name__ == "__main__":
    main()
