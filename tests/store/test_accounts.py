"""Accounts: a token shown once and stored only as its hash, roles and gemeenten checked with
clear messages, an audit row for every write, and concurrent writers losing nothing."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from wijkradar.errors import WijkradarError
from wijkradar.store import accounts
from wijkradar.store.audit import trail
from wijkradar.store.models import Account


def test_a_token_authenticates_and_only_its_hash_is_stored(engine):
    info, token = accounts.add(engine, "wijkteam-feijenoord", role="editor", gemeenten=["gm0599"])
    assert info["gemeenten"] == ["GM0599"] and token.startswith(f"wr_{info['id']}_")
    with Session(engine) as s:
        acc = s.scalars(select(Account)).one()
        assert token.split("_", 2)[2] not in acc.token_hash and acc.token_hash.startswith("$argon2")
        assert accounts.authenticate(s, token).name == "wijkteam-feijenoord"
        for bad in (None, "", "wr_1_wrong", token + "x", "wr_x_y", f"wr_999_{token[5:]}"):
            assert accounts.authenticate(s, bad) is None
        assert accounts.may_write(acc, "GM0599") and not accounts.may_write(acc, "GM0363")
        acc.active = False
        assert accounts.authenticate(s, token) is None  # revoked
        rows = trail(s, entity="accounts")
    assert [(r["actor"], r["action"], r["key"]) for r in rows] == [("cli", "create", "1")]
    assert "token" not in str(rows)


def test_admin_writes_everywhere_and_an_editor_needs_a_gemeente(engine):
    info, token = accounts.add(engine, "beheer", role="admin")
    with Session(engine) as s:
        assert accounts.may_write(accounts.authenticate(s, token), "GM0363")
    with pytest.raises(WijkradarError, match="een editor schrijft voor één of meer gemeenten"):
        accounts.add(engine, "zonder", role="editor")


@pytest.mark.parametrize(
    "name,kw,message",
    [
        ("a@b.nl", {"role": "admin"}, "lijkt een e-mailadres"),
        ("", {"role": "admin"}, "ongeldige accountnaam"),
        ("ok", {"role": "king"}, "onbekende rol 'king'; kies editor of admin"),
        ("ok", {"role": "editor", "gemeenten": ["0599"]}, "ongeldige gemeentecode '0599'"),
        (
            "ok",
            {"role": "editor", "gemeenten": ["GM0598"], "known": ["GM0599", "GM0363"]},
            "GM0598 komt niet voor in de dataset (bedoelde u GM0599",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(engine, name, kw, message):
    with pytest.raises(WijkradarError, match=message.replace("(", r"\(")):
        accounts.add(engine, name, **kw)
    assert accounts.accounts(engine) == []


def test_a_name_twice_is_a_clear_message_and_the_first_stays(engine):
    accounts.add(engine, "team", role="admin")
    with pytest.raises(WijkradarError, match="er is al een account met de naam 'team'"):
        accounts.add(engine, "team", role="admin")
    assert [a["name"] for a in accounts.accounts(engine)] == ["team"]
    with Session(engine) as s:
        assert len(trail(s)) == 1  # the failed write left no audit row either


def test_concurrent_writers_lose_nothing(engine):
    names = [f"team-{i:02d}" for i in range(16)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: accounts.add(engine, n, role="admin"), names))
    assert sorted(a["name"] for a in accounts.accounts(engine)) == names
    with Session(engine) as s:
        assert sorted(r["detail"]["name"] for r in trail(s)) == names
