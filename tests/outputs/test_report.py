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
