"""PAdES seal of a finished document with the install's signing certificate.

The seal is one incremental update of the given bytes, which stay the file's first revision;
pages can be appended in that same update (the certificate of completion). The signature is
a CAdES-detached (ETSI.CAdES.detached) signature over the whole file, with the certificate
chain embedded. When `TIMESTAMP_AUTHORITY_URL` is set, an RFC 3161
signature timestamp from that authority is added (PAdES B-T).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import io

import httpx
from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.timestamps import TimeStamper, TimestampRequestError
from pyhanko.sign.timestamps.common_utils import set_tsp_headers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from workspace.core.config import get_settings
from workspace.core.pdf.ca import SigningMaterial, signing_material

SIGNATURE_FIELD = "WorkspaceSeal"
RESERVED_BYTES = 12 * 1024


class HttpxTimeStamper(TimeStamper):
    """RFC 3161 client over httpx (the project's HTTP client)."""

    def __init__(self, url: str, *, timeout: float = 10.0):
        super().__init__()
        self.url = url
        self.timeout = timeout

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(
                    self.url, content=req.dump(), headers=set_tsp_headers({})
                )
        except httpx.HTTPError as exc:
            raise TimestampRequestError(f"Timestamp authority unreachable: {exc}") from exc
        if response.status_code != 200 or not response.headers.get("content-type", "").startswith(
            "application/timestamp-reply"
        ):
            raise TimestampRequestError(
                f"Timestamp authority answered {response.status_code} "
                f"({response.headers.get('content-type', 'no content type')})"
            )
        return tsp.TimeStampResp.load(response.content)


class _HeldKeySigner(signers.SimpleSigner):
    """Signs with the already-loaded key (pyHanko re-parses the key on every signature,
    which costs ~50 ms for RSA)."""

    def __init__(self, *, key: rsa.RSAPrivateKey, **kwargs):
        super().__init__(**kwargs)
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        return self._key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


@functools.cache
def _signer(material: SigningMaterial) -> signers.SimpleSigner:
    def to_asn1(cert) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))

    key_der = material.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return _HeldKeySigner(
        key=material.key,
        signing_cert=to_asn1(material.certificate),
        signing_key=keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([to_asn1(material.ca_certificate)]),
    )


def _append_pages(writer: IncrementalPdfFileWriter, pdf: bytes) -> None:
    """Add every page of `pdf` at the end of the writer's document: its page tree is imported
    whole (shared fonts and images once) and hung under the document's root page node."""
    source = PdfFileReader(io.BytesIO(pdf), strict=False)
    imported = writer.import_object(source.root.raw_get("/Pages"))
    subtree = imported.get_object()
    pages_ref = writer.root.raw_get("/Pages")
    pages = pages_ref.get_object()
    subtree["/Parent"] = pages_ref
    kids = pages["/Kids"]
    kids.append(imported)
    writer.update_container(kids)
    pages["/Count"] = generic.NumberObject(pages["/Count"] + subtree["/Count"])
    writer.update_container(pages)


def seal_pdf(
    pdf: bytes, *, reason: str, location: str = "", appendix: bytes | None = None
) -> bytes:
    """Return the document with a PAdES signature appended as an incremental update; the
    pages of `appendix`, when given, are added in the same update, under the seal."""
    material = signing_material()
    settings = get_settings()
    timestamper = (
        HttpxTimeStamper(settings.timestamp_authority_url)
        if settings.timestamp_authority_url
        else None
    )
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason[:200],
        location=location[:200] or None,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    if appendix:
        _append_pages(writer, appendix)
    output = io.BytesIO()

    def sign() -> None:
        asyncio.run(
            signers.async_sign_pdf(
                writer,
                meta,
                signer=_signer(material),
                timestamper=timestamper,
                output=output,
                # Without a timestamp the signature's size is known (RSA-2048, two
                # certificates: ~4 KB of DER, twice that in hex), so skip pyHanko's dry run.
                bytes_reserved=None if timestamper else RESERVED_BYTES,
            )
        )

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        sign()
    else:  # called from async code (e.g. a UI event handler): sign on a worker thread
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(sign).result()
    return output.getvalue()
