"""Draft catalogue rows from CBS metadata: known columns match, new ones are proposed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wijkradar.catalogue import load_catalogue
from wijkradar.cli.app import app
from wijkradar.errors import SourceFormatError
from wijkradar.sources.codebook import harvest, propose, slug

CAT = load_catalogue()
NEW_V3 = {
    "odata.metadata": "https://opendata.cbs.nl/ODataFeed/odata/86165NED/$metadata",
    "value": [
        {"ID": 0, "ParentID": None, "Type": "GeoDimension", "Key": "WijkenEnBuurten"},
        {"ID": 1, "ParentID": None, "Type": "Topic", "Key": "Gemeentenaam_1",
         "Title": "Gemeentenaam", "Unit": "Tekst"},
        {"ID": 4, "ParentID": None, "Type": "TopicGroup", "Key": "Energie", "Title": "Energie"},
        {"ID": 5, "ParentID": 4, "Type": "Topic", "Key": "WoningenMetZonnestroom_59",
         "Title": "Woningen met zonnestroom", "Unit": "%"},
        {"ID": 6, "ParentID": 4, "Type": "Topic", "Key": "WoningenMetWarmtepompHyb_62",
         "Title": "Woningen met warmtepomp (hybride)", "Unit": "%"},
        {"ID": 7, "ParentID": None, "Type": "TopicGroup", "Key": "Bevolking", "Title": "Bevolking"},
        {"ID": 8, "ParentID": 7, "Type": "Topic", "Key": "Appartement_70", "Title": "Appartement",
         "Unit": ""},
    ],
}  # fmt: skip
NEW_V4 = {
    "MeasureGroups": [
        {"Id": "G1", "ParentId": None, "Title": "Wonen"},
        {"Id": "G2", "ParentId": "G1", "Title": "Woningen naar eigendom"},
    ],
    "value": [
        {"Identifier": "M000297", "Title": "Koopwoningen", "Unit": "%", "MeasureGroupId": "G2"},
        {"Identifier": "M009999", "Title": "Woningen in bezit van beleggers", "Unit": "%",
         "MeasureGroupId": "G2"},
    ],
}  # fmt: skip


def _write(tmp_path: Path, name: str, doc: dict) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_dataproperties_known_new_and_ambiguous(tmp_path):
    cols = harvest([_write(tmp_path, "86165NED_DataProperties.json", NEW_V3)])
    assert [c.key for c in cols] == ["WoningenMetZonnestroom", "WoningenMetWarmtepompHyb",
                                     "Appartement"]  # fmt: skip
    assert cols[1].path == "Energie"
    drafts, spellings, report = propose(cols, CAT)
    verdicts = {key: v for _, key, _, v in report}
    assert verdicts["WoningenMetZonnestroom"] == "solar_pct"
    assert verdicts["Appartement"] == "AMBIGUOUS: electricity_apartment|gas_apartment"
    row = drafts.set_index("id").loc["woningen_met_warmtepomp_hybride_pct"]
    assert (row["label_nl"], row["unit"], row["kind"], row["topic"], row["weight"]) == (
        "Woningen met warmtepomp (hybride)",
        "%",
        "share",
        "energie",
        "0",
    )
    # the truncated key needs its own OData spelling; the title is the StatLine one
    got = set(zip(spellings["format"], spellings["match"], strict=True))
    assert ("statline", "woningen met warmtepomp (hybride)") in got
    assert ("odata", "WoningenMetWarmtepompHyb") in got


def test_measurecodes_with_group_paths(tmp_path):
    cols = harvest([_write(tmp_path, "86165NED_MeasureCodes.json", NEW_V4)])
    assert cols[0].key == "Wonen/Woningen naar eigendom/Koopwoningen"
    drafts, _, report = propose(cols, CAT)
    assert report[0][3] == "owner_occupied_pct"
    assert drafts["id"].tolist() == ["woningen_in_bezit_van_beleggers_pct"]
    assert drafts["topic"].tolist() == ["wonen"]


def test_a_data_file_and_the_packaged_catalogue_know_every_column(test_data):
    _, _, report = propose(harvest([test_data / "kwb" / "kwb_r_84583NED.csv"]), CAT)
    assert report and not [r for r in report if r[3].startswith(("NEW", "AMBIGUOUS"))]


def test_a_json_without_metadata_or_records_is_an_error(tmp_path):
    with pytest.raises(SourceFormatError):
        harvest([_write(tmp_path, "x.json", {"hello": 1})])


def test_slug():
    assert slug("Huishoudens tot 110% van sociaal minimum") == (
        "huishoudens_tot_110_pct_van_sociaal_minimum"
    )


def test_cli_writes_drafts(tmp_path):
    src = _write(tmp_path, "86165NED_DataProperties.json", NEW_V3)
    res = CliRunner().invoke(app, ["propose-indicators", str(src), "--out", str(tmp_path / "c")])
    assert res.exit_code == 0, res.output
    assert "2 nieuwe indicatoren" not in res.output and "1 nieuwe indicatoren" in res.output
    assert "AMBIGUOUS" in res.output
    assert (tmp_path / "c" / "indicators.draft.csv").read_text("utf-8").count("\n") == 2
