"""Area programmes: a named, long-running approach for a set of buurten and wijken.

A programme has an organisation, its areas (buurt/wijk codes), a start and optional end year,
goals (a catalogue indicator, the desired direction and an optional target), partners, a
budget per year and notes. Every write is checked against what the dataset knows
(:class:`Known`, built by the caller: the store never reads the dataset itself), carries the
version it edits (a concurrent edit of the same programme is refused, never lost) and adds
its audit row in the same transaction.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wijkradar.errors import WijkradarError
from wijkradar.store.audit import record
from wijkradar.store.models import Programme, iso, now

DIRECTIONS = ("down", "up")
"""``down``: the goal is a lower value (fewer low incomes); ``up``: a higher one."""
AREA_LEVELS = ("buurt", "wijk")
GOAL = re.compile(r"\s*([a-z0-9_]+)\s*:\s*(down|up)\s*(?::\s*(-?[0-9]+(?:[.,][0-9]+)?))?\s*")
FIELDS = ("name", "organisation", "areas", "start", "end", "goals", "partners", "budget", "notes")


@dataclass
class Known:
    """What the dataset knows, for checking a programme: ``areas`` code → (level, gemeente,
    first year, last year); the catalogue's ``indicators``; the editions per level."""

    areas: dict[str, tuple[str, str | None, int | None, int | None]]
    indicators: set[str]
    years: dict[str, list[int]] = field(default_factory=dict)


def _hint(value: str, choices) -> str:
    close = difflib.get_close_matches(value, list(choices), n=3, cutoff=0.5)
    return (" (bedoelde u " + ", ".join(close) + "?)") if close else ""


def check_areas(codes, known: Known) -> list[str]:
    out = []
    for raw in codes:
        code = str(raw).strip().upper()
        if not code:
            continue
        if code not in known.areas:
            raise WijkradarError(
                "onbekend gebied {code} in het programma{hint}",
                code=code,
                hint=_hint(code, known.areas),
            )
        if known.areas[code][0] not in AREA_LEVELS:
            raise WijkradarError(
                "{code} is een {level}; een programma bestaat uit buurten en wijken",
                code=code,
                level=known.areas[code][0],
            )
        if code not in out:
            out.append(code)
    if not out:
        raise WijkradarError("een programma heeft minstens één buurt of wijk (--areas)")
    return out


def parse_goal(text: str) -> dict:
    """``indicator:down`` or ``indicator:up[:target]`` as a goal."""
    m = re.fullmatch(
        r"\s*([a-z0-9_]+)\s*:\s*(down|up)\s*(?::\s*(-?[0-9]+(?:[.,][0-9]+)?))?\s*", text
    )
    if not m:
        raise WijkradarError(
            "ongeldig doel {goal!r}; verwacht indicator:down of indicator:up[:streefwaarde], "
            "bv. low_income_households_pct:down",
            goal=text,
        )
    goal = {"indicator": m.group(1), "direction": m.group(2)}
    if m.group(3) is not None:
        goal["target"] = float(m.group(3).replace(",", "."))
    return goal


def check_goals(goals, known: Known) -> list[dict]:
    out = []
    for g in goals:
        g = parse_goal(g) if isinstance(g, str) else dict(g)
        ind = g.get("indicator")
        if ind not in known.indicators:
            raise WijkradarError(
                "onbekende indicator {ind!r} in een doel{hint}",
                ind=ind,
                hint=_hint(str(ind), known.indicators),
            )
        if g.get("direction") not in DIRECTIONS:
            raise WijkradarError(
                "doel {ind}: richting {direction!r}; kies down of up",
                ind=ind,
                direction=g.get("direction"),
            )
        out.append(g)
    return out


def check_years(start, end, areas: list[str], known: Known) -> tuple[int, int | None]:
    try:
        start = int(start)
        end = None if end in (None, "") else int(end)
    except (TypeError, ValueError):
        raise WijkradarError(
            "start- en eindjaar zijn jaartallen, bv. --start 2008 (kreeg {start!r}, {end!r})",
            start=start,
            end=end,
        ) from None
    if end is not None and end < start:
        raise WijkradarError("eindjaar {end} ligt voor het startjaar {start}", end=end, start=start)
    editions = sorted({y for a in areas for y in known.years.get(known.areas[a][0], [])})
    firsts = [known.areas[a][2] for a in areas if known.areas[a][2] is not None]
    lasts = [known.areas[a][3] for a in areas if known.areas[a][3] is not None]
    first = min(firsts) if firsts else (editions[0] if editions else None)
    last = max(lasts) if lasts else (editions[-1] if editions else None)
    if first is not None and not first <= start <= last:
        raise WijkradarError(
            "startjaar {start} ligt buiten de gegevens van deze gebieden ({first}–{last})",
            start=start,
            first=int(first),
            last=int(last),
        )
    return start, end


def _overlaps(a: Programme, areas: list[str], start: int, end: int | None) -> list[str]:
    shared = sorted(set(a.areas) & set(areas))
    if not shared:
        return []
    a_end = a.end_year if a.end_year is not None else 10_000
    b_end = end if end is not None else 10_000
    return shared if a.start_year <= b_end and start <= a_end else []


def _checked(spec: dict, known: Known) -> dict:
    unknown = set(spec) - set(FIELDS) - {"version"}
    if unknown:
        raise WijkradarError(
            "onbekende velden {fields} in het programma; bekend zijn {known}",
            fields=sorted(unknown),
            known=", ".join(FIELDS),
        )
    name = str(spec.get("name") or "").strip()
    if not name or len(name) > 120:
        raise WijkradarError("een programma heeft een naam van 1 tot 120 tekens (--name)")
    areas = check_areas(spec.get("areas") or [], known)
    start, end = check_years(spec.get("start"), spec.get("end"), areas, known)
    budget = {}
    for year, amount in (spec.get("budget") or {}).items():
        try:
            budget[str(int(year))] = float(amount)
        except (TypeError, ValueError):
            raise WijkradarError(
                "budget {year}: {amount!r} is geen bedrag per jaartal", year=year, amount=amount
            ) from None
    return {
        "name": name,
        "organisation": str(spec.get("organisation") or "").strip(),
        "areas": areas,
        "start_year": start,
        "end_year": end,
        "goals": check_goals(spec.get("goals") or [], known),
        "partners": [str(p).strip() for p in spec.get("partners") or [] if str(p).strip()],
        "budget": budget,
        "notes": str(spec.get("notes") or ""),
    }


def describe(p: Programme) -> dict:
    return {
        "id": p.id,
        "name": p.name,
        "organisation": p.organisation,
        "areas": list(p.areas),
        "start": p.start_year,
        "end": p.end_year,
        "goals": list(p.goals),
        "partners": list(p.partners),
        "budget": dict(p.budget),
        "notes": p.notes,
        "version": p.version,
        "updated_at": iso(p.updated_at),
    }


def _check_overlap(s: Session, row: dict, exclude: int | None = None) -> None:
    for other in s.scalars(select(Programme)):
        if other.id == exclude:
            continue
        shared = _overlaps(other, row["areas"], row["start_year"], row["end_year"])
        if shared:
            raise WijkradarError(
                "programma {name!r} overlapt met {other!r} in {areas} in dezelfde jaren; een "
                "gebied hoort per periode bij één programma (anders wordt een effect dubbel "
                "toegeschreven)",
                name=row["name"],
                other=other.name,
                areas=", ".join(shared),
            )


def add(engine: Engine, spec: dict, known: Known, *, actor="cli") -> dict:
    """Store a new programme; its description."""
    row = _checked(spec, known)
    try:
        with Session(engine) as s, s.begin():
            _check_overlap(s, row)
            p = Programme(**row)
            s.add(p)
            s.flush()
            record(s, actor=actor, action="create", entity="programmes", key=str(p.id),
                   detail=describe(p))  # fmt: skip
            return describe(p)
    except IntegrityError:
        raise WijkradarError("er is al een programma {name!r}", name=row["name"]) from None


def _get(s: Session, name: str, *, lock: bool = False) -> Programme:
    q = select(Programme).where(Programme.name == name)
    if lock:  # a writer holds the row until it commits: the next one sees its version
        q = q.with_for_update()
    p = s.scalars(q).one_or_none()
    if p is None:
        names = list(s.scalars(select(Programme.name)))
        raise WijkradarError("geen programma {name!r}{hint}", name=name, hint=_hint(name, names))
    return p


def get(engine: Engine, name: str) -> dict:
    with Session(engine) as s:
        return describe(_get(s, name))


def programmes(engine: Engine) -> list[dict]:
    with Session(engine) as s:
        return [describe(p) for p in s.scalars(select(Programme).order_by(Programme.name))]


def update(
    engine: Engine, name: str, changes: dict, known: Known, *, version: int, actor="cli"
) -> dict:
    """Change programme ``name``; ``version`` is the one the editor saw (another edit since
    then: refused with a clear message, nothing lost)."""
    with Session(engine) as s, s.begin():
        p = _get(s, name, lock=True)
        if p.version != version:
            raise WijkradarError(
                "programma {name!r} is intussen gewijzigd (versie {have}, u bewerkte {version}); "
                "laad het opnieuw en pas uw wijziging daarop toe",
                name=name,
                have=p.version,
                version=version,
            )
        before = describe(p)
        spec = {**{k: before[k] for k in FIELDS}, **changes}
        row = _checked(spec, known)
        _check_overlap(s, row, exclude=p.id)
        for k, v in row.items():
            setattr(p, k, v)
        p.version += 1
        p.updated_at = now()
        s.flush()
        after = describe(p)
        diff = {k: after[k] for k in FIELDS if after[k] != before[k]}
        record(s, actor=actor, action="update", entity="programmes", key=str(p.id), detail=diff)
        return after


def delete(engine: Engine, name: str, *, actor="cli") -> dict:
    with Session(engine) as s, s.begin():
        p = _get(s, name, lock=True)
        gone = describe(p)
        s.delete(p)
        record(s, actor=actor, action="delete", entity="programmes", key=str(gone["id"]),
               detail=gone)  # fmt: skip
        return gone


def add_many(engine: Engine, specs: list[dict], known: Known, *, source: str, actor="cli"):
    """Store every programme of ``specs`` in one transaction (a bad one: none stored; the
    message names its position in ``source``)."""
    rows = []
    for i, spec in enumerate(specs, 1):
        try:
            rows.append(_checked(spec, known))
        except WijkradarError as exc:
            raise WijkradarError(
                "{source}, programma {i}: {error}", source=source, i=i, error=exc
            ) from None
    names = [r["name"] for r in rows]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise WijkradarError("{source}: programma's dubbel: {names}", source=source, names=dup)
    with Session(engine) as s, s.begin():
        out = []
        for row in rows:
            if s.scalars(select(Programme).where(Programme.name == row["name"])).first():
                raise WijkradarError("er is al een programma {name!r}", name=row["name"])
            _check_overlap(s, row)
            p = Programme(**row)
            s.add(p)
            s.flush()
            record(s, actor=actor, action="create", entity="programmes", key=str(p.id),
                   detail=describe(p), note=f"import {source}")  # fmt: skip
            out.append(describe(p))
        return out
