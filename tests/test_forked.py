"""mscgraph.model.forked: a computation run in a forked child, its value read back here."""

from __future__ import annotations

import os
import signal
import time

import pytest

from mscgraph.model.forked import Forked


def test_the_childs_value_comes_back_here() -> None:
    here = os.getpid()
    with Forked(lambda: (os.getpid(), {"rows": [1, "x", None, 2.5]})) as child:
        pid, value = child.result()
    assert pid != here  # computed in another process
    assert value == {"rows": [1, "x", None, 2.5]}


def test_an_error_in_the_child_is_raised_here_as_it_would_be_without_a_child() -> None:
    calls: list[int] = []

    def work() -> None:
        calls.append(os.getpid())  # the child's list is its own copy
        raise ValueError("no such link")

    with Forked(work) as child, pytest.raises(ValueError, match="no such link"):
        child.result()
    assert calls == [os.getpid()]  # run again here, once


def test_a_killed_child_is_replaced_by_the_work_done_here() -> None:
    here = os.getpid()

    def work() -> int:
        if os.getpid() != here:
            os.kill(os.getpid(), signal.SIGKILL)
        return 42

    with Forked(work) as child:
        assert child.result() == 42


def test_leaving_the_block_ends_a_child_whose_result_was_not_asked_for() -> None:
    started = time.monotonic()
    with Forked(lambda: time.sleep(60)) as child:
        pid = child.pid
        assert pid > 0
    assert time.monotonic() - started < 30
    with pytest.raises(ChildProcessError):  # killed and reaped: no zombie left
        os.waitpid(pid, os.WNOHANG)
