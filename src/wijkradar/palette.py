"""The one palette: signal classes, outlines and the chart lines, for map, charts and report.

Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
deficiency (the risk ramp: ColorBrewer's YlOrRd). The web reads it from ``/api/classes`` and
``/api/health``; the report's CSS and
SVG charts take it from here (``report.css`` refers to the ``--signal-*`` custom properties that
:func:`css_variables` writes).
"""

from __future__ import annotations

SIGNALS: dict[str, str] = {
    "alarm": "#D55E00",  # vermillion
    "attention": "#E69F00",  # orange
    # aubergine: weak and stuck. Not in Okabe & Ito; the darkest class by far (CIE L* 27 against
    # 55-76 for the others, also under simulated deuteranopia and protanopia), so it never reads
    # as the warm alarm/attention nor as the neutral grey of "stable"; white on it is 10:1.
    "structural": "#5B2C6F",
    "resilient": "#009E73",  # bluish green
    "improving": "#56B4E9",  # sky blue
    "stable": "#BBBBBB",  # grey
    "insufficient_data": "#FFFFFF",  # white, drawn with OUTLINE
}
"""Signal class → colour. A class a user's rules add gets :data:`UNKNOWN_CLASS`."""
UNKNOWN_CLASS = "#BBBBBB"
OUTLINE = "#888888"
ACCENT = "#0072B2"  # blue: the region itself in charts, the comparison on the map, headings
GEMEENTE = "#D55E00"  # vermillion: the gemeente median in charts
ALL = "#555555"  # dark grey: the median of all regions
HIGHLIGHT = "#E69F00"  # orange: the region on the locator map
INK = "#1a1a1a"
GRID = "#d0d0d0"
RISK_RAMP = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
"""The risico layer: ColorBrewer YlOrRd, sequential from light (low) to dark (high)."""
RISK_BOUNDS = (0.05, 0.1, 0.2, 0.4)
"""The ramp's bin bounds: the risk is a calibrated chance, so the bounds are fixed, the same on
every map."""


def signal_colour(class_id: str) -> str:
    """The colour of a signal class (a class the palette does not know is grey)."""
    return SIGNALS.get(class_id, UNKNOWN_CLASS)


def css_variables() -> str:
    """``:root { --signal-alarm: …; --accent: …; }`` for the report's stylesheet."""
    props = [f"--signal-{k.replace('_', '-')}: {v};" for k, v in SIGNALS.items()]
    props += [f"--accent: {ACCENT};", f"--highlight: {HIGHLIGHT};", f"--ink: {INK};"]
    return ":root { " + " ".join(props) + " }\n"
