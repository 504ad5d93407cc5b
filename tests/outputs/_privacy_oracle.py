"""Helpers of ``test_privacy_walk.py``: an independent check of the privacy rules on a panel,
the forbidden set, and extractors that read every output back into
``(code, indicator, year, number as displayed)`` observations.

Nothing here imports ``wijkradar.panel.privacy``: the rules are re-implemented with plain
pandas so that a bug there cannot hide itself.
"""

from __future__ import annotations

import html
import json
import math
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pandas as pd

from wijkradar.wording import words

SHOWN = ("observed", "derived")
EXACT = 1e-9  # JSON floats: "within rounding" is a relative 1e-9


# -- the rules, re-implemented ----------------------------------------------------------------


def forbidden_set(unprotected: pd.DataFrame, protected: pd.DataFrame) -> pd.DataFrame:
    """Rows shown (observed/derived) without the rules and suppressed with them, with the
    value they would have had: ``code, level, year, indicator, value``."""
    key = ["code", "year", "indicator"]
    u = unprotected.astype({"code": str, "indicator": str, "status": str, "level": str})
    p = protected.astype({"code": str, "indicator": str, "status": str})
    u = u.loc[u["status"].isin(SHOWN), [*key, "level", "value"]]
    p = p.loc[p["status"] == "suppressed", key]
    f = u.merge(p, on=key, how="inner")
    return f.astype({"year": int}).reset_index(drop=True)


def threshold_violations(panel: pd.DataFrame, thresholds: dict) -> tuple[int, pd.DataFrame]:
    """Shown values of thresholded indicators whose base (same edition, else the nearest
    edition of the same code, a tie going to the smaller base) is missing or under the
    minimum. Returns ``(values checked, violations)``."""
    p = panel.astype({"code": str, "indicator": str, "status": str})
    p = p[p["status"].isin(SHOWN)]
    rule = pd.DataFrame(
        [(ind, t.base, float(t.minimum)) for ind, t in thresholds.items()],
        columns=["indicator", "base", "minimum"],
    )
    shown = p.merge(rule, on="indicator")[["code", "year", "indicator", "value", "base", "minimum"]]
    bases = p[p["indicator"].isin(set(rule["base"]))][["code", "year", "indicator", "value"]]
    bases = bases.rename(columns={"indicator": "base", "year": "base_year", "value": "base_value"})
    m = shown.merge(bases, on=["code", "base"], how="left")
    m["dist"] = (m["year"] - m["base_year"]).abs()
    m = m.sort_values(["dist", "base_value"], na_position="last", kind="stable")
    best = m.drop_duplicates(["code", "year", "indicator"], keep="first")
    bad = best[best["base_value"].isna() | (best["base_value"] < best["minimum"])]
    return len(best), bad.reset_index(drop=True)


def derivation_violations(panel: pd.DataFrame, derivations: dict) -> tuple[int, pd.DataFrame]:
    """(code, year) where a rate is suppressed and its count shown, or the other way round.
    Returns ``(rate/count pairs checked, violations)``."""
    p = panel.astype({"code": str, "indicator": str, "status": str})
    p = p[p["status"].isin((*SHOWN, "suppressed"))][["code", "year", "indicator", "status"]]
    out, checked = [], 0
    for target, d in derivations.items():
        t = p[p["indicator"] == target]
        c = p[p["indicator"] == d.numerator]
        m = t.merge(c, on=["code", "year"], suffixes=("_rate", "_count"))
        checked += len(m)
        sup_r, sup_c = m["status_rate"] == "suppressed", m["status_count"] == "suppressed"
        bad = m[sup_r != sup_c]
        if len(bad):
            out.append(bad.assign(rate=target, count=d.numerator))
    return checked, (pd.concat(out, ignore_index=True) if out else pd.DataFrame())


# -- numbers as displayed ---------------------------------------------------------------------

# A Dutch number as wording.Words.value prints it, optionally with its unit, right before "(YYYY".
NUM = r"(?P<num>€ -?\d[\d.]*|-?\d[\d.]*(?:,\d+)?)"
NUM_YEAR = re.compile(NUM + r"(?P<unit>%| per 1\.000)? \((?P<year>(?:19|20)\d\d)\b")


def parse_nl(text: str) -> tuple[float, float, float]:
    """``(number, half of its last digit, scale)`` of a number as the outputs print it (any
    unit after it is ignored): ``"10,5%"`` → (10.5, 0.05, 1); ``"1.234 kWh"`` → (1234, 0.5,
    1); ``"€ 38.000"`` → (38000, 0.5, 1000) (an ``x 1 000 euro`` value printed in euros)."""
    t = text.strip().replace("\u2009", "").replace("\xa0", " ")
    m = re.match(r"^(€ ?)?(-?\d[\d.]*(?:,\d+)?)", t)
    if m is None:
        raise ValueError(f"no number in {text!r}")
    whole, _, frac = m.group(2).partition(",")
    value = float(whole.replace(".", "") + ("." + frac if frac else ""))
    return value, 0.5 * 10.0 ** -len(frac), 1000.0 if m.group(1) else 1.0


@dataclass
class Obs:
    """What outputs showed: (output, where, code, indicator, year, value, half, scale, upto).

    ``value`` is in display units (``value / scale`` is the panel's unit); ``half`` is the
    rounding of the display (EXACT for JSON floats); ``upto`` rows (map layers) carry no
    year of their own: the value is the latest one at or before ``year``.
    """

    rows: list = field(default_factory=list)

    def add(self, output, where, code, indicator, year, value, half=None, scale=1.0, upto=False):
        if code is None or indicator is None or year is None or value is None:
            return
        try:
            value, year = float(value), int(float(year))
        except (TypeError, ValueError):
            return
        if math.isnan(value) or not 1900 <= year <= 2100:
            return
        if half is None:
            half = EXACT * max(1.0, abs(value))
        self.rows.append((output, where, str(code), str(indicator), year, value, half, scale, upto))

    def frame(self) -> pd.DataFrame:
        cols = ["output", "where", "code", "indicator", "year", "value", "half", "scale", "upto"]
        return pd.DataFrame(self.rows, columns=cols)


class Names:
    """Finds which indicators a piece of text names (Dutch labels and sentence phrases)."""

    def __init__(self, catalogue) -> None:
        ind = catalogue.indicators
        names: dict[str, str] = {}
        for i in catalogue.ids:
            for n in (str(ind.at[i, "label_nl"]), catalogue.phrase(i, "nl")):
                if n and n.lower() not in names:
                    names[n.lower()] = i
        self.id_of = names
        # longest first, so a longer label wins over one it contains
        alts = sorted(names, key=len, reverse=True)
        self.rx = re.compile(r"(?<!\w)(" + "|".join(re.escape(a) for a in alts) + r")(?!\w)", re.I)
        self.label = {i: str(ind.at[i, "label_nl"]) for i in catalogue.ids}

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, indicator)`` of every name, the maximal ones only."""
        return [
            (m.start(), m.end(), self.id_of[m.group(1).lower()]) for m in self.rx.finditer(text)
        ]

    def named(self, text: str) -> set[str]:
        return {i for _, _, i in self.spans(text)}


def scan_sentence(
    obs: Obs,
    output: str,
    where: str,
    code: str,
    text: str,
    names: Names,
    indicator: str | None = None,
) -> None:
    """Every ``number (YEAR`` in a sentence, for the indicator it names (or ``indicator``)."""
    text = _norm(text)
    inds = {indicator} if indicator else names.named(text)
    for m in NUM_YEAR.finditer(text):
        value, half, scale = parse_nl(m.group("num"))
        for i in inds:
            obs.add(output, where, code, i, m.group("year"), value, half, scale)


def _norm(text: str) -> str:
    return re.sub(r"[\s\u2009\xa0]+", " ", text)


# -- JSON (profile, actions, signals, export reason_details) ---------------------------------

REGION = re.compile(r"^(BU|WK|GM|NL)[0-9A-Z]{2,8}$")
PAIRS = (("year", "value"), ("year_from", "value_from"), ("year_to", "value_to"))


def walk_json(
    obj,
    obs: Obs,
    output: str,
    names: Names,
    ids: set[str],
    *,
    code=None,
    indicator=None,
    gemeente=None,
    path="$",
) -> None:
    """Every (indicator, year, value) a JSON document carries, with the region it belongs to.

    A dict's ``code`` sets the region, its ``indicator``/``id``/``subject`` (a catalogue id)
    the indicator; ``year``/``value``, ``year_from``/``value_from``, ``year_to``/``value_to``
    are read as figures, and ``change`` gives the other end back (value_from + change). In a
    profile, an indicator's ``gemeente`` and ``nederland`` series belong to those regions and
    the ``median_*`` series to no region. Sentences (``sentence_nl``, ``sentence``, strings in
    ``reasons``) are scanned for ``number (YEAR``.
    """
    if isinstance(obj, list):
        for k, v in enumerate(obj):
            if isinstance(v, str) and path.endswith("reasons"):
                scan_sentence(obs, output, f"{path}[{k}]", code, v, names, None)
            else:
                walk_json(
                    v,
                    obs,
                    output,
                    names,
                    ids,
                    code=code,
                    indicator=indicator,
                    gemeente=gemeente,
                    path=f"{path}[{k}]",
                )
        return
    if not isinstance(obj, dict):
        return
    c = obj.get("code")
    if isinstance(c, str) and REGION.match(c):
        code = c
    g = obj.get("gemeente")
    if isinstance(g, dict) and isinstance(g.get("code"), str):
        gemeente = g["code"]
    for k in ("indicator", "id", "subject"):
        if isinstance(obj.get(k), str) and obj[k] in ids:
            indicator = obj[k]
            break
    if indicator is not None:
        for yk, vk in PAIRS:
            if yk in obj and vk in obj and isinstance(obj[vk], int | float):
                obs.add(output, f"{path}.{vk}", code, indicator, obj[yk], obj[vk])
        ch = obj.get("change")
        if isinstance(ch, int | float) and obj.get("value_from") is not None:
            obs.add(
                output,
                f"{path}.value_from+change",
                code,
                indicator,
                obj.get("year_to"),
                obj["value_from"] + ch,
            )
        if isinstance(ch, int | float) and obj.get("value_to") is not None:
            obs.add(
                output,
                f"{path}.value_to-change",
                code,
                indicator,
                obj.get("year_from"),
                obj["value_to"] - ch,
            )
    for k, v in obj.items():
        if k in ("sentence_nl", "sentence") and isinstance(v, str):
            scan_sentence(obs, output, f"{path}.{k}", code, v, names, indicator)
        elif isinstance(v, list | dict):
            if k.startswith("median"):
                continue  # medians over all regions of a level belong to no region
            sub = code
            if k == "gemeente" and isinstance(v, list):
                sub = gemeente
            elif k == "nederland":
                sub = "NL00"
            walk_json(
                v,
                obs,
                output,
                names,
                ids,
                code=sub,
                indicator=indicator,
                gemeente=gemeente,
                path=f"{path}.{k}",
            )


def recompute(obs: pd.DataFrame, derivations: dict) -> pd.DataFrame:
    """Rates and counts an output lets one compute: rate = count / base (x100, x1000) and
    count = rate x base, from the exact figures it shows for the same code and year."""
    ex = obs[(obs["half"] <= EXACT * obs["value"].abs().clip(lower=1)) & ~obs["upto"]]
    if ex.empty:
        return obs.iloc[0:0]
    w = ex.drop_duplicates(["output", "code", "year", "indicator"]).pivot_table(
        index=["output", "code", "year"], columns="indicator", values="value", aggfunc="first"
    )
    out = []
    for target, d in derivations.items():
        if d.denominator not in w:
            continue
        k = 100.0 if d.op == "pct" else 1000.0
        den = w[d.denominator].where(w[d.denominator] > 0)
        if d.numerator in w:
            out.append(((w[d.numerator] / den) * k).rename(target))
        if target in w:
            out.append(((w[target] * den) / k).rename(d.numerator))
    rows = []
    for s in out:
        s = s.dropna()
        for (o, c, y), v in s.items():
            rows.append(
                (o, f"recomputed {s.name}", c, s.name, y, v, 1e-6 * max(1, abs(v)), 1.0, False)
            )
    return pd.DataFrame(rows, columns=obs.columns)


def leaks(obs: pd.DataFrame, forbidden: pd.DataFrame, protected: pd.DataFrame) -> pd.DataFrame:
    """Observations that equal a forbidden value (same code, indicator, year; within the
    display's rounding). An observation without its own year (``upto``: a map layer's latest
    value at or before ``year``) leaks when it equals a forbidden value of an edition up to
    ``year`` that no shown value of those editions explains."""
    if obs.empty:
        return obs.assign(forbidden=[])
    key = ["code", "indicator", "year"]
    fx = forbidden[[*key, "value"]].rename(columns={"value": "forbidden"})
    exact = obs[~obs["upto"]].merge(fx, on=key)
    exact = exact[(exact["value"] - exact["forbidden"] * exact["scale"]).abs() <= exact["half"]]
    upto = obs[obs["upto"]].rename(columns={"year": "year_max"})
    upto = upto.merge(fx, on=["code", "indicator"])
    upto = upto[upto["year"] <= upto["year_max"]]
    upto = upto[(upto["value"] - upto["forbidden"] * upto["scale"]).abs() <= upto["half"]]
    if len(upto):
        p = protected.astype({"code": str, "indicator": str, "status": str})
        p = p[p["status"].isin(SHOWN)][["code", "indicator", "year", "value"]]
        e = upto.merge(
            p.rename(columns={"year": "y_shown", "value": "shown"}),
            on=["code", "indicator"],
            how="left",
        )
        e["explained"] = (e["y_shown"] <= e["year_max"]) & (
            (e["value"] - e["shown"] * e["scale"]).abs() <= e["half"]
        )
        ok = e.groupby(list(upto.columns), dropna=False)["explained"].any()
        ok = ok[~ok].reset_index().drop(columns="explained")
        upto = ok
    out = pd.concat([exact, upto.drop(columns="year_max", errors="ignore")], ignore_index=True)
    return out.drop_duplicates(["output", "where", "code", "indicator", "year"])


# -- map layers (GeoJSON) ---------------------------------------------------------------------


def walk_geojson(doc: dict, obs: Obs, output: str, indicator: str | None, year: int) -> int:
    """A map layer's feature values: the latest value of ``indicator`` at or before ``year``
    (the layer does not say which year it is, so ``upto``). Returns the feature count."""
    feats = doc.get("features", [])
    for f in feats:
        p = f.get("properties", {})
        if indicator and p.get("value") is not None:
            obs.add(
                output,
                f"feature {p.get('code')}",
                p.get("code"),
                indicator,
                year,
                p["value"],
                upto=True,
            )
    return len(feats)


# -- CLI text ---------------------------------------------------------------------------------

SERIES_ITEM = re.compile(r"((?:19|20)\d\d): (.*?)(?=, (?:19|20)\d\d: |$)")


def walk_profile_text(text: str, obs: Obs, output: str, code: str, names: Names) -> None:
    """``wijkradar profile`` text: ``  <label_nl>: 2017: 142,9 per 1.000, 2019: …`` lines and
    ``  • <reason sentence>`` lines."""
    by_label = {v: k for k, v in names.label.items()}
    in_ind = False
    for line in text.splitlines():
        if line.strip() in ("Indicatoren:", "Indicators:"):
            in_ind = True
            continue
        s = line.strip()
        if s.startswith("•"):
            scan_sentence(obs, output, "reason", code, s[1:], names)
        elif in_ind and line.startswith("  ") and ": " in s and not s.startswith("!"):
            label, _, rest = s.partition(": ")
            ind = by_label.get(label)
            if ind is None:
                continue
            for m in SERIES_ITEM.finditer(rest):
                shown = m.group(2).strip()
                if not re.match(r"^(€ )?-?\d", shown):
                    continue  # suppressed / missing
                value, half, scale = parse_nl(shown)
                obs.add(output, f"line {label}", code, ind, m.group(1), value, half, scale)


# -- HTML and PDF text ------------------------------------------------------------------------


class _Blocks(HTMLParser):
    """Text units of the report: each table row (cells joined by " | "), caption, list item,
    paragraph and heading. SVG content is left out (read by :func:`svg_points`), and so are
    the cells of a column headed "Gemeente" (the gemeente's figure, not the region's)."""

    BLOCK = {"tr", "figcaption", "li", "p", "h1", "h2", "h3", "h4", "div", "section", "table"}
    OTHER_REGION = {"Gemeente", "Municipality"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.units: list[str] = []
        self.buf: list[str] = []
        self.skip = 0
        self.headers: list[str] = []
        self.col = -1
        self.in_th = False
        self.in_other = False

    def flush(self) -> None:
        t = _norm("".join(self.buf)).strip(" |")
        if t:
            self.units.append(t)
        self.buf = []

    def handle_starttag(self, tag, attrs):
        if tag in ("svg", "style", "script", "title"):
            self.skip += 1
            return
        if tag == "table":
            self.headers = []
        if tag == "tr":
            self.col = -1
        if tag in self.BLOCK:
            self.flush()
        elif tag in ("td", "th"):
            self.col += 1
            self.in_th = tag == "th"
            if self.in_th:
                self.headers.append("")
            head = self.headers[self.col] if 0 <= self.col < len(self.headers) else ""
            self.in_other = tag == "td" and head in self.OTHER_REGION
            self.buf.append(" | ")
        elif tag == "br":
            self.buf.append(" ")

    def handle_endtag(self, tag):
        if tag in ("svg", "style", "script", "title"):
            self.skip -= 1
        elif tag in self.BLOCK:
            self.flush()
        elif tag in ("td", "th"):
            self.in_th = self.in_other = False

    def handle_data(self, data):
        if self.skip or self.in_other:
            return
        if self.in_th and self.headers:
            self.headers[-1] += data.strip()
        self.buf.append(data)


def html_units(text: str) -> list[str]:
    p = _Blocks()
    p.feed(text)
    p.flush()
    return p.units


def pdf_units(layout: str, names: Names) -> list[str]:
    """Text units of ``pdftotext -layout`` output: every line; every name with the line below
    it in the name's columns (a chart caption puts the value under its label); every bullet
    item with its continuation lines."""
    lines = layout.replace("\f", "\n").splitlines()
    units = [ln for ln in lines if ln.strip()]
    for i, ln in enumerate(lines[:-1]):
        for start, end, _ in names.spans(ln):
            below = lines[i + 1][max(0, start - 2) : max(end, start + 24) + 2]
            units.append(ln[start:end] + " " + below)
    item: list[str] = []
    for ln in [*lines, ""]:
        s = ln.strip()
        if s.startswith("•") or not s:
            if item:
                units.append(" ".join(item))
            item = [s[1:]] if s.startswith("•") else []
        elif item:
            item.append(s)
    return [_norm(u) for u in units]


def shown_strings(value: float, unit: str, decimals: int) -> set[str]:
    """How the report prints ``value``: table cells and chart captions with the indicator's
    decimals, reason sentences with at least one for % and per 1 000 (``reasons.sentence``)."""
    out = {words("nl").value(value, unit, decimals)}
    if unit in ("%", "per 1 000 inwoners"):
        out.add(words("nl").value(value, unit, max(decimals, 1)))
    return out


def text_leaks(
    units: Iterable[str], forbidden: pd.DataFrame, names: Names, catalogue, output: str
) -> list[dict]:
    """Forbidden (indicator, year, value) of one region that a text unit shows: the unit
    names the indicator (label or phrase, the longest name wins), holds the year, and holds
    the value formatted as the report formats it (as a whole number token)."""
    ind = catalogue.indicators
    wanted = []
    for r in forbidden.itertuples(index=False):
        unit, dec = str(ind.at[r.indicator, "unit"]), int(ind.at[r.indicator, "decimals"] or 0)
        for s in shown_strings(r.value, unit, dec):
            rx = re.compile(r"(?<![\d.,])" + re.escape(_norm(s)) + r"(?!\d|[.,]\d)")
            wanted.append((r, s, rx))
    hits = []
    for u in units:
        named = names.named(u)
        if not named:
            continue
        for r, s, rx in wanted:
            if r.indicator in named and re.search(rf"\b{r.year}\b", u) and rx.search(u):
                hits.append(
                    {
                        "output": output,
                        "code": r.code,
                        "indicator": r.indicator,
                        "year": r.year,
                        "forbidden": r.value,
                        "shown": s,
                        "text": u[:200],
                    }
                )
    return hits


_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def svg_points(doc: str, names: Names) -> list[tuple[str, int, float, float]]:
    """The region's own points in the report's trend charts, read back from the geometry:
    ``(indicator, year, value, tolerance)``. The y axis is calibrated on the tick labels, the
    x axis on the year labels (``charts.trend_chart`` draws the region with blue circles)."""
    by_label = {html.unescape(v): k for k, v in names.label.items()}
    out = []
    for svg in re.findall(r"<svg[^>]*class=\"chart\".*?</svg>", doc, flags=re.S):
        head = dict(_ATTR.findall(svg[: svg.index(">")]))
        ind = by_label.get(html.unescape(head.get("aria-label", "")))
        if ind is None:
            continue
        height = float(head["height"])
        ticks, years, pts = [], [], []
        for m in re.finditer(r"<text([^>]*)>([^<]*)</text>", svg):
            a = dict(_ATTR.findall(m.group(1)))
            if a.get("text-anchor") == "end":
                ticks.append((float(a["y"]) - 3, parse_nl(m.group(2))[0]))
            elif a.get("text-anchor") == "middle" and float(a["y"]) == height - 6:
                years.append((float(a["x"]), int(m.group(2))))
        for m in re.finditer(r"<circle([^>]*)/>", svg):
            a = dict(_ATTR.findall(m.group(1)))
            if a.get("fill", "").upper() == "#0072B2":
                pts.append((float(a["cx"]), float(a["cy"])))
        if len(ticks) < 2 or not years or not pts:
            continue
        (y0, v0), (y1, v1) = ticks[0], ticks[-1]
        per_px = (v1 - v0) / (y1 - y0)
        tol = abs(per_px) * 0.15  # positions are written to 0.1 px
        for cx, cy in pts:
            if len(years) >= 2:
                (x0, a0), (x1, a1) = years[0], years[-1]
                yr = int(round(a0 + (cx - x0) * (a1 - a0) / (x1 - x0)))
            else:
                yr = years[0][1]
            out.append((ind, yr, v0 + (cy - y0) * per_px, tol))
    return out


# -- the walk ---------------------------------------------------------------------------------


@dataclass
class Walk:
    """What :func:`walk_outputs` saw: observations, text hits, and per output how much it
    read (observations, or for text outputs the shown values the same detector found)."""

    obs: pd.DataFrame
    text_hits: list
    seen: dict
    notes: list


def _gm(code: str) -> str:
    return "GM" + code[2:6]


def _pdf_text(pdf: bytes, tmp) -> str:
    import subprocess

    path = tmp / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _export_rows(frame: pd.DataFrame, obs: Obs, output: str, names: Names, ids: set) -> None:
    """An export's rows: ``reason_details`` (JSON text) and the ``reasons`` sentences (joined
    by " | ", in the order of the details)."""
    for code, details, reasons in zip(
        frame["code"], frame["reason_details"], frame["reasons"], strict=True
    ):
        det = json.loads(details) if isinstance(details, str) and details else []
        walk_json(det, obs, output, names, ids, code=code, path=f"{code}.reason_details")
        sent = reasons.split(" | ") if isinstance(reasons, str) and reasons else []
        pair = len(sent) == len(det)
        for k, s in enumerate(sent):
            ind = det[k].get("indicator") if pair else None
            scan_sentence(obs, output, f"{code}.reasons[{k}]", code, s, names, ind)


def walk_outputs(ds_path, codes, pdf_codes, forbidden, protected, catalogue, tmp) -> Walk:
    """Read every output of the dataset at ``ds_path`` for ``codes`` back into numbers.

    Web API (FastAPI TestClient): ``/api/regions/{code}`` (profile), ``…/actions``,
    ``…/report.html`` (text units and the trend charts' geometry), ``…/report.pdf``
    (``pdftotext -layout``; ``pdf_codes`` only), ``/api/signals`` (all, per gemeente and per
    gemeente × signal year), ``/api/map/buurt`` (without and with ``indicator=`` for every
    forbidden indicator × year of these buurten) and ``/api/export`` as csv, gpkg and
    parquet. CLI (typer's CliRunner): ``profile`` and ``actions`` (text and json),
    ``signals`` (csv and json) and ``report`` (html, one region).

    One :class:`~wijkradar.dataset.Dataset` object serves the app and every CLI call
    (``open_dataset`` memoised: the CLI otherwise recomputes the signals per call), and its
    LISA clusters are stubbed (cluster classes carry no indicator values; computing them
    costs ~17 s of numba compiling).
    """
    import io
    import shutil
    from pathlib import Path
    from unittest import mock

    import geopandas as gpd
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    import wijkradar.dataset

    action_codes: list[str] = []  # extra buurten walked for their actions (see below)
    from wijkradar.cli.app import app as cli
    from wijkradar.settings import Settings
    from wijkradar.web import create_app

    names, ids = Names(catalogue), set(catalogue.ids)
    obs, hits, notes = Obs(), [], []
    seen: dict[str, int] = {}
    fb = forbidden[forbidden["code"].isin(codes)]
    f_of = dict(list(fb.groupby("code")))
    p = protected.astype({"code": str, "indicator": str, "status": str})
    shown = p[p["status"].isin(SHOWN) & p["code"].isin(codes)]
    shown_of = dict(list(shown.groupby("code")))
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        notes.append("pdftotext missing: report.pdf not read")

    def texts(units, code, output):
        hits.extend(text_leaks(units, f_of.get(code, fb.iloc[0:0]), names, catalogue, output))
        pos = text_leaks(units, shown_of.get(code, shown.iloc[0:0]), names, catalogue, output)
        seen[output] = seen.get(output, 0) + len({(h["indicator"], h["year"]) for h in pos})

    real_open = wijkradar.dataset.open_dataset
    shared: dict = {}

    def opener(path=None):
        key = str(Path(path).resolve()) if path is not None else ""
        if key not in shared:
            ds = real_open(path)
            ds.clusters = lambda **kw: {}
            shared[key] = ds
        return shared[key]

    signal_years: set[tuple[str, int]] = set()
    clock = [time.perf_counter()]

    def lap(what: str) -> None:
        now = time.perf_counter()
        notes.append(f"{what}: {now - clock[0]:.1f} s")
        clock[0] = now

    with mock.patch("wijkradar.dataset.open_dataset", opener):
        app = create_app(Settings(dataset=Path(ds_path), warm_clusters=False))
        with TestClient(app, raise_server_exceptions=True) as c:
            # Actions cite figures only where a pattern triggers, which the smallest buurten
            # lack: also walk the actions of up to three buurten with withheld values that do.
            fb = forbidden[forbidden["level"] == "buurt"]
            extra = [x for x in fb.groupby("code").size().sort_values().index if x not in codes]
            for code in extra[:60]:
                if len(action_codes) >= 3:
                    break
                r = c.get(f"/api/regions/{code}/actions")
                # a buurt without a signal gets the general frames only: no figures to walk
                if r.status_code == 200 and not r.json().get("nothing_triggered"):
                    action_codes.append(code)
                    walk_json(r.json(), obs, "api actions", names, ids, code=code)
                    prof = c.get(f"/api/regions/{code}").json()
                    if prof.get("signal"):  # so the signal tables of its year are walked too
                        signal_years.add((_gm(code), int(prof["signal"]["year"])))
            for code in codes:
                r = c.get(f"/api/regions/{code}")
                assert r.status_code == 200, (code, r.text[:300])
                prof = r.json()
                walk_json(prof, obs, "api profile", names, ids, code=code)
                if prof.get("signal"):
                    signal_years.add((_gm(code), int(prof["signal"]["year"])))
                r = c.get(f"/api/regions/{code}/actions")
                if r.status_code == 200:
                    walk_json(r.json(), obs, "api actions", names, ids, code=code)
                else:
                    notes.append(f"actions {code}: {r.status_code}")
                r = c.get(f"/api/regions/{code}/report.html")
                if r.status_code == 200:
                    texts(html_units(r.text), code, "api report.html")
                    for ind, yr, v, tol in svg_points(r.text, names):
                        obs.add("api report.html", "chart", code, ind, yr, v, tol)
                else:
                    notes.append(f"report.html {code}: {r.status_code}")
                if code in pdf_codes and pdftotext:
                    r = c.get(f"/api/regions/{code}/report.pdf")
                    if r.status_code == 200:
                        texts(pdf_units(_pdf_text(r.content, tmp), names), code, "api report.pdf")
            lap("profiles, actions, reports")
            combos = sorted(signal_years)
            queries = [{}, {"gemeente": "GM0363"}] + [{"gemeente": g, "year": y} for g, y in combos]
            for q in queries:
                r = c.get("/api/signals", params=q)
                assert r.status_code == 200, (q, r.text[:300])
                walk_json(r.json(), obs, "api signals", names, ids)
            for fmt in ("csv", "gpkg", "parquet"):
                for q in queries:
                    r = c.get("/api/export", params={"format": fmt, **q})
                    assert r.status_code == 200, (fmt, q, r.text[:300])
                    if fmt == "csv":
                        # the export writes comma-separated, decimal point, UTF-8 with BOM
                        frame = pd.read_csv(io.BytesIO(r.content), encoding="utf-8-sig")
                    else:
                        path = tmp / f"export.{fmt}"
                        path.write_bytes(r.content)
                        frame = (
                            gpd.read_file(path, layer="signalen")
                            if fmt == "gpkg"
                            else gpd.read_parquet(path)
                        )
                    _export_rows(frame, obs, f"api export {fmt}", names, ids)
            lap("signals and exports")
            # No vector tiles: the web app serves no /tiles, .pbf/.mvt or PMTiles; its map is
            # MapLibre drawing the GeoJSON of /api/map/{level}, so that layer is the map data.
            r = c.get("/api/map/buurt")
            assert r.status_code == 200
            walk_geojson(r.json(), obs, "api map", None, 0)
            years = set(c.get("/api/health").json()["levels"]["buurt"]["years"])
            layers = fb[fb["level"] == "buurt"].assign(gm=fb["code"].map(_gm))
            layers = layers[layers["year"].isin(years)]
            layers = layers[["gm", "year", "indicator"]].drop_duplicates()
            for gm, yr, ind in layers.itertuples(index=False):
                q = {"gemeente": gm, "year": int(yr), "indicator": ind, "zoom": 6}
                r = c.get("/api/map/buurt", params=q)
                assert r.status_code == 200, (q, r.text[:300])
                walk_geojson(r.json(), obs, "api map", ind, int(yr))
            notes.append(f"map layers read: {len(layers) + 1}")
            lap("map layers")

        runner = CliRunner()
        env = {"WIJKRADAR_DATASET": str(ds_path), "COLUMNS": "200"}

        def run(*args):
            return runner.invoke(cli, list(args), env=env, catch_exceptions=True)

        for code in action_codes:
            res = run("actions", code, "--format", "json")
            assert res.exit_code == 0, (code, res.output[:300])
            walk_json(json.loads(res.stdout), obs, "cli actions json", names, ids, code=code)
            for line in run("actions", code).stdout.splitlines():
                if line.strip().startswith("•"):
                    scan_sentence(obs, "cli actions text", "reason", code, line, names)
        for code in codes:
            res = run("profile", code, "--format", "json")
            assert res.exit_code == 0, (code, res.output[:300], res.exception)
            walk_json(json.loads(res.stdout), obs, "cli profile json", names, ids, code=code)
            res = run("profile", code)
            walk_profile_text(res.stdout, obs, "cli profile text", code, names)
            res = run("actions", code, "--format", "json")
            if res.exit_code == 0:
                walk_json(json.loads(res.stdout), obs, "cli actions json", names, ids, code=code)
                res = run("actions", code)
                for line in res.stdout.splitlines():
                    if line.strip().startswith("•"):
                        scan_sentence(obs, "cli actions text", "reason", code, line, names)
        for g, y in combos:
            res = run("signals", "--gemeente", g, "--year", str(y), "--format", "json")
            assert res.exit_code == 0, res.output[:300]
            walk_json(json.loads(res.stdout), obs, "cli signals json", names, ids)
            res = run("signals", "--gemeente", g, "--year", str(y), "--format", "csv")
            frame = pd.read_csv(io.StringIO(res.stdout))
            for code, reasons in zip(frame["code"], frame["reasons"].fillna(""), strict=True):
                for k, s in enumerate(reasons.split(" | ") if reasons else []):
                    scan_sentence(obs, "cli signals csv", f"{code}[{k}]", code, s, names)
        lap("cli profile, actions, signals")
        code = codes[0]
        out = tmp / f"{code}.html"
        res = run("report", code, "--output", str(out))
        assert res.exit_code == 0, res.output[:300]
        doc = out.read_text(encoding="utf-8")
        texts(html_units(doc), code, "cli report.html")
        for ind, yr, v, tol in svg_points(doc, names):
            obs.add("cli report.html", "chart", code, ind, yr, v, tol)

    lap("cli report")
    frame = obs.frame()
    frame = pd.concat([frame, recompute(frame, catalogue.derivations)], ignore_index=True)
    for o, n in frame.groupby("output").size().items():
        seen[o] = seen.get(o, 0) + int(n)
    return Walk(obs=frame, text_hits=hits, seen=seen, notes=notes)


REQUIRED = ("BU03630100", "BU03631102", "BU03630900")


def pick_small(forbidden: pd.DataFrame, n: int = 25) -> list[str]:
    """The buurten to walk: the three named in the issue, then, in turns, the buurten with the
    most forbidden values among Rotterdam's, Amsterdam's old (numeric) and Amsterdam's new
    (2022, alphanumeric) codes, so that every source family and signal year is covered."""
    b = forbidden[forbidden["level"] == "buurt"]
    size = b.groupby("code").size().sort_values(ascending=False, kind="stable")
    groups = [
        [c for c in size.index if c.startswith("BU0599")],
        [c for c in size.index if c.startswith("BU0363") and c[6:].isdigit()],
        [c for c in size.index if c.startswith("BU0363") and not c[6:].isdigit()],
        [c for c in size.index if not c.startswith(("BU0599", "BU0363"))],
        # and the buurten with the fewest: larger ones that still get a signal and actions,
        # whose sentences and tables must not give a withheld count or rate away either
        list(size.index[::-1]),
    ]
    out = [c for c in REQUIRED if c in size.index]
    while len(out) < n and any(groups):
        for g in groups:
            while g and g[0] in out:
                g.pop(0)
            if g and len(out) < n:
                out.append(g.pop(0))
    return out
