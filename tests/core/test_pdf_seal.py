import asyncio
import datetime as dt
import http.server
import json
import threading

from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps import DummyTimeStamper

from tests.conftest import free_port
from tests.core.pdf_helpers import flip_byte_in_content, make_pdf, pdfsig, pyhanko_status
from workspace.core import clock, keyring
from workspace.core.config import get_settings
from workspace.core.pdf import ca
from workspace.core.pdf.seal import seal_pdf


def test_sealed_pdf_is_valid_for_pdfsig_and_pyhanko_and_breaks_on_one_byte():
    sealed = seal_pdf(make_pdf(3), reason="Completed", location="Workspace")
    report = pdfsig(sealed)
    assert "Signature Validation: Signature is Valid." in report
    assert "Total document signed" in report
    assert "ETSI.CAdES.detached" in report
    status = pyhanko_status(sealed, ca.ca_certificate_pem())
    assert status.intact and status.valid and status.trusted and status.bottom_line

    tampered = flip_byte_in_content(sealed)
    assert "Signature is Valid." not in pdfsig(tampered)
    assert "Digest Mismatch" in pdfsig(tampered)
    broken = pyhanko_status(tampered, ca.ca_certificate_pem())
    assert not broken.intact and not broken.bottom_line


def test_private_keys_are_encrypted_at_rest_and_survive_master_key_rotation():
    ca.signing_material()
    stored = ca.pki_file().read_text()
    assert "PRIVATE KEY" not in stored
    document = json.loads(stored)
    assert document["ca_key"]["master_key_id"] == keyring.load_keyring().active_id
    cert_before = document["signing_certificate"]

    new_id, counts = keyring.rotate_master_key()
    assert counts["pki"] == 2
    rotated = json.loads(ca.pki_file().read_text())
    assert rotated["ca_key"]["master_key_id"] == new_id
    assert rotated["signing_key"]["master_key_id"] == new_id
    assert rotated["signing_certificate"] == cert_before
    sealed = seal_pdf(make_pdf(1), reason="After rotation")
    assert pyhanko_status(sealed, ca.ca_certificate_pem()).bottom_line


def test_signing_certificate_is_renewed_from_the_same_ca_near_expiry():
    first = ca.signing_material()
    saved = ca.pki_file().read_bytes()
    later = first.certificate.not_valid_after_utc - dt.timedelta(days=5)
    try:
        with clock.travel(to_ms=clock.to_ms(later)):
            renewed = ca.signing_material()
    finally:  # the renewed certificate only starts in the future: put today's back
        ca.pki_file().write_bytes(saved)
    assert renewed.certificate.serial_number != first.certificate.serial_number
    assert renewed.ca_certificate == first.ca_certificate
    assert renewed.certificate.issuer == first.ca_certificate.subject


def _tsa_identity():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")])
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return (
        asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        keys.PrivateKeyInfo.load(der_key),
    )


def test_timestamp_authority_adds_an_rfc3161_timestamp(monkeypatch):
    tsa_cert, tsa_key = _tsa_identity()
    authority = DummyTimeStamper(tsa_cert, tsa_key)
    requests: list[bytes] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            requests.append(body)
            answer = asyncio.run(
                authority.async_request_tsa_response(tsp.TimeStampReq.load(body))
            ).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("TIMESTAMP_AUTHORITY_URL", f"http://127.0.0.1:{server.server_port}/")
        get_settings.cache_clear()
        sealed = seal_pdf(make_pdf(2), reason="Completed")
    finally:
        server.shutdown()
        monkeypatch.delenv("TIMESTAMP_AUTHORITY_URL")
        get_settings.cache_clear()
    assert requests, "the timestamp authority was not asked"
    status = pyhanko_status(sealed, ca.ca_certificate_pem())
    assert status.intact and status.valid
    assert status.timestamp_validity is not None and status.timestamp_validity.intact
    assert "Signature is Valid." in pdfsig(sealed)


def test_sealing_works_from_inside_a_running_event_loop():
    async def seal_in_loop() -> bytes:
        return seal_pdf(make_pdf(1), reason="From an event handler")

    sealed = asyncio.run(seal_in_loop())
    assert pyhanko_status(sealed, ca.ca_certificate_pem()).bottom_line
