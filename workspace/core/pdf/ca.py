"""The install's own certificate authority and document-signing certificate.

Both are created with `cryptography` the first time a document is sealed and kept in
`<data_dir>/pki/ca.json`: certificates in PEM, private keys encrypted with a data key
wrapped by the master key ring (`core.keyring`), so a copy of the data folder without the
master key file cannot sign. The signing certificate is renewed from the CA when it nears
expiry; the CA itself lasts twenty years.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import functools
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from workspace.core import keyring
from workspace.core.clock import now
from workspace.core.config import ensure_data_dir, get_settings

# Where anyone can fetch the CA certificate to verify sealed PDFs (PEM; `.cer` is DER).
CA_CERTIFICATE_PATH = "/files/ca.pem"
CA_CERTIFICATE_DER_PATH = "/files/ca.cer"
CA_YEARS = 20
SIGNING_CERT_DAYS = 3 * 365
RENEW_BEFORE_DAYS = 30
# RFC 9336 id-kp-documentSigning
DOCUMENT_SIGNING_EKU = ObjectIdentifier("1.3.6.1.5.5.7.3.36")

_lock = threading.Lock()


@dataclass(frozen=True)
class SigningMaterial:
    """What the sealer needs: the signing key and the chain (signing certificate first)."""

    key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    ca_certificate: x509.Certificate


def pki_file() -> Path:
    return get_settings().data_dir / "pki" / "ca.json"


def _aad(name: str) -> bytes:
    return f"workspace-pki:{name}".encode()


def _encrypt_key(name: str, key: rsa.RSAPrivateKey) -> dict[str, str]:
    """Encrypt the key's PKCS#8 DER under a fresh data key; the data key is wrapped."""
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    ciphertext = AESGCM(data_key).encrypt(nonce, der, _aad(name))
    key_id, wrapped = keyring.wrap(data_key, aad=_aad(name))
    return {
        "master_key_id": key_id,
        "wrapped_data_key": base64.b64encode(wrapped).decode(),
        "ciphertext": base64.b64encode(nonce + ciphertext).decode(),
    }


def _data_key(name: str, entry: dict[str, str]) -> bytes:
    return keyring.unwrap(
        entry["master_key_id"], base64.b64decode(entry["wrapped_data_key"]), aad=_aad(name)
    )


def _decrypt_key(name: str, entry: dict[str, str]) -> rsa.RSAPrivateKey:
    blob = base64.b64decode(entry["ciphertext"])
    der = AESGCM(_data_key(name, entry)).decrypt(blob[:12], blob[12:], _aad(name))
    key = serialization.load_der_private_key(der, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Workspace"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _install_label() -> str:
    base = get_settings().public_base_url
    return base.split("://", 1)[-1][:40]


def _make_ca() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    subject = _name(f"Workspace Document CA ({_install_label()})")
    start = now() - dt.timedelta(minutes=5)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _make_signing_cert(
    ca_key: rsa.RSAPrivateKey, ca_cert: x509.Certificate
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = now() - dt.timedelta(minutes=5)
    end = min(start + dt.timedelta(days=SIGNING_CERT_DAYS), ca_cert.not_valid_after_utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"Workspace Document Seal ({_install_label()})"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING_EKU, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _write_exclusive(path: Path, document: dict, *, replace: bool) -> None:
    """Write atomically. Without `replace`, the first writer wins and later ones keep theirs."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(document, handle, indent=1)
    try:
        if replace:
            os.replace(tmp, path)
        else:
            with contextlib.suppress(FileExistsError):  # another process created it first
                os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _read() -> dict | None:
    path = pki_file()
    if not path.exists():
        return None
    return json.loads(path.read_text())


def _create() -> None:
    ca_key, ca_cert = _make_ca()
    key, cert = _make_signing_cert(ca_key, ca_cert)
    document = {
        "ca_certificate": _pem(ca_cert),
        "ca_key": _encrypt_key("ca", ca_key),
        "signing_certificate": _pem(cert),
        "signing_key": _encrypt_key("signing", key),
    }
    _write_exclusive(pki_file(), document, replace=False)


def _renew_signing_cert(document: dict) -> None:
    ca_cert = x509.load_pem_x509_certificate(document["ca_certificate"].encode())
    ca_key = _decrypt_key("ca", document["ca_key"])
    key, cert = _make_signing_cert(ca_key, ca_cert)
    renewed = {
        **document,
        "signing_certificate": _pem(cert),
        "signing_key": _encrypt_key("signing", key),
    }
    _write_exclusive(pki_file(), renewed, replace=True)


def _needs_renewal(cert: x509.Certificate) -> bool:
    return cert.not_valid_after_utc - now() < dt.timedelta(days=RENEW_BEFORE_DAYS)


@functools.cache
def _load_material(path: str, mtime_ns: int) -> SigningMaterial:
    """Decrypting keys costs a few ms; cache per file version."""
    document = json.loads(Path(path).read_text())
    return SigningMaterial(
        key=_decrypt_key("signing", document["signing_key"]),
        certificate=x509.load_pem_x509_certificate(document["signing_certificate"].encode()),
        ca_certificate=x509.load_pem_x509_certificate(document["ca_certificate"].encode()),
    )


def signing_material() -> SigningMaterial:
    """The signing key and certificates, created on first use and renewed near expiry."""
    ensure_data_dir()
    with _lock:
        document = _read()
        if document is None:
            _create()
            document = _read()
        assert document is not None
        cert = x509.load_pem_x509_certificate(document["signing_certificate"].encode())
        if _needs_renewal(cert):
            _renew_signing_cert(document)
        path = pki_file()
        return _load_material(str(path), path.stat().st_mtime_ns)


def ca_certificate_pem() -> str:
    """The CA certificate to give to anyone who wants to trust sealed documents."""
    return _pem(signing_material().ca_certificate)


def ca_certificate_der() -> bytes:
    """The same certificate in binary (DER) form, as Windows and macOS import it."""
    return signing_material().ca_certificate.public_bytes(serialization.Encoding.DER)


def ca_certificate_url() -> str:
    return get_settings().public_base_url + CA_CERTIFICATE_PATH


@keyring.rewrap_hook("pki")
def rewrap_pki_keys() -> int:
    """Re-wrap the CA and signing keys' data keys under the active master key."""
    with _lock:
        document = _read()
        if document is None:
            return 0
        updated = dict(document)
        for name, field in (("ca", "ca_key"), ("signing", "signing_key")):
            entry = document[field]
            key_id, wrapped = keyring.wrap(_data_key(name, entry), aad=_aad(name))
            updated[field] = {
                **entry,
                "master_key_id": key_id,
                "wrapped_data_key": base64.b64encode(wrapped).decode(),
            }
        _write_exclusive(pki_file(), updated, replace=True)
        return 2
