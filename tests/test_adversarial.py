"""What an adversarial probe broke (issue 13), kept fixed: real processes, real files, loopback only.

Every case is bounded (time limits on every process and socket) and needs no network beyond
127.0.0.1. Special files are FIFOs and symlinks made in a temporary folder, never real devices.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from mscgraph import resources
from mscgraph.store import Sources, cache_root

SCRIPT = shutil.which("mscgraph", path=str(Path(sys.executable).parent)) or shutil.which("mscgraph")
EXTRA = """@prefix mscd: <https://w3id.org/mscgraph/data/> .
@prefix msc: <https://w3id.org/mscgraph/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
mscd:TestDisease a msc:Disease ; rdfs:label "{label}"@en ; msc:abbreviation "TD" .
"""


def cli(*args: str, env: dict | None = None, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    assert SCRIPT, "the mscgraph console script is not installed"
    return subprocess.run(
        [SCRIPT, *args], capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})},
        **kwargs,
    )


def one_error_line(result: subprocess.CompletedProcess, *expected: str) -> None:
    """Bad input: non-zero exit, exactly one line on stderr, no traceback."""
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for path in resources.data_files():
        shutil.copy(path, folder / path.name)
    (folder / "extra.ttl").write_text(EXTRA.replace("{label}", "Testing disease"))
    return folder


def index_folder(data: Path) -> Path:
    return cache_root() / Sources.resolve([data]).key()


# --- 1. the on-disk index ------------------------------------------------------------------------

READER = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))  # a runaway reader fails instead of eating RAM
import mscgraph
kg = mscgraph.load([sys.argv[1]])
for line in sys.stdin:
    triples = sum(1 for _ in kg.engine.triples())  # a full scan touches every file of the generation
    print(triples, kg.resolve("testing disease", "disease"), flush=True)
"""


def test_a_long_lived_reader_survives_refreshes_by_other_processes(data: Path) -> None:
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(data)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )
    try:
        def ask() -> str:
            reader.stdin.write("scan\n")
            reader.stdin.flush()
            line = reader.stdout.readline()
            assert line, reader.stderr.read()
            return line.split()[0]

        first = ask()
        for n in range(3):  # other processes refresh the index three times
            (data / "extra.ttl").write_text(EXTRA.replace("{label}", f"Renamed disease {n}"))
            assert cli("stats", "--data", str(data)).returncode == 0
            assert ask() == first  # the reader still answers from the generation it opened
        assert len(list(index_folder(data).glob("db-*"))) == 2  # the reader's and the current one
    finally:
        reader.stdin.close()
        reader.wait(60)
    assert reader.returncode == 0, reader.stderr.read()
    (data / "extra.ttl").write_text(EXTRA.replace("{label}", "Final"))
    assert cli("stats", "--data", str(data)).returncode == 0
    assert [p.name for p in index_folder(data).glob("db-*")] == ["db-5"]  # nobody reads the old ones now


def test_killed_builds_are_cleaned_up_and_same_size_same_mtime_edits_are_seen(data: Path) -> None:
    assert cli("show", "TD", "--data", str(data)).returncode == 0
    leftover = index_folder(data) / "build-999999"  # what a build killed with SIGKILL leaves
    (leftover / "store").mkdir(parents=True)
    (leftover / "store" / "000001.sst").write_bytes(b"\0" * 100_000)
    extra = data / "extra.ttl"
    before = extra.stat()
    extra.write_text(EXTRA.replace("{label}", "Tasting disease"))  # same size
    os.utime(extra, ns=(before.st_atime_ns, before.st_mtime_ns))  # same mtime, as `cp -p` leaves it
    assert extra.stat().st_size == before.st_size and extra.stat().st_mtime_ns == before.st_mtime_ns
    result = cli("search", "tasting", "--data", str(data), "--format", "json")
    assert result.returncode == 0 and json.loads(result.stdout)[0]["label"] == "Tasting disease"
    assert not leftover.exists()
    os.utime(extra)  # only the times change: no new generation
    generations = sorted(p.name for p in index_folder(data).glob("db-*"))
    assert cli("show", "TD", "--data", str(data)).returncode == 0
    assert sorted(p.name for p in index_folder(data).glob("db-*")) == generations


def test_indexes_of_vanished_data_sets_are_pruned(data: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(data, other)
    assert cli("stats", "--data", str(other)).returncode == 0
    assert index_folder(other).is_dir()
    stale = index_folder(other)
    shutil.rmtree(other)  # e.g. a temporary folder, gone
    assert cli("stats", "--data", str(data)).returncode == 0
    assert not stale.exists()


def test_a_damaged_index_is_rebuilt_with_one_warning(data: Path) -> None:
    assert cli("stats", "--data", str(data)).returncode == 0
    for sst in index_folder(data).glob("db-*/store/*.sst"):
        sst.write_bytes(sst.read_bytes()[:100])  # truncated RocksDB files
    result = cli("show", "TD", "--data", str(data))
    assert result.returncode == 0 and "Testing disease" in result.stdout
    assert result.stderr.count("\n") == 1 and "damaged; rebuilding" in result.stderr
    for names in index_folder(data).glob("db-*/names.sqlite"):
        names.write_bytes(names.read_bytes()[:4096])  # a truncated name index
    result = cli("show", "TD", "--data", str(data))
    assert result.returncode == 0 and "Testing disease" in result.stdout and "Traceback" not in result.stderr


def test_an_unusable_cache_location_is_bypassed_with_one_warning(data: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = cli("show", "TD", "--data", str(data), env={"MSCGRAPH_CACHE": str(blocker / "cache")})
    assert result.returncode == 0 and "Testing disease" in result.stdout
    assert result.stderr.count("\n") == 1 and "reading the sources in memory" in result.stderr


# --- 2. output paths -----------------------------------------------------------------------------

def test_export_follows_a_symlink_keeps_the_mode_and_writes_into_a_pipe(tmp_path: Path) -> None:
    target = tmp_path / "real.nt"
    target.write_text("old\n")
    os.chmod(target, 0o600)
    link = tmp_path / "link.nt"
    link.symlink_to(target)
    assert cli("export", "--format", "nt", "-o", str(link)).returncode == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and target.read_text().count("\n") > 4000

    fifo = tmp_path / "pipe.nt"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = cli("export", "--format", "nt", "-o", str(fifo))
    reader.join(60)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still a pipe, not replaced by a regular file
    assert received and received[0].count(b"\n") > 4000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.nt", "pipe.nt", "real.nt"]  # no temp files


class StallingServer:
    """A loopback TCP server that accepts connections and answers slowly: never (``drip=None``), or
    one byte of a valid HTTP answer every ``drip`` seconds."""

    def __init__(self, drip: float | None = None) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.drip = drip
        self.connections: list[socket.socket] = []
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)
            if self.drip is not None:
                threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n\r\n" + b" " * 10000
        for byte in answer:
            if self.stopped.wait(self.drip):
                return
            try:
                conn.sendall(bytes([byte]))
            except OSError:
                return

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()
        for conn in self.connections:
            conn.close()


def test_sigterm_during_export_removes_the_temporary_file(tmp_path: Path) -> None:
    server = StallingServer()  # the export waits on it with its temporary file open
    try:
        out = tmp_path / "out.ttl"
        proc = subprocess.Popen(
            [SCRIPT, "export", "-o", str(out), "--endpoint", server.url], stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".out.ttl.*.tmp")) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.05)
        assert list(tmp_path.glob(".out.ttl.*.tmp")), "the export never started writing"
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    finally:
        server.close()
    assert proc.returncode != 0
    assert list(tmp_path.iterdir()) == []  # neither the output nor its temporary file
    assert "Traceback" not in proc.stderr.read()


def _small_disk() -> None:
    """In the child: files may not grow past 20 kB, as on a full disk (the write fails)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))


@pytest.mark.parametrize(
    "args",
    [
        ("sparql", "SELECT * WHERE { ?s ?p ?o }", "--format", "csv"),
        ("export", "--format", "nt"),
        ("search", "e", "--format", "json", "--limit", "1000"),
    ],
)
def test_a_full_disk_through_stdout_is_an_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    assert cli("stats").returncode == 0  # the index is built before the disk is "full"
    with open(tmp_path / "out", "wb") as out:
        result = subprocess.run(
            [SCRIPT, *args], stdout=out, stderr=subprocess.PIPE, text=True, timeout=120,
            preexec_fn=_small_disk,
        )
    one_error_line(result, "File too large")
