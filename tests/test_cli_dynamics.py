"""`wijkradar transitions`, `movers` and `warning` on the real data, and their messages for bad
input (one Dutch line, no traceback, the nearest valid choice)."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from wijkradar.cli.app import app

pytestmark = pytest.mark.shared_data


def _run(real_dataset, *args):
    res = CliRunner().invoke(app, [*args, "--dataset", str(real_dataset.path)])
    return res


def _fail(real_dataset, *args) -> str:
    cmd = [sys.executable, "-m", "wijkradar", *args, "--dataset", str(real_dataset.path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout
    assert "Traceback" not in proc.stderr
    return proc.stderr


def test_transitions_json_has_states_counts_and_probabilities(real_dataset):
    res = _run(real_dataset, "transitions", "--level", "wijk", "--by", "lbm_class",
               "--from", "2002", "--to", "2014", "--format", "json")  # fmt: skip
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["states"] == list(range(1, 10))
    assert d["editions"] == [2002, 2008, 2012, 2014]
    assert len(d["counts"]) == 9 and len(d["probabilities"][0]) == 9
    rows = [sum(r) for r in d["probabilities"] if not any(x is None for x in r)]
    assert all(abs(s - 1) < 1e-9 for s in rows)
    assert d["n_pairs"] > 8000 and d["spatial"]["n_regions"] > 2000
    assert d["steady_state"][0] == pytest.approx(0, abs=1e-3)  # class 1 is transient


def test_warning_json_and_backtest_beside_baselines(real_dataset):
    res = _run(real_dataset, "warning", "--level", "wijk", "--year", "2014", "--horizon", "1",
               "--outcome", "weak", "--format", "json")  # fmt: skip
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert len(rows) > 2000
    first = rows[0]
    assert {"code", "name", "year", "horizon", "outcome", "risk", "drivers"} <= set(first)
    assert 0 <= first["risk"] <= 1 and first["year"] == 2014 and first["outcome"] == "weak"
    assert first["drivers"] and all(d["text"] for d in first["drivers"])
    assert rows[0]["risk"] >= rows[-1]["risk"]
    res = _run(real_dataset, "warning", "--level", "wijk", "--backtest")
    assert res.exit_code == 0, res.output
    assert "blijft zoals het is" in res.output and "de trend zet door" in res.output
    assert "ROC-AUC" in res.output and "verslaat" in res.output


def test_movers_name_what_moved_them(real_dataset):
    res = _run(real_dataset, "movers", "--level", "wijk", "--from", "2012", "--to", "2014",
               "--gemeente", "GM0363", "--format", "json")  # fmt: skip
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    dirs = {m["direction"] for m in d["movers"]}
    assert dirs == {"daler", "stijger"}
    assert all(m["code"].startswith("WK0363") for m in d["movers"])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["warning", "--level", "wijk", "--horizon", "4"], "horizon 4 gaat voorbij de gegevens"),
        (["warning", "--level", "wijk", "--year", "2023"], "ontbreken voor wijk de kenmerken"),
        (["warning", "--level", "wijk", "--year", "2008"], "geen kenmerken voor wijk in 2008"),
        (["transitions", "--by", "lbm_clas"], "bedoelde u lbm_class"),
        (["transitions", "--level", "wijk", "--gemeente", "GM9999"], "onbekende gemeente"),
        (["warning", "--level", "gemeente", "--backtest"], "te weinig gebeurtenissen"),
    ],
)
def test_bad_input_is_one_clear_line(real_dataset, args, expected):
    assert expected in _fail(real_dataset, *args)
