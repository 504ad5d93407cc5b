"""Action frames for one region: :meth:`Dataset.actions <wijkradar.dataset.Dataset.actions>`.

Glue between the Dataset and the pure :mod:`wijkradar.analysis.actions`: it takes the region's
signal row and a facts table (built once per level, year and view, and kept in the Dataset's
memo) and applies the action matrix. :func:`region_actions_dict` words the result
(:mod:`wijkradar.dataset.action_words`).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from wijkradar.analysis.actions import ActionResult, evaluate_actions, indicator_facts, region_state
from wijkradar.catalogue.actions import ActionMatrix, load_action_matrix
from wijkradar.dataset.action_words import action_dict
from wijkradar.dataset.profile import find_region
from wijkradar.errors import WijkradarError
from wijkradar.vocab import LEVELS

if TYPE_CHECKING:
    from wijkradar.dataset import Dataset


@cache
def default_matrix() -> ActionMatrix:
    """The packaged action matrix (read once per process)."""
    return load_action_matrix()


def _facts(ds: Dataset, level: str, year: int, view: str, res, matrix: ActionMatrix):
    def compute():
        t = res.rules["trends"]
        return indicator_facts(
            ds.panel,
            ds.indicators,
            level=level,
            year=year,
            window=res.window,
            indicators=matrix.indicators,
            view=view,
            z=float(t["z"]),
            min_years=int(t["min_years"]),
            breaks=ds.breaks,
        )

    return ds._memo(("facts", level, year, view, res.window, matrix.indicators), compute)


def region_actions(
    ds: Dataset,
    code: str,
    *,
    year: int | None = None,
    view: str = "absolute",
    matrix: ActionMatrix | None = None,
) -> ActionResult:
    """The action frames ``code`` triggers, in priority order, with reasons and evidence.

    Raises
    ------
    UnknownRegionError
        For a code that is not in the dataset.
    WijkradarError
        When the region has no data to derive a signal from.
    """
    code, reg = find_region(ds, code)
    level = str(reg["level"])
    if level not in LEVELS:
        raise WijkradarError(
            "geen actiekaders voor niveau {level} ({code})", level=repr(level), code=code
        )
    if year is None:
        year = ds.latest_year(level, code=code)
    if year is None:  # no scoreable edition: the frames still read its own figures
        p = ds.panel
        own = p.loc[(p["code"] == code) & p["value"].notna(), "year"]
        year = int(own.max()) if len(own) else None
    if year is None:
        raise WijkradarError("geen gegevens voor {code} om een signaal uit af te leiden", code=code)
    matrix = matrix or default_matrix()
    res = ds.signals(level=level, year=year, view=view)
    f = res.frame
    row = f[f["code"] == code]
    sig = row.iloc[0].to_dict() if len(row) else None
    state = region_state(
        code,
        level=level,
        year=res.year,
        view=view,
        signal_row=sig,
        facts=_facts(ds, level, res.year, view, res, matrix),
    )
    return evaluate_actions(matrix, state, ds.indicators)


def region_actions_dict(
    ds: Dataset,
    code: str,
    *,
    lang: str = "nl",
    year: int | None = None,
    view: str = "absolute",
    matrix: ActionMatrix | None = None,
) -> dict:
    """:func:`region_actions` JSON-ready in ``lang`` (:func:`.action_words.action_dict`)."""
    result = region_actions(ds, code, year=year, view=view, matrix=matrix)
    return action_dict(result, lang, names=ds.names, catalogue=ds.indicators, rules=ds.rules)
