"""Helpers for tests (wijkradar's own and a user's): small panels and panel comparisons.

A panel is wijkradar's long table (``code, level, year, indicator, value, status, source``; see
:mod:`wijkradar.panel.schema`). :func:`panel_from_rows` builds one from short tuples, filling
in what a test does not care about: the level from the code, the status from the value
(``NaN`` → ``missing`` unless given) and the source.

Examples
--------
>>> p = panel_from_rows([("BU00010001", 2019, "households", 1000.0)])
>>> p.loc[0, ["level", "status"]].tolist()
['buurt', 'observed']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from wijkradar.codes import levels_of

PANEL_COLUMNS = ("code", "level", "year", "indicator", "value", "status", "source")
_SHORT = ("code", "year", "indicator", "value")


def panel_from_rows(
    rows: Iterable[Sequence],
    *,
    columns: Sequence[str] = _SHORT,
    level: str | None = None,
    status: str | None = None,
    source: str = "test",
) -> pd.DataFrame:
    """A panel from ``rows`` whose fields are named by ``columns``.

    Parameters
    ----------
    rows
        Tuples, by default ``(code, year, indicator, value)``; pass ``columns`` for other
        layouts, e.g. ``("code", "level", "year", "indicator", "value", "status")``.
    level
        Level of every row; default: from each code (``BU…`` → ``buurt``).
    status
        Status of every row; default: ``missing`` where the value is NaN, else ``observed``.
    source
        The ``source`` column.
    """
    frame = pd.DataFrame(list(rows), columns=list(columns))
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    frame["year"] = frame["year"].astype(int)
    if "level" not in frame:
        frame["level"] = level if level is not None else levels_of(frame["code"]).astype(object)
    if "status" not in frame:
        frame["status"] = (
            status if status is not None else np.where(frame["value"].isna(), "missing", "observed")
        )
    if "source" not in frame:
        frame["source"] = source
    return frame[list(PANEL_COLUMNS)]


def assert_panel_equal(left: pd.DataFrame, right: pd.DataFrame, *, check_source: bool = True):
    """Assert that two panels hold the same rows, whatever their order and dtypes.

    Values compare with a relative tolerance of 1e-9; categorical columns compare as text.
    """
    cols = [c for c in PANEL_COLUMNS if check_source or c != "source"]

    def norm(p: pd.DataFrame) -> pd.DataFrame:
        p = p[cols].copy()
        for c in cols:
            if c != "value":
                p[c] = p[c].astype(str)
        return p.sort_values([c for c in cols if c != "value"]).reset_index(drop=True)

    pd.testing.assert_frame_equal(norm(left), norm(right), check_dtype=False, rtol=1e-9)
