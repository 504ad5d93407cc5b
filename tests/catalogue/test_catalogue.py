import re
import shutil
from importlib import resources

import pytest

from wijkradar.catalogue import load_catalogue
from wijkradar.errors import CatalogueError, UnknownIndicatorError

REQUIRED_IDS = [
    "population",
    "households",
    "one_person_households_pct",
    "income_per_inhabitant",
    "low_income_households_pct",
    "social_minimum_households_pct",
    "social_assistance_per_1000",
    "disability_benefit_per_1000",
    "unemployment_benefit_per_1000",
    "owner_occupied_pct",
    "rental_pct",
    "corporation_housing_pct",
    "woz_mean",
    "burglary_per_1000",
    "vandalism_per_1000",
    "violence_per_1000",
    "lbm_total",
    "lbm_housing",
    "lbm_residents",
    "lbm_facilities",
    "lbm_safety",
    "lbm_physical",
    "lbm_class",
]


def test_catalogue_has_the_required_ids_with_labels_and_sources():
    cat = load_catalogue()
    for ind in REQUIRED_IDS:
        row = cat.get(ind)
        assert row["label_nl"] and row["label_en"] and row["unit"], ind
        fed = set(cat.sources["indicator"])
        der = cat.derivations.get(ind)
        assert ind in fed or (der and der.numerator in fed), f"{ind} has no source"


def test_rates_per_1000_are_derived_from_counts_and_population():
    cat = load_catalogue()
    for ind in ("social_assistance_per_1000", "burglary_per_1000", "violence_per_1000"):
        d = cat.derivations[ind]
        assert d.op == "per_1000" and d.denominator == "population"


def test_no_migration_or_bewoners_dimension_carries_weight():
    cat = load_catalogue()
    assert cat.get("lbm_residents")["weight"] == 0
    assert cat.get("lbm_residents")["domain"] == "context"
    migration = cat.indicators[cat.indicators["sensitive"] == "migration"]
    # every migration-background column of every KWB edition is known, as context only
    for ind in (
        "western_pct",
        "non_western",
        "morocco",
        "origin_outside_europe",
        "born_abroad_origin_europe",
    ):
        assert ind in migration.index, ind
    assert (migration["weight"] == 0).all() and (migration["domain"] == "context").all()
    labels = cat.indicators["label_nl"].str.lower()
    flagged = labels.str.contains("migratieachtergrond|herkomst")
    assert set(cat.indicators.index[flagged]) <= set(migration.index)


def test_unknown_indicator_suggests_close_ids():
    with pytest.raises(UnknownIndicatorError, match="did you mean population"):
        load_catalogue().get("populaton")


def _copy_catalogue(tmp_path):
    for name in ("indicators.csv", "sources.csv", "kwb_tables.csv", "topics.csv", "ignored.csv"):
        src = resources.files("wijkradar.catalogue").joinpath(name)
        with resources.as_file(src) as p:
            shutil.copy(p, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "indicators.csv",
            "population,Aantal inwoners",
            "population,",
            "indicators.csv row 3 (population): label_nl: Input should be a non-empty text, got ''",
        ),
        (
            "indicators.csv",
            'composition,huishoudens,+,share,"pct(',
            'composition,huishoudens,up,share,"pct(',
            "(one_person_households_pct): direction: Input should be '+', '-' or '0', got 'up'",
        ),
        (
            "indicators.csv",
            "per_1000(social_assistance, population)",
            "per_1000(social_assistanse, population)",
            "(social_assistance_per_1000): derivation: Input should be a "
            "known indicator id; close matches: social_assistance, social_assistance_per_1000, "
            "got 'social_assistanse'",
        ),
        (
            "sources.csv",
            "population,kwbkaart",
            "populatio,kwbkaart",
            "sources.csv row 6: indicator: Input should be an id of indicators.csv; close "
            "matches: population, got 'populatio'",
        ),
        (
            "sources.csv",
            "woz_mean,statline,gemiddelde woningwaarde|",
            "woz_mean,statline,koopwoningen|gemiddelde woningwaarde|",
            "unit",  # same words, other unit: no clash; see the next case for a real one
        ),
        (
            "sources.csv",
            "rental_pct,statline,huurwoningen totaal",
            "rental_pct,statline,koopwoningen|huurwoningen totaal",
            "'koopwoningen' (%) is listed for both 'owner_occupied_pct' and 'rental_pct'",
        ),
        (
            "indicators.csv",
            "morocco,Migratieachtergrond Marokko (aantal),Moroccan migration background (count),"
            "aantal,context,bevolking,0,count,,0",
            "morocco,Migratieachtergrond Marokko (aantal),Moroccan migration background (count),"
            "aantal,context,bevolking,0,count,,0.5",
            "(morocco): sensitive: a migration-background indicator is "
            "context only (domain context, weight 0), got {'domain': 'context', 'weight': 0.5}",
        ),
        (
            "indicators.csv",
            ",bevolking,0,count,,0,,0,round(5),,1,,",
            ",bevolkng,0,count,,0,,0,round(5),,1,,",
            "indicators.csv row 3 (population): topic: Input should be a topic of topics.csv; "
            "close matches: bevolking, got 'bevolkng'",
        ),
    ],
    ids=[
        "empty-label",
        "bad-direction",
        "bad-derivation",
        "bad-source-id",
        "unit-apart",
        "one-spelling-two-indicators",
        "migration-in-a-score",
        "unknown-topic",
    ],
)
def test_malformed_catalogue_is_rejected_with_row(tmp_path, file, old, new, message):
    d = _copy_catalogue(tmp_path)
    text = (d / file).read_text(encoding="utf-8")
    assert old in text
    (d / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    if message == "unit":  # "Koopwoningen" (%) beside woz_mean (x 1 000 euro) is not a clash
        assert load_catalogue(d).matcher.match("statline", "koopwoningen", "%").indicator == (
            "owner_occupied_pct"
        )
        return
    with pytest.raises(CatalogueError, match=re.escape(message)):
        load_catalogue(d)


ROW = {
    "id": "x_pct",
    "label_nl": "x",
    "label_en": "x",
    "unit": "%",
    "domain": "composition",
    "topic": "bevolking",
    "direction": "+",
    "kind": "share",
    "derivation": "pct(x, households)",
    "weight": "0.5",
    "suppress_below": "households < 20",
    "noise": "binomial(households) + round(0.1)",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({}, None),
        ({"weight": ""}, None),  # empty: 0
        ({"weight": "half"}, "weight: Input should be a number (empty: 0), got 'half'"),
        ({"decimals": "1.5"}, "decimals: Input should be a whole number >= 0 (empty: 0)"),
        ({"kind": "ratio"}, "kind: Input should be 'count', 'share', 'rate', 'mean', 'score',"),
        ({"derivation": "ratio(x, y)"}, "derivation: Input should be per_1000(numerator, "),
        ({"suppress_below": "households<"}, "suppress_below: Input should be '<known id> < "),
        ({"suppress_below": "huishoudens < 5"}, "suppress_below: Input should be a known"),
        ({"noise": "poisson(inhabitants)"}, "noise: Input should be a known indicator id"),
        ({"sensitive": "yes"}, "sensitive: Input should be '' or 'migration', got 'yes'"),
        ({"topic": "weer"}, "topic: Input should be a topic of topics.csv, got 'weer'"),
    ],
)
def test_an_indicator_row_is_checked_column_by_column(change, message):
    from wijkradar.catalogue._models import IndicatorRow, validate

    ctx = {"ids": {"x", "x_pct", "households"}, "topics": {"bevolking": ("Bevolking", "")}}
    if message is None:
        assert validate(IndicatorRow, ROW | change, "row", **ctx).weight in (0.0, 0.5)
        return
    with pytest.raises(CatalogueError) as exc:
        validate(IndicatorRow, ROW | change, "indicators.csv row 9 (x_pct)", **ctx)
    assert str(exc.value).startswith(f"indicators.csv row 9 (x_pct): {message}")
