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
    """The catalogue as Markdown: indicators grouped by domain and topic, then the spellings."""
    lines = [
        "# Indicatoren / indicators",
        "",
        "Generated from `src/wijkradar/catalogue/` by `python -m wijkradar.catalogue.docs`; "
        "do not edit by hand. `wijkradar indicators --search WORD` searches the same list.",
        "",
        f"{len(cat.ids)} indicators. Direction: `+` higher is more vulnerable / more problems, "
        "`-` lower is, `0` context. Weight: share in the domain score (0: shown as context, "
        "never scored). Suppressed below: CBS publication threshold applied by wijkradar (no "
        "figure is shown under it). Kind: count, share (%), rate (per 1 000, per km², per "
        "household), mean, score, class or code. *Migration background* marks the indicators "
        "that are context only and never enter a score or prediction.",
    ]
    listing = cat.listing()
    for (_, domain), part in listing.groupby(["domain", "domain_label"], sort=False):
        lines += ["", f"## {domain} (`{part['domain'].iloc[0]}`)"]
        for (_, topic), rows in part.groupby(["topic", "topic_label"], sort=False):
            lines += [
                "",
                f"### {topic}",
                "",
                "| id | label (nl) | label (en) | unit | kind | dir. | weight | derivation "
                "| suppressed below |",
                "|---|---|---|---|---|---|---|---|---|",
            ]
            for r in rows.itertuples(index=False):
                row = cat.indicators.loc[r.id]
                flag = " *(migration background)*" if r.sensitive == "migration" else ""
                lines.append(
                    f"| `{r.id}` | {_md(row['label_nl'])}{flag} | {_md(row['label_en'])} | "
                    f"{_md(r.unit)} | {r.kind} | {r.direction} | {r.weight:g} | "
                    f"{_md(row['derivation'])} | {_md(r.suppress_below)} |"
                )
    lines += [
        "",
        "## Source spellings per format",
        "",
        "Any spelling is accepted in any KWB edition (CBS renames columns between editions). "
        "StatLine and OData v4 labels: the column's words must end with the spelling (a topic "
        "path before it does not matter) and the unit must agree; the longest spelling wins. "
        "OData v3 keys: the key stem without `_NN`, `k_`, punctuation and accents equals a "
        "spelling reduced the same way, or an explicit `odata` stem. kwbkaart: short names of the "
        "Wijk- en Buurtkaart and the KWB xls, case-insensitive. `#2` marks the second column "
        "with the same label and unit in a table that has no topic path. `|` separates "
        "spellings.",
        "",
        "| indicator | format | spellings | unit | note |",
        "|---|---|---|---|---|",
    ]
    for r in cat.sources.itertuples(index=False):
        lines.append(
            f"| `{r.indicator}` | {r.format} | {_md(r.match)} | {_md(r.unit)} | {_md(r.note)} |"
        )
    lines += [
        "",
        "## Source columns that are no indicator",
        "",
        "| format | column | why |",
        "|---|---|---|",
    ]
    for (fmt, column), why in sorted(cat.ignored.items()):
        lines.append(f"| {fmt} | `{_md(column)}` | {_md(why)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(indicators_markdown(load_catalogue()))
