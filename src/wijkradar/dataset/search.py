"""Finding a region by name or code: accent- and case-insensitive, codes by prefix.

:func:`search_index` is built once per Dataset (see :meth:`Dataset.search
<wijkradar.dataset.Dataset.search>`); :func:`search` ranks code-prefix and name-prefix matches
first, then gemeenten before wijken before buurten, then alphabetically.
"""

from __future__ import annotations

import unicodedata

import pandas as pd

from wijkradar.codes import normalise_code
from wijkradar.jsonable import jsonable
from wijkradar.vocab import LEVELS

COLUMNS = ("code", "name", "level", "gemeente_code", "gemeente_name")
_RANK = {"gemeente": 0, "wijk": 1, "buurt": 2}


def fold(text: str) -> str:
    """Accent- and case-insensitive form: NFKD without combining marks, case-folded."""
    nfkd = unicodedata.normalize("NFKD", str(text))
    return "".join(ch for ch in nfkd if not unicodedata.combining(ch)).casefold()


def search_index(regions: pd.DataFrame) -> pd.DataFrame:
    """The searchable regions (levels with signals) with their folded names and level rank."""
    reg = regions[regions["level"].isin(LEVELS)]
    index = pd.DataFrame(
        {
            "code": reg["code"].astype(str).to_numpy(),
            "name": reg["name"].astype(object).to_numpy(),
            "level": reg["level"].astype(str).to_numpy(),
            "gemeente_code": reg["gemeente_code"].astype(object).to_numpy(),
            "gemeente_name": reg["gemeente_name"].astype(object).to_numpy(),
        }
    )
    index["key"] = [fold(n) if isinstance(n, str) else "" for n in index["name"]]
    index["rank_level"] = index["level"].map(_RANK)
    return index


def search(
    index: pd.DataFrame,
    q: str | None,
    *,
    level: str | None = None,
    gemeente: str | None = None,
    limit: int = 20,
) -> list[dict]:
    """Up to ``limit`` regions of ``index`` matching ``q`` (all regions when ``q`` is empty)."""
    idx = index
    if level:
        idx = idx[idx["level"] == level]
    if gemeente:
        idx = idx[idx["gemeente_code"] == normalise_code(gemeente)]
    if q and q.strip():
        key, up = fold(q.strip()), q.strip().upper()
        by_code = idx["code"].str.startswith(up)
        pos = idx["key"].str.find(key)
        hit = by_code | (pos >= 0)
        idx = idx[hit].assign(_later=~(by_code[hit] | (pos[hit] == 0)))
        idx = idx.sort_values(["_later", "rank_level", "key", "code"])
    else:
        idx = idx.sort_values(["rank_level", "key", "code"])
    return jsonable(idx[list(COLUMNS)].head(limit).to_dict("records"))
