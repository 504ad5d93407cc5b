"""Readers for every source format, and the one registry that picks the reader for a file.

Each reader returns the raw long frame (see :mod:`wijkradar.sources._raw`), a GeoDataFrame of
boundaries, or a frame of code links between years. :func:`detect` sniffs a file's content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from wijkradar.errors import SourceFormatError

VALUES, BOUNDARIES, LINKS = "values", "boundaries", "links"
IGNORED_SUFFIXES = (
    ".md",
    ".txt",
    ".toml",
    ".part",
    ".pdf",
    ".html",
    ".zip",
    ".xml",
    ".prj",
    ".cpg",
    ".shx",
    ".dbf",
    ".qmd",
    ".sbn",
    ".sbx",
    ".lock",
)
IGNORED_NAMES = ("fetch-manifest.json", "LICENSE", "LICENCE")


@dataclass(frozen=True)
class Reader:
    """One registered reader: ``kind`` of output, module and function names (imported lazily)."""

    name: str
    kind: str
    module: str
    sniff: str
    read: str

    def _fn(self, attr: str) -> Callable:
        return getattr(import_module(f"wijkradar.sources.{self.module}"), attr)

    def sniffs(self, path: Path) -> bool:
        return bool(self._fn(self.sniff)(path))

    def __call__(self, path: Path, **kw):
        return self._fn(self.read)(path, **kw)


# Order matters: specific layouts first; user tables (mapping files) last.
REGISTRY: tuple[Reader, ...] = (
    Reader("crosswalk", LINKS, "crosswalk", "sniff_boundary_changes", "read_boundary_changes"),
    Reader(
        "amsterdam_codes",
        LINKS,
        "geometry",
        "sniff_amsterdam_code_crosswalk",
        "read_amsterdam_code_crosswalk",
    ),
    Reader("police", VALUES, "police", "sniff_police", "read_police"),
    Reader("odata4", VALUES, "odata4", "sniff_odata4", "read_odata4"),
    Reader("odata", VALUES, "odata", "sniff_odata", "read_odata"),
    Reader(
        "leefbaarometer", VALUES, "leefbaarometer", "sniff_leefbaarometer", "read_leefbaarometer"
    ),
    Reader("kwb", VALUES, "kwb", "sniff_kwb", "read_kwb"),
    Reader("boundaries", BOUNDARIES, "geometry", "sniff_boundaries", "read_boundaries"),
)


def is_ignored(path: Path) -> bool:
    """Files that are documentation, partial downloads or sidecars, not data."""
    name = path.name
    return (
        # the consumer price index is read by wijkradar.catalogue.prices, not as panel data
        (name == "cpi.csv" and path.parent.name == "prices")
        or name.startswith(".")
        or name.upper().startswith("README")
        or name in IGNORED_NAMES
        or name.endswith(".mapping.toml")
        or any(name.endswith(s) for s in IGNORED_SUFFIXES)
    )


def detect(path: Path, *, mapping_dirs: tuple[Path, ...] = ()) -> tuple[Reader | None, object]:
    """The reader for ``path`` and, for user tables, the mapping that matched.

    Returns ``(None, None)`` when no reader recognises the file.
    """
    for reader in REGISTRY:
        if reader.sniffs(path):
            return reader, None
    from wijkradar.sources.usertable import find_mapping

    mapping = find_mapping(path, search=list(mapping_dirs))
    if mapping is not None:
        return Reader("user", VALUES, "usertable", "find_mapping", "read_user_table"), mapping
    return None, None


def read_any(path: Path, *, mapping_dirs: tuple[Path, ...] = ()) -> tuple[Reader, object]:
    """Detect and read one file; raises :class:`SourceFormatError` for an unknown layout."""
    reader, mapping = detect(path, mapping_dirs=mapping_dirs)
    if reader is None:
        if path.suffix.lower() in (".csv", ".gz", ".txt", ".json", ".tsv"):
            # A cut-off gzip or a wrong encoding is the more specific problem: say that.
            from wijkradar.sources._common import read_text

            read_text(path)
        raise SourceFormatError(
            "onbekende indeling: geen CBS-tabel (StatLine, OData, Wijk- en Buurtkaart, xls), "
            "Leefbaarometer-werkmap, grenzenbestand, tabel met grenswijzigingen of politietabel, "
            "en geen mappingbestand past bij de kolommen (zet {mapping} ernaast; zie "
            "docs/user-tables.md)",
            path=path,
            mapping=path.name.split(".")[0] + ".mapping.toml",
        )
    if reader.name == "user":
        return reader, reader(path, mapping=mapping)
    return reader, reader(path)
