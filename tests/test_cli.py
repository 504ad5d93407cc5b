"""The CLI is a thin shell: commands run, errors are one line without a traceback."""

import shutil
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from wijkradar.cli.app import app


@pytest.fixture()
def data_dir(tmp_path, test_data):
    d = tmp_path / "data"
    d.mkdir()
    shutil.copy(test_data / "kwb" / "statline_rotterdam_2018.csv", d)
    return d


def test_build_quality_and_indicators(data_dir, tmp_path):
    runner = CliRunner()
    out = tmp_path / "ds"
    res = runner.invoke(app, ["build", "--data", str(data_dir), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Dataset gebouwd" in res.output
    res = runner.invoke(app, ["quality", "--dataset", str(out)])
    assert res.exit_code == 0
    assert "statline_rotterdam_2018.csv" in res.output
    res = runner.invoke(app, ["indicators", "--csv"])
    assert "corporation_housing_pct" in res.output


def test_errors_are_one_line_without_traceback(tmp_path, data_dir):
    (data_dir / "bad.csv").write_text("a;b\n1;2\n")
    cmd = [
        sys.executable,
        "-m",
        "wijkradar",
        "build",
        "--data",
        str(data_dir),
        "--out",
        str(tmp_path / "ds"),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "bad.csv: onbekende indeling" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "wijkradar", "quality", "--dataset", str(tmp_path / "none")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and "bouw eerst een dataset" in proc.stderr


def test_fetch_rejects_bad_options_before_any_download(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "wijkradar", "fetch", "--years", "2019-x", "--to", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and "--years" in proc.stderr
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "wijkradar",
            "fetch",
            "--years",
            "2019",
            "--to",
            str(tmp_path),
            "--what",
            "weather",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and "weather" in proc.stderr


def test_demo_builds_and_lists_signals(data_dir, tmp_path):
    res = CliRunner().invoke(
        app, ["demo", "--data", str(data_dir), "--dataset", str(tmp_path / "ds"), "--no-serve"]
    )
    assert res.exit_code == 0, res.output
    assert "Rotterdam (GM0599), buurten 2018" in res.output
    assert "geen oordeel over bewoners" in res.output
