"""Envelope figures: completion of a 3-signer envelope (stamp + certificate + seal) on 20- and
200-page templates beside the PDF floor measured in the same run, and the latency of
POST /api/v1/envelopes at 8 concurrent clients.

    .venv/bin/python bench/envelopes.py                      # everything
    .venv/bin/python bench/envelopes.py --quick              # fewer repetitions
    .venv/bin/python bench/envelopes.py --completion-only    # skip the POST latency

The floor is the least work any implementation must do: one reportlab overlay with the same
values (the completed envelope's texts and signature images) merged by pypdf into the same
document, written once, plus one pyHanko seal. The
certificate page is the certificate of completion of the same envelope rendered alone. The
target is completion within 1.5x of floor + certificate. Wall time and CPU time (of this
process) are printed side by side: on a shared machine wall time includes waiting for a core.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(tempfile.mkdtemp(prefix="bench-envelopes-"))
os.environ["DATA_DIR"] = str(DATA)
os.environ["RUN_JOBS"] = "false"
os.environ.setdefault("PUBLIC_BASE_URL", "http://127.0.0.1")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


class Clock:
    """Wall and CPU time of one measured stretch."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def _load() -> str:
    return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())


def _setup():
    from workspace.core.actor import Actor
    from workspace.core.config import reset_settings
    from workspace.core.db import session_scope
    from workspace.core.migrate import upgrade_database
    from workspace.core.services.accounts import sign_up
    from workspace.core.services.api_keys import create_api_key

    reset_settings()
    upgrade_database()
    import workspace.core.services  # noqa: F401

    with session_scope() as session:
        user, org = sign_up(
            session,
            email="bench@example.com",
            password="bench-password-1",
            name="Bench",
            org_name="Bench Inc",
        )
        actor = Actor(org_id=org.id, type="user", user_id=user.id, email=user.email, role="owner")
        _, key = create_api_key(session, actor=actor, name="bench")
    return actor, key


def _template(actor, pages: int) -> str:
    from tests.envelope_samples import contract_fields
    from tests.pdf_samples import make_pdf
    from workspace.core.db import session_scope
    from workspace.core.services.templates import create_template

    with session_scope() as session:
        return create_template(
            session,
            actor=actor,
            name=f"Contract {pages}p",
            pdf_data=make_pdf(pages),
            filename="contract.pdf",
            fields=contract_fields(pages),
        ).id


def _signed_envelope(actor, template_id: str):
    """An envelope whose three signers signed, completion not yet run."""
    from tests.envelope_samples import values_for
    from workspace.core.db import session_scope
    from workspace.core.schemas.envelopes import EnvelopeCreate
    from workspace.core.services import signing
    from workspace.core.services.envelopes import create_envelope, signing_token

    roles = ("employee", "employer", "approver")
    with session_scope() as session:
        envelope, signers = create_envelope(
            session,
            actor=actor,
            data=EnvelopeCreate(
                template_id=template_id,
                signers=[
                    {"name": f"Signer {r}", "email": f"{r}@example.com", "role": r} for r in roles
                ],
            ),
        )
        tokens = {s.role: signing_token(s) for s in signers}
        envelope_id = envelope.id
    for role in roles[:2]:
        with session_scope() as session:
            signing.open_link(session, token=tokens[role])
            signing.give_consent(session, token=tokens[role], grant=None)
            signing.sign(session, token=tokens[role], grant=None, values=values_for(role))
    return envelope_id, tokens["approver"]


def _completions(actor, template_id: str, repeat: int):
    """Complete the same envelope `repeat` times, timing `complete_envelope` alone: the last
    signer's values are stored first, then the transaction that completes is rolled back.
    Yields, per completion, its Clock, the certificate data and the document with the values
    to stamp of the completed envelope (what `_certificate` and `_floor` redo alone)."""
    from sqlmodel import Session

    from tests.envelope_samples import values_for
    from workspace.core import storage
    from workspace.core.db import get_engine
    from workspace.core.models.envelopes import Envelope
    from workspace.core.services import envelopes, signing

    envelope_id, token = _signed_envelope(actor, template_id)
    for _ in range(repeat):
        with Session(get_engine(), expire_on_commit=False) as session:
            signing.open_link(session, token=token)
            signing.give_consent(session, token=token, grant=None)
            envelope = session.get(Envelope, envelope_id)
            original = signing.complete_envelope
            clock = Clock()

            def timed(session, *, envelope, signers, _original=original, _clock=clock):
                with _clock:
                    _original(session, envelope=envelope, signers=signers)

            signing.complete_envelope = timed
            try:
                signing.sign(session, token=token, grant=None, values=values_for("approver"))
            finally:
                signing.complete_envelope = original
            assert envelope.status == "completed"
            signers = envelopes.envelope_signers(session, envelope)
            certificate = signing.certificate_data(
                session, envelope, signers, envelope.signed_document_sha256
            )
            pdfs = [storage.get_bytes(d["sha256"]) for d in envelope.documents]
            (document,) = signing.stamp_items(envelope, signers, pdfs)
            session.rollback()
        yield clock, certificate, document


def _certificate(data) -> Clock:
    """The certificate of completion alone: the same data rendered to its PDF pages."""
    from workspace.core.pdf.certificate import render_certificate

    with Clock() as clock:
        render_certificate(data)
    return clock


def _floor(document) -> Clock:
    """reportlab overlay with the envelope's values + pypdf merge + write + one pyHanko seal."""
    from pypdf import PdfReader, PdfWriter
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    from workspace.core.pdf.seal import seal_pdf

    with Clock() as clock:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document.pdf)))
        pages = sorted({item.box.page for item in document.items})
        overlay_buffer = io.BytesIO()
        canvas = Canvas(overlay_buffer)
        for number in pages:
            page = writer.pages[number - 1]
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            canvas.setPageSize((width, height))
            for item in document.items:
                if item.box.page != number:
                    continue
                x, w = item.box.x * width, item.box.width * width
                y, h = height - (item.box.y + item.box.height) * height, item.box.height * height
                if item.kind == "image":
                    image = ImageReader(io.BytesIO(item.image))
                    canvas.drawImage(image, x, y, w, h, mask="auto", preserveAspectRatio=True)
                elif item.kind == "check":
                    canvas.line(x, y, x + w, y + h)
                else:
                    canvas.drawString(x + 2, y + 4, item.text)
            canvas.showPage()
        canvas.save()
        overlay = PdfReader(io.BytesIO(overlay_buffer.getvalue()))
        for overlay_page, number in zip(overlay.pages, pages, strict=True):
            writer.pages[number - 1].merge_page(overlay_page)
        out = io.BytesIO()
        writer.write(out)
        seal_pdf(out.getvalue(), reason="floor")
    return clock


def _post_latency(key: str, template_id: str, clients: int, requests: int) -> str:
    from served import post_latency

    body = {
        "templateId": template_id,
        "title": "Bench contract",
        "message": "Please sign.",
        "signers": [
            {"name": f"Signer {r}", "email": f"{r}@example.com", "role": r, "signingOrder": i + 1}
            for i, r in enumerate(("employee", "employer", "approver"))
        ],
    }
    log = DATA / "bench-server.log"
    return post_latency("/api/v1/envelopes", key, body, clients, requests, log).summary()


def _medians(clocks: list[Clock]) -> tuple[float, float]:
    return (
        statistics.median(c.wall for c in clocks),
        statistics.median(c.cpu for c in clocks),
    )


def _line(pages: int, name: str, clocks: list[Clock], note: str = "") -> None:
    wall, cpu = _medians(clocks)
    print(f"{pages:>3} pages  {name:<12} wall {_ms(wall)}  cpu {_ms(cpu)}  (n={len(clocks)}){note}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--completion-only", action="store_true")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    actor, key = _setup()
    print(f"data dir {DATA}")
    from workspace.core.pdf.ca import signing_material

    signing_material()  # the CA is created once per install; not part of any figure
    for pages in (20, 200):
        print(f"{pages:>3} pages  {_load()}")
        template_id = _template(actor, pages)
        ours, floor, certificate = [], [], []
        # One repetition of each in turn, so that load from others on a shared machine weighs
        # on the three alike; the first round only warms imports and caches.
        for number, (clock, data, document) in enumerate(
            _completions(actor, template_id, repeat + 1)
        ):
            floor_clock, certificate_clock = _floor(document), _certificate(data)
            if number:
                ours.append(clock)
                floor.append(floor_clock)
                certificate.append(certificate_clock)
        _line(pages, "floor", floor)
        _line(pages, "certificate", certificate)
        rounds = list(zip(ours, floor, certificate, strict=True))
        wall = statistics.median(o.wall / (f.wall + c.wall) for o, f, c in rounds)
        cpu = statistics.median(o.cpu / (f.cpu + c.cpu) for o, f, c in rounds)
        _line(
            pages,
            "completion",
            ours,
            f"  = {wall:.2f}x (floor + certificate) wall, {cpu:.2f}x cpu"
            " (median of each round's ratio); target < 1.5x",
        )
    print(f"        {_load()}")
    if args.completion_only:
        return
    template_id = _template(actor, 2)
    summary = _post_latency(key, template_id, clients=8, requests=80 if args.quick else 400)
    print(f"POST /api/v1/envelopes, 8 concurrent clients: {summary} (target p95 < 60 ms)")


if __name__ == "__main__":
    main()
