"""Vector charts for the report, as inline SVG strings (no raster, no tiles).

:func:`trend_chart` draws one indicator's series with the gemeente and comparison-group
medians; :func:`locator_map` draws the region among the other regions of its gemeente from the
dataset's geometries (shapely); :func:`score_bars` draws the two axis scores on 0–100 with the
level thresholds. Suppressed or missing values are never drawn: a series has a gap there.
Nor is an earlier area under the same code (a reused code, the profile's ``earlier`` parts): the
chart shows the current area only, marks the cut with a dotted line and says below the plot
that the years before it belong to a different area.
Colours are from the Okabe–Ito palette (distinguishable with colour-vision deficiencies) and
every line also differs in dash pattern and marker.
"""

from __future__ import annotations

import math
from html import escape

import shapely

from wijkradar.palette import ACCENT as REGION
from wijkradar.palette import ALL, GEMEENTE, GRID, HIGHLIGHT, INK
from wijkradar.wording import words

NOTE_HEIGHT = 10  # px below a trend chart for the note on an earlier area under the code


def _nice_ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=10 * mag)
    start = math.floor(lo / step) * step
    ticks, t = [start], start
    while t < hi - step * 1e-9:
        t += step
        ticks.append(round(t, 10))
    return ticks


def trend_chart(
    indicator: dict,
    *,
    lang: str = "nl",
    width: int = 250,
    height: int = 135,
    labels: dict | None = None,
) -> str | None:
    """One indicator over the years: the region, the gemeente median, the median of all
    regions of the level in the data. ``None`` when the region has no shown value."""
    labels = labels or {}
    own = [(p["year"], p["value"]) for p in indicator["series"] if p["value"] is not None]
    if not own:
        return None
    lines = _lines(indicator, own)
    years = sorted({y for _, pts, *_ in lines for y, _ in pts})
    vals = [v for _, pts, *_ in lines for _, v in pts]
    lo, hi = min(vals), max(vals)
    if 0 <= lo < (hi - lo):
        lo = 0.0  # start at zero unless that squashes the lines
    ticks = _nice_ticks(lo, hi)
    if len(ticks) < 2:
        ticks = [ticks[0], ticks[0] + 1]
    lo, hi = ticks[0], ticks[-1]
    left, right, top, bottom = 34, 14, 6, 18
    pw, ph = width - left - right, height - top - bottom
    ymin, ymax = (years[0] - 0.5, years[-1] + 0.5) if len(years) == 1 else (years[0], years[-1])

    def X(y: float) -> float:
        return left + (y - ymin) / (ymax - ymin) * pw

    def Y(v: float) -> float:
        return top + ph - (v - lo) / (hi - lo) * ph

    dec = 0 if (hi - lo) >= 10 else 1
    cut, note = _earlier_note(indicator, lang)
    full = height + NOTE_HEIGHT * bool(note)
    aria = indicator["label"] + f" — {note}" * bool(note)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {full}" '
        f'width="{width}" height="{full}" role="img" '
        f'aria-label="{escape(aria)}" '
        'class="chart">'
    ]
    for t in ticks:
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{Y(t):.1f}" y2="{Y(t):.1f}" '
            f'stroke="{GRID}" stroke-width="0.5"/>'
            f'<text x="{left - 3}" y="{Y(t) + 3:.1f}" font-size="8" text-anchor="end" '
            f'fill="{INK}">{words(lang).number(t, dec)}</text>'
        )
    step = max(1, math.ceil(len(years) / 6))
    for y in years[::step]:
        out.append(
            f'<text x="{X(y):.1f}" y="{height - 6}" font-size="8" text-anchor="middle" '
            f'fill="{INK}">{y}</text>'
        )
    out += _cut_marks(cut, note, X, (ymin, ymax), (top, top + ph), (left, full - 2))
    for _name, pts, colour, dash, marker in reversed(lines):
        if not pts:
            continue
        d = " ".join(
            f"{'M' if i == 0 else 'L'}{X(y):.1f},{Y(v):.1f}" for i, (y, v) in enumerate(pts)
        )
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="1.6"{dash_attr}/>')
        out += [_marker(marker, X(y), Y(v), colour) for y, v in pts]
    out.append("</svg>")
    return "".join(out)


def _earlier_note(indicator: dict, lang: str) -> tuple[int | None, str]:
    """The last cut of a reused code (the profile's ``earlier`` parts) and the note saying that
    the years before it are a different area; ``(None, "")`` for a series of one area."""
    cut = max((e["cut"] for e in indicator.get("earlier") or ()), default=None)
    if cut is None:
        return None, ""
    return cut, words(lang)._(
        "vóór {year}: ander gebied onder dezelfde code (niet getekend)", year=cut
    )


def _cut_marks(cut, note: str, X, years: tuple, ys: tuple, at: tuple) -> list[str]:
    """The cut of a reused code, where nothing is joined (a dotted line halfway before ``cut``
    from ``ys[0]`` to ``ys[1]``, when ``years`` holds it; ``X`` maps a year to x), and the
    ``note`` on what lies before it at ``at`` (x, baseline). Nothing without a note."""
    if not note:
        return []
    out = []
    if years[0] < cut <= years[1]:
        x = X(cut - 0.5)
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{ys[0]}" y2="{ys[1]}" stroke="{INK}" '
            'stroke-width="0.8" stroke-dasharray="1 2"/>'
        )
    out.append(f'<text x="{at[0]}" y="{at[1]}" font-size="7" fill="{INK}">{escape(note)}</text>')
    return out


def _lines(indicator: dict, own: list[tuple]) -> list[tuple]:
    """(name, points, colour, dash, marker) of the region, the gemeente median and the median
    of all regions, the medians limited to the region's years (± 1)."""
    y0, y1 = min(y for y, _ in own), max(y for y, _ in own)

    def medians(key: str) -> list[tuple]:
        return [
            (p["year"], p["median"])
            for p in indicator.get(key, [])
            if p["median"] is not None and y0 - 1 <= p["year"] <= y1 + 1
        ]

    return [
        ("region", own, REGION, "", "circle"),
        ("gemeente", medians("median_in_gemeente"), GEMEENTE, "5 3", "square"),
        ("all", medians("median_all"), ALL, "2 2", "diamond"),
    ]


def _marker(kind: str, cx: float, cy: float, colour: str) -> str:
    if kind == "circle":
        return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="2.4" fill="{colour}"/>'
    if kind == "square":
        return f'<rect x="{cx - 2:.1f}" y="{cy - 2:.1f}" width="4" height="4" fill="{colour}"/>'
    return (
        f'<path d="M{cx:.1f},{cy - 2.6:.1f} L{cx + 2.6:.1f},{cy:.1f} '
        f'L{cx:.1f},{cy + 2.6:.1f} L{cx - 2.6:.1f},{cy:.1f} Z" fill="{colour}"/>'
    )


def legend(lang: str = "nl", level: str = "buurt") -> str:
    """The legend shared by all trend charts (SVG)."""
    w = words(lang)
    items = [
        (w._("dit gebied"), REGION, ""),
        (w._("mediaan gemeente"), GEMEENTE, "5 3"),
        (w._("mediaan alle {units} in de gegevens", units=w.units(level)), ALL, "2 2"),
    ]
    label = escape(w._("legenda"))
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 520 14" width="520" '
        f'height="14" class="legend" role="img" aria-label="{label}">'
    ]
    x = 0
    for text, colour, dash in items:
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{x}" x2="{x + 22}" y1="7" y2="7" stroke="{colour}" stroke-width="2"'
            f'{dash_attr}/><text x="{x + 26}" y="10" font-size="9" fill="{INK}">'
            f"{escape(text)}</text>"
        )
        x += 34 + 5.2 * len(text)
    out.append("</svg>")
    return "".join(out)


def _path(geom, tx) -> str:
    parts = []
    polys = getattr(geom, "geoms", [geom])
    for poly in polys:
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        for ring in (poly.exterior, *poly.interiors):
            xy = shapely.get_coordinates(ring)
            if len(xy) < 3:
                continue
            pts = " L".join(f"{tx[0](x):.1f},{tx[1](y):.1f}" for x, y in xy)
            parts.append(f"M{pts} Z")
    return " ".join(parts)


_BACKGROUND: dict = {}


def _background(regions, me, width: int, height: int) -> tuple:
    level, geom = me["level"], me["geometry"]
    if level == "gemeente":
        ctx = regions[regions["level"] == "gemeente"]
    else:
        ctx = regions[
            (regions["level"] == level) & (regions["gemeente_code"] == me["gemeente_code"])
        ]
    ctx = ctx[ctx["geometry"].notna()]
    if level == "gemeente":
        # the gemeente and its surroundings: a window of three times its size
        minx, miny, maxx, maxy = geom.bounds
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        half = max(maxx - minx, maxy - miny) * 1.5
        window = shapely.box(cx - half, cy - half, cx + half, cy + half)
        ctx = ctx[ctx.intersects(window)]
        minx, miny, maxx, maxy = window.bounds
    else:
        minx, miny, maxx, maxy = ctx.total_bounds
    pad = 6
    scale = min((width - 2 * pad) / max(maxx - minx, 1), (height - 2 * pad) / max(maxy - miny, 1))
    ox = pad + ((width - 2 * pad) - (maxx - minx) * scale) / 2
    oy = pad + ((height - 2 * pad) - (maxy - miny) * scale) / 2
    tx = (lambda x: ox + (x - minx) * scale, lambda y: oy + (maxy - y) * scale)
    simple = shapely.simplify(ctx.geometry.to_numpy(), 0.8 / scale)
    d = " ".join(_path(g, tx) for g in simple if g is not None)
    return minx, maxy, scale, ox, oy, d


def locator_map(
    regions,
    code: str,
    *,
    width: int = 300,
    height: int = 300,
    label: str = "",
) -> str | None:
    """The region (highlighted) among the other regions of the same level in its gemeente
    (for a gemeente: among all gemeenten). ``regions`` is the dataset's regions GeoDataFrame
    (EPSG:28992). ``None`` when the region has no geometry."""
    r = regions[regions["code"] == code]
    if r.empty or r.iloc[0]["geometry"] is None:
        return None
    me = r.iloc[0]
    geom = me["geometry"]
    level = me["level"]
    # the background (all regions of the level in the gemeente, or the gemeenten around a
    # gemeente) is the same for every region of a gemeente: drawn once, then reused
    key = (id(regions), width, height, level, code if level == "gemeente" else me["gemeente_code"])
    if key not in _BACKGROUND:
        if len(_BACKGROUND) > 64:
            _BACKGROUND.clear()
        _BACKGROUND[key] = _background(regions, me, width, height)
    minx, maxy, scale, ox, oy, d = _BACKGROUND[key]
    tol = 0.8 / scale
    tx = (lambda x: ox + (x - minx) * scale, lambda y: oy + (maxy - y) * scale)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="map" '
        f'aria-label="{escape(label or code)}">'
    ]
    if d:
        out.append(
            f'<path d="{d}" fill="#eeeeee" stroke="#9a9a9a" stroke-width="0.4" '
            f'fill-rule="evenodd"/>'
        )
    mine = _path(shapely.simplify(geom, tol), tx)
    out.append(
        f'<path d="{mine}" fill="{HIGHLIGHT}" stroke="{INK}" stroke-width="1.2" '
        f'fill-rule="evenodd"/>'
    )
    gx0, gy0, gx1, gy1 = geom.bounds
    size = max(gx1 - gx0, gy1 - gy0) * scale
    if size < 24:  # a small region: ring it so it can be found
        c = geom.representative_point()
        out.append(
            f'<circle cx="{tx[0](c.x):.1f}" cy="{tx[1](c.y):.1f}" r="{size / 2 + 9:.1f}" '
            f'fill="none" stroke="{INK}" stroke-width="1.6"/>'
        )
    out.append("</svg>")
    return "".join(out)


def score_bars(signal: dict, *, lang: str = "nl", weak: float = 60, strong: float = 40) -> str:
    """The two axis scores (0–100, higher = more vulnerable / more problems) with the level
    thresholds; an axis without a score is drawn as an empty bar with "geen score"."""
    w = words(lang)
    rows = [("composition", w._("Samenstelling")), ("problems", w._("Zichtbare problemen"))]
    no_score = escape(w._("geen score"))
    width, left, bar_w, row_h = 470, 130, 300, 26
    height = row_h * len(rows) + 22
    label = escape(w._("scores op de twee assen"))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="bars" aria-label="{label}">'
    ]
    for i, (axis, name) in enumerate(rows):
        y = 4 + i * row_h
        s = (signal or {}).get(axis, {}) or {}
        score = s.get("score")
        out.append(f'<text x="0" y="{y + 13}" font-size="10" fill="{INK}">{escape(name)}</text>')
        out.append(
            f'<rect x="{left}" y="{y + 2}" width="{bar_w}" height="14" fill="#f2f2f2" '
            f'stroke="{GRID}" stroke-width="0.5"/>'
        )
        if score is None:
            out.append(
                f'<text x="{left + 6}" y="{y + 13}" font-size="9" fill="{INK}">{no_score}</text>'
            )
        else:
            colour = GEMEENTE if score >= weak else (REGION if score < strong else ALL)
            out.append(
                f'<rect x="{left}" y="{y + 2}" width="{bar_w * score / 100:.1f}" height="14" '
                f'fill="{colour}"/>'
                f'<text x="{left + bar_w + 6}" y="{y + 13}" font-size="10" font-weight="bold" '
                f'fill="{INK}">{score:.0f}</text>'
            )
    for t in (strong, weak):
        x = left + bar_w * t / 100
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="2" y2="{height - 16}" stroke="{INK}" '
            f'stroke-width="0.8" stroke-dasharray="2 2"/>'
            f'<text x="{x:.1f}" y="{height - 5}" font-size="8" text-anchor="middle" '
            f'fill="{INK}">{t:g}</text>'
        )
    out.append(
        f'<text x="{left}" y="{height - 5}" font-size="8" fill="{INK}">0</text>'
        f'<text x="{left + bar_w}" y="{height - 5}" font-size="8" text-anchor="end" '
        f'fill="{INK}">100</text>'
    )
    out.append("</svg>")
    return "".join(out)
