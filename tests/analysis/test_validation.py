"""The validation numbers on small synthetic panels: lift and recall by hand, the baselines,
Spearman's ρ, a user's index table and its errors, and the report built from them."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from wijkradar.analysis import validation as va
from wijkradar.catalogue import load_catalogue
from wijkradar.catalogue.rules import load_rules
from wijkradar.errors import IndexTableError, WijkradarError
from wijkradar.testing import panel_from_rows
from wijkradar.wording import words

CAT = load_catalogue()
CODES = [f"WK0001{i:02d}" for i in range(12)]
# Regions 0-9 have a class in 2012 and 2014; 10 only in 2012 (no outcome); 11 has an outcome
# but no signal row. Weak in 2014 (<= 4): 0, 1. Declining: 1 (5→4), 3 (7→6), 5 (8→7).
CLASS_2012 = [3, 5, 6, 7, 8, 8, 7, 6, 5, 4, 5, 5]
CLASS_2014 = [3, 4, 6, 6, 8, 7, 7, 6, 5, 5, None, 2]
SAFETY_2012 = [0.1, -0.3, 0.2, -0.2, 0.3, 0.1, 0.0, 0.05, 0.15, 0.12, 0.0, 0.0]
SIGNALS = ["attention", "alarm", "stable", "alarm", "stable", "attention", "attention"]
SIGNALS += ["stable", "stable", "stable", "stable"]  # 0-10; 11 has no signal


def _panel() -> pd.DataFrame:
    rows = []
    for code, a, b, s in zip(CODES, CLASS_2012, CLASS_2014, SAFETY_2012, strict=True):
        rows.append((code, 2012, "lbm_class", a))
        if b is not None:
            rows.append((code, 2014, "lbm_class", b))
        rows.append((code, 2012, "lbm_safety", s))
    return panel_from_rows(rows)


def _frame(signals=SIGNALS, year=2012) -> pd.DataFrame:
    n = len(signals)
    return pd.DataFrame(
        {
            "code": CODES[:n],
            "level": "wijk",
            "year": year,
            "signal": signals,
            "composition_score": np.linspace(10, 90, n),
            "composition_level": "unknown",
            "composition_trend": "unknown",
            "problems_score": np.linspace(90, 10, n),
            "problems_level": ["weak", "weak", "middle", "weak"] + ["middle"] * (n - 4),
            "problems_trend": "stable",
            "stable_under_variations": [True] * (n - 2) + [False] * 2,
        }
    )


IDS = [c.id for c in load_rules().classes]


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    return va.backtest_pair(
        _panel(), CAT, _frame(), IDS, level="wijk", year_from=2012, year_to=2014
    )


def _row(scores, rule, outcome):
    r = scores[(scores["rule"] == rule) & (scores["outcome"] == outcome)]
    assert len(r) == 1
    return r.iloc[0]


def test_outcomes_need_a_class_in_both_editions():
    out = va.outcomes(_panel(), level="wijk", year_from=2012, year_to=2014)
    assert list(out["code"]) == CODES[:10] + [CODES[11]]
    assert list(out.loc[out["weak"], "code"]) == [CODES[0], CODES[1], CODES[11]]
    assert list(out.loc[out["decline"], "code"]) == [CODES[1], CODES[3], CODES[5], CODES[11]]


def test_only_regions_with_a_signal_and_an_outcome_count(scores):
    assert set(scores["n"]) == {10}  # not 10 (no outcome), not 11 (no signal)
    assert set(scores.loc[scores["outcome"] == "weak", "events"]) == {2}
    assert set(scores.loc[scores["outcome"] == "decline", "events"]) == {3}


@pytest.mark.parametrize(
    ("rule", "outcome", "flagged", "hits", "rate", "lift", "recall"),
    [
        # base rates: weak 2/10, decline 3/10
        ("alarm", "weak", 2, 1, 1 / 2, (1 / 2) / (2 / 10), 1 / 2),
        ("alarm", "decline", 2, 2, 1.0, 1.0 / (3 / 10), 2 / 3),
        ("attention", "weak", 3, 1, 1 / 3, (1 / 3) / (2 / 10), 1 / 2),
        ("attention", "decline", 3, 1, 1 / 3, (1 / 3) / (3 / 10), 1 / 3),
        ("stable", "weak", 5, 0, 0.0, 0.0, 0.0),
        ("stable", "decline", 5, 0, 0.0, 0.0, 0.0),
        # the problems axis in the weak band: regions 0, 1 and 3; no composition level at all
        ("axis:problems", "weak", 3, 2, 2 / 3, (2 / 3) / (2 / 10), 1.0),
        ("axis:problems", "decline", 3, 2, 2 / 3, (2 / 3) / (3 / 10), 2 / 3),
        ("axis:composition", "weak", 0, 0, np.nan, np.nan, 0.0),
        # the current class alone: class <= 4 in 2012 → regions 0 and 9
        (va.CURRENT_CLASS, "weak", 2, 1, 1 / 2, 2.5, 1 / 2),
        (va.CURRENT_CLASS, "decline", 2, 0, 0.0, 0.0, 0.0),
        # worst fifth on safety (lower is worse) among the 12 regions with a value: 1 and 3
        ("worst_fifth:lbm_safety", "weak", 2, 1, 1 / 2, 2.5, 1 / 2),
        ("worst_fifth:lbm_safety", "decline", 2, 2, 1.0, 1.0 / (3 / 10), 2 / 3),
    ],
)
def test_lift_and_recall_by_hand(scores, rule, outcome, flagged, hits, rate, lift, recall):
    r = _row(scores, rule, outcome)
    assert (r["flagged"], r["hits"]) == (flagged, hits)
    assert r["rate"] == pytest.approx(rate, nan_ok=True)
    assert r["lift"] == pytest.approx(lift, nan_ok=True)
    assert r["recall"] == pytest.approx(recall)


def test_a_class_nobody_has_has_no_rate(scores):
    r = _row(scores, "resilient", "weak")
    assert r["flagged"] == 0 and np.isnan(r["rate"]) and np.isnan(r["lift"])
    assert r["recall"] == 0


def test_classes_come_from_the_rules_not_from_the_code():
    ids = ["brand_new", "alarm", "insufficient_data"]
    frame = _frame(["brand_new"] * 4 + ["alarm"] * 7)
    s = va.backtest_pair(_panel(), CAT, frame, ids, level="wijk", year_from=2012, year_to=2014)
    classes = s[s["kind"] == "class"]
    assert list(dict.fromkeys(classes["rule"])) == ids
    assert _row(s, "brand_new", "weak")["flagged"] == 4


def test_verdicts_name_a_class_below_the_best_baseline(scores):
    v = va.verdicts(scores, "insufficient_data")
    got = {(r.rule, r.outcome): (r.worse, r.baseline) for r in v.itertuples()}
    # alarm ties the best baseline (lift 2.5 on weak, 3.33 on decline): not worse
    assert not got[("alarm", "weak")][0]
    assert not got[("alarm", "decline")][0]
    assert not got[("axis:problems", "weak")][0]  # 3.33 beats 2.5
    assert got[("axis:problems", "decline")][0]  # 2.22 below 3.33
    assert got[("alarm", "decline")][1] == "worst_fifth:lbm_safety"
    assert got[("attention", "weak")][0] and got[("attention", "decline")][0]
    assert got[("stable", "weak")][0]
    assert ("resilient", "weak") not in got  # flagged nobody: no verdict


def test_worst_share_follows_the_direction_and_never_exceeds_the_share():
    v = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0])
    assert list(v[va.worst_share(v, "-")]) == [1.0, 2.0]
    assert list(v[va.worst_share(v, "+")]) == [9.0, 10.0]
    ties = pd.Series([1.0, 2.0, 2.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0])
    assert list(ties[va.worst_share(ties, "-")]) == [1.0]  # the tie at the cut stays out


def test_editions_and_pairs():
    p = _panel()
    assert va.editions(p, "wijk") == [2012, 2014]
    assert va.edition_pairs([2014, 2002, 2008]) == [(2002, 2008), (2008, 2014)]
    assert va.edition_pairs([2012]) == []


def test_dimensions_put_safety_first_and_leave_out_the_total_and_residents():
    dims = va.dimensions(CAT)
    assert dims[0] == "lbm_safety"
    assert "lbm_total" not in dims and "lbm_residents" not in dims
    assert va.dimensions(CAT, _panel()) == ["lbm_safety"]
    assert va.leakage(CAT) == ["lbm_safety"]


def test_stability_and_variations():
    f = _frame()
    f.loc[0, "signal"] = "insufficient_data"
    st = va.stability([f], "insufficient_data").iloc[0]
    assert (st["n"], st["signalled"], st["stable"], st["stable_signalled"]) == (11, 10, 9, 8)
    sens = pd.DataFrame(
        {"setting": ["z"], "value": [1.96], "regions_changed": [2], "share_changed": [0.2]}
    )
    var = va.variations({("wijk", 2012): sens, ("wijk", 2014): sens.iloc[:0]})
    assert var[["level", "year", "regions_changed"]].values.tolist() == [["wijk", 2012, 2]]


# -- agreement ---------------------------------------------------------------------------------


def test_spearman_matches_scipy_overall_and_per_gemeente():
    rng = np.random.default_rng(1)
    codes = [f"BU0363{i:04d}" for i in range(30)] + [f"BU0599{i:04d}" for i in range(20)]
    x = rng.normal(size=50).round(1)  # ties included
    y = x + rng.normal(size=50)
    frame = pd.DataFrame({"code": codes, "composition_score": x})
    index = pd.DataFrame({"code": codes, "level": "buurt", "year": 2019, "value": y})
    a = va.agreement(index, {("buurt", 2019): frame}).set_index("gemeente")
    assert a.loc["", "n"] == 50
    assert a.loc["", "rho"] == pytest.approx(spearmanr(x, y).statistic)
    assert a.loc["GM0363", "rho"] == pytest.approx(spearmanr(x[:30], y[:30]).statistic)
    assert a.loc["GM0599", "n"] == 20


def test_spearman_needs_three_regions_and_drops_missing_scores():
    codes = ["BU03630001", "BU03630002", "BU05990001", "BU05990002", "BU05990003"]
    frame = pd.DataFrame({"code": codes, "composition_score": [1.0, 2.0, 1.0, np.nan, 3.0]})
    index = pd.DataFrame({"code": codes, "level": "buurt", "year": 2019, "value": [5, 4, 1, 2, 3]})
    a = va.agreement(index, {("buurt", 2019): frame}).set_index("gemeente")
    assert a.loc["", "n"] == 4
    assert np.isnan(a.loc["GM0363", "rho"]) and np.isnan(a.loc["GM0599", "rho"])
    assert a.loc["", "rho"] == pytest.approx(spearmanr([1, 2, 1, 3], [5, 4, 1, 3]).statistic)


# -- a user's index table ----------------------------------------------------------------------

NAMES = pd.Series(
    {
        "GM0363": "Amsterdam",
        "WK036300": "Burgwallen-Oude Zijde",
        "BU03630000": "Kop Zeedijk",
        "BU03630001": "Oude Kerk e.o.",
        "BU03630002": "Burgwallen Oost",
    },
    name="name",
)


def _parse(header, rows, **kw):
    return va.parse_index(header, rows, names=NAMES, path="index.csv", **kw)


def test_an_index_table_with_decimal_commas_and_a_text_column():
    got = _parse(
        ["Code", "naam", "sociale index"],
        [["BU03630000", "Kop Zeedijk", "1,5"], [" bu03630001 ", "Oude Kerk", "2.5"]],
    )
    assert got[["code", "level", "value", "row"]].values.tolist() == [
        ["BU03630000", "buurt", 1.5, 2],
        ["BU03630001", "buurt", 2.5, 3],
    ]
    assert got.attrs["value_column"] == "sociale index" and "year" not in got


def test_an_index_table_with_years_may_repeat_a_code_in_another_year():
    got = _parse(
        ["code", "jaar", "score"],
        [["BU03630000", "2017", "1"], ["BU03630000", "2019", "2"], ["BU09990000", "2019", "3"]],
    )
    assert got["year"].tolist() == [2017, 2019]
    assert got.attrs["unknown"] == ["BU09990000"]


def _error(header, rows) -> IndexTableError:
    with pytest.raises(IndexTableError) as info:
        _parse(header, rows)
    assert isinstance(info.value, WijkradarError)
    detail = info.value.detail
    assert words("en")._(detail) != detail, f"no English for {detail!r}"
    return info.value


def test_a_region_name_instead_of_a_code_names_the_row_and_suggests_the_code():
    e = _error(["code", "v"], [["BU03630000", "1"], ["oude kerk e.o.", "2"]])
    text = str(e)
    assert "rij 3" in text and "'oude kerk e.o.'" in text
    assert "BU03630001 (Oude Kerk e.o.)" in text and "gebiedsnaam" in text


def test_text_that_is_no_name_is_no_code():
    e = _error(["code", "v"], [["Centrum-West", "1"]])
    assert "rij 2" in str(e) and "geen CBS-code" in str(e)


def test_a_duplicate_code_names_the_code_and_both_rows():
    e = _error(["code", "v"], [["BU03630000", "1"], ["BU03630001", "2"], ["BU03630000", "3"]])
    assert "BU03630000" in str(e) and "rijen 2, 4" in str(e)


def test_no_numeric_column():
    e = _error(["code", "naam"], [["BU03630000", "Kop Zeedijk"]])
    assert "geen kolom met getallen" in str(e) and "naam" in str(e)


def test_several_numeric_columns():
    e = _error(["code", "a", "b"], [["BU03630000", "1", "2"]])
    assert "meer dan één kolom met getallen: a, b" in str(e)


def test_no_code_column_and_an_empty_table():
    e = _error(["gebied", "v"], [["BU03630000", "1"]])
    assert "geen kolom 'code'" in str(e) and "gebied, v" in str(e)
    e = _error(["code", "v"], [])
    assert "leeg" in str(e)


def test_codes_the_dataset_does_not_know():
    e = _error(["code", "v"], [["BU09990000", "1"], ["BU09990001", "2"]])
    assert "geen enkele code" in str(e) and "BU09990000" in str(e)


def test_a_year_that_is_no_year():
    e = _error(["code", "year", "v"], [["BU03630000", "2019", "1"], ["BU03630001", "2019,5", "2"]])
    assert "rij 3" in str(e) and "jaartal" in str(e)


# -- the report from a small dataset -------------------------------------------------------------


class _FakeDataset:
    """What :func:`wijkradar.outputs.validation.collect` asks of a Dataset."""

    def __init__(self, rules):
        self.rules = rules
        self.indicators = CAT
        self.panel = _panel()
        self.manifest = {"built": "abc123", "data_dir": "data"}
        self.path = "ds"
        self.names = NAMES
        self.regions = pd.DataFrame(
            {
                "code": list(NAMES.index) + CODES,
                "level": ["gemeente", "wijk"] + ["buurt"] * 3 + ["wijk"] * len(CODES),
            }
        )

    def years(self, level):
        return [2012, 2014] if level == "wijk" else []

    def _memo(self, key, compute):
        return compute()

    def axis_scores(self, view):  # the early-warning section then says why it has no backtest
        raise WijkradarError("geen scores in deze proefdataset")

    def transitions(self, **kw):
        raise WijkradarError("geen Leefbaarometer-klassen in deze proefdataset")

    def signals(self, *, level, year):
        frame = _frame(year=year)
        if year == 2012:
            frame["signal"] = ["brand_new"] + SIGNALS[1:]
        sens = pd.DataFrame(
            {
                "setting": ["z", "weight:lbm_safety"],
                "value": [1.96, 0.5],
                "regions_changed": [2, 0],
                "share_changed": [2 / 11, 0.0],
            }
        )
        return SimpleNamespace(frame=frame, sensitivity=sens)


@pytest.fixture(scope="module")
def fake_rules():
    rules = load_rules()
    extra = rules.classes[0].model_copy(
        update={"id": "brand_new", "label_nl": "Gloednieuw", "label_en": "Brand new"}
    )
    return rules.model_copy(update={"classes": (extra, *rules.classes)})


def test_the_report_reads_the_classes_from_the_rules(fake_rules, tmp_path):
    from wijkradar.outputs import validation as ov

    index = tmp_path / "index.csv"
    index.write_text("code;score\nWK000100;1,0\nWK000101;2\nWK000102;3\nWK999999;4\n")
    out = tmp_path / "docs" / "validation.md"
    paths = ov.write_validation(_FakeDataset(fake_rules), out, index=[index])
    text = out.read_text(encoding="utf-8")
    assert "Gloednieuw" in text  # a class the code has never heard of
    assert "### wijk: 2012 → 2014" in text and "n = 10 wijken" in text
    assert "basislijn: de huidige klasse alleen" in text
    assert "**Aandacht** doet het slechter dan een naïeve basislijn" in text
    assert "ρ (Spearman)" in text and "WK999999" in text
    assert "/tmp" not in text and str(tmp_path) not in text
    assert {p.name for p in paths[1:]} == {
        "backtest_wijk.svg",
        "sensitivity_wijk.svg",
        "index_1.svg",
    }
    svg = (out.parent / "validation" / "backtest_wijk.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg and " \n" not in svg
    english = ov.markdown(ov.collect(_FakeDataset(fake_rules)), lang="en")
    assert "Brand new" in english and "baseline" in english
    assert "No index was given" in english
    assert "No backtest: " in english and "Geen backtest: " in text


def test_a_bad_index_fails_before_any_signal_is_computed(fake_rules, tmp_path):
    from wijkradar.outputs import validation as ov

    ds = _FakeDataset(fake_rules)
    ds.signals = lambda **kw: pytest.fail("signals computed before the index was checked")
    index = tmp_path / "index.csv"
    index.write_text("code,score\nBurgwallen-Oude Zijde,1\n")
    with pytest.raises(IndexTableError, match="WK036300"):
        ov.collect(ds, index=[index])
