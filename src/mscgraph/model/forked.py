"""Run a pure computation in a forked child while this process goes on: the second core.

Only for work on Python objects already in memory (the child touches no file, store or connection
it inherited, writes one pipe and ends with ``os._exit``): the forked copy then cannot meet a lock that
another thread held at the fork. The result comes back pickled through the pipe.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import warnings
from collections.abc import Callable
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")


class Forked(Generic[T]):
    """``work()`` started in a child process; :meth:`result` waits for its value.

    Where the child cannot be forked or does not deliver (it failed, or was killed), ``work()`` runs in
    this process when the result is asked for, so an error is raised here as it would be without a child.
    Use it as a context manager: leaving the block ends a child whose result was not asked for.
    """

    def __init__(self, work: Callable[[], T]) -> None:
        self.work = work
        self.pid = 0
        self.read = -1
        if not hasattr(os, "fork"):
            return
        read, write = os.pipe()
        try:
            with warnings.catch_warnings():  # Python 3.12 warns of fork with threads: see the module's note
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the child
            status = 1
            try:
                os.close(read)
                data = pickle.dumps(work(), pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                status = 0
            finally:
                os._exit(status)  # no cleanup of the parent's objects, no flush of its buffers
        os.close(write)
        self.pid, self.read = pid, read

    def result(self) -> T:
        if self.pid:
            read, self.read = self.read, -1  # before the file owns it: a Ctrl-C now cannot close it twice
            with os.fdopen(read, "rb") as answer:
                data = answer.read()
            _, status = os.waitpid(self.pid, 0)
            self.pid = 0
            if status == 0 and data:
                value: T = pickle.loads(data)
                return value
        return self.work()

    def close(self) -> None:
        """End the child if it is still there (its result not asked for)."""
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = 0
        if self.read >= 0:
            os.close(self.read)
            self.read = -1

    def __enter__(self) -> Forked[T]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
