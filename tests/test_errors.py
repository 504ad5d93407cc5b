"""Library errors are Dutch with their fields apart, and render in the user's language."""

import pytest

from wijkradar.errors import FetchError, OfflineError, RegionCodeError, SourceFormatError
from wijkradar.sources._common import ArgumentError, Phrase, check_unique, read_text
from wijkradar.sources._markers import NUMBER_EXPECTED
from wijkradar.sources.fetch import FetchPlan
from wijkradar.sources.fetch._http import fetch_error, http_error, offline_error
from wijkradar.sources.fetch._odata import _fallback_error
from wijkradar.wording import N_, words


def _not_a_number() -> SourceFormatError:
    return SourceFormatError(
        "geen getal (werkblad {sheet})",
        path="/data/kwb/kwb_2018.csv",
        row=8,
        column="Aantal inwoners",
        code="BU05990110",
        expected=NUMBER_EXPECTED,
        got="16O45",
        sheet=repr("data(1)"),
    )


def test_a_source_format_error_renders_in_both_languages():
    exc = _not_a_number()
    dutch = (
        "kwb_2018.csv, rij 8, kolom 'Aantal inwoners', code 'BU05990110': geen getal "
        "(werkblad 'data(1)') (verwacht een getal of een CBS-teken (. x - ?), gekregen '16O45') "
        "[/data/kwb/kwb_2018.csv]"
    )
    assert str(exc) == dutch == exc.render(words("nl"))
    assert exc.render(words("en")) == (
        "kwb_2018.csv, row 8, column 'Aantal inwoners', code 'BU05990110': not a number "
        "(sheet 'data(1)') (expected a number or a CBS marker (. x - ?), got '16O45') "
        "[/data/kwb/kwb_2018.csv]"
    )
    # the facts stay attributes; the message and expected stay msgids
    assert (exc.row, exc.column, exc.code, exc.got) == (8, "Aantal inwoners", "BU05990110", "16O45")
    assert exc.detail == exc.message == "geen getal (werkblad {sheet})"
    assert exc.expected == NUMBER_EXPECTED and exc.fields == {"sheet": "'data(1)'"}


def test_where_parts_are_optional_and_got_shows_without_expected():
    exc = RegionCodeError("geen gebiedscode", got="Amsterdam")
    assert str(exc) == "geen gebiedscode (gekregen 'Amsterdam')"
    assert exc.render(words("en")) == "not a region code (got 'Amsterdam')"
    assert str(SourceFormatError("bestand niet gevonden")) == "bestand niet gevonden"


def test_phrases_in_fields_follow_the_language(tmp_path):
    import numpy as np
    import pandas as pd

    with pytest.raises(SourceFormatError) as err:
        check_unique(
            pd.Series(["GM0363", "GM0363"]), None, np.array([2, 3]), path="x.json", column="c",
            rows_word="records",
        )  # fmt: skip
    assert str(err.value).startswith(
        "x.json, rij 3, kolom 'c', code 'GM0363': code GM0363 komt meer dan eens voor "
        "(records 2 en 3)"
    )
    assert "code GM0363 appears more than once (records 2 and 3)" in err.value.render(words("en"))
    phrase = Phrase(N_("rijen {a} en {b}"), a=1, b=2)
    assert str(phrase) == "rijen 1 en 2" and phrase.render(words("en")) == "rows 1 and 2"


def test_a_data_text_with_braces_does_not_break_the_error():
    exc = SourceFormatError("geen getal", expected="{Id, Title}", got="x", sheet="s")
    assert str(exc) == "geen getal (verwacht {Id, Title}, gekregen 'x')"


def test_a_fetch_error_renders_in_english():
    exc = http_error("https://opendata.cbs.nl/x/TableInfos", 404, "Not Found")
    assert isinstance(exc, FetchError) and (exc.url, exc.status) == (exc.fields["url"], 404)
    assert str(exc) == (
        "HTTP 404 van https://opendata.cbs.nl/x/TableInfos (niet gevonden: bestaat deze tabel "
        "of dit jaar?): Not Found"
    )
    assert exc.render(words("en")) == (
        "HTTP 404 from https://opendata.cbs.nl/x/TableInfos (not found: does this table/year "
        "exist?): Not Found"
    )


def test_nested_fetch_errors_render_in_one_language():
    v3 = offline_error("http://cbs.invalid/x", OSError("Name or service not known"))
    v4 = http_error("http://cbs4.example/y", 503)
    both = _fallback_error(v3, v4)
    assert isinstance(both, FetchError) and not isinstance(both, OfflineError)
    assert both.fallback is v4 and both.url == v3.url
    en = both.render(words("en"))
    assert en.startswith("OData v3 failed: cannot reach cbs.invalid: no internet connection? ")
    assert "(name does not resolve)" in en
    assert en.endswith("; the OData v4 fallback failed too: HTTP 503 from http://cbs4.example/y")
    assert str(both).startswith("OData v3 mislukte: cbs.invalid is niet bereikbaar")
    assert "(de naam is niet op te zoeken (DNS))" in str(both)
    offline = _fallback_error(v3, offline_error("http://cbs4.invalid/y", OSError("refused")))
    assert isinstance(offline, OfflineError)
    assert "fallback failed too: cannot reach cbs4.invalid" in offline.render(words("en"))


def test_fetch_error_keeps_its_attributes():
    exc = fetch_error(
        N_("{url}: verwacht TableInfos met een Title, gekregen {got}"), url="u", got=1
    )
    assert (exc.url, exc.status, exc.transient, exc.fallback) == ("u", None, False, None)
    assert exc.render(words("en")) == "u: expected TableInfos with a Title, got 1"


def test_argument_errors_are_value_errors_in_both_languages(tmp_path):
    with pytest.raises(ValueError, match="bekende jaren") as err:
        FetchPlan((1999,), tmp_path, ("kwb",))
    assert isinstance(err.value, ArgumentError)
    assert err.value.render(words("en")).startswith("no KWB table for [1999]; known years: ")


def test_reader_errors_reach_the_user_in_english(tmp_path):
    path = tmp_path / "kwb_2019.csv"
    path.write_bytes("Gebied;Inwoners\nDelfshaven;1\xe9\n".encode("latin-1"))
    with pytest.raises(SourceFormatError) as err:
        read_text(path)
    assert err.value.render(words("en")) == (
        "kwb_2019.csv, row 2: cannot decode byte 0xe9 at offset 28 as utf-8-sig (wrong "
        "encoding? CBS files are UTF-8; re-save the file as UTF-8) (expected text in "
        f"utf-8-sig) [{path}]"
    )
