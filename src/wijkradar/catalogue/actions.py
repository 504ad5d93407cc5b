"""The action matrix (``actions.toml``) and the what-works library (``evidence.toml``).

:func:`load_action_matrix` reads and validates both files. A frame (sociale basis, sociale
stijging, sociale herovering, fysiek, netwerk) holds patterns; a pattern is a condition on the
signal, the two axes and single indicators, with the kinds of intervention it suggests and the
evidence entries behind them. Nothing about the frames lives in code: a user can pass other
files (``--matrix``/``--evidence``). The format is documented in ``docs/actions.md``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from wijkradar.catalogue.rules import AXES, LEVELS, TRENDS
from wijkradar.errors import CatalogueError

FRAME_IDS = ("sociale_basis", "sociale_stijging", "sociale_herovering", "fysiek", "netwerk")
SIGNAL_IDS = ("alarm", "resilient", "attention", "improving", "stable", "insufficient_data")
INDICATOR_TESTS = (
    "trend",
    "percentile_gte",
    "percentile_lte",
    "value_gt",
    "value_gte",
    "value_lt",
    "value_lte",
)
AXIS_TESTS = ("trend", "level", "score_gte", "score_lte")


@dataclass(frozen=True)
class Evidence:
    """One what-works entry. ``uncertain`` marks details not verified against the source."""

    id: str
    title: str
    publisher: str
    summary_nl: str
    summary_en: str
    reference: str
    year: int | None = None
    authors: str = ""
    uncertain: bool = False
    note: str = ""

    def summary(self, lang: str = "nl") -> str:
        return self.summary_en if lang == "en" else self.summary_nl


@dataclass(frozen=True)
class Text:
    """A string in Dutch and English."""

    nl: str
    en: str

    def __call__(self, lang: str = "nl") -> str:
        return self.en if lang == "en" else self.nl


@dataclass(frozen=True)
class Pattern:
    id: str
    label: Text
    condition: dict
    interventions: tuple[Text, ...]
    evidence: tuple[str, ...]
    priority: int = 50


@dataclass(frozen=True)
class Frame:
    id: str
    label: Text
    description: Text
    priority: int
    always: bool
    general: Text
    patterns: tuple[Pattern, ...]


@dataclass(frozen=True)
class SuccessFactor:
    id: str
    label: Text
    text: Text
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class ActionMatrix:
    """Validated frames, success factors and evidence."""

    frames: tuple[Frame, ...]
    success_factors: tuple[SuccessFactor, ...]
    evidence: dict[str, Evidence]
    source: str = "actions.toml"

    def frame(self, frame_id: str) -> Frame:
        for f in self.frames:
            if f.id == frame_id:
                return f
        raise KeyError(frame_id)

    @property
    def indicators(self) -> tuple[str, ...]:
        """Every indicator named in a condition (sorted)."""
        out: set[str] = set()

        def walk(c: dict) -> None:
            for key in ("all", "any"):
                for sub in c.get(key, []):
                    walk(sub)
            if "indicator" in c:
                out.add(c["indicator"])

        for f in self.frames:
            for p in f.patterns:
                walk(p.condition)
        return tuple(sorted(out))


def _text(d: dict, key: str, where: str, required: bool = True) -> Text:
    nl, en = d.get(f"{key}_nl", ""), d.get(f"{key}_en", "")
    for lang, v in (("nl", nl), ("en", en)):
        if not isinstance(v, str) or (required and not v.strip()):
            raise CatalogueError(f"{where}: missing {key}_{lang} (a non-empty string)")
    return Text(nl, en)


def _numbers(cond: dict, keys: tuple[str, ...], where: str) -> None:
    for k in keys:
        if k in cond and (isinstance(cond[k], bool) or not isinstance(cond[k], int | float)):
            raise CatalogueError(f"{where}: {k} must be a number, got {cond[k]!r}")


def _check_list(cond: dict, key: str, allowed: tuple[str, ...], where: str) -> None:
    if key not in cond:
        return
    v = cond[key]
    if not isinstance(v, list) or not v:
        raise CatalogueError(f"{where}: {key} must be a non-empty list, got {v!r}")
    bad = [x for x in v if x not in allowed]
    if bad:
        raise CatalogueError(f"{where}: {key} values {bad} not in {allowed}")


def check_condition(cond: object, where: str, indicators: set[str] | None = None) -> None:
    """Raise :class:`CatalogueError` naming ``where`` when ``cond`` is malformed."""
    if not isinstance(cond, dict) or not cond:
        raise CatalogueError(f"{where}: a condition must be a non-empty table, got {cond!r}")
    if "all" in cond or "any" in cond:
        if len(cond) != 1:
            raise CatalogueError(f"{where}: 'all'/'any' cannot be mixed with {sorted(cond)}")
        key = next(iter(cond))
        if not isinstance(cond[key], list) or not cond[key]:
            raise CatalogueError(f"{where}: '{key}' must be a non-empty list")
        for i, c in enumerate(cond[key]):
            check_condition(c, f"{where}.{key}[{i}]", indicators)
        return
    kinds = [k for k in ("axis", "indicator", "signal") if k in cond]
    if len(kinds) != 1:
        raise CatalogueError(
            f"{where}: a condition names exactly one of axis, indicator or signal "
            f"(or is all/any), got keys {sorted(cond)}"
        )
    kind = kinds[0]
    if kind == "signal":
        if set(cond) != {"signal"}:
            raise CatalogueError(f"{where}: unknown keys {sorted(set(cond) - {'signal'})}")
        _check_list(cond, "signal", SIGNAL_IDS, where)
        return
    tests = AXIS_TESTS if kind == "axis" else INDICATOR_TESTS
    unknown = set(cond) - {kind, *tests}
    if unknown:
        raise CatalogueError(f"{where}: unknown keys {sorted(unknown)}; allowed: {tests}")
    if not any(t in cond for t in tests):
        raise CatalogueError(f"{where}: {kind} condition tests nothing (one of {tests})")
    if kind == "axis":
        if cond["axis"] not in AXES:
            raise CatalogueError(f"{where}: axis must be one of {AXES}, got {cond['axis']!r}")
        _check_list(cond, "trend", TRENDS, where)
        _check_list(cond, "level", LEVELS, where)
        _numbers(cond, ("score_gte", "score_lte"), where)
        return
    ind = cond["indicator"]
    if not isinstance(ind, str) or (indicators is not None and ind not in indicators):
        raise CatalogueError(f"{where}: unknown indicator {ind!r} (not in indicators.csv)")
    _check_list(cond, "trend", TRENDS, where)
    _numbers(cond, INDICATOR_TESTS[1:], where)
    for k in ("percentile_gte", "percentile_lte"):
        if k in cond and not 0 <= cond[k] <= 100:
            raise CatalogueError(f"{where}: {k} must lie in 0..100, got {cond[k]}")


def _ids(v: object, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise CatalogueError(f"{where}: {key} must be a list of ids")
    return tuple(v)


def parse_evidence(raw: dict, source: str = "evidence.toml") -> dict[str, Evidence]:
    """Validate the evidence library (``[[evidence]]`` tables)."""
    out: dict[str, Evidence] = {}
    for i, e in enumerate(raw.get("evidence", [])):
        where = f"{source}: evidence[{i}] ({e.get('id', '?')})"
        for k in ("id", "title", "publisher", "summary_nl", "summary_en", "reference"):
            if not isinstance(e.get(k), str) or not e[k].strip():
                raise CatalogueError(f"{where}: missing {k}")
        unknown = set(e) - set(Evidence.__dataclass_fields__)
        if unknown:
            raise CatalogueError(f"{where}: unknown keys {sorted(unknown)}")
        year = e.get("year")
        if year is not None and not isinstance(year, int):
            raise CatalogueError(f"{where}: year must be an integer")
        if e["id"] in out:
            raise CatalogueError(f"{where}: duplicated id {e['id']!r}")
        out[e["id"]] = Evidence(**e)
    if not out:
        raise CatalogueError(f"{source}: no [[evidence]] entries")
    return out


def parse_action_matrix(
    raw: dict,
    evidence: dict[str, Evidence],
    source: str = "actions.toml",
    indicators: set[str] | None = None,
) -> ActionMatrix:
    """Validate an action matrix dict (as read from TOML) against the evidence ids."""

    def known(ids: tuple[str, ...], where: str) -> None:
        bad = [x for x in ids if x not in evidence]
        if bad:
            raise CatalogueError(f"{where}: evidence ids {bad} not in the evidence library")

    frames = []
    seen: set[str] = set()
    for i, f in enumerate(raw.get("frames", [])):
        where = f"{source}: frames[{i}] ({f.get('id', '?')})"
        if f.get("id") not in FRAME_IDS:
            raise CatalogueError(f"{where}: id must be one of {FRAME_IDS}")
        if f["id"] in seen:
            raise CatalogueError(f"{where}: duplicated frame id")
        seen.add(f["id"])
        if not isinstance(f.get("priority"), int) or isinstance(f.get("priority"), bool):
            raise CatalogueError(f"{where}: priority must be an integer")
        patterns = []
        pids: set[str] = set()
        for j, p in enumerate(f.get("patterns", [])):
            pw = f"{where}.patterns[{j}] ({p.get('id', '?')})"
            if not isinstance(p.get("id"), str) or not p["id"]:
                raise CatalogueError(f"{pw}: missing id")
            if p["id"] in pids:
                raise CatalogueError(f"{pw}: duplicated pattern id")
            pids.add(p["id"])
            unknown = set(p) - {
                "id",
                "label_nl",
                "label_en",
                "condition",
                "interventions",
                "evidence",
                "priority",
            }
            if unknown:
                raise CatalogueError(f"{pw}: unknown keys {sorted(unknown)}")
            if "condition" not in p:
                raise CatalogueError(f"{pw}: missing condition")
            check_condition(p["condition"], f"{pw}.condition", indicators)
            inter = p.get("interventions")
            if not isinstance(inter, list) or not inter:
                raise CatalogueError(f"{pw}: interventions must be a non-empty list")
            texts = []
            for k, t in enumerate(inter):
                if not isinstance(t, dict) or not t.get("nl") or not t.get("en"):
                    raise CatalogueError(f"{pw}.interventions[{k}]: needs nl and en strings")
                texts.append(Text(t["nl"], t["en"]))
            ev = _ids(p.get("evidence", []), pw, "evidence")
            known(ev, pw)
            prio = p.get("priority", 50)
            if not isinstance(prio, int) or isinstance(prio, bool):
                raise CatalogueError(f"{pw}: priority must be an integer")
            patterns.append(
                Pattern(p["id"], _text(p, "label", pw), p["condition"], tuple(texts), ev, prio)
            )
        always = f.get("always", False)
        if not isinstance(always, bool):
            raise CatalogueError(f"{where}: always must be true or false")
        frames.append(
            Frame(
                f["id"],
                _text(f, "label", where),
                _text(f, "description", where),
                f["priority"],
                always,
                _text(f, "general", where, required=always),
                tuple(patterns),
            )
        )
    missing = [x for x in FRAME_IDS if x not in seen]
    if missing:
        raise CatalogueError(f"{source}: frames missing: {missing}")
    factors = []
    for i, s in enumerate(raw.get("success_factors", [])):
        where = f"{source}: success_factors[{i}] ({s.get('id', '?')})"
        if not s.get("id"):
            raise CatalogueError(f"{where}: missing id")
        ev = _ids(s.get("evidence", []), where, "evidence")
        known(ev, where)
        factors.append(
            SuccessFactor(s["id"], _text(s, "label", where), _text(s, "text", where), ev)
        )
    if not factors:
        raise CatalogueError(f"{source}: no [[success_factors]]")
    frames.sort(key=lambda f: f.priority)
    return ActionMatrix(tuple(frames), tuple(factors), evidence, source)


def _read(path: str | Path | None, name: str) -> tuple[dict, str]:
    if path is None:
        text = resources.files("wijkradar.catalogue").joinpath(name).read_text("utf-8")
        source = name
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise CatalogueError(f"cannot read {name} file {path}: {exc}") from exc
        source = str(path)
    try:
        return tomllib.loads(text), source
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{source}: not valid TOML: {exc}") from exc


def load_action_matrix(
    path: str | Path | None = None,
    evidence: str | Path | None = None,
    indicators: set[str] | None = None,
) -> ActionMatrix:
    """Read and validate ``actions.toml`` and ``evidence.toml`` (packaged, or your files).

    ``indicators`` are the known indicator ids (default: the packaged catalogue's).

    Raises
    ------
    CatalogueError
        On a malformed rule, naming the file, the frame, the pattern and the key.
    """
    if indicators is None:
        from wijkradar.catalogue import load_catalogue

        indicators = set(load_catalogue().ids)
    ev_raw, ev_source = _read(evidence, "evidence.toml")
    raw, source = _read(path, "actions.toml")
    return parse_action_matrix(raw, parse_evidence(ev_raw, ev_source), source, indicators)
