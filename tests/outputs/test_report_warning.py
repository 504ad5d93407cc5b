"""The wijkprofiel's early-warning page on the real data: the risk with its band, drivers and
backtest sentence (a national wijk with a Leefbaarometer outcome, a Rotterdam buurt on the
relative view), the trajectory, stijgers en dalers, and one honest line when no risk can be
computed (also when only the gemeente's own regions could be trained on)."""

import html as h
import re
import shutil
import subprocess

import pytest

from wijkradar.errors import WijkradarError
from wijkradar.outputs.report import render_report, report_bytes
from wijkradar.wording import words

WIJK = "WK036376"  # Slotermeer-Noordoost, Amsterdam: a Leefbaarometer-based risk in 2014
BUURT = "BU05991575"  # Wielewaal, Rotterdam: a problems-score risk in 2018 (relative view)
GEMEENTE = "GM0599"  # Rotterdam: too few gemeenten in any year for a model; wijken move

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) not installed",
)


@pytest.fixture(scope="module")
def ds(real_dataset):
    return real_dataset


def _flat(text: str) -> str:
    """Whitespace joined; a non-breaking hyphen (the report keeps "ROC-AUC" whole) as "-"."""
    return " ".join(text.replace("\u2011", "-").split())


def _pages(pdf) -> list[str]:
    # reading order, not -layout: the drivers and the backtest stand side by side
    out = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return out.split("\f")


def _early_page(pdf) -> str:
    """The flattened text of the one page that carries the section (and all of it)."""
    pages = _pages(pdf)
    at = [i for i, p in enumerate(pages) if p.startswith("Vroegsignalering\n")]
    assert len(at) == 1, "no page starts with the early-warning section"
    # the next page starts the next section: the whole section fits on its one page
    assert pages[at[0] + 1].startswith("Samenstelling en zichtbare problemen\n")
    return _flat(pages[at[0]])


def _not_blank_pngs(pdf, tmp_path) -> list:
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pngs = sorted(tmp_path.glob("p-*.png"))
    for png in pngs:
        lo, hi = Image.open(png).convert("L").getextrema()
        assert hi - lo > 100, png
    return pngs


def _section(html: str) -> str:
    start = html.index('<section class="early">')
    part = html[start : html.index("</section>", start)]
    return _flat(h.unescape(re.sub(r"<[^>]+>", " ", part)))


def _expected(ds, code, lang="nl", **kw) -> tuple[dict, dict]:
    """The region's risk record and the summary, straight from the library."""
    res = ds.warning(**kw)
    rec = next(r for r in res.records(ds.indicators, lang) if r["code"] == code)
    return rec, res.summary(ds.indicators, lang)


def _pct(x: float, lang="nl") -> str:
    return words(lang).value(100 * x, "%", 0)


def _assert_risk(text: str, rec: dict, summ: dict) -> None:
    w = words("nl")
    assert _pct(rec["risk"]) in text
    assert f"band {w.number(100 * rec['risk_low'], 0)}–{_pct(rec['risk_high'])}" in text
    assert _flat(summ["outcome_text"]) in text
    assert _flat(summ["backtest_text"]) in text
    assert "Hoe goed zulke voorspellingen eerder waren" in text
    assert rec["drivers"], "the region lost its drivers"
    for d in rec["drivers"]:
        assert _flat(d["text"]) in text


def _assert_surroundings(text: str, ds, code: str, level: str, year: int, view="absolute"):
    """Meerschalig: the sentences of the region's latest change up to ``year`` beside its
    neighbours', under their heading."""
    s = ds.surroundings(level=level, view=view)
    s = s[(s["code"] == code) & s["change"].notna() & (s["year"] <= year)]
    assert len(s), f"{code} should have a change up to {year}"
    latest = int(s["year"].max())
    assert f"Ten opzichte van de omgeving ({latest};" in text
    for r in s[s["year"] == latest].to_dict("records"):
        assert _flat(words("nl").surroundings(r, level)) in text


@needs_poppler
def test_wijk_2014_has_its_risk_band_drivers_backtest_and_trajectory(ds, tmp_path):
    out = render_report(ds, WIJK, tmp_path / "wijk.pdf", year=2014)
    text = _early_page(out)
    rec, summ = _expected(ds, WIJK, level="wijk", year=2014)
    _assert_risk(text, rec, summ)
    assert summ["outcome_kind"] == "lbm_class"
    assert "alle wijken in de gegevens" in text
    # the trajectory: the 2014 row with its signal and Leefbaarometer class; the editions of
    # the other area under the code (after the 2016 cut) marked
    assert "Traject" in text and "Leefbaarometer (1–9)" in text
    t = ds.trajectories(level="wijk").query("code == @WIJK and year == 2014").iloc[0]
    label = words("nl").field(ds.rules.get(t["signal"]), "label")
    assert f"2014 — {int(t['problems'])} {label} {int(t['lbm_class'])}" in text
    assert "† ander gebied onder dezelfde code" in text
    _assert_surroundings(text, ds, WIJK, "wijk", 2014)
    # a wijk lists its buurten's movers, or says why it cannot (Amsterdam's buurten have one
    # edition with a problems score up to 2014)
    assert "Stijgers en dalers" in text
    assert "Geen stijgers en dalers: de buurten van dit gebied hebben tot en met 2014" in text
    _not_blank_pngs(out, tmp_path)


@needs_poppler
def test_rotterdam_buurt_relative_view(ds, tmp_path):
    out = render_report(ds, BUURT, tmp_path / "buurt.pdf", year=2018, view="relative")
    text = _early_page(out)
    rec, summ = _expected(ds, BUURT, level="buurt", year=2018, view="relative")
    _assert_risk(text, rec, summ)
    assert "alle buurten in de gegevens" in text
    assert "vergeleken met de andere gebieden in de gemeente" in text  # the trajectory's view
    assert "Stijgers en dalers" not in text  # a buurt has no sub-areas
    _assert_surroundings(text, ds, BUURT, "buurt", 2018, view="relative")
    _not_blank_pngs(out, tmp_path)


@needs_poppler
def test_gemeente_without_a_model_says_why_and_lists_its_wijken(ds, tmp_path):
    year = ds.profile(GEMEENTE, clusters=False)["signal"]["year"]
    with pytest.raises(WijkradarError) as err:
        ds.warning(level="gemeente", year=year)
    out = render_report(ds, GEMEENTE, tmp_path / "gm.pdf")
    text = _early_page(out)
    reason = _flat(err.value.render(words("nl"))).rstrip(".")
    assert f"Geen risico te berekenen: {reason}." in text
    assert "Hoe goed zulke voorspellingen" not in text  # no backtest without a risk
    movers, _ = ds.movers(level="wijk", year_from=2017, year_to=2018, gemeente=GEMEENTE)
    assert "De wijken van Rotterdam die tussen 2017 en 2018" in text
    top = movers[movers["direction"] == "daler"].iloc[0]
    assert f"{top['name']} daler" in text
    _not_blank_pngs(out, tmp_path)
    # in English the reason is the error rendered in English
    en = _section(report_bytes(ds, GEMEENTE, "en", fmt="html").decode())
    assert _flat(err.value.render(words("en"))).rstrip(".") in en


def test_buurt_falls_back_to_its_gemeente_and_says_so(ds, monkeypatch):
    real = ds.warning

    def national_fails(**kw):
        if kw.get("gemeente") is None:
            raise WijkradarError("te weinig gebeurtenissen om te trainen voor {w}", w="buurt")
        return real(**kw)

    monkeypatch.setattr(ds, "warning", national_fails)
    text = _section(report_bytes(ds, BUURT, year=2018, view="relative", fmt="html").decode())
    rec, summ = _expected(ds, BUURT, level="buurt", year=2018, view="relative", gemeente=GEMEENTE)
    assert _pct(rec["risk"]) in text and _flat(summ["backtest_text"]) in text
    assert "alleen de buurten van Rotterdam" in text
    assert (
        "Over alle buurten samen lukte het niet (te weinig gebeurtenissen om te trainen voor "
        "buurt); daarom is alleen binnen Rotterdam getraind." in text
    )


def test_both_attempts_failing_gives_both_reasons(ds, monkeypatch):
    def fails(**kw):
        where = kw.get("gemeente") or "NL"
        raise WijkradarError("geen model voor {where}", where=where)

    monkeypatch.setattr(ds, "warning", fails)
    text = _section(report_bytes(ds, BUURT, year=2018, fmt="html").decode())
    assert (
        "Geen risico te berekenen. Over alle buurten: geen model voor NL; binnen Rotterdam: "
        "geen model voor GM0599." in text
    )
    assert "Traject" in text  # the rest of the page is still there
