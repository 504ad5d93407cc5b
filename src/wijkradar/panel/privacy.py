"""CBS's publication thresholds, applied before anything leaves the panel.

CBS does not publish income, benefit and crime figures for areas with few inhabitants or
households (KWB "Toelichting": figures are withheld to prevent disclosure and because they are
unreliable for small numbers). The thresholds are data in the catalogue (``suppress_below``,
e.g. ``population<100``). The rules, in this order (``docs/method.md``, privacy):

1. **Threshold.** A value of such an indicator is ``suppressed`` (no value) when its base in
   the same edition is under the minimum, a base of 0 included; also when the value came
   through anyway (a user table, a rate wijkradar derived from CBS's rounded counts).
2. **No base in that edition.** Then the base of the nearest edition of the same code decides
   (on a tie the smaller base); with no base in any edition the value is suppressed: a figure
   whose population nobody can check is not shown.
3. **Secondary disclosure.** A rate and its count (the catalogue's derivations,
   ``pct(count, base)`` and ``per_1000(count, base)``) are shown together or not at all: the
   count of a suppressed rate is suppressed (count ÷ base would give the rate back), and a rate
   whose count is suppressed is suppressed (rate × base would give the count back).

Nothing is imputed; each rule is decided per edition, so a region whose base crosses the
threshold shows its figures in the editions at or above it only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wijkradar.catalogue import Catalogue
from wijkradar.sources._markers import SUPPRESSED
from wijkradar.vocab import SHOWN_STATUSES


@dataclass(frozen=True)
class Suppression:
    """How many shown values each rule of :func:`apply_thresholds` suppressed."""

    threshold: int = 0  # same-edition base under the minimum
    nearest_base: int = 0  # no same-edition base; the nearest edition's is under the minimum
    no_base: int = 0  # no base in any edition
    secondary: int = 0  # a count or rate that would give a suppressed figure back

    @property
    def total(self) -> int:
        return self.threshold + self.nearest_base + self.no_base + self.secondary

    def to_dict(self) -> dict:
        return {
            "threshold": self.threshold,
            "nearest_base": self.nearest_base,
            "no_base": self.no_base,
            "secondary": self.secondary,
            "total": self.total,
        }


def _nearest_base(
    target_code: np.ndarray, target_year: np.ndarray, code: np.ndarray, year: np.ndarray, value
) -> tuple[np.ndarray, np.ndarray]:
    """Per target (code, year): the base of that edition, else of the nearest edition.

    Returns ``(base, same_year)``: the base value (NaN when the code has no base at all) and
    whether it is the target's own edition. On a tie between an earlier and a later edition
    the smaller base is taken (the cautious choice).
    """
    key = code.astype(np.int64) * 4096 + year
    order = np.argsort(key, kind="stable")
    key, value, bcode, byear = key[order], value[order], code[order], year[order]
    tkey = target_code.astype(np.int64) * 4096 + target_year
    pos = np.searchsorted(key, tkey)
    n = len(key)
    base = np.full(len(tkey), np.nan)
    same = np.zeros(len(tkey), dtype=bool)
    if not n:
        return base, same
    right = np.minimum(pos, n - 1)
    exact = key[right] == tkey
    base[exact], same[exact] = value[right[exact]], True
    left = np.maximum(pos - 1, 0)
    ok_r = (bcode[right] == target_code) & (pos < n) & ~exact
    ok_l = (bcode[left] == target_code) & (pos > 0) & ~exact
    d_r = np.where(
        ok_r, np.abs(byear[right].astype(np.int64) - target_year), np.iinfo(np.int64).max
    )
    d_l = np.where(ok_l, np.abs(target_year - byear[left].astype(np.int64)), np.iinfo(np.int64).max)
    take_l = ok_l & (d_l < d_r)
    take_r = ok_r & (d_r < d_l)
    tie = ok_l & ok_r & (d_l == d_r)
    base[take_l] = value[left[take_l]]
    base[take_r] = value[right[take_r]]
    base[tie] = np.minimum(value[left[tie]], value[right[tie]])
    return base, same


# C901: CBS's rules read as one sequence over shared arrays (same edition, nearest edition, no
# base, secondary suppression); kept together so the order of the rules stays visible.
def apply_thresholds(  # noqa: C901
    panel: pd.DataFrame, catalogue: Catalogue
) -> tuple[pd.DataFrame, Suppression]:
    """Suppress what CBS's publication rules withhold, and what would give it back.

    ``panel`` has categorical ``code``/``indicator``/``status`` (as
    :func:`~wijkradar.panel.harmonise.derive` gives; other dtypes are converted).

    Returns
    -------
    (panel, counts)
        The panel with ``value`` NaN and ``status`` ``suppressed`` where the module's rules say
        so, and how many shown values each rule suppressed (:class:`Suppression`).
    """
    from wijkradar.panel.harmonise import _code_of, rows_by_code

    panel = panel.copy(deep=False)  # new value/status columns below; the rest is shared
    for col in ("code", "indicator", "status"):
        if not isinstance(panel[col].dtype, pd.CategoricalDtype):
            panel[col] = panel[col].astype("category")
    if SUPPRESSED not in panel["status"].cat.categories:
        panel["status"] = panel["status"].cat.add_categories([SUPPRESSED])
    ind_cat = panel["indicator"]
    rows_of = rows_by_code(ind_cat.cat.codes.to_numpy(), len(ind_cat.cat.categories))

    def rows(indicator: str) -> np.ndarray:
        return rows_of(_code_of(ind_cat, indicator))

    code = panel["code"].cat.codes.to_numpy()
    year = panel["year"].to_numpy().astype(np.int64)
    st = panel["status"].cat.codes.to_numpy(copy=True)
    sup = _code_of(panel["status"], SUPPRESSED)
    visible = np.array([_code_of(panel["status"], s) for s in SHOWN_STATUSES], dtype=st.dtype)
    value = panel["value"].to_numpy(copy=True)

    def shown(r: np.ndarray) -> np.ndarray:
        return np.isin(st[r], visible)

    def suppress(r: np.ndarray) -> int:
        hit = r[shown(r)]
        value[hit] = np.nan
        st[hit] = sup
        return len(hit)

    counts = {"threshold": 0, "nearest_base": 0, "no_base": 0, "secondary": 0}
    # Decide every threshold on the bases as published, before any suppression below.
    decisions = []
    for indicator, th in catalogue.thresholds.items():
        r = rows(indicator)
        if not len(r):
            continue
        b = rows(th.base)
        b = b[shown(b)]
        base, same = _nearest_base(code[r], year[r], code[b], year[b], value[b])
        under = base < th.minimum  # NaN (no base anywhere) is handled apart
        decisions.append((r[under & same], "threshold"))
        decisions.append((r[under & ~same], "nearest_base"))
        decisions.append((r[np.isnan(base)], "no_base"))
    for r, rule in decisions:
        counts[rule] += suppress(r)
        if rule != "no_base":
            # Under the threshold, a value the source left empty is withheld as well: the
            # status says why there is no figure (a region with no base says nothing).
            st[r] = sup
    # Secondary disclosure: a rate and its count are shown together or not at all. Repeat
    # until nothing changes (a count may be the numerator of more than one rate).
    key = code.astype(np.int64) * 4096 + year
    for _ in range(len(catalogue.derivations) + 1):
        changed = 0
        for target, der in catalogue.derivations.items():
            t, c = rows(target), rows(der.numerator)
            if not len(t) or not len(c):
                continue
            t_sup = pd.Index(key[t[st[t] == sup]])
            c_sup = pd.Index(key[c[st[c] == sup]])
            changed += suppress(c[pd.Index(key[c]).isin(t_sup)])
            changed += suppress(t[pd.Index(key[t]).isin(c_sup)])
        counts["secondary"] += changed
        if not changed:
            break
    panel["value"] = value
    panel["status"] = pd.Categorical.from_codes(st, categories=panel["status"].cat.categories)
    return panel, Suppression(**counts)
