"""The signal rules (``signals.toml``): score, trend and level thresholds and the classes.

:func:`load_rules` reads and validates them; :meth:`Rules.classify` applies the classes to the
state of the two axes. Nothing about the classes lives in code: a user can pass another file.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from wijkradar.errors import CatalogueError

AXES = ("composition", "problems")
TRENDS = ("rising", "falling", "stable", "unknown")
LEVELS = ("weak", "middle", "strong", "unknown")


@dataclass(frozen=True)
class SignalClass:
    id: str
    label_nl: str
    label_en: str
    description_nl: str
    description_en: str
    condition: dict

    def label(self, lang: str = "nl") -> str:
        return self.label_en if lang == "en" else self.label_nl


@dataclass(frozen=True)
class Rules:
    """Validated signal rules. ``raw`` keeps the TOML as read (for variations)."""

    raw: dict
    classes: tuple[SignalClass, ...]
    source: str = "signals.toml"
    sensitivity: dict = field(default_factory=dict)

    def __getitem__(self, section: str) -> dict:
        return self.raw[section]

    def with_changes(self, **changes: float) -> Rules:
        """A copy with settings changed, e.g. ``with_changes(weak=55)`` (keys of any section)."""
        raw = copy.deepcopy(self.raw)
        for key, value in changes.items():
            for section in ("scores", "trends", "levels"):
                if key in raw[section]:
                    raw[section][key] = value
                    break
            else:
                raise KeyError(f"no setting {key!r} in [scores], [trends] or [levels]")
        return parse_rules(raw, self.source)

    def level_of(self, score: float) -> str:
        """``weak``/``middle``/``strong``/``unknown`` for a score percentile."""
        if score != score:  # NaN
            return "unknown"
        if score >= self.raw["levels"]["weak"]:
            return "weak"
        if score < self.raw["levels"]["strong"]:
            return "strong"
        return "middle"

    def classify(self, state: dict[str, dict[str, str]]) -> SignalClass:
        """The first class whose condition holds for ``state`` (axis → {trend, level})."""
        for c in self.classes:
            if _holds(c.condition, state):
                return c
        return self.classes[-1]

    def get(self, class_id: str) -> SignalClass:
        for c in self.classes:
            if c.id == class_id:
                return c
        raise KeyError(class_id)


def _holds(cond: dict, state: dict) -> bool:
    if "all" in cond:
        return all(_holds(c, state) for c in cond["all"])
    if "any" in cond:
        return any(_holds(c, state) for c in cond["any"])
    axis = state[cond["axis"]]
    if "trend" in cond and axis["trend"] not in cond["trend"]:
        return False
    return not ("level" in cond and axis["level"] not in cond["level"])


def _check_condition(cond: object, where: str) -> None:
    if not isinstance(cond, dict):
        raise CatalogueError(f"{where}: a condition must be a table, got {cond!r}")
    if "all" in cond or "any" in cond:
        key = "all" if "all" in cond else "any"
        if not isinstance(cond[key], list):
            raise CatalogueError(f"{where}: '{key}' must be a list")
        for i, c in enumerate(cond[key]):
            _check_condition(c, f"{where}.{key}[{i}]")
        return
    unknown = set(cond) - {"axis", "trend", "level"}
    if unknown:
        raise CatalogueError(f"{where}: unknown keys {sorted(unknown)}")
    if cond.get("axis") not in AXES:
        raise CatalogueError(f"{where}: axis must be one of {AXES}, got {cond.get('axis')!r}")
    for key, allowed in (("trend", TRENDS), ("level", LEVELS)):
        bad = [v for v in cond.get(key, []) if v not in allowed]
        if bad:
            raise CatalogueError(f"{where}: {key} values {bad} not in {allowed}")


def parse_rules(raw: dict, source: str = "signals.toml") -> Rules:
    """Validate a rules dict (as read from TOML)."""
    for section, keys in (
        ("scores", ("min_weight_share", "min_relative_units")),
        ("trends", ("window", "min_years", "z", "min_weight_share")),
        ("levels", ("weak", "strong")),
    ):
        if section not in raw:
            raise CatalogueError(f"{source}: missing section [{section}]")
        for k in keys:
            if not isinstance(raw[section].get(k), int | float):
                raise CatalogueError(f"{source}: [{section}] {k} must be a number")
    if not raw["levels"]["strong"] <= raw["levels"]["weak"]:
        raise CatalogueError(f"{source}: [levels] strong must not exceed weak")
    if raw["trends"]["min_years"] < 2:
        raise CatalogueError(f"{source}: [trends] min_years must be at least 2")
    classes = []
    for i, c in enumerate(raw.get("classes", [])):
        where = f"{source}: classes[{i}] ({c.get('id', '?')})"
        for k in ("id", "label_nl", "label_en"):
            if not c.get(k):
                raise CatalogueError(f"{where}: missing {k}")
        cond = {k: c[k] for k in ("all", "any") if k in c}
        if len(cond) != 1:
            raise CatalogueError(f"{where}: needs exactly one of 'all' or 'any'")
        _check_condition(cond, where)
        classes.append(
            SignalClass(
                c["id"],
                c["label_nl"],
                c["label_en"],
                c.get("description_nl", ""),
                c.get("description_en", ""),
                cond,
            )
        )
    ids = [c.id for c in classes]
    if "insufficient_data" not in ids or ids[-1] != "insufficient_data":
        raise CatalogueError(f"{source}: the last class must be 'insufficient_data' (the fallback)")
    if len(set(ids)) != len(ids):
        raise CatalogueError(f"{source}: duplicated class ids")
    return Rules(
        raw=raw, classes=tuple(classes), source=source, sensitivity=raw.get("sensitivity", {})
    )


def load_rules(path: str | Path | None = None) -> Rules:
    """Read and validate ``signals.toml`` (the packaged one, or ``path``)."""
    if path is None:
        text = resources.files("wijkradar.catalogue").joinpath("signals.toml").read_text("utf-8")
        source = "signals.toml"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise CatalogueError(f"cannot read rules file {path}: {exc}") from exc
        source = str(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{source}: not valid TOML: {exc}") from exc
    return parse_rules(raw, source)
