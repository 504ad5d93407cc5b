"""Signals as tables: one row per region with names and reasons (:func:`signals_table`), and
the flat frame every download holds (:func:`export_frame`, written by
:mod:`wijkradar.outputs.export`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pandas as pd

from wijkradar.analysis.signals import REASON_COLUMNS as SIGNAL_REASON_COLUMNS
from wijkradar.codes import gemeenten_of, normalise_code
from wijkradar.vocab import LANGS
from wijkradar.wording import words

if TYPE_CHECKING:
    from wijkradar.dataset import Dataset

TABLE_COLUMNS = (
    "code",
    "name",
    "level",
    "year",
    "composition_score",
    "composition_trend",
    "problems_score",
    "problems_trend",
    "signal",
    "stable_under_variations",
    "reasons",
)


_COMPARISON = ("comparison_code", "group_gemeenten", "group_size")
REASON_COLUMNS = (
    *(c for c in SIGNAL_REASON_COLUMNS if c not in _COMPARISON and c != "level"),
    "comparison",
    "comparison_en",
    "level",
    "sentence_nl",
    "sentence_en",
)
"""The reasons as the profile, the tables and the downloads show them: the numbers of
:attr:`SignalResult.reasons` with the comparison group and the sentence in words."""


def worded_reasons(
    ds: Dataset, reasons: pd.DataFrame, langs: tuple[str, ...] = LANGS
) -> list[dict]:
    """``reasons`` (from the analysis: numbers and ids) as records with the comparison group
    (``comparison`` in Dutch, ``comparison_en``) and the sentence per language in ``langs``
    (``sentence_nl``, ``sentence_en``)."""
    out = []
    cat, names = ds.indicators, ds.names
    for rec in reasons.to_dict("records"):
        code = rec.pop("comparison_code", None)
        n_gm, n_regions = rec.pop("group_gemeenten", None), rec.pop("group_size", None)
        row = {k: rec.get(k) for k in REASON_COLUMNS if k in rec}
        for lang in langs:
            w = words(lang)
            where = w.where(
                code if isinstance(code, str) else None, n_gm, n_regions, rec["level"], names
            )
            row["comparison" if lang == "nl" else f"comparison_{lang}"] = where
            row[f"sentence_{lang}"] = w.reason(rec, cat, where, names)
        out.append({k: row[k] for k in REASON_COLUMNS if k in row})
    return out


def signals_table(
    ds: Dataset, res, *, gemeente: str | None = None, lang: str = "nl"
) -> pd.DataFrame:
    """The signals of ``res`` with names and the reasons (sentences in ``lang``) per region."""
    f = res.frame.copy()
    if gemeente:
        f = f[(gemeenten_of(f["code"]) == normalise_code(gemeente)).fillna(False).to_numpy()]
    f.insert(1, "name", f["code"].map(ds.names))
    texts: dict[str, list] = {}
    details: dict[str, list] = {}
    r = res.reasons[res.reasons["code"].isin(set(f["code"]))].sort_values(["code", "rank"])
    for rec in worded_reasons(ds, r, langs=tuple(dict.fromkeys(("nl", "en", lang)))):
        code = rec.pop("code")
        texts.setdefault(code, []).append(rec[f"sentence_{lang}"])
        for lg in LANGS:
            rec.pop(f"sentence_{lg}", None)
        details.setdefault(code, []).append(rec)
    f["reasons"] = [texts.get(c, []) for c in f["code"]]
    f["reason_details"] = [details.get(c, []) for c in f["code"]]
    f["signal_label"] = f["signal"].map(lambda c: res.rules.get(c).label(lang))
    return f.reset_index(drop=True)


ATTRIBUTION = "Bron: CBS, Kadaster, Leefbaarometer (BZK)"
EXPORT_COLUMNS = (
    "code",
    "name",
    "level",
    "year",
    "view",
    "composition_score",
    "composition_level",
    "composition_trend",
    "problems_score",
    "problems_level",
    "problems_trend",
    "signal",
    "signal_label",
    "variations_changed",
    "stable_under_variations",
    "reasons",
    "reason_details",
)


def export_frame(
    ds: Dataset,
    *,
    level: str,
    year: int | None = None,
    view: str = "absolute",
    gemeente: str | None = None,
    lang: str = "nl",
) -> pd.DataFrame:
    """The signals of ``level`` as one flat row per region.

    Returns
    -------
    DataFrame
        ``code, name, level, year, view, composition_score, composition_level,
        composition_trend, problems_score, problems_level, problems_trend, signal,
        signal_label, variations_changed, stable_under_variations, reasons`` (sentences in
        ``lang`` joined by ``" | "``), ``reason_details`` (JSON text) and ``bron`` (the
        attribution, the same in every row).
    """
    if year is None and gemeente:
        year = ds.latest_year(level, gemeente=gemeente)
    res = ds.signals(level=level, year=year, view=view)
    table = signals_table(ds, res, gemeente=gemeente, lang=lang)
    out = table[[c for c in EXPORT_COLUMNS if c in table.columns]].copy()
    out["reasons"] = out["reasons"].map(" | ".join)
    out["reason_details"] = out["reason_details"].map(
        lambda d: json.dumps(d, ensure_ascii=False, default=str)
    )
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(str)
    out["bron"] = ATTRIBUTION
    return out
