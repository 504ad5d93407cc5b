"""Golden outputs (tools/golden.py): signals of every level and year, three profiles, three
regions' actions and the API's error answers on ../shared/data are what they were when frozen.

A change here is either a regression or an intended fix: for a fix, run
``.venv/bin/python tools/golden.py --update`` and name the difference in CHANGELOG.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import golden  # noqa: E402


@pytest.fixture(scope="module")
def snapshot(shared_data, tmp_path_factory):
    from wijkradar.panel.build import build

    out = tmp_path_factory.mktemp("golden") / "ds"
    build(shared_data, out)
    return golden.snapshot(out)


def test_golden_files_exist():
    names = set(golden.load())
    assert "api_errors" in names and any(n.startswith("signals_buurt_") for n in names)
    assert {f"profile_{c}" for c in golden.REGIONS} <= names


def test_outputs_match_the_golden_files(snapshot):
    gold = golden.load()
    assert set(snapshot) == set(gold), "outputs added or gone: " + str(
        sorted(set(snapshot) ^ set(gold))
    )
    diffs = []
    for name in sorted(gold):
        diffs += golden.differences(gold[name], snapshot[name], name, limit=5)
    assert not diffs, "differs from tests/golden/ (tools/golden.py):\n" + "\n".join(diffs[:30])


def test_differences_are_reported_readably():
    a = {"frame": [{"code": "BU1", "score": 1.5}], "n": 1}
    b = {"frame": [{"code": "BU1", "score": 2.0}], "m": 1}
    got = golden.differences(a, b, "x")
    assert "x.frame[0].score: '1.5' → '2.0'" in got
    assert "x.n: gone" in got and "x.m: new" in got
    assert golden.canonical(float("nan")) is None
    assert golden.canonical(1 / 3) == 0.333333
