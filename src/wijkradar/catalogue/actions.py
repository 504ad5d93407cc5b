"""The action matrix (``actions.toml``) and the what-works library (``evidence.toml``).

:func:`load_action_matrix` reads and validates both files (the models are in :mod:`._models`).
A frame (sociale basis, sociale stijging, sociale herovering, fysiek, netwerk) holds patterns; a
pattern is a condition on the signal, the two axes and single indicators, with the kinds of
intervention it suggests and the evidence entries behind them. Nothing about the frames lives
in code: a user can pass other files (``--matrix``/``--evidence``). The format is documented
in ``docs/actions.md``.
"""

from __future__ import annotations

from pathlib import Path

from wijkradar.catalogue._models import (
    FRAME_IDS,
    ActionMatrix,
    AllOf,
    AnyOf,
    AxisTest,
    Condition,
    Evidence,
    EvidenceLibrary,
    Frame,
    IndicatorTest,
    Pattern,
    SignalTest,
    SuccessFactor,
    Text,
    _load_toml,
    validate,
)
from wijkradar.catalogue.rules import Rules, load_rules

__all__ = [
    "FRAME_IDS",
    "ActionMatrix",
    "AllOf",
    "AnyOf",
    "AxisTest",
    "Condition",
    "Evidence",
    "Frame",
    "IndicatorTest",
    "Pattern",
    "SignalTest",
    "SuccessFactor",
    "Text",
    "load_action_matrix",
]


def load_action_matrix(
    path: str | Path | None = None,
    evidence: str | Path | None = None,
    indicators: set[str] | None = None,
    rules: Rules | None = None,
) -> ActionMatrix:
    """Read and validate ``actions.toml`` and ``evidence.toml`` (packaged, or your files).

    ``indicators`` are the known indicator ids (default: the packaged catalogue's); a
    ``signal`` condition may name the classes of ``rules`` (default: the packaged
    ``signals.toml``).

    Raises
    ------
    CatalogueError
        On a malformed rule, naming the file, the key path (frame, pattern, condition), what
        was expected and what was given.
    """
    if indicators is None:
        from wijkradar.catalogue import load_catalogue

        indicators = set(load_catalogue().ids)
    rules = rules or load_rules()
    library = validate(EvidenceLibrary, *_load_toml("evidence.toml", evidence))
    return validate(
        ActionMatrix,
        *_load_toml("actions.toml", path),
        evidence=library.by_id,
        indicators=indicators,
        signals={c.id for c in rules.classes},
    )
