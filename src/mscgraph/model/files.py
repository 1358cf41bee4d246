"""Writing output files so that a reader never sees a half-written one."""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While writing, SIGTERM raises SystemExit (status 143) so that the cleanup below runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _exit(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def write_atomic(path: str | Path, write: Callable[[Path], object]) -> None:
    """Let ``write`` fill a temporary file in the same directory, then move it into place.

    - A symlink is followed: its target is replaced and the link stays a link.
    - What is not a regular file (a named pipe, a device) cannot be replaced: it is written in place.
    - An existing file keeps its permissions (and owner, where the process may set it); a new one
      gets the usual ``0666 & ~umask``.
    - On any error, Ctrl-C or SIGTERM the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(os.path.realpath(path))
    try:
        before: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        before = None
    if before is not None and not stat.S_ISREG(before.st_mode):
        write(path)
        return
    with _sigterm_raises():
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        try:
            write(Path(tmp))
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            if before is not None:
                os.chmod(tmp, stat.S_IMODE(before.st_mode))
                with contextlib.suppress(PermissionError):
                    os.chown(tmp, before.st_uid, before.st_gid)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
