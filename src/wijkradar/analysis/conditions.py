"""The condition language of ``signals.toml`` and ``actions.toml``, evaluated for every region
at once.

A *state frame* has one row per region and the columns a condition looks at:

``signal``
    the region's signal class;
``<axis>_trend``, ``<axis>_level``, ``<axis>_score``, ``<axis>_weak_run``
    the two axes (``composition_trend``…, as in the signal frame, which is itself a state
    frame);
``<indicator>.value``, ``<indicator>.value_pct``, ``<indicator>.trend``
    an indicator's latest value, its position in the comparison group and its trend
    (:func:`fact_column`).

A mapping of column name → array (one value per region) works as well as a frame. A missing
column, or an unknown, suppressed or missing value, never satisfies a test: a condition claims
nothing the data do not show. The conditions themselves are validated once, by the models in
:mod:`wijkradar.catalogue._models`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from wijkradar.catalogue._models import AllOf, AnyOf, AxisTest, IndicatorTest, SignalTest

Condition = AllOf | AnyOf | AxisTest | IndicatorTest | SignalTest
State = pd.DataFrame | Mapping[str, Sequence]
FACT_FIELDS = ("value", "value_pct", "trend")


def axis_column(axis: str, field: str) -> str:
    """``composition_trend``: the state-frame column of an axis field."""
    return f"{axis}_{field}"


def fact_column(indicator: str, field: str) -> str:
    """``low_income_households_pct.value``: the state-frame column of an indicator fact (ids
    hold no dot, so the names never clash with the axis columns)."""
    return f"{indicator}.{field}"


def holds(cond: Condition, state: State) -> np.ndarray:
    """Whether ``cond`` holds, per row (region) of the state frame ``state``.

    Returns
    -------
    numpy.ndarray
        ``bool``, one per row of ``state``, in its order.
    """
    return _HOLDS[type(cond)](cond, _Columns(state))


def holds_each(conds: Iterable[Condition], state: State) -> list[np.ndarray]:
    """:func:`holds` of each condition, reading each column of ``state`` once."""
    cols = _Columns(state)
    return [_HOLDS[type(c)](c, cols) for c in conds]


class _Columns:
    """The columns of a state, as numpy arrays made once per evaluation."""

    def __init__(self, state: State) -> None:
        self._state = state
        self._cache: dict[tuple[str, bool], np.ndarray] = {}
        if isinstance(state, pd.DataFrame):
            self.n = len(state)
        else:
            self.n = len(next(iter(state.values()), ()))

    def text(self, column: str) -> np.ndarray | None:
        """As objects, compared with ``==`` one by one (``None``, NaN and text mix)."""
        return self._get(column, numeric=False)

    def numbers(self, column: str) -> np.ndarray:
        """As floats; NaN for an unknown value or a missing column."""
        out = self._get(column, numeric=True)
        return np.full(self.n, np.nan) if out is None else out

    def _get(self, column: str, *, numeric: bool) -> np.ndarray | None:
        if column not in self._state:
            return None
        key = (column, numeric)
        if key not in self._cache:
            values = self._state[column]
            if isinstance(values, pd.Series) and numeric:
                values = pd.to_numeric(values, errors="coerce").to_numpy(float, na_value=np.nan)
            elif isinstance(values, pd.Series):
                values = values.to_numpy(object, na_value=np.nan)
            self._cache[key] = np.asarray(values, dtype=float if numeric else object)
        return self._cache[key]


def _isin(cols: _Columns, column: str, allowed: Sequence[str] | None) -> np.ndarray:
    """The column's value is one of ``allowed`` (everywhere when no test is asked)."""
    if allowed is None:
        return np.ones(cols.n, dtype=bool)
    out = np.zeros(cols.n, dtype=bool)
    values = cols.text(column)
    if values is not None:
        for a in allowed:
            out |= values == a
    return out


_COMPARE = {"gt": np.greater, "gte": np.greater_equal, "lt": np.less, "lte": np.less_equal}


def _within(x: np.ndarray, **bounds: float | None) -> np.ndarray:
    """Every bound that is set holds (``gt``, ``gte``, ``lt``, ``lte``); NaN never does."""
    ok = np.ones(len(x), dtype=bool)
    for op, bound in bounds.items():
        if bound is not None:
            ok &= _COMPARE[op](x, bound)
    return ok


def _all(cond: AllOf, cols: _Columns) -> np.ndarray:
    out = np.ones(cols.n, dtype=bool)
    for c in cond.all:
        out &= _HOLDS[type(c)](c, cols)
    return out


def _any(cond: AnyOf, cols: _Columns) -> np.ndarray:
    out = np.zeros(cols.n, dtype=bool)
    for c in cond.any:
        out |= _HOLDS[type(c)](c, cols)
    return out


def _signal(cond: SignalTest, cols: _Columns) -> np.ndarray:
    return _isin(cols, "signal", cond.signal)


def _axis(cond: AxisTest, cols: _Columns) -> np.ndarray:
    ok = _isin(cols, axis_column(cond.axis, "trend"), cond.trend)
    ok &= _isin(cols, axis_column(cond.axis, "level"), cond.level)
    if cond.score_gte is not None or cond.score_lte is not None:
        score = cols.numbers(axis_column(cond.axis, "score"))
        ok &= _within(score, gte=cond.score_gte, lte=cond.score_lte)
    if cond.weak_run_gte is not None:
        run = cols.numbers(axis_column(cond.axis, "weak_run"))
        ok &= _within(run, gte=cond.weak_run_gte)
    return ok


def _indicator(cond: IndicatorTest, cols: _Columns) -> np.ndarray:
    value = cols.numbers(fact_column(cond.indicator, "value"))
    ok = ~np.isnan(value)  # unknown, suppressed or missing: claims nothing
    ok &= _isin(cols, fact_column(cond.indicator, "trend"), cond.trend)
    if cond.percentile_gte is not None or cond.percentile_lte is not None:
        pct = cols.numbers(fact_column(cond.indicator, "value_pct"))
        ok &= _within(pct, gte=cond.percentile_gte, lte=cond.percentile_lte)
    bounds = {"gt": cond.value_gt, "gte": cond.value_gte, "lt": cond.value_lt}
    return ok & _within(value, **bounds, lte=cond.value_lte)


_HOLDS: dict[type, Callable[[Condition, _Columns], np.ndarray]] = {
    AllOf: _all,
    AnyOf: _any,
    SignalTest: _signal,
    AxisTest: _axis,
    IndicatorTest: _indicator,
}
