"""Generate the indicator reference (docs/indicators.md) from the catalogue.

Run ``python -m wijkradar.catalogue.docs > docs/indicators.md``; ``tests/test_docs.py`` fails
when the committed file is stale.
"""

from __future__ import annotations

import sys

from wijkradar.catalogue import Catalogue, load_catalogue


def _md(text: object) -> str:
    return str(text).replace("|", "\\|")


def indicators_markdown(cat: Catalogue) -> str:
    """The catalogue as Markdown: one table of indicators, one of source columns."""
    lines = [
        "# Indicatoren / indicators",
        "",
        "Generated from `src/wijkradar/catalogue/` by `python -m wijkradar.catalogue.docs`; "
        "do not edit by hand.",
        "",
        "Direction: `+` higher is more vulnerable / more problems, `-` lower is, `0` context. "
        "Weight: share in the domain score. Suppressed below: CBS publication threshold applied "
        "by wijkradar (no figure is shown under it).",
        "",
        "| id | label (nl) | label (en) | unit | domain | dir. | kind | derivation | weight "
        "| suppressed below |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for ind, r in cat.indicators.iterrows():
        lines.append(
            f"| `{ind}` | {_md(r['label_nl'])} | {_md(r['label_en'])} | {_md(r['unit'])} | "
            f"{r['domain']} | {r['direction']} | {r['kind']} | {_md(r['derivation'])} | "
            f"{r['weight']:g} | {_md(r['suppress_below'])} |"
        )
    lines += [
        "",
        "## Source columns per format",
        "",
        "StatLine: the normalised label path must end with the phrase (and the unit agree); "
        "OData: key stem without the `_NN` suffix; kwbkaart: short names (Wijk- en "
        "Buurtkaart, KWB xls), case-insensitive, `|` separates alternatives.",
        "",
        "| indicator | format | years | match | unit | note |",
        "|---|---|---|---|---|---|",
    ]
    for r in cat.sources.itertuples(index=False):
        lines.append(
            f"| `{r.indicator}` | {r.format} | {r.years or 'all'} | {_md(r.match)} | "
            f"{_md(r.unit)} | {_md(r.note)} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(indicators_markdown(load_catalogue()))
