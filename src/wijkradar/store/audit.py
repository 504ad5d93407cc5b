"""The audit trail: every write adds its row in the same transaction, so a write without its
audit row (or the reverse) cannot exist."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wijkradar.store.models import Account, AuditEntry, iso


def record(
    session: Session,
    *,
    actor: Account | str,
    action: str,
    entity: str,
    key: str,
    detail: dict | None = None,
    note: str = "",
) -> AuditEntry:
    """Add one audit row (flushed with the session's transaction)."""
    account = actor if isinstance(actor, Account) else None
    entry = AuditEntry(
        account_id=account.id if account is not None else None,
        actor=account.name if account is not None else str(actor),
        action=action,
        entity=entity,
        key=str(key),
        detail=detail or {},
        note=note,
    )
    session.add(entry)
    return entry


def trail(session: Session, *, entity: str | None = None, key: str | None = None) -> list[dict]:
    """The audit rows, oldest first (optionally for one entity or row)."""
    q = select(AuditEntry).order_by(AuditEntry.id)
    if entity is not None:
        q = q.where(AuditEntry.entity == entity)
    if key is not None:
        q = q.where(AuditEntry.key == key)
    return [
        {
            "at": iso(e.at),
            "actor": e.actor,
            "action": e.action,
            "entity": e.entity,
            "key": e.key,
            "detail": e.detail,
            "note": e.note,
        }
        for e in session.scalars(q)
    ]
