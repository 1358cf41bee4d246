"""A one-line progress bar on stderr for long index builds, drawn only when stderr is a terminal.

The library reports progress through a callback (``mscgraph.load(progress=...)``); only the command
line draws it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TextIO

_WIDTH = 24


class ProgressBar:
    """Called with ``(file, bytes done, bytes in all)`` before each file and ``(None, all, all)`` at the end.

    Redraws one line (``\\r``) per call; prints nothing at all when ``stream`` is not a TTY, so
    pipes, logs and CI output stay clean.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.started = time.monotonic()

    def __call__(self, path: Path | None, done: int, total: int) -> None:
        if not self.enabled:
            return
        filled = _WIDTH * done // total if total else _WIDTH
        bar = "#" * filled + "-" * (_WIDTH - filled)
        name = path.name if path is not None else "done"
        seconds = time.monotonic() - self.started
        line = f"mscgraph: indexing [{bar}] {done / 1e6:,.1f}/{total / 1e6:,.1f} MB {seconds:.0f} s  {name}"
        end = "\n" if path is None else ""
        self.stream.write("\r" + line[:200].ljust(80) + end)
        self.stream.flush()
