from sqlmodel import select

from workspace.core.actor import Actor
from workspace.core.db import session_scope
from workspace.core.models import AuditLog
from workspace.core.services.audit import chain_head, list_audit, record_audit, verify_chain


def _append(org, subject_id: str, count: int) -> None:
    actor = Actor(org_id=org.org_id, type="user", email="a@acme.test", ip="203.0.113.9")
    with session_scope() as session:
        for i in range(count):
            record_audit(
                session,
                actor=actor,
                subject_type="envelope",
                subject_id=subject_id,
                action=f"step_{i}",
                description=f"Step {i}",
            )


def test_chain_links_each_row_to_the_previous(org):
    _append(org, "env_1", 4)
    _append(org, "env_2", 2)
    with session_scope() as session:
        rows = list_audit(session, org_id=org.org_id, subject_type="envelope", subject_id="env_1")
        assert [r.seq for r in rows] == [1, 2, 3, 4]
        assert rows[0].prev_hash == "" and all(
            b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False)
        )
        assert (
            chain_head(session, org_id=org.org_id, subject_type="envelope", subject_id="env_1")
            == rows[-1].hash
        )
        assert verify_chain(session, org_id=org.org_id, subject_type="envelope", subject_id="env_1")
        assert rows[0].ip_address == "203.0.113.9"


def test_tampering_breaks_the_chain(org):
    _append(org, "env_1", 3)
    with session_scope() as session:
        row = session.exec(
            select(AuditLog).where(AuditLog.subject_id == "env_1", AuditLog.seq == 2)
        ).one()
        row.description = "Something else"
    with session_scope() as session:
        assert not verify_chain(
            session, org_id=org.org_id, subject_type="envelope", subject_id="env_1"
        )


def test_deleting_a_row_breaks_the_chain(org):
    _append(org, "env_1", 3)
    with session_scope() as session:
        row = session.exec(
            select(AuditLog).where(AuditLog.subject_id == "env_1", AuditLog.seq == 2)
        ).one()
        session.delete(row)
    with session_scope() as session:
        assert not verify_chain(
            session, org_id=org.org_id, subject_type="envelope", subject_id="env_1"
        )


def test_rows_appended_in_one_transaction_and_after_a_rolled_back_savepoint_stay_chained(org):
    actor = Actor(org_id=org.org_id, type="user", email="a@acme.test")

    def append(session, action):
        record_audit(
            session, actor=actor, subject_type="envelope", subject_id="env_9", action=action
        )

    _append(org, "env_9", 2)  # an earlier transaction's rows
    with session_scope() as session:
        append(session, "kept_1")
        savepoint = session.begin_nested()
        append(session, "undone")
        savepoint.rollback()
        append(session, "kept_2")
    _append(org, "env_9", 1)
    with session_scope() as session:
        rows = list_audit(session, org_id=org.org_id, subject_type="envelope", subject_id="env_9")
        assert [r.action for r in rows] == ["step_0", "step_1", "kept_1", "kept_2", "step_0"]
        assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
        assert verify_chain(session, org_id=org.org_id, subject_type="envelope", subject_id="env_9")


def test_a_subject_created_in_the_transaction_starts_its_chain(org):
    actor = Actor(org_id=org.org_id, type="user", email="a@acme.test")
    with session_scope() as session:
        for action, new_subject in (("created", True), ("sent", False)):
            record_audit(
                session,
                actor=actor,
                subject_type="envelope",
                subject_id="env_new",
                action=action,
                new_subject=new_subject,
            )
    _append(org, "env_new", 1)  # a later transaction reads the chain's head
    with session_scope() as session:
        rows = list_audit(session, org_id=org.org_id, subject_type="envelope", subject_id="env_new")
        assert [(r.seq, r.action) for r in rows] == [(1, "created"), (2, "sent"), (3, "step_0")]
        assert verify_chain(
            session, org_id=org.org_id, subject_type="envelope", subject_id="env_new"
        )
