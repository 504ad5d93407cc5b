"""`wijkradar db` and `wijkradar users` as a user runs them: the token as the last line, one
Dutch line without a traceback for bad input."""

import json
import subprocess
import sys

import pytest


def _cli(*args, cwd):
    cmd = [sys.executable, "-m", "wijkradar", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=cwd)


def test_users_add_prints_the_token_last_and_it_works(store_url, tmp_path):
    from sqlalchemy.orm import Session

    from wijkradar.store.accounts import authenticate
    from wijkradar.store.engine import make_engine

    up = _cli("db", "upgrade", "--db", store_url, cwd=tmp_path)
    assert up.returncode == 0 and "→ 0002" in up.stdout, up.stderr
    add = _cli("users", "add", "wijkteam", "--role", "editor", "--gemeente", "GM0599",
               "--db", store_url, cwd=tmp_path)  # fmt: skip
    assert add.returncode == 0, add.stderr
    token = add.stdout.strip().splitlines()[-1]
    with Session(make_engine(store_url)) as s:
        assert authenticate(s, token).gemeenten == ["GM0599"]
    listed = _cli("users", "list", "--db", store_url, cwd=tmp_path).stdout
    assert "wijkteam · editor · GM0599" in listed and token not in listed
    path = tmp_path / "backup.json"
    assert _cli("db", "backup", str(path), "--db", store_url, cwd=tmp_path).returncode == 0
    assert "accounts: 1" in _cli("db", "restore", str(path), "--db", store_url, cwd=tmp_path).stdout


def test_bad_input_is_one_line_without_a_traceback(tmp_path):
    db = f"sqlite:///{tmp_path / 's.db'}"
    cases = [
        (("users", "add", "x", "--role", "admin", "--db", db), "voer eerst `wijkradar db upgrade`"),
        (("db", "upgrade", "--db", "mysql://u@h/d"), "'mysql' wordt niet ondersteund"),
        (("db", "restore", "nope.json", "--db", db), "back-upbestand nope.json bestaat niet"),
    ]
    for args, message in cases:
        proc = _cli(*args, cwd=tmp_path)
        assert proc.returncode == 1 and message in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
    assert _cli("db", "upgrade", "--db", db, cwd=tmp_path).returncode == 0
    proc = _cli("users", "add", "a@b.nl", "--role", "admin", "--db", db, cwd=tmp_path)
    assert "lijkt een e-mailadres" in proc.stderr


@pytest.mark.shared_data
def test_the_hoogvliet_programme_on_the_real_data(real_dataset, tmp_path):
    db = f"sqlite:///{tmp_path / 's.db'}"
    ds = ["--db", db, "--dataset", str(real_dataset.path)]
    assert _cli("db", "upgrade", "--db", db, cwd=tmp_path).returncode == 0
    add = _cli("programme", "add", "--name", "Hoogvliet", "--organisation", "Gemeente Rotterdam",
               "--areas", "WK059916,BU05991692,BU05991699", "--start", "2014",
               "--goal", "low_income_households_pct:down", *ds, cwd=tmp_path)  # fmt: skip
    assert add.returncode == 0, add.stderr
    assert "Hoogvliet (Gemeente Rotterdam), 2014–lopend" in add.stdout
    shown = json.loads(_cli("programme", "show", "Hoogvliet", "--json", "--db", db,
                            cwd=tmp_path).stdout)  # fmt: skip
    assert shown["areas"] == ["WK059916", "BU05991692", "BU05991699"]
    bad = _cli("programme", "add", "--name", "X", "--areas", "WK059999", "--start", "2014", *ds,
               cwd=tmp_path)  # fmt: skip
    assert bad.returncode == 1 and "onbekend gebied WK059999 in het programma" in bad.stderr
    assert "Traceback" not in bad.stderr
    gone = _cli("programme", "delete", "Hoogvliet", "--db", db, cwd=tmp_path)
    assert gone.returncode == 0 and _cli("programme", "list", "--db", db, cwd=tmp_path).stdout == ""
