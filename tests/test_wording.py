"""The wording layer: catalogues complete and in step with the code, numbers per locale."""

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from wijkradar.vocab import LANGS
from wijkradar.wording import Words, words

ROOT = Path(__file__).parents[1]
LOCALE = ROOT / "src" / "wijkradar" / "locale"


def test_catalogues_are_in_step_with_the_code():
    """Every marked string has a translation in every language; no stale entries."""
    r = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "messages.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("lang", LANGS)
def test_translations_keep_the_placeholders(lang):
    with (LOCALE / lang / "LC_MESSAGES" / "wijkradar.po").open("rb") as fp:
        catalog = read_po(fp)
    fields = re.compile(r"\{(\w*)\}")
    bad = []
    for msg in catalog:
        if not msg.id:
            continue
        ids = msg.id if isinstance(msg.id, tuple) else (msg.id,)
        strings = msg.string if isinstance(msg.string, tuple) else (msg.string,)
        want = set(fields.findall(ids[-1]))
        bad += [(ids[0], s) for s in strings if set(fields.findall(s)) != want]
    assert not bad, bad


@pytest.mark.parametrize(
    ("lang", "value", "unit", "decimals", "text"),
    [
        ("nl", 1234.5, "aantal", 1, "1.234,5"),
        ("en", 1234.5, "aantal", 1, "1,234.5"),
        ("nl", 23.44, "%", 1, "23,4%"),
        ("en", 27.8, "x 1 000 euro", 0, "€ 27,800"),
        ("nl", 27.8, "x 1 000 euro", 0, "€ 27.800"),
        ("nl", 4.06, "per 1 000 inwoners", 1, "4,1 per 1.000"),
        ("en", 4.06, "per 1 000 inwoners", 1, "4.1 per 1 000"),
        ("nl", 2.675, "jaar", 2, "2,67 jaar"),  # the float's exact value is rounded, as in Python
        ("nl", math.nan, "%", 1, "onbekend"),
        ("en", None, "%", 1, "unknown"),
    ],
)
def test_values_in_the_locale(lang, value, unit, decimals, text):
    assert words(lang).value(value, unit, decimals) == text


def test_plural_forms_follow_the_language():
    nl, en = words("nl"), words("en")
    assert nl.units("buurt", 1) == "buurt" and nl.units("buurt", 2) == "buurten"
    assert en.units("wijk", 1) == "district" and en.units("wijk", 3) == "districts"
    assert (
        nl.comparison(1, 410, "buurt", 300) == "de vergelijkingsgroep (410 buurten in 1 gemeente)"
    )
    assert (
        en.comparison(2, 5, "wijk", 300) == "the comparison group (5 districts in 2 municipalities)"
    )
    assert en.comparison(350, 14000, "buurt", 300) == "the Netherlands"


def test_a_reason_reads_the_same_in_both_languages():
    class Cat:
        meta = {"low_income_pct": {"unit": "%", "decimals": "1"}}

        def phrase(self, ind, lang):
            return {"nl": "het aandeel lage inkomens", "en": "the share of low incomes"}[lang]

    reason = {
        "indicator": "low_income_pct",
        "value_from": 18.04,
        "value_to": 23.0,
        "year_from": 2017.0,  # frames with gaps carry years as floats
        "year_to": 2019,
        "trend": "rising",
        "value_pct": 85.2,
        "level": "buurt",
    }
    assert words("nl").reason(reason, Cat(), "Nederland") == (
        "Het aandeel lage inkomens steeg van 18,0% (2017) naar 23,0% (2019), "
        "hoger dan 85% van de buurten in Nederland."
    )
    assert words("en").reason(reason, Cat(), "the Netherlands") == (
        "The share of low incomes rose from 18.0% (2017) to 23.0% (2019), "
        "higher than 85% of the neighbourhoods in the Netherlands."
    )


def test_an_unknown_language_names_the_choices():
    with pytest.raises(ValueError, match="kies uit nl, en"):
        Words("de")


def test_data_fields_fall_back_to_dutch():
    assert words("en").field({"label_nl": "buurt", "label_en": ""}, "label") == "buurt"
    assert words("en").field({"label_nl": "x", "label_en": "y"}, "label") == "y"
