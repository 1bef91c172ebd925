"""Envelopes and signers (the seed's Envelopes and Signers sections, signer management of 004)."""

from __future__ import annotations

from fastapi import Body, Depends, Query

from workspace.api.auth import api_actor
from workspace.api.responses import Page, created, ok
from workspace.api.routing import ApiRouter
from workspace.core.actor import Actor
from workspace.core.db import read_scope, session_scope
from workspace.core.schemas.envelopes import EnvelopeCreate, ReminderRequest, SignerIn, SignerUpdate
from workspace.core.services import envelopes as service

router = ApiRouter(prefix="/envelopes", tags=["Envelopes"])


def _signer_out(signer) -> dict:
    return {**service.signer_payload(signer), "signingUrl": service.signing_url(signer)}


@router.get("", summary="List envelopes")
def list_envelopes(
    status: str | None = Query(
        None,
        description="draft, scheduled, sent, viewed, signed, "
        "completed, declined, cancelled or expired",
    ),
    search: str = Query("", description="Title, signer name or email"),
    page: tuple[int, int] = Depends(Page()),
    actor: Actor = Depends(api_actor),
):
    limit, offset = page
    with read_scope() as session:
        rows, _total = service.list_envelopes(
            session, actor=actor, status=status, search=search, limit=limit, offset=offset
        )
        signers = service.signers_by_envelope(session, rows)
        return ok([service.envelope_summary(e, signers[e.id]) for e in rows])


@router.post("", summary="Create and send an envelope (or save it as a draft)", status_code=201)
def create_envelope(body: EnvelopeCreate, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        envelope, signers = service.create_envelope(session, actor=actor, data=body)
        return created(service.created_payload(envelope, signers))


@router.get("/{envelope_id}", summary="Get an envelope")
def get_envelope(envelope_id: str, actor: Actor = Depends(api_actor)):
    with read_scope() as session:
        envelope = service.get_envelope(session, actor=actor, envelope_id=envelope_id)
        return ok(service.envelope_detail(envelope, service.envelope_signers(session, envelope)))


@router.post("/{envelope_id}/send", summary="Send a draft envelope")
def send_draft(envelope_id: str, actor: Actor = Depends(api_actor)):
    """Sends now, or schedules it when the draft's scheduledAt is still ahead; 409 unless the
    envelope is a draft."""
    with session_scope() as session:
        envelope = service.send_draft(session, actor=actor, envelope_id=envelope_id)
        return ok(service.envelope_detail(envelope, service.envelope_signers(session, envelope)))


@router.delete("/{envelope_id}", summary="Cancel an envelope")
def cancel_envelope(envelope_id: str, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        envelope = service.cancel_envelope(session, actor=actor, envelope_id=envelope_id)
        return ok({"id": envelope.id, "status": envelope.status})


@router.post("/{envelope_id}/remind", summary="Remind signers who have not signed")
def remind(
    envelope_id: str,
    body: ReminderRequest | None = Body(None),
    actor: Actor = Depends(api_actor),
):
    body = body or ReminderRequest()
    with session_scope() as session:
        count = service.remind_envelope(
            session,
            actor=actor,
            envelope_id=envelope_id,
            signer_id=body.signer_id,
            message=body.message,
        )
    return ok({"success": True, "remindedCount": count})


@router.get("/{envelope_id}/audit-log", summary="The envelope's audit trail")
def audit_log(
    envelope_id: str,
    limit: int = Query(500, ge=1, le=5000),
    actor: Actor = Depends(api_actor),
):
    with read_scope() as session:
        return ok(service.audit_entries(session, actor=actor, envelope_id=envelope_id, limit=limit))


@router.get("/{envelope_id}/download", summary="Download URLs of the signed PDF and certificate")
def download(
    envelope_id: str,
    type: str = Query("all", description="document, certificate or all"),
    actor: Actor = Depends(api_actor),
):
    with read_scope() as session:
        return ok(service.download_links(session, actor=actor, envelope_id=envelope_id, type=type))


@router.get("/{envelope_id}/signers", summary="The envelope's signers and their status")
def list_signers(envelope_id: str, actor: Actor = Depends(api_actor)):
    with read_scope() as session:
        envelope = service.get_envelope(session, actor=actor, envelope_id=envelope_id)
        return ok([service.signer_payload(s) for s in service.envelope_signers(session, envelope)])


@router.post("/{envelope_id}/signers", summary="Add a signer", status_code=201)
def add_signer(envelope_id: str, body: SignerIn, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        signer = service.add_signer(session, actor=actor, envelope_id=envelope_id, data=body)
        return created(_signer_out(signer))


@router.patch(
    "/{envelope_id}/signers/{signer_id}",
    summary="Update a signer: contact details, and role and signing order while a draft",
)
@router.put("/{envelope_id}/signers/{signer_id}", include_in_schema=False)
def update_signer(
    envelope_id: str, signer_id: str, body: SignerUpdate, actor: Actor = Depends(api_actor)
):
    with session_scope() as session:
        signer = service.update_signer(
            session, actor=actor, envelope_id=envelope_id, signer_id=signer_id, data=body
        )
        return ok(_signer_out(signer))


@router.post("/{envelope_id}/signers/{signer_id}/resend", summary="Resend the signing invitation")
def resend(envelope_id: str, signer_id: str, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        signer = service.resend_invitation(
            session, actor=actor, envelope_id=envelope_id, signer_id=signer_id
        )
        return ok(_signer_out(signer))


@router.delete("/{envelope_id}/signers/{signer_id}", summary="Remove a signer who has not signed")
def remove_signer(envelope_id: str, signer_id: str, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        service.remove_signer(session, actor=actor, envelope_id=envelope_id, signer_id=signer_id)
    return ok({"id": signer_id, "deleted": True})
