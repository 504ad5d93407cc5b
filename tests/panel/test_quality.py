"""The quality report says, in its summary, what a builder must look at."""

from __future__ import annotations

from wijkradar.panel import quality


def test_a_gap_between_two_editions_is_found_per_family():
    presence = {
        "kwb/amsterdam": {"woz_mean": {2017, 2020, 2024}, "population": {2017, 2019, 2020}},
        "kwb/rotterdam": {"woz_mean": {2014, 2016}},
    }
    editions = {"kwb/amsterdam": {2017, 2019, 2020, 2023, 2024}, "kwb/rotterdam": {2014, 2016}}
    gaps = quality.edition_gaps(presence, editions)
    assert gaps == [
        {"family": "kwb/amsterdam", "indicator": "woz_mean", "year": 2019, "before": 2017,
         "after": 2020},
        {"family": "kwb/amsterdam", "indicator": "woz_mean", "year": 2023, "before": 2020,
         "after": 2024},
    ]  # fmt: skip
    # population ends in 2020: not a gap; Rotterdam has no edition 2015 in its files: no gap


def test_unmapped_columns_and_gaps_lead_the_text_and_json():
    report = quality.QualityReport(data_dir="data")
    report.files.append(
        quality.FileReport(
            path="kwb/kwb_2019.csv", format="statline", rows=10, years=[2019], codes=5,
            indicators=["population"], unmatched_columns=1, rejected=0,
            unmatched=[{"column": "aantal windmolens", "unit": "aantal", "years": [2019]}],
            explained=[{"column": "Doorz", "unit": "", "years": [2016], "reason": "not CBS"}],
        )
    )  # fmt: skip
    report.gaps = [{"family": "kwb", "indicator": "woz_mean", "year": 2018, "before": 2017,
                    "after": 2019}]  # fmt: skip
    text = quality.render_text(report)
    head = text.split("Gelezen bestanden")[0]
    assert "unmapped value columns: 1" in head and "gaps between editions: 1" in head
    assert "kwb/kwb_2019.csv: kolom 'aantal windmolens' (aantal) [2019]" in head
    assert "woz_mean staat in 2017 en 2019 maar niet in 2018" in head
    assert "Doorz: not CBS" in text
    d = report.to_dict()
    assert d["unmapped_columns"][0]["path"] == "kwb/kwb_2019.csv"
    assert d["explained_columns"][0]["reason"] == "not CBS" and len(d["warnings"]) == 2
