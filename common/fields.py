"""
Model fields shared by apps. `EncryptedTextField` keeps a secret (a camera password, a media-server
secret) encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256): the database column only ever
holds a Fernet token; Python code sees the plaintext after loading.

The key comes from `settings.FIELD_ENCRYPTION_KEY`: a comma-separated list, newest first. Each entry
is either a Fernet key (32 url-safe base64 bytes) or any passphrase, from which a key is derived with
HKDF-SHA256. Tokens are decrypted with any listed key and written with the first one, so a key can be
rotated by prepending a new one and re-saving the rows.

Fields marked `secret = True` are skipped by the generic detail page (`object_fields`); models must
also leave them out of their change history (`HistoricalRecords(excluded_fields=[...])`), because the
history diff would otherwise show the plaintext.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

__all__ = ["EncryptedTextField", "FieldDecryptionError", "decrypt", "encrypt"]


class FieldDecryptionError(Exception):
    """A stored token cannot be decrypted with any configured key (wrong or rotated-away key)."""


def _fernet_key(entry: str) -> bytes:
    try:
        if len(base64.urlsafe_b64decode(entry.encode())) == 32:
            return entry.encode()
    except (binascii.Error, ValueError):
        pass
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal-field-encryption").derive(
        entry.encode()
    )
    return base64.urlsafe_b64encode(derived)


@lru_cache(maxsize=4)
def _cipher(setting: str) -> MultiFernet:
    entries = [e.strip() for e in setting.split(",") if e.strip()]
    if not entries:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is empty.")
    return MultiFernet([Fernet(_fernet_key(e)) for e in entries])


def encrypt(plaintext: str) -> str:
    return _cipher(settings.FIELD_ENCRYPTION_KEY).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _cipher(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        # Never include the token or any part of a secret in the message.
        raise FieldDecryptionError("A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEY.") from exc


class EncryptedTextField(models.TextField):
    """
    Text stored encrypted. The empty string stays empty (meaning "no secret"), so that
    `blank=True` works; anything else is a Fernet token in the column. Lookups other than
    `isnull` and exact-empty are meaningless on ciphertext and should not be used.
    """

    secret = True
    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(str(value))

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisation (dumpdata, fixtures) never carries the plaintext.
        return ""
