"""Shared fixtures: hand-written CBS-format files in tests/data, and the real data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
TEST_DATA = TESTS / "data"


def _shared_data_dir() -> Path | None:
    env = os.environ.get("WIJKRADAR_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(TESTS.parent.parent / "shared" / "data")
    for c in candidates:
        if (c / "README.md").exists():
            return c
    return None


@pytest.fixture(scope="session")
def test_data() -> Path:
    """The folder with small hand-written files in CBS's formats."""
    return TEST_DATA


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data folder; skips locally when absent, fails on CI (CI is set)."""
    d = _shared_data_dir()
    if d is None:
        if os.environ.get("CI"):
            pytest.fail("../shared/data is missing on CI; the real-data tests must run there")
        pytest.skip("real data in ../shared/data not available")
    return d


@pytest.fixture(scope="session")
def real_dataset(shared_data, tmp_path_factory):
    """A dataset built once per session from ../shared/data (read-only: do not modify it)."""
    import wijkradar
    from wijkradar.panel.build import build

    return wijkradar.open_dataset(build(shared_data, tmp_path_factory.mktemp("real") / "ds").path)
