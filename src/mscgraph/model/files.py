"""Writing output files so that a reader never sees a half-written one."""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from mscgraph.model.errors import UsageError


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


def _new_file_beside(path: Path) -> Path:
    """Create an empty file of this process's own in ``path``'s directory, readable by its owner only
    (as ``tempfile.mkstemp`` does; that module and the ``shutil`` it imports cost every command's start)."""
    for n in range(100):
        tmp = path.with_name(f".{path.name}.{os.getpid()}-{n}.tmp")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600))
        except FileExistsError:  # left by a killed process whose id this one now has
            continue
        return tmp
    raise FileExistsError(f"no free temporary file name beside {path}")


def write_atomic(path: str | Path, write: Callable[[Path], object]) -> None:
    """Let ``write`` fill a temporary file in the same directory, then move it into place.

    - A symlink is followed: its target is replaced and the link stays a link.
    - What is not a regular file (a named pipe, a device) cannot be replaced: it is written in place.
    - An existing file keeps its permissions (and owner, where the process may set it); a new one
      gets the usual ``0666 & ~umask``.
    - On any error, Ctrl-C or SIGTERM the temporary file is removed and ``path`` is left as it was.
    - A directory, or a name in a folder that does not exist, is a UsageError (bad input).
    """
    given = Path(path)
    path = Path(os.path.realpath(path))
    if path.is_dir():
        raise UsageError(f"{given} is a directory; give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"no such directory: {given.parent}")
    try:
        before: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        before = None
    if before is not None and not stat.S_ISREG(before.st_mode):
        write(path)
        return
    with _sigterm_raises():
        tmp = _new_file_beside(path)
        try:
            write(tmp)
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
            tmp.unlink(missing_ok=True)
            raise
