"""The wijkprofiel report on the real data: an Amsterdam buurt and a national wijk, PDF and HTML;
bad input gives clear errors and never a half-written file."""

import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import wijkradar
from wijkradar.cli.app import app
from wijkradar.errors import UnknownRegionError, WijkradarError
from wijkradar.outputs.report import render as render_mod
from wijkradar.outputs.report import render_batch, render_report, report_bytes
from wijkradar.panel.build import build

BUURT = "BU03632702"  # Parooldriehoek, Amsterdam: signal "aandacht", several frames
NEW_BUILDING = "BU03637804"  # Eendrachtspark, Amsterdam 2019: a small area, much new building

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) not installed",
)


@pytest.fixture(scope="module")
def ds(shared_data, tmp_path_factory):
    return wijkradar.open_dataset(build(shared_data, tmp_path_factory.mktemp("r") / "ds").path)


@pytest.fixture(scope="module")
def national_wijk(ds):
    """Tilburg Oud-Zuid: national CBS wijk figures and the Leefbaarometer, signal 2016."""
    return "WK085501"


def _text(pdf) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def _pages_png(pdf, tmp_path):
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    return sorted(tmp_path.glob("page-*.png"))


def _not_blank(png) -> bool:
    from PIL import Image

    im = Image.open(png).convert("L")
    lo, hi = im.getextrema()
    return hi - lo > 100


@needs_poppler
def test_amsterdam_buurt_pdf_has_name_signal_reason_numbers_and_a_frame(ds, tmp_path):
    out = render_report(ds, BUURT, tmp_path / "buurt.pdf")
    assert out.read_bytes()[:5] == b"%PDF-"
    text = " ".join(_text(out).split())
    prof = ds.profile(BUURT, clusters=False)
    assert prof["name"] in text and BUURT in text
    sig = prof["signal"]
    assert sig["label_nl"] in text
    # the numbers of the signal's reasons, as the sentences print them
    first = sig["reasons"][0]
    assert first["sentence_nl"][:60] in text
    acts = ds.actions_dict(BUURT, lang="nl")
    frame = next(f for f in acts["frames"] if f["triggered"])
    assert frame["label"] in text
    reason = frame["patterns"][0]["reasons"][0]
    assert reason["sentence"][:50] in text
    assert "Bron: CBS, Kadaster, Leefbaarometer" in text
    assert "Succesfactoren" in text and "Waarnemingen van bewoners" in text
    pngs = _pages_png(out, tmp_path)
    assert len(pngs) >= 6 and all(_not_blank(p) for p in pngs)
    # every page carries the attribution footer
    pages = _text(out).split("\f")
    assert all("Bron: CBS" in p for p in pages if p.strip())


@needs_poppler
def test_national_wijk_pdf_in_english(ds, national_wijk, tmp_path):
    out = render_report(ds, national_wijk, tmp_path / "wijk.pdf", lang="en")
    text = " ".join(_text(out).split())
    prof = ds.profile(national_wijk, clusters=False)
    assert prof["name"] in text and national_wijk in text
    assert prof["signal"]["label_en"] in text
    assert "Action frames" in text and "Network & cooperation" in text
    assert "Source: CBS, Kadaster, Leefbaarometer" in text
    assert all(_not_blank(p) for p in _pages_png(out, tmp_path))


def _section(html: str, cls: str) -> str:
    start = html.index(f'<section class="{cls}">')
    return html[start : html.index("</section>", start)]


def _flat(html: str) -> str:
    """The text of an HTML fragment, tags dropped and whitespace joined, entities decoded."""
    import html as h
    import re

    return " ".join(h.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_cover_has_the_signal_inhabitants_and_dwellings(ds):
    from wijkradar.wording import words

    prof = ds.profile(NEW_BUILDING, clusters=False)
    year = prof["signal"]["year"]
    row = ds.signals(level="buurt", year=year).frame.set_index("code").loc[NEW_BUILDING]
    for lang, inh, dw in (("nl", "Inwoners", "Woningen"), ("en", "Inhabitants", "Dwellings")):
        cover = _flat(
            _section(report_bytes(ds, NEW_BUILDING, lang, fmt="html").decode(), "title-page")
        )
        w = words(lang)
        assert w.field(prof["signal"], "label") in cover
        # the figures the signal was computed with, for the signal year
        assert f"{inh} ({year}) {w.number(row['population'])}" in cover
        assert f"{dw} ({year}) {w.number(row['dwellings'])}" in cover


def test_reasons_grouped_by_role(ds):
    sig = ds.profile(NEW_BUILDING, clusters=False)["signal"]
    reasons = sorted(sig["reasons"], key=lambda r: r["rank"])
    html = _section(report_bytes(ds, NEW_BUILDING, fmt="html").decode(), "signal")
    note = _flat(html[html.index('class="reason-note"') : html.index('class="reason-axis"')])
    first = [r for r in reasons if r["role"] in ("small", "housing")]
    assert first, "Eendrachtspark has lost its small-area and new-building reasons"
    assert all(_flat(r["sentence_nl"]) in note for r in first)
    assert "Lees dit eerst" in note
    text = _flat(html)
    heads = [_flat(r["sentence_nl"]) for r in reasons if r["role"] == "axis"]
    heads_html = [_flat(m) for m in html.split('<h4 class="axis-head">')[1:]]
    assert [h.startswith(x) for h, x in zip(heads_html, heads, strict=True)] == [True] * len(heads)
    titles = {
        "for": "Wat het signaal draagt",
        "against": "Wat ertegenin gaat",
        "level": "Waarom dit niveau",
    }
    for r in reasons:
        if r["role"] not in titles:
            continue
        head = next(
            _flat(x["sentence_nl"])
            for x in reasons
            if x["role"] == "axis" and x["axis"] == r["axis"]
        )
        i = heads.index(head)
        lo = text.index(head)
        hi = text.index(heads[i + 1]) if i + 1 < len(heads) else len(text)
        at = text.index(_flat(r["sentence_nl"]))
        assert lo < text.index(titles[r["role"]], lo) < at < hi, r["sentence_nl"]
    assert text.index(_flat(first[-1]["sentence_nl"])) < text.index(heads[0])


@needs_poppler
def test_pdf_cover_page_names_inhabitants(ds, tmp_path):
    year = ds.profile(NEW_BUILDING, clusters=False)["signal"]["year"]
    out = render_report(ds, NEW_BUILDING, tmp_path / "nb.pdf")
    cover = " ".join(_text(out).split("\f")[0].split())
    assert f"Inwoners ({year})" in cover and f"Woningen ({year})" in cover


def test_html_from_the_same_template(ds, tmp_path):
    out = render_report(ds, BUURT, tmp_path / "buurt.html")
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="nl">' in html
    assert "<svg" in html and "Parooldriehoek" in html and "Actiekaders" in html
    assert report_bytes(ds, BUURT, "en", fmt="html").decode().count('<html lang="en">') == 1


def test_report_bytes_is_a_pdf(ds):
    data = report_bytes(ds, BUURT)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


def test_bad_input_gives_clear_errors_and_no_file(ds, tmp_path):
    with pytest.raises(UnknownRegionError, match="staat niet in de dataset"):
        render_report(ds, "BU0363XXXX", tmp_path / "x.pdf")
    with pytest.raises(WijkradarError, match="is een buurt, geen wijk"):
        render_report(ds, BUURT, tmp_path / "x.pdf", level="wijk")
    with pytest.raises(WijkradarError, match="bestaat niet"):
        render_report(ds, BUURT, tmp_path / "missing" / "x.pdf")
    with pytest.raises(WijkradarError, match="onbekend formaat"):
        render_report(ds, BUURT, tmp_path / "x.docx")
    with pytest.raises(WijkradarError, match="kies uit nl, en"):
        render_report(ds, BUURT, tmp_path / "x.pdf", lang="fr")
    assert list(tmp_path.iterdir()) == []


def test_region_without_data_is_refused(ds, tmp_path):
    regions = ds.regions
    p = ds.panel
    with_data = set(p.loc[p["value"].notna(), "code"].astype(str))
    empty = regions.loc[~regions["code"].isin(with_data) & (regions["level"] == "buurt"), "code"]
    if empty.empty:
        pytest.skip("every buurt has data")
    with pytest.raises(WijkradarError, match="geen gegevens"):
        render_report(ds, str(empty.iloc[0]), tmp_path / "x.pdf")
    assert list(tmp_path.iterdir()) == []


def test_failure_while_writing_leaves_no_half_written_file(ds, tmp_path, monkeypatch):
    target = tmp_path / "r.pdf"
    target.write_bytes(b"old report")

    def broken(fh_data):
        raise OSError(28, "No space left on device")

    real_write = Path.write_bytes

    def failing(self, data):
        real_write(self, data[:100])  # half a file under the temporary name, then the disk is full
        broken(data)

    monkeypatch.setattr(Path, "write_bytes", failing)
    with pytest.raises(WijkradarError, match="No space left"):
        render_report(ds, BUURT, target, fmt="html")
    assert target.read_bytes() == b"old report"  # the old file is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]  # no temp file left


def test_batch_interrupted_midway_keeps_finished_files(ds, tmp_path, monkeypatch):
    real = render_mod._report
    calls = []

    def interrupted(*a, **k):
        calls.append(a[1])
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(render_mod, "_report", interrupted)
    seen = []
    res = render_batch(
        ds,
        "GM0363",
        "buurt",
        tmp_path / "out",
        fmt="pdf",
        progress=lambda label, done, total: seen.append((label, done, total)),
    )
    assert res.interrupted and not res.ok
    assert len(res.done) == 2 and res.not_done[0] == calls[2]
    files = sorted((tmp_path / "out").iterdir())
    assert files == sorted(res.done)
    for f in files:
        data = f.read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert seen[0][1:] == (0, seen[0][2]) and seen[0][2] > 100


def test_batch_errors(ds, tmp_path):
    with pytest.raises(WijkradarError, match="buurt of wijk"):
        render_batch(ds, "GM0363", "gemeente", tmp_path)
    with pytest.raises(WijkradarError, match="staat niet in de dataset"):
        render_batch(ds, "GM9999", "buurt", tmp_path)


def test_cli_actions_and_report(ds, tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["actions", BUURT, "--dataset", str(ds.path)])
    assert r.exit_code == 0, r.output
    assert "Actiekaders" in r.output and "Succesfactoren" in r.output
    r = runner.invoke(
        app, ["actions", BUURT, "--format", "json", "--lang", "en", "--dataset", str(ds.path)]
    )
    assert r.exit_code == 0 and '"frames"' in r.output
    out = tmp_path / "p.html"
    r = runner.invoke(app, ["report", BUURT, "--output", str(out), "--dataset", str(ds.path)])
    assert r.exit_code == 0, r.output
    assert out.exists()
    r = runner.invoke(app, ["report", "--dataset", str(ds.path)])
    assert r.exit_code != 0
