"""One JSON cleaner: NaN and pandas' missing markers → ``None``, numpy scalars → Python."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd


def jsonable(x: Any) -> Any:
    """``x`` with every nested value JSON-safe (dicts, lists and tuples walked; tuples → lists)."""
    if isinstance(x, dict):
        return {k: jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return [jsonable(v) for v in x.tolist()]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and math.isnan(x):
        return None
    if x is pd.NA or x is pd.NaT:
        return None
    return x
