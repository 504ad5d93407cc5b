"""The installed version, read once from the package metadata (``pyproject.toml``'s ``version``).

Floor 1: the package ``__init__``, the dataset manifest (``panel/build.py``) and the fetcher's
User-Agent take it from here, so no stage imports the package ``__init__`` for it.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wijkradar")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
