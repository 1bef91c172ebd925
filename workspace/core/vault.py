"""Envelope encryption for vault values.

Each value gets a fresh 256-bit data key; the value is sealed with AES-256-GCM under it and
the data key is wrapped by the install's master key (`core.keyring`, key id stored beside it).
The organization, record id and field key are bound as associated data to both layers, so a
ciphertext copied onto another row (or another field) fails to decrypt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from workspace.core import keyring


class VaultDecryptError(Exception):
    """The stored ciphertext does not belong to this row or was altered."""


@dataclass(frozen=True)
class Sealed:
    key_id: str
    wrapped_key: bytes
    nonce: bytes
    ciphertext: bytes


def associated_data(org_id: str, record_id: str, field_key: str) -> bytes:
    return f"vault|{org_id}|{record_id}|{field_key}".encode()


def seal(value: str, *, org_id: str, record_id: str, field_key: str) -> Sealed:
    aad = associated_data(org_id, record_id, field_key)
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    ciphertext = AESGCM(data_key).encrypt(nonce, value.encode(), aad)
    key_id, wrapped = keyring.wrap(data_key, aad=aad)
    return Sealed(key_id=key_id, wrapped_key=wrapped, nonce=nonce, ciphertext=ciphertext)


def open_sealed(sealed: Sealed, *, org_id: str, record_id: str, field_key: str) -> str:
    aad = associated_data(org_id, record_id, field_key)
    try:
        data_key = keyring.unwrap(sealed.key_id, sealed.wrapped_key, aad=aad)
        return AESGCM(data_key).decrypt(sealed.nonce, sealed.ciphertext, aad).decode()
    except (InvalidTag, KeyError, ValueError) as exc:
        raise VaultDecryptError("The vault value cannot be decrypted for this field.") from exc


def rewrap(
    key_id: str, wrapped_key: bytes, *, org_id: str, record_id: str, field_key: str
) -> tuple[str, bytes]:
    """Unwrap a data key with its old master key and wrap it under the active one."""
    aad = associated_data(org_id, record_id, field_key)
    return keyring.wrap(keyring.unwrap(key_id, wrapped_key, aad=aad), aad=aad)


def redacted_preview(value: str) -> str:
    """`****1234`: the last four characters, only when the value is long enough to hide the rest."""
    compact = "".join(value.split())
    if len(compact) <= 6:
        return "****"
    return "****" + compact[-4:]
