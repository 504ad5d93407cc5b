"""Accounts and their bearer tokens: ``wijkradar users add NAME --role editor --gemeente GM0599``.

A token is ``wr_<account id>_<secret>``; only the argon2 hash of the secret is stored
(``argon2-cffi``), so the token is shown once, when the account is made. An account has a name
that identifies it, never a person's e-mail address; a role (:data:`~wijkradar.store.models.
ROLES`); and, for an editor, the gemeenten it may write for.
"""

from __future__ import annotations

import difflib
import re
import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wijkradar.errors import WijkradarError
from wijkradar.store.audit import record
from wijkradar.store.models import ROLES, Account, iso

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,79}")
GEMEENTE = re.compile(r"GM\d{4}")
_HASHER = PasswordHasher()


def check_name(name: str) -> str:
    """An account name: 1–80 letters, digits, spaces, ``._-``; no e-mail address."""
    name = name.strip()
    if "@" in name:
        raise WijkradarError(
            "accountnaam {name!r} lijkt een e-mailadres; gebruik een naam voor het account "
            "(bv. 'wijkteam-feijenoord'), geen persoonsgegevens",
            name=name,
        )
    if not NAME.fullmatch(name):
        raise WijkradarError(
            "ongeldige accountnaam {name!r}: 1–80 letters, cijfers, spaties of . _ -",
            name=name,
        )
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise WijkradarError(
            "onbekende rol {role!r}; kies {choices}", role=role, choices=" of ".join(ROLES)
        )
    return role


def check_gemeenten(codes: Iterable[str], known: Iterable[str] | None = None) -> list[str]:
    """Normalised gemeente codes; each must look like ``GM0599`` and, given ``known`` (the
    dataset's gemeenten), be one of them (with the nearest as a hint)."""
    known = sorted(set(known)) if known is not None else None
    out = []
    for raw in codes:
        code = raw.strip().upper()
        if not GEMEENTE.fullmatch(code):
            raise WijkradarError(
                "ongeldige gemeentecode {code!r}; verwacht GM gevolgd door vier cijfers, bv. "
                "GM0599",
                code=raw,
            )
        if known is not None and code not in known:
            close = difflib.get_close_matches(code, known, n=3)
            raise WijkradarError(
                "gemeente {code} komt niet voor in de dataset{hint}",
                code=code,
                hint=(" (bedoelde u " + ", ".join(close) + "?)") if close else "",
            )
        if code not in out:
            out.append(code)
    return out


def add(
    engine: Engine,
    name: str,
    *,
    role: str,
    gemeenten: Iterable[str] = (),
    known: Iterable[str] | None = None,
    actor: str = "cli",
) -> tuple[dict, str]:
    """Create an account; ``(its description, the token)``. The token is not stored."""
    name, role = check_name(name), check_role(role)
    gms = check_gemeenten(gemeenten, known)
    if role == "editor" and not gms:
        raise WijkradarError(
            "een editor schrijft voor één of meer gemeenten: geef --gemeente, bv. GM0599"
        )
    secret = secrets.token_urlsafe(32)
    try:
        with Session(engine) as s, s.begin():
            acc = Account(name=name, role=role, gemeenten=gms, token_hash=_HASHER.hash(secret))
            s.add(acc)
            s.flush()
            record(
                s,
                actor=actor,
                action="create",
                entity="accounts",
                key=str(acc.id),
                detail={"name": name, "role": role, "gemeenten": gms},
            )
            info = describe(acc)
    except IntegrityError:
        raise WijkradarError("er is al een account met de naam {name!r}", name=name) from None
    return info, f"wr_{info['id']}_{secret}"


def describe(acc: Account) -> dict:
    return {
        "id": acc.id,
        "name": acc.name,
        "role": acc.role,
        "gemeenten": list(acc.gemeenten or []),
        "active": bool(acc.active),
        "created_at": iso(acc.created_at),
    }


def accounts(engine: Engine) -> list[dict]:
    """Every account (never a token or its hash)."""
    with Session(engine) as s:
        return [describe(a) for a in s.scalars(select(Account).order_by(Account.id))]


def authenticate(session: Session, token: str | None) -> Account | None:
    """The active account of a bearer ``token``, or None (unknown, malformed or revoked)."""
    if not token:
        return None
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "wr" or not parts[1].isdigit():
        return None
    acc = session.get(Account, int(parts[1]))
    if acc is None or not acc.active:
        return None
    try:
        _HASHER.verify(acc.token_hash, parts[2])
    except (VerificationError, InvalidHashError):
        return None
    return acc


def may_write(acc: Account, gemeente: str | None) -> bool:
    """Whether ``acc`` may write for an area in ``gemeente``: an admin anywhere, an editor in
    its own gemeenten only."""
    if acc.role == "admin":
        return True
    return gemeente is not None and gemeente in (acc.gemeenten or [])
