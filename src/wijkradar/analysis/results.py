"""Result objects of the analysis stage: frozen dataclasses with ``.to_frame()``.

Each statistic returns one of these instead of printing or plotting: the numbers, the inputs that
produced them (seed, permutations, thresholds) and a ``note`` saying why something is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------------------------
# Spatial clusters (analysis/spatial.py)
# --------------------------------------------------------------------------------------------

CLUSTER_LABELS = (
    "hoog-hoog",
    "laag-laag",
    "hoog-laag",
    "laag-hoog",
    "niet significant",
    "geen buren",
    "geen gegevens",
)
"""The cluster labels of :class:`ClusterResult`, Dutch first (convention 9)."""

CLUSTER_LABELS_EN = {
    "hoog-hoog": "high-high",
    "laag-laag": "low-low",
    "hoog-laag": "high-low",
    "laag-hoog": "low-high",
    "niet significant": "not significant",
    "geen buren": "no neighbours",
    "geen gegevens": "no data",
}
"""English label for each Dutch cluster label."""

QUADRANT_LABELS = {1: "hoog-hoog", 2: "laag-hoog", 3: "laag-laag", 4: "hoog-laag"}
"""esda's (PySAL) quadrant numbers: 1 HH, 2 LH, 3 LL, 4 HL; 0 means not computed."""

CLUSTER_COLUMNS = ("code", "value", "local_i", "p_value", "quadrant", "cluster")


# eq=False: the fields are numpy arrays, for which dataclass equality would be ambiguous.
@dataclass(frozen=True, eq=False)
class ClusterResult:
    """Local Moran (LISA) clusters of one variable over a set of regions.

    Attributes
    ----------
    codes : numpy.ndarray of str
        Region codes, in the order of the input series.
    values : numpy.ndarray of float
        The analysed value per region (NaN where missing).
    I : numpy.ndarray of float
        Local Moran's I as computed by :class:`esda.Moran_Local`; NaN for regions not in the
        weights (no value or no geometry) and for regions without neighbours.
    p_sim : numpy.ndarray of float
        Pseudo p-value from conditional permutations (folded, as esda reports it); NaN where
        ``I`` is NaN.
    quadrant : numpy.ndarray of int8
        Moran scatterplot quadrant (see :data:`QUADRANT_LABELS`), whether significant or not;
        0 where not computed.
    label : numpy.ndarray of str
        One of :data:`CLUSTER_LABELS`: a quadrant label where ``p_sim < alpha``,
        ``"niet significant"`` otherwise, ``"geen buren"`` for regions without neighbours and
        ``"geen gegevens"`` for regions left out of the weights.
    global_i : float
        Global Moran's I (:class:`esda.Moran`) over the same weights; NaN when not computed.
    global_p : float
        Its pseudo p-value from ``permutations`` random permutations; NaN when not computed.
    n : int
        Number of regions in the weights (with a value and a geometry), islands included.
    n_islands : int
        Number of those regions without any neighbour.
    permutations, alpha, seed
        The inputs used.
    note : str
        Why results are missing ("" when everything was computed).
    """

    codes: np.ndarray
    values: np.ndarray
    I: np.ndarray  # noqa: E741 -- esda's name for the statistic
    p_sim: np.ndarray
    quadrant: np.ndarray
    label: np.ndarray
    global_i: float
    global_p: float
    n: int
    n_islands: int
    permutations: int
    alpha: float
    seed: int
    note: str = ""

    def __post_init__(self) -> None:
        # Read-only copies, so a frozen result cannot be changed through its arrays either.
        for name in ("codes", "values", "I", "p_sim", "quadrant", "label"):
            arr = np.array(getattr(self, name), copy=True)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    def to_frame(self) -> pd.DataFrame:
        """One row per region.

        Returns
        -------
        pandas.DataFrame
            Columns ``code`` (str), ``value`` (float), ``local_i`` (float), ``p_value``
            (float), ``quadrant`` (nullable ``Int8``: 1 HH, 2 LH, 3 LL, 4 HL, ``<NA>`` where not
            computed) and ``cluster`` (categorical with the categories of
            :data:`CLUSTER_LABELS`).
        """
        quadrant = pd.array(self.quadrant, dtype="Int8")
        quadrant[self.quadrant == 0] = pd.NA
        return pd.DataFrame(
            {
                "code": pd.array(self.codes, dtype="str"),
                "value": self.values,
                "local_i": self.I,
                "p_value": self.p_sim,
                "quadrant": quadrant,
                "cluster": pd.Categorical(self.label, categories=CLUSTER_LABELS),
            },
            columns=list(CLUSTER_COLUMNS),
        )


# --------------------------------------------------------------------------------------------
# Tweedeling per gemeente (analysis/divide.py)
# --------------------------------------------------------------------------------------------

DIVIDE_COLUMNS = (
    "gemeente_code",
    "year",
    "level",
    "n_units",
    "units_left_out",
    "households",
    "dissimilarity",
    "corp_heavy_units",
    "units_corp_unknown",
    "corp_heavy_households_share",
    "low_income_pct_corp_heavy",
    "low_income_pct_rest",
    "gap",
    "note",
)


@dataclass(frozen=True, eq=False)
class DivideResult:
    """Tweedeling (divide) measures per gemeente and year.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per gemeente and year, columns :data:`DIVIDE_COLUMNS` (see
        :meth:`to_frame`).
    level : str
        The unit level the measures are computed over (``"buurt"`` or ``"wijk"``).
    years : tuple of int
        The years in the table.
    corporation_threshold : float
        Percentage of corporation housing above which a unit counts as corporation-heavy.
    min_units : int
        Minimum number of units with data for the measures to be computed.
    """

    table: pd.DataFrame
    level: str
    years: tuple[int, ...]
    corporation_threshold: float
    min_units: int

    def to_frame(self) -> pd.DataFrame:
        """The measures as a new DataFrame.

        Returns
        -------
        pandas.DataFrame
            ``gemeente_code`` (str), ``year`` (int), ``level`` (str), ``n_units`` (units with
            households and low-income share), ``units_left_out`` (units of the gemeente with a
            suppressed or missing household count or low-income share), ``households`` (sum
            over the ``n_units``), ``dissimilarity`` (Duncan's D of low-income versus other
            households, 0–1), ``corp_heavy_units`` (units with corporation housing above the
            threshold), ``units_corp_unknown`` (used units without a corporation share),
            ``corp_heavy_households_share`` (0–1, of the households in units with a known
            corporation share), ``low_income_pct_corp_heavy`` and ``low_income_pct_rest``
            (household-weighted low-income percentage), ``gap`` (their difference, percentage
            points) and ``note`` (why a measure is NaN; "" when none is).
        """
        return self.table.copy()
