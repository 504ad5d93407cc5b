"""wijkradar: how resilient is each Dutch neighbourhood, and where is it heading?

The public Python API::

    import wijkradar
    result = wijkradar.build("../shared/data", "wijkradar-data")   # sources → panel
    ds = wijkradar.open_dataset("wijkradar-data")
    ds.panel, ds.regions, ds.indicators, ds.query("select ...")
"""

from __future__ import annotations

from wijkradar._version import __version__


def __getattr__(name: str):
    # Lazy re-exports keep `import wijkradar` (and the CLI's --help) fast.
    if name == "open_dataset":
        from wijkradar.dataset import open_dataset

        return open_dataset
    if name == "Dataset":
        from wijkradar.dataset import Dataset

        return Dataset
    if name == "build":
        from wijkradar.panel.build import build

        return build
    if name == "load_catalogue":
        from wijkradar.catalogue import load_catalogue

        return load_catalogue
    if name == "read_kwb":
        from wijkradar.sources.kwb import read_kwb

        return read_kwb
    if name == "fetch":
        from wijkradar.sources.fetch import fetch

        return fetch
    raise AttributeError(f"module 'wijkradar' has no attribute {name!r}")


__all__ = ["open_dataset", "Dataset", "build", "load_catalogue", "read_kwb", "fetch", "__version__"]
