"""Append-only, hash-chained audit log (one chain per subject)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import event, insert
from sqlmodel import Session, col, select

from workspace.core.actor import Actor
from workspace.core.clock import now_ms
from workspace.core.ids import new_id
from workspace.core.models import AuditLog

_HASHED_COLUMNS = (
    "prev_hash",
    "id",
    "org_id",
    "subject_type",
    "subject_id",
    "seq",
    "action",
    "description",
    "actor_type",
    "actor_email",
    "ip_address",
    "user_agent",
    "data",
    "created_at",
)
_INSERT_ROW = insert(AuditLog.__table__)  # built once: most changes append a row


def _row_hash(row: dict[str, Any]) -> str:
    material = json.dumps(
        [row[column] for column in _HASHED_COLUMNS],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(material.encode()).hexdigest()


def _last_row(session: Session, org_id: str, subject_type: str, subject_id: str) -> AuditLog | None:
    return session.exec(
        select(AuditLog)
        .where(
            AuditLog.org_id == org_id,
            AuditLog.subject_type == subject_type,
            AuditLog.subject_id == subject_id,
        )
        .order_by(col(AuditLog.seq).desc())
        .limit(1)
    ).first()


_CHAIN_HEADS = "audit_chain_heads"


def _chain_head(
    session: Session, org_id: str, subject_type: str, subject_id: str, *, new_subject: bool
):
    """(seq, hash) of the subject's last row. Remembered for the rest of the transaction, so a
    use case that appends several rows reads the chain once."""
    heads = session.info.setdefault(_CHAIN_HEADS, {})
    key = (org_id, subject_type, subject_id)
    if key not in heads:
        if new_subject:
            heads[key] = (0, "")
        else:
            with session.no_autoflush:  # nothing pending touches the audit log
                last = _last_row(session, org_id, subject_type, subject_id)
            heads[key] = (last.seq, last.hash) if last else (0, "")
    return heads[key]


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_chain_heads(session: Session, *_transaction) -> None:
    """Heads read in a transaction that ended may have moved on (or been rolled back)."""
    session.info.pop(_CHAIN_HEADS, None)


def record_audit(
    session: Session,
    *,
    actor: Actor,
    subject_type: str,
    subject_id: str,
    action: str,
    description: str = "",
    data: dict[str, Any] | None = None,
    actor_email: str | None = None,
    new_subject: bool = False,
) -> None:
    """Append one row to the subject's chain, inside the caller's transaction. `new_subject`
    says the subject was created in this transaction, so it has no chain to read yet."""
    seq, prev_hash = _chain_head(
        session, actor.org_id, subject_type, subject_id, new_subject=new_subject
    )
    row = {
        "id": new_id("log"),
        "org_id": actor.org_id,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "seq": seq + 1,
        "action": action,
        "description": description,
        "actor_type": actor.type,
        "actor_email": actor_email if actor_email is not None else actor.email,
        "ip_address": actor.ip,
        "user_agent": (actor.user_agent or None) and actor.user_agent[:500],
        "data": data or {},
        "created_at": now_ms(),
        "prev_hash": prev_hash,
    }
    row["hash"] = _row_hash(row)
    session.connection().execute(_INSERT_ROW, row)
    session.info[_CHAIN_HEADS][(actor.org_id, subject_type, subject_id)] = (row["seq"], row["hash"])


def list_audit(
    session: Session, *, org_id: str, subject_type: str, subject_id: str, limit: int = 500
) -> list[AuditLog]:
    return list(
        session.exec(
            select(AuditLog)
            .where(
                AuditLog.org_id == org_id,
                AuditLog.subject_type == subject_type,
                AuditLog.subject_id == subject_id,
            )
            .order_by(col(AuditLog.seq))
            .limit(limit)
        )
    )


def chain_head(session: Session, *, org_id: str, subject_type: str, subject_id: str) -> str:
    last = _last_row(session, org_id, subject_type, subject_id)
    return last.hash if last else ""


def verify_chain(session: Session, *, org_id: str, subject_type: str, subject_id: str) -> bool:
    """True when every row's hash matches its content and links to the row before it."""
    previous_hash = ""
    expected_seq = 1
    for row in list_audit(
        session, org_id=org_id, subject_type=subject_type, subject_id=subject_id, limit=1_000_000
    ):
        content = {column: getattr(row, column) for column in _HASHED_COLUMNS}
        if (
            row.seq != expected_seq
            or row.prev_hash != previous_hash
            or _row_hash(content) != row.hash
        ):
            return False
        previous_hash = row.hash
        expected_seq += 1
    return True
