"""Shared fixtures: the real packaged graph, opened through the real on-disk index."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import mscgraph

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test session builds its own index, never touching the user's cache."""
    os.environ["MSCGRAPH_CACHE"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def kg() -> mscgraph.KnowledgeGraph:
    return mscgraph.load()


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()
