"""Programmes: checked against what the dataset knows (unknown codes, levels, years, goals,
overlaps: one clear message, nothing stored), a concurrent edit refused instead of lost, every
write in the audit trail, and a file imported whole or not at all."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.orm import Session

from wijkradar.errors import WijkradarError
from wijkradar.store import programmes as pg
from wijkradar.store.audit import trail
from wijkradar.store.programme_files import read_programmes

KNOWN = pg.Known(
    areas={
        "WK059916": ("wijk", "GM0599", 2002, 2018),
        "BU05991692": ("buurt", "GM0599", 2014, 2018),
        "BU05991699": ("buurt", "GM0599", 2014, 2018),
        "WK059901": ("wijk", "GM0599", 2002, 2018),
        "GM0599": ("gemeente", "GM0599", 2002, 2024),
    },
    indicators={"low_income_households_pct", "lbm_safety", "social_rent_pct"},
    years={"wijk": [2002, 2008, 2012, 2014, 2018], "buurt": [2014, 2016, 2018]},
)
HOOGVLIET = {
    "name": "Hoogvliet",
    "organisation": "Gemeente Rotterdam",
    "areas": ["wk059916", "BU05991692"],
    "start": 2008,
    "goals": ["low_income_households_pct:down", "lbm_safety:up:4,5"],
    "partners": ["Woonbron", "Vestia"],
    "budget": {"2008": 1_000_000},
}


def test_add_normalises_and_audits(engine):
    p = pg.add(engine, HOOGVLIET, KNOWN)
    assert p["areas"] == ["WK059916", "BU05991692"] and p["version"] == 1
    assert p["goals"][1] == {"indicator": "lbm_safety", "direction": "up", "target": 4.5}
    assert p["budget"] == {"2008": 1_000_000.0} and p["end"] is None
    assert pg.get(engine, "Hoogvliet") == p
    with Session(engine) as s:
        (row,) = trail(s, entity="programmes")
    assert row["action"] == "create" and row["detail"]["name"] == "Hoogvliet"


@pytest.mark.parametrize(
    "change,message",
    [
        ({"areas": ["WK059999"]}, "onbekend gebied WK059999 in het programma (bedoelde u"),
        ({"areas": ["GM0599"]}, "GM0599 is een gemeente; een programma bestaat uit buurten"),
        ({"areas": []}, "minstens één buurt of wijk"),
        ({"start": 1990}, "startjaar 1990 ligt buiten de gegevens van deze gebieden (2002–2018)"),
        ({"start": 2010, "end": 2009}, "eindjaar 2009 ligt voor het startjaar 2010"),
        ({"start": "ooit"}, "start- en eindjaar zijn jaartallen"),
        ({"goals": ["low_incom:down"]}, "onbekende indicator 'low_incom' in een doel"),
        ({"goals": ["lbm_safety"]}, "ongeldig doel 'lbm_safety'"),
        ({"goals": [{"indicator": "lbm_safety", "direction": "sideways"}]}, "kies down of up"),
        ({"budget": {"2008": "veel"}}, "budget 2008: 'veel' is geen bedrag"),
        ({"colour": "red"}, "onbekende velden ['colour']"),
        ({"name": " "}, "een programma heeft een naam"),
    ],
)
def test_bad_programmes_are_refused_and_nothing_is_stored(engine, change, message):
    with pytest.raises(WijkradarError) as exc:
        pg.add(engine, {**HOOGVLIET, **change}, KNOWN)
    assert message in str(exc.value)
    assert pg.programmes(engine) == []


def test_overlap_and_duplicate_names_are_refused(engine):
    pg.add(engine, {**HOOGVLIET, "end": 2012}, KNOWN)
    with pytest.raises(WijkradarError, match="overlapt met 'Hoogvliet' in WK059916"):
        pg.add(engine, {**HOOGVLIET, "name": "Tweede", "areas": ["WK059916"], "start": 2010},
               KNOWN)  # fmt: skip
    later = pg.add(engine, {**HOOGVLIET, "name": "Daarna", "start": 2014}, KNOWN)
    assert later["start"] == 2014  # the same areas after the first ended: fine
    with pytest.raises(WijkradarError, match="er is al een programma 'Daarna'"):
        pg.add(engine, {**HOOGVLIET, "name": "Daarna", "areas": ["WK059901"]}, KNOWN)


def test_a_concurrent_edit_is_refused_not_lost(engine):
    p = pg.add(engine, HOOGVLIET, KNOWN)
    first = pg.update(engine, "Hoogvliet", {"notes": "eerste"}, KNOWN, version=p["version"])
    assert first["version"] == 2
    with pytest.raises(WijkradarError, match="intussen gewijzigd \\(versie 2, u bewerkte 1\\)"):
        pg.update(engine, "Hoogvliet", {"notes": "tweede"}, KNOWN, version=p["version"])
    assert pg.get(engine, "Hoogvliet")["notes"] == "eerste"

    # many editors at once on the same version: exactly one wins, the rest are told
    def edit(i):
        try:
            return pg.update(engine, "Hoogvliet", {"notes": f"n{i}"}, KNOWN, version=2)
        except WijkradarError:
            return None

    with ThreadPoolExecutor(6) as pool:
        won = [r for r in pool.map(edit, range(12)) if r is not None]
    assert len(won) == 1 and pg.get(engine, "Hoogvliet")["notes"] == won[0]["notes"]
    pg.delete(engine, "Hoogvliet")
    with Session(engine) as s:
        actions = [r["action"] for r in trail(s, entity="programmes")]
    assert actions == ["create", "update", "update", "delete"]
    with pytest.raises(WijkradarError, match="geen programma 'Hoogvliet'"):
        pg.get(engine, "Hoogvliet")


def test_import_toml_and_csv_whole_or_not_at_all(engine, tmp_path):
    toml = tmp_path / "p.toml"
    toml.write_text(
        '[[programme]]\nname = "Hoogvliet"\nareas = ["WK059916"]\nstart = 2008\n'
        'goals = ["low_income_households_pct:down"]\n'
        '[[programme]]\nname = "Centrum"\nareas = ["WK059901"]\nstart = 2012\n',
        encoding="utf-8",
    )
    done = pg.add_many(engine, read_programmes(toml), KNOWN, source="p.toml")
    assert [p["name"] for p in done] == ["Hoogvliet", "Centrum"]
    csv = tmp_path / "p.csv"
    csv.write_text(
        "name;areas;start;goals\nNoord;BU05991692|BU05991699;2014;social_rent_pct:down\n"
        "Fout;WK059999;2014;\n",
        encoding="utf-8",
    )
    with pytest.raises(WijkradarError, match="p.csv, programma 2: onbekend gebied WK059999"):
        pg.add_many(engine, read_programmes(csv), KNOWN, source="p.csv")
    assert len(pg.programmes(engine)) == 2  # the good first row was not stored either
    for name, content, message in [
        ("x.txt", "", "onbekend bestandstype '.txt'"),
        ("bad.toml", "[[programme", "geen geldige TOML"),
        ("none.toml", "x = 1", "geen [[programme]]-tabellen"),
        ("nocol.csv", "naam;areas\nA;WK059916\n", "kolom 'name' ontbreekt"),
    ]:
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        with pytest.raises(WijkradarError, match=message.replace("[", "\\[").replace("(", "\\(")):
            read_programmes(path)
