"""The installed ``mscgraph`` console script, run as a user runs it: a real process, pipes, exit codes."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXTRA

from mscgraph.cli import main

SCRIPT = shutil.which("mscgraph", path=str(Path(sys.executable).parent)) or shutil.which("mscgraph")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    assert SCRIPT, "the mscgraph console script is not installed"
    return subprocess.run(
        [SCRIPT, *args], capture_output=True, text=True, cwd=cwd, timeout=120, env=os.environ
    )


FORMATS = ["table", "json", "csv", "tsv"]
COMMANDS = [
    ["mechanisms", "SS"],
    ["diseases", "Th17"],
    ["studies", "干燥综合征"],
    ["evidence", "Sjogren", "IL-17A"],
    ["show", "MONDO:0010030"],
    ["search", "lupus"],
    ["stats"],
]


def check_output(stdout: str, stderr: str, fmt: str) -> None:
    assert stdout.strip()
    assert stderr == ""  # messages only, and there are none on success
    if fmt == "json":
        rows = json.loads(stdout)
        assert rows and all(isinstance(r, dict) for r in rows)


@pytest.mark.parametrize(
    ("args", "fmt"), [(args, FORMATS[i % len(FORMATS)]) for i, args in enumerate(COMMANDS)]
)
def test_every_command_from_any_directory(args, fmt, tmp_path):
    """Each command once as a real process, in a folder without data (the formats take turns)."""
    result = run(*args, "--format", fmt, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    check_output(result.stdout, result.stderr, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("args", COMMANDS)
def test_every_command_and_format(args, fmt, tmp_path, monkeypatch, runner):
    """Every command in every format, in process (the same entry point, without a process each)."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, [*args, "--format", fmt])
    assert result.exit_code == 0, result.output
    check_output(result.stdout, result.stderr, fmt)


def test_unknown_name_in_a_real_process():
    result = run("mechanisms", "Sjogrn")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("mscgraph: error: unknown disease 'Sjogrn'; did you mean:")
    assert result.stderr.count("\n") == 1


def test_closed_pipe_ends_quietly():
    """`mscgraph studies SS | head -1`: head exits after one line; mscgraph must not print a traceback."""
    shell = f"set -o pipefail; '{SCRIPT}' studies SS | head -1"
    result = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("citation")
    assert result.stdout.count("\n") == 1
    assert "Traceback" not in result.stderr and result.stderr == ""


def test_closed_pipe_on_a_long_output():
    shell = f"set -o pipefail; '{SCRIPT}' search e --format tsv | head -c 10"
    result = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr and result.returncode == 0


@pytest.mark.parametrize("command", ["stats", "export --format jsonld", "sparql 'ASK {}' --format json"])
def test_a_closed_stdout_is_a_failed_write_not_a_traceback(command: str) -> None:
    """`mscgraph stats >&-`: Python starts without sys.stdout; the data cannot be written, which is said
    in one line with status 1, as for any failed write (`echo x >&-` fails the same way)."""
    result = subprocess.run(
        ["bash", "-c", f"'{SCRIPT}' {command} >&-"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert result.stderr == "mscgraph: error: cannot write the output: Bad file descriptor\n"


def test_a_closed_stdout_does_not_stop_a_command_writing_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "graph.jsonld"
    shell = f"'{SCRIPT}' export --format jsonld -o '{target}' >&-"
    result = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert json.loads(target.read_text("utf-8"))["@graph"]


STARTUP = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))
from mscgraph.cli import main
main()
"""
OTHER_COMMANDS = {f"mscgraph.cli.{m}" for m in ("lookups", "evidence", "sparql", "html", "network", "push")}
NOT_FOR_EXPORT = {"mscgraph.names.resolver", "mscgraph.query.library", "mscgraph.evidence.summary", "shutil"}


def test_export_imports_only_what_it_uses_and_still_sees_an_edited_source(data, tmp_path):
    """`mscgraph export` starts without the other commands' modules, the name resolver, the query
    library or shutil (its start-up is what the benchmark measures at x1), and it still checks that the
    index is fresh: a source edited after the last export is in the next one."""
    out = tmp_path / "out.nt"

    def export() -> list[str]:
        args = ["export", "--format", "nt", "-o", str(out), "--data", str(data)]
        result = subprocess.run(
            [sys.executable, "-c", STARTUP, *args], capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stderr.splitlines()[-1])

    assert "mscgraph.query.library" in export()  # the first run builds the index (its names' query)
    modules = export()
    assert "mscgraph.cli.export" in modules and "pyoxigraph" in modules
    assert OTHER_COMMANDS.isdisjoint(modules) and NOT_FOR_EXPORT.isdisjoint(modules)
    assert '"Testing disease"@en' in out.read_text()
    (data / "extra.ttl").write_text(EXTRA.replace("{label}", "Edited disease"))
    export()
    text = out.read_text()
    assert '"Edited disease"@en' in text and "Testing disease" not in text


def test_version_and_help():
    assert run("--version").stdout.startswith("mscgraph, version ")
    result = run("--help")
    assert result.returncode == 0 and "mechanisms" in result.stdout
    assert run("no-such-command").returncode == 2


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--timeout", "nan"],
            "'nan' is not a number of seconds",
        ),
        (
            ["sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--timeout", "inf"],
            "'inf' is not a number of seconds",
        ),
        (
            ["sparql", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", "-p", "s=mscd:SS", "-p", "s=mscd:RA"],
            "given twice",
        ),
        (["mechanisms", "SS", "--graph", ""], "--graph names a graph of an --endpoint"),
        (["mechanisms", "SS", "--endpoint", ""], "not an http(s) endpoint URL: ''"),
    ],
)
def test_values_that_cannot_be_meant_are_refused(args, expected, runner):
    """No time limit that is not a finite number, no parameter given twice (which one would win?), no
    empty --graph or --endpoint taken as if it were not there."""
    result = runner.invoke(main, args)
    assert result.exit_code in (1, 2) and expected in result.output, result.output
    assert "Traceback" not in result.output and not result.stdout.strip()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["mechanisms", "SS", "--format", "xml"], "Invalid value for '--format': 'xml' is not one of"),
        (["mechanisms"], "Missing argument 'DISEASE'. (see: mscgraph mechanisms --help)"),
        (["no-such-command"], "No such command 'no-such-command'. (see: mscgraph --help)"),
        (["--bogus"], "No such option '--bogus'. (see: mscgraph --help)"),
        (["curate", "check", "--bogus"], "No such option '--bogus'"),
        (["html", "--evidence", "some"], "Invalid value for '--evidence': 'some'"),
        (["html", "-o", "no-such-folder-here/x.html"], "no such directory: no-such-folder-here"),
        (["export", "-o", "no-such-folder-here/x.nt"], "no such directory: no-such-folder-here"),
    ],
)
def test_a_usage_error_is_one_line_naming_the_help_to_read(args, expected):
    """Like every other error: one line on stderr, exit status 2 (not click's usage block)."""
    result = run(*args)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("mscgraph: error: ") and expected in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1


def test_a_group_without_a_command_prints_its_help():
    """`mscgraph` (or `mscgraph curate`) alone: the help, as click gives it, exit 2; not an error line."""
    for args in ([], ["curate"]):
        result = run(*args)
        assert result.returncode == 2 and "Usage: mscgraph" in result.stdout + result.stderr
        assert "mscgraph: error:" not in result.stderr and "Commands:" in result.stdout + result.stderr


def test_a_relative_cache_folder_is_taken_from_the_working_directory(tmp_path):
    """MSCGRAPH_CACHE=relative was a traceback (a relative path has no file URI)."""
    env = {**os.environ, "MSCGRAPH_CACHE": "relative-cache"}
    result = subprocess.run(
        [SCRIPT, "show", "SS"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert (tmp_path / "relative-cache").is_dir()


def test_the_console_script_ends_at_once_with_every_byte_written_and_the_commands_status():
    """The console script (``mscgraph.cli:run``) exits without Python's teardown (which frees every
    object one by one: 0.3 s after a large page), yet its output is whole and its status the command's."""
    entry = importlib.metadata.entry_points(group="console_scripts")["mscgraph"]
    assert entry.value == "mscgraph.cli:run"
    args = ["search", "e", "--format", "tsv", "--limit", "100000"]
    script = subprocess.run([SCRIPT, *args], capture_output=True, text=True, timeout=120)
    assert script.returncode == 0 and script.stderr == ""
    assert len(script.stdout) > 10_000 and script.stdout == CliRunner().invoke(main, args).output
    unknown = subprocess.run([SCRIPT, "mechanisms", "no such disease"], capture_output=True, text=True)
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert unknown.stderr.startswith("mscgraph: error: unknown disease") and unknown.stderr.count("\n") == 1
    usage = subprocess.run([SCRIPT, "mechanisms", "SS", "--format", "xml"], capture_output=True, text=True)
    assert usage.returncode == 2 and "Invalid value for '--format'" in usage.stderr
