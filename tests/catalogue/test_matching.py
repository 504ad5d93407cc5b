"""Source columns find their indicator by synonym, in any edition and format."""

from __future__ import annotations

import pandas as pd
import pytest

from wijkradar.catalogue import load_catalogue
from wijkradar.catalogue.matching import (
    AmbiguousColumn,
    Matcher,
    Rule,
    compact,
    occurrence_keys,
    odata_stem,
)
from wijkradar.errors import SourceFormatError
from wijkradar.panel import harmonise
from wijkradar.sources._raw import raw_frame

CAT = load_catalogue()


@pytest.mark.parametrize(
    ("fmt", "column", "unit", "indicator"),
    [
        # the 2017 table (83765NED) already says "Gemiddelde WOZ-waarde van woningen"
        ("statline", "Wonen.Gemiddelde.WOZ.waarde.van.woningen", "x 1 000 euro", "woz_mean"),
        ("statline", "Gemiddelde woningwaarde", "x 1 000 euro", "woz_mean"),
        ("odata", "GemiddeldeWOZWaardeVanWoningen", "x 1 000 euro", "woz_mean"),
        ("odata", "GemiddeldeWoningwaarde", "", "woz_mean"),
        ("kwbkaart", "G_WOZ", "", "woz_mean"),
        # a topic path before the label does not matter; "%" vanishes in R's names
        (
            "statline",
            "Inkomen.Inkomen.van.personen.40..personen.met.laagste.inkomen",
            "%",
            "lowest_40_persons_pct",
        ),
        ("odata", "k_40PersonenMetLaagsteInkomen", "%", "lowest_40_persons_pct"),
        # the longest spelling wins
        ("statline", "Semi-bebouwd terrein", "ha", "semi_built_land"),
        ("statline", "Bebouwd terrein", "ha", "built_land"),
        ("statline", "Niet-woningvoorraad", "aantal", "non_dwellings"),
        ("statline", "Wonen/Woningvoorraad", "aantal", "dwellings"),
        # the unit tells kWh from m³ and a count from a share
        ("statline", "Appartement", "kWh", "electricity_apartment"),
        ("statline", "Appartement", "m³", "gas_apartment"),
        ("statline", "0 tot 15 jaar", "%", "age_0_14_pct"),
        ("statline", "0 tot 15 jaar", "aantal", "age_0_14"),
        # keys CBS truncated, accents CBS dropped
        ("odata", "MediaanVermogenVanParticuliereHuish", "x 1 000 euro", "median_wealth"),
        ("odata", "PercentageTweeOnderEenKapWoningEe", "%", "semi_detached_pct"),
        ("odata", "WmoClienten", "aantal", "wmo_clients"),
        ("statline", "Zorg.Wmo.cliënten.relatief", "per 1 000 inwoners", "wmo_clients_per_1000"),
        # the same label under three topics: the path, else the order
        (
            "statline",
            "Bevolking/Geboren in Nederland/Europa (exclusief Nederland)",
            "aantal",
            "born_nl_origin_europe",
        ),
        ("statline", "Europa (exclusief Nederland)", "aantal", "origin_europe"),
        ("statline", "Europa (exclusief Nederland) #3", "aantal", "born_abroad_origin_europe"),
        ("odata", "EuropaExclusiefNederland #2", "aantal", "born_nl_origin_europe"),
    ],
)
def test_every_spelling_finds_its_indicator(fmt, column, unit, indicator):
    assert CAT.matcher.match(fmt, column, unit).indicator == indicator


def test_unknown_columns_match_nothing():
    assert CAT.matcher.match("statline", "Aantal windmolens", "aantal") is None
    assert CAT.matcher.match("odata", "AantalWindmolens", "aantal") is None
    assert CAT.matcher.match("statline", "Aantal inwoners", "%") is None  # wrong unit


def test_a_key_without_unit_that_two_indicators_share_is_ambiguous():
    with pytest.raises(AmbiguousColumn) as err:
        CAT.matcher.match("odata", "Appartement", "")
    assert err.value.indicators == ("electricity_apartment", "gas_apartment")


def test_the_build_names_both_indicators_and_the_file():
    raw = pd.DataFrame(
        {
            "code": ["BU03630000"],
            "year": [2019],
            "column": ["Appartement"],
            "unit": [""],
            "value": [2100.0],
            "status": ["observed"],
            "source": ["kwb_2019_records.json"],
            "row": [1],
            "name": [pd.NA],
        }
    )
    with pytest.raises(SourceFormatError) as err:
        harmonise.to_panel_rows(raw_frame(raw, fmt="odata"), CAT)
    msg = str(err.value)
    assert "kwb_2019_records.json" in msg and "'Appartement'" in msg
    assert "'electricity_apartment' of 'gas_apartment'" in msg and "DataProperties" in msg


def test_two_indicators_with_one_spelling_is_a_catalogue_error():
    rules = [
        Rule("a", "statline", "Koopwoningen", "%", 1, 1.0),
        Rule("b", "statline", "koopwoningen", "%", 1, 1.0),
    ]
    with pytest.raises(ValueError, match="'koopwoningen'.*both 'a' and 'b'"):
        Matcher(rules)
    Matcher([rules[0], Rule("b", "statline", "koopwoningen", "x 1 000 euro", 1, 1.0)])


def test_helpers():
    assert compact("Twee-onder-één-kap-woning") == "tweeondereenkapwoning"
    assert odata_stem("k_65JaarOfOuder_12") == compact("65 jaar of ouder")
    assert occurrence_keys(
        [("nederland", "aantal"), ("europa", "aantal"), ("nederland", "aantal"), ("nederland", "%")]
    ) == [
        "nederland",
        "europa",
        "nederland #2",
        "nederland",
    ]


def test_every_indicator_fed_by_a_source_or_a_derivation():
    fed = set(CAT.sources["indicator"])
    for ind in CAT.ids:
        der = CAT.derivations.get(ind)
        assert ind in fed or (der and der.numerator in fed), ind
