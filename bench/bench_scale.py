"""Scale benchmark: mscgraph and the naive rdflib way, side by side, on graphs ×1, ×100, ×1000.

    python bench/bench_scale.py                # ×1, ×100, ×1000
    python bench/bench_scale.py --quick        # ×1 and ×10 only
    python bench/bench_scale.py --scales 1000  # one size; results of other sizes are kept
    python bench/bench_scale.py --only export,html   # those cases only; the other rows are kept
    python bench/bench_scale.py --scales 1 --runs 1 --no-warmup  # a quick check (what the test runs)

For each size, bench/generate.py writes a synthetic graph into ``--out`` (default bench/out,
ignored by git), then every case runs as a whole process (bench/harness.py): median wall time
of ``--runs`` runs after a warm-up, and peak resident memory. A quick case runs more times, until
its runs add up to :data:`MIN_TIME` seconds (at most :data:`MAX_RUNS` runs: a ×1 command is mostly
process start-up, which varies from run to run). A case whose warm-up takes longer than ``--slow``
seconds is measured once more only (runs = 1 in the table), and a run longer than ``--timeout``
seconds is killed and shown as "> N s". A case and pyoxigraph's own figure for the same work are
measured by turns (one run of each, then the next round), so both see the same moments of a
machine whose speed varies.

Each case of ours is set beside pyoxigraph's own figure where there is one (the index build beside
``Store.bulk_load``, each export beside ``Store.dump`` of the same store: bench/oxigraph_bulk.py,
bench/oxigraph_dump.py) and beside the naive rdflib way (bench/naive.py); a case with a goal
(:data:`TARGETS`) shows its limit and whether it is met.

Writes bench/results/scale-<N>.json per size, then bench/results/scale.md (every size found)
and docs/scale.png (time vs size, log-log, one line per case and engine).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from harness import TimedOut, Timing, markdown_table, run_once

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
    upto: int | None = None  # run at sizes up to this one only (e.g. a whole-graph page)
    # pyoxigraph's own figure for the same work, as (section of the results, case): measured by turns
    # with this case (see run_together)
    beside: list[tuple[str, Case]] = field(default_factory=list)


EXPORT_FORMATS = ("nt", "ttl", "jsonld")
MIN_TIME, MAX_RUNS = 3.0, 30  # after a warm-up, a case runs at least this long, in at most that many runs
# case -> (the limit as the table shows it, met(ours, other) -> bool, largest size it is set for)
TARGETS: dict[str, tuple[str, Callable[[float, float | None], bool], int | None]] = {
    **{
        f"export --format {fmt}": ("≤ 1.5× engine", lambda t, e: e is not None and t <= 1.5 * e, None)
        for fmt in EXPORT_FORMATS
    },
    "html (whole graph)": ("< 3 s", lambda t, _: t < 3, 100),
    "page stabilise (whole graph, Chromium)": ("< 10 s", lambda t, _: t < 10, 100),
}


def python() -> str:
    return sys.executable


def mscgraph() -> str:
    return shutil.which("mscgraph", path=str(Path(sys.executable).parent)) or "mscgraph"


def cases(data: Path, work: Path, cache: Path) -> tuple[list[Case], list[Case], list[Case]]:
    """The mscgraph cases, the naive ones and pyoxigraph's own; same names mean the same work."""
    env = {"MSCGRAPH_CACHE": str(cache)}
    d = ["--data", str(data)]
    bulk_store = work / "oxigraph-bulk"

    def fresh_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def fresh_bulk() -> None:
        shutil.rmtree(bulk_store, ignore_errors=True)

    bulk_load = Case(
        "pyoxigraph bulk_load",
        [python(), str(BENCH / "oxigraph_bulk.py"), str(bulk_store), str(data)],
        setup=fresh_bulk,
        limited=False,
    )
    dumps = {  # pyoxigraph's own serialisers on the same on-disk store (the index's)
        fmt: Case(
            f"export --format {fmt}",
            [python(), str(BENCH / "oxigraph_dump.py"), str(cache), fmt, str(work / f"engine.{fmt}")],
        )
        for fmt in EXPORT_FORMATS
    }
    ours = [
        Case(
            "index build",
            [python(), "-c", "import sys, mscgraph; mscgraph.load(sys.argv[1:])", str(data)],
            setup=fresh_cache,
            env=env,
            limited=False,
            beside=[("mscgraph", bulk_load)],
        ),
        Case("lookup: mechanisms SS", [mscgraph(), "mechanisms", "SS", *d], env=env),
        Case("validate", [mscgraph(), "validate", *d], ok_codes=(0, 1), env=env, targets={100: 6, 1000: 60}),
        Case(
            "query: shared-mechanisms-all-pairs",
            [mscgraph(), "sparql", "--named", "shared-mechanisms-all-pairs", "--format", "tsv", *d],
            env=env,
        ),
        *(
            Case(
                f"export --format {fmt}",
                [mscgraph(), "export", "--format", fmt, "-o", str(work / f"ours.{fmt}"), *d],
                env=env,
                beside=[("engine", dumps[fmt])],
            )
            for fmt in EXPORT_FORMATS
        ),
        Case(
            "html --disease SS",
            [mscgraph(), "html", "--disease", "SS", "-o", str(work / "ours.html"), *d],
            env=env,
        ),
        Case(
            "html (whole graph)",
            [mscgraph(), "html", "-o", str(work / "all.html"), *d],
            env=env,
            upto=100,
        ),
        Case(  # the page the case above wrote
            "page stabilise (whole graph, Chromium)",
            [python(), str(BENCH / "page_stabilise.py"), str(work / "all.html")],
            upto=100,
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


def run_together(
    cases: list[Case], runs: int, slow: float, timeout: float, warmup: bool = True
) -> list[dict[str, object]]:
    """Measure ``cases`` by turns (one run of each, then the next round), so that a case and the
    figure set beside it see the same moments of a machine whose speed varies; one row each. Slow
    cases get one measured run, timed-out ones a lower bound."""
    rows: list[dict[str, object] | None] = [None] * len(cases)
    samples: list[list[tuple[float, float]]] = [[] for _ in cases]

    def once(i: int) -> tuple[float, float] | None:
        case, limit = cases[i], timeout if cases[i].limited else None
        if case.setup:
            case.setup()
        try:
            return run_once(case.argv, case.env, ok_codes=case.ok_codes, timeout=limit)
        except TimedOut:
            rows[i] = {"median_s": None, "timeout_s": limit, "runs": 0, "peak_rss_mib": None}
            return None

    n = runs
    if warmup:
        warm = [once(i) for i in range(len(cases))]
        if any(w is None or w[0] > slow for w in warm):
            n = 1
        else:  # quick cases run more rounds: at least MIN_TIME seconds of each, as a noise-proof median
            n = max(runs, min(MAX_RUNS, math.ceil(MIN_TIME / max(w[0] for w in warm if w is not None))))
    for _ in range(n):
        for i in range(len(cases)):
            if rows[i] is None and (sample := once(i)) is not None:
                samples[i].append(sample)
    return [row or _row(Timing.of(case.name, s)) for case, row, s in zip(cases, rows, samples, strict=True)]


def _row(t: Timing) -> dict[str, object]:
    return {
        "median_s": t.median_s,
        "min_s": t.min_s,
        "max_s": t.max_s,
        "runs": t.runs,
        "peak_rss_mib": round(t.peak_rss_mib, 1),
    }


def count_triples(cache: Path) -> int:
    """The quads of mscgraph's index (one per triple and file stating it)."""
    import pyoxigraph as ox
    from oxigraph_dump import store_path

    return len(ox.Store.read_only(str(store_path(cache))))


def bench_scale(
    scale: int,
    out: Path,
    runs: int,
    slow: float,
    timeout: float,
    only: list[str],
    previous: dict | None,
    warmup: bool = True,
) -> dict[str, object]:
    """Measure every case at ``scale``; with ``only``, the cases whose name holds one of those words,
    keeping the other rows of ``previous`` (the index is then built unmeasured if it is not measured)."""
    sys.path.insert(0, str(BENCH))
    from generate import generate

    data = out / f"x{scale}"
    work = out / f"work-x{scale}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    print(f"×{scale}: generating {data} ...", file=sys.stderr, flush=True)
    generate(scale, data)
    ours, theirs = cases(data, work, work / "cache")
    keep = previous or {}
    result: dict[str, object] = {
        "scale": scale,
        **({"triples": keep["triples"]} if "triples" in keep else {}),
        **{engine: dict(keep.get(engine, {})) for engine in ("mscgraph", "naive", "engine")},
    }
    for engine, todo in (("mscgraph", ours), ("naive", theirs)):
        for case in todo:
            if case.upto is not None and scale > case.upto:
                result[engine].pop(case.name, None)  # type: ignore[attr-defined]
                continue
            if only and not any(word in case.name for word in only):
                if case.name == "index build":
                    run_once(case.argv, case.env)  # later cases need the index
                    result["triples"] = count_triples(work / "cache")
                continue
            together = [(engine, case), *case.beside]
            turns = "".join(f" by turns with {other.name}" for _, other in case.beside)
            print(f"×{scale}: {engine}: {case.name}{turns} ...", file=sys.stderr, flush=True)
            rows = run_together([c for _, c in together], runs, slow, timeout, warmup)
            row = rows[0]
            if scale in case.targets:
                row["target_s"] = case.targets[scale]
            for (section, measured_case), measured in zip(together, rows, strict=True):
                result[section][measured_case.name] = measured  # type: ignore[index]
            print(f"    {' vs '.join(map(_fmt, rows))}", file=sys.stderr, flush=True)
            if case.name == "index build":
                if not row.get("runs"):  # later cases need the index
                    run_once(case.argv, case.env)
                result["triples"] = count_triples(work / "cache")
    shutil.rmtree(work, ignore_errors=True)
    return result


def _fmt(row: dict[str, object] | None) -> str:
    if not row:
        return "–"
    if row.get("median_s") is None:
        return f"> {row['timeout_s']:.0f} s"
    return f"{row['median_s']:.3f} s"


VS = {
    "bulk_load": "pyoxigraph bulk_load",
    "engine": "pyoxigraph Store.dump, same store",
    "naive": "naive rdflib",
}


def _comparisons(r: dict, name: str) -> list[tuple[str, dict | None]]:
    """What a case of ours is set beside: pyoxigraph's own figure, the naive way, or nothing."""
    if name == "index build":
        return [("bulk_load", r["mscgraph"].get("pyoxigraph bulk_load"))]
    found = [(vs, r.get(vs, {}).get(name)) for vs in ("engine", "naive") if name in r.get(vs, {})]
    return found or [("", None)]


def _ratio(vs: str, mine: dict, other: dict | None) -> str:
    if not (mine.get("median_s") and other):
        return ""
    if not other.get("median_s"):  # the other timed out: a lower bound
        return f"> {other['timeout_s'] / mine['median_s']:.1f}× faster" if other.get("timeout_s") else ""
    if vs in ("bulk_load", "engine"):
        return f"{mine['median_s'] / other['median_s']:.2f}× {vs}"
    return f"{other['median_s'] / mine['median_s']:.1f}× faster"


def _target(scale: int, name: str, vs: str, mine: dict, other: dict | None) -> tuple[str, str]:
    """The case's limit and whether this row meets it ("" where none is set)."""
    if mine.get("target_s") is not None:  # a case's own limit at this size (Case.targets)
        limit = f"< {mine['target_s']:g} s"
        return limit, "yes" if (mine.get("median_s") or float("inf")) < mine["target_s"] else "no"
    limit, met, upto = TARGETS.get(name, ("", None, None))
    if not limit or (upto is not None and scale > upto) or ("engine" in limit) != (vs == "engine"):
        return "", ""
    if mine.get("median_s") is None:
        return limit, "no"
    return limit, "yes" if met(mine["median_s"], (other or {}).get("median_s")) else "no"  # type: ignore[misc]


def table(results: list[dict]) -> str:
    """Every row: each case of ours beside pyoxigraph's figure or the naive way's, with its limit."""
    return markdown_table(_rows(results))


TARGET_COLUMNS = ("size", "case", "mscgraph", "vs", "other", "ratio", "target", "met")
README_START, README_END = "<!-- bench-targets -->", "<!-- /bench-targets -->"


def targets_table(results: list[dict]) -> str:
    """The rows that have a limit (the issue's targets), fewer columns: what README shows."""
    return markdown_table([{k: row[k] for k in TARGET_COLUMNS} for row in _rows(results) if row["target"]])


def write_readme(readme: Path, results: list[dict]) -> None:
    """Put :func:`targets_table` between README's two markers (written whole, by a rename)."""
    text = readme.read_text("utf-8")
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise SystemExit(f"{readme}: no {README_START} … {README_END} markers to write the table between")
    new = f"{text[: start + len(README_START)]}\n{targets_table(results)}\n{text[end:]}"
    tmp = readme.with_name(readme.name + ".tmp")
    tmp.write_text(new, "utf-8")
    tmp.replace(readme)


def _rows(results: list[dict]) -> list[dict[str, object]]:
    rows = []
    for r in sorted(results, key=lambda r: r["scale"]):
        for name, mine in r["mscgraph"].items():
            if name == "pyoxigraph bulk_load":
                continue
            for vs, other in _comparisons(r, name):
                target, met = _target(r["scale"], name, vs, mine, other)
                rows.append(
                    {
                        "size": f"×{r['scale']}",
                        "triples": f"{r.get('triples', 0):,}",
                        "case": name,
                        "mscgraph": _fmt(mine),
                        "MiB": mine.get("peak_rss_mib") or "–",
                        "runs": mine.get("runs", 0),
                        "vs": VS.get(vs, "–"),
                        "other": _fmt(other),
                        "other MiB": (other or {}).get("peak_rss_mib") or "–",
                        "other runs": (other or {}).get("runs", 0),
                        "ratio": _ratio(vs, mine, other),
                        "target": target,
                        "met": met,
                    }
                )
    return rows


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = sorted(results, key=lambda r: r["scale"])
    fig, ax = plt.subplots(figsize=(9, 6))
    names = list(dict.fromkeys(name for r in results for name in r["mscgraph"]))
    colors = dict(zip(names, plt.rcParams["axes.prop_cycle"].by_key()["color"] * 2, strict=False))
    for engine, style in (("mscgraph", "-o"), ("engine", ":^"), ("naive", "--s")):
        for name in names:
            pts = [
                (r.get("triples") or r["scale"], r[engine][name]["median_s"])
                for r in results
                if name in r.get(engine, {}) and r[engine][name].get("median_s")
            ]
            if pts:
                xs, ys = zip(*pts, strict=True)
                ax.plot(xs, ys, style, color=colors[name], label=f"{engine}: {name}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("triples (synthetic graph ×1, ×100, ×1000 the real data)")
    ax.set_ylabel("whole-process wall time, median (s)")
    ax.set_title("mscgraph vs pyoxigraph's own serialiser and naive rdflib: time vs graph size")
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
    parser.add_argument(
        "--readme",
        type=Path,
        default=None,
        help="also write the targets' rows into this README, between its markers",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="measure nothing: write the table, plot and README from the results kept",
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated words: measure only the cases whose name holds one, keep the other rows",
    )
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode compiled
    only = [w for w in args.only.split(",") if w]
    scales = [1, 10] if args.quick else [int(s) for s in (args.scales or "1,100,1000").split(",")]
    args.results.mkdir(parents=True, exist_ok=True)
    for scale in [] if args.report else scales:
        path = args.results / f"scale-{scale}.json"
        previous = json.loads(path.read_text()) if only and path.exists() else None
        result = bench_scale(
            scale, args.out, args.runs, args.slow, args.timeout, only, previous, not args.no_warmup
        )
        path.write_text(json.dumps(result, indent=1))
    keep = set(scales) if args.quick else None
    results = [json.loads(p.read_text()) for p in sorted(args.results.glob("scale-*.json"))]
    results = [r for r in results if keep is None or r["scale"] in keep]
    md = table(results)
    (args.results / "scale.md").write_text(md + "\n")
    args.plot.parent.mkdir(parents=True, exist_ok=True)
    plot(results, args.plot)
    if args.readme:
        write_readme(args.readme, results)
    print(md)


if __name__ == "__main__":
    main()
