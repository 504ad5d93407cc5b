"""Backup and restore: one portable JSON format for both back ends, written by swap, restored in
one transaction (a bad file changes nothing), with the restore in the audit trail."""

import json

import pytest
from sqlalchemy.orm import Session

from wijkradar.errors import WijkradarError
from wijkradar.store import accounts
from wijkradar.store.audit import trail
from wijkradar.store.backup import backup, restore


def test_round_trip_and_a_new_account_after_a_restore(engine, tmp_path):
    _, token = accounts.add(engine, "team-a", role="editor", gemeenten=["GM0599"])
    accounts.add(engine, "team-b", role="admin")
    path = tmp_path / "b.json"
    assert backup(engine, path) == {"accounts": 2, "audit": 2, "programmes": 0}
    assert not list(tmp_path.glob(".*tmp*"))  # the temporary file was swapped in
    accounts.add(engine, "team-c", role="admin")
    assert restore(engine, path) == {"accounts": 2, "audit": 2, "programmes": 0}
    assert [a["name"] for a in accounts.accounts(engine)] == ["team-a", "team-b"]
    with Session(engine) as s:
        assert accounts.authenticate(s, token).name == "team-a"  # the hash came back
        assert trail(s)[-1]["action"] == "restore"
    info, _ = accounts.add(engine, "team-d", role="admin")  # ids go on after the restored ones
    assert info["id"] == 3


def test_a_bad_backup_changes_nothing(engine, tmp_path):
    accounts.add(engine, "team-a", role="admin")
    good = tmp_path / "good.json"
    backup(engine, good)
    doc = json.loads(good.read_text(encoding="utf-8"))
    cases = {
        "missing.json": (None, "bestaat niet"),
        "text.json": ("no json", "geen geldige JSON"),
        "other.json": (json.dumps({"format": "x"}), "verwacht format 'wijkradar-store'"),
        "rev.json": (json.dumps({**doc, "revision": "0000"}), "heeft schemaversie 0000"),
    }
    bad_row = {**doc, "tables": {**doc["tables"], "audit": [{**doc["tables"]["audit"][0], "x": 1}]}}
    cases["col.json"] = (json.dumps(bad_row), "tabel audit, rij 1: onbekende kolommen")
    for name, (content, message) in cases.items():
        p = tmp_path / name
        if content is not None:
            p.write_text(content, encoding="utf-8")
        with pytest.raises(WijkradarError, match=message):
            restore(engine, p)
    assert [a["name"] for a in accounts.accounts(engine)] == ["team-a"]
    with Session(engine) as s:
        assert [r["action"] for r in trail(s)] == ["create"]
