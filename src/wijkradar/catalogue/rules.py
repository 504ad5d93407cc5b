"""The signal rules (``signals.toml``): score, trend and level thresholds and the classes.

:func:`load_rules` reads and validates them (the models are in :mod:`._models`);
:func:`wijkradar.analysis.signals.classify` applies the classes to the axes of every region.
Nothing about the classes lives in code: a user can pass another file.
"""

from __future__ import annotations

from pathlib import Path

from wijkradar.catalogue._models import Rules, SignalClass, _load_toml, validate

__all__ = ["Rules", "SignalClass", "load_rules"]


def load_rules(path: str | Path | None = None) -> Rules:
    """Read and validate ``signals.toml`` (the packaged one, or ``path``).

    Raises
    ------
    CatalogueError
        Naming the file, the key path, what was expected and what was given.
    """
    data, source = _load_toml("signals.toml", path)
    return validate(Rules, data, source)
