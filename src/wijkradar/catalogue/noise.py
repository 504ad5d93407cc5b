"""Noise models of the indicators: how uncertain one published value is.

Declared per indicator in ``indicators.csv`` (column ``noise``) as a sum of terms:

``binomial(base)``  a share in % of ``base`` units (households): SE = 100·√(p(1−p)/n)
``poisson(base)``   a rate per 1 000 of ``base`` (population): SE = 1000·√(max(count, 1))/n
``round(u)``        published rounded to ``u``: SE = u/√12
``round(u/base)``   a rate per 1 000 derived from a count rounded to ``u``: SE = 1000·u/√12/n
``sd(s)``           a fixed measurement SD (models without a sampling error, e.g. Leefbaarometer)

Small populations give wide bands, CBS's rounding a floor. The binomial/Poisson terms model the
year-to-year randomness of outcomes in a small population (process variance), not sampling:
KWB figures are register counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from wijkradar.errors import CatalogueError

_TERM = re.compile(r"^(binomial|poisson|round|sd)\(\s*([0-9.]+|[a-z_]+)\s*(?:/\s*([a-z_]+))?\s*\)$")
SQRT12 = np.sqrt(12.0)


@dataclass(frozen=True)
class NoiseTerm:
    kind: str
    number: float | None
    base: str | None


def parse_noise(text: str, *, indicator: str = "?") -> tuple[NoiseTerm, ...]:
    """Parse a noise declaration; raises :class:`CatalogueError` naming the indicator."""
    terms = []
    for part in filter(None, (p.strip() for p in text.split("+"))):
        m = _TERM.match(part)
        if not m:
            raise CatalogueError(
                "catalogus indicators.csv: {indicator}: ruisterm {part} is geen van "
                "binomial(base), poisson(base), round(u), round(u/base), sd(s)",
                indicator=indicator,
                part=repr(part),
            )
        kind, arg, per = m.groups()
        if kind in ("binomial", "poisson"):
            terms.append(NoiseTerm(kind, None, arg))
        else:
            try:
                number = float(arg)
            except ValueError:
                raise CatalogueError(
                    "catalogus indicators.csv: {indicator}: {kind}() verwacht een getal, "
                    "gekregen {arg}",
                    indicator=indicator,
                    kind=kind,
                    arg=repr(arg),
                ) from None
            terms.append(NoiseTerm(kind, number, per))
    return tuple(terms)


def standard_error(
    terms: tuple[NoiseTerm, ...], value: np.ndarray, bases: dict[str, np.ndarray]
) -> np.ndarray:
    """Per-value standard error from the noise terms (NaN where a needed base is unknown)."""
    var = np.zeros_like(value, dtype=float)
    for t in terms:
        if t.kind == "binomial":
            n = bases[t.base]
            p = np.clip(value / 100.0, 0.0, 1.0)
            # p(1-p) is 0 at 0% and 100%: use half a household as a floor, not certainty
            pq = np.maximum(p * (1 - p), 0.5 / np.maximum(n, 1))
            var += 1e4 * pq / np.where(n > 0, n, np.nan)
        elif t.kind == "poisson":
            n = bases[t.base]
            count = np.maximum(value * n / 1000.0, 1.0)
            var += (1000.0 * np.sqrt(count) / np.where(n > 0, n, np.nan)) ** 2
        elif t.kind == "round":
            sd = t.number / SQRT12
            if t.base:
                n = bases[t.base]
                sd = 1000.0 * sd / np.where(n > 0, n, np.nan)
            var += sd**2
        else:
            var += t.number**2
    return np.sqrt(var)
