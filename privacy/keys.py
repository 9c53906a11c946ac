"""Key configuration for the privacy package.

The app factory reads the environment and calls :func:`configure` once at start-up:

* ``DATA_KEYS``: comma-separated Fernet keys, newest first. The first key encrypts,
  every key decrypts. To rotate, prepend a new key, run the rotation job, then drop
  the old key.
* ``INDEX_KEY``: secret for the blind-index HMAC, at least 32 bytes. It cannot be
  rotated by prepending: changing it means recomputing every ``*_hash`` column.
"""

import secrets
from typing import NamedTuple

from cryptography.fernet import Fernet, MultiFernet

MIN_INDEX_KEY_BYTES = 32


class KeyConfigError(RuntimeError):
    """The privacy keys are missing or malformed (a start-up error)."""


class _Keys(NamedTuple):
    newest: Fernet
    all: MultiFernet
    index: bytes


_keys: _Keys | None = None


def configure(data_keys: list[str], index_key: bytes | str) -> None:
    """Set the data keys (newest first) and the blind-index key, validating both."""
    global _keys
    if isinstance(data_keys, str):
        raise KeyConfigError("DATA_KEYS must be passed as a list; split the env value on ','")
    fernets = []
    for position, key in enumerate((k.strip() for k in data_keys), start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError):
            raise KeyConfigError(
                f"DATA_KEYS entry {position} is not a valid Fernet key "
                "(expected 32 url-safe base64-encoded bytes)"
            ) from None
    if not fernets:
        raise KeyConfigError("DATA_KEYS is empty: at least one Fernet key is required")
    index = index_key.encode() if isinstance(index_key, str) else bytes(index_key)
    if len(index) < MIN_INDEX_KEY_BYTES:
        raise KeyConfigError(f"INDEX_KEY must be at least {MIN_INDEX_KEY_BYTES} bytes")
    _keys = _Keys(fernets[0], MultiFernet(fernets), index)


def generate_data_key() -> str:
    """A new Fernet key, suitable as a DATA_KEYS entry."""
    return Fernet.generate_key().decode("ascii")


def generate_index_key() -> str:
    """A new random INDEX_KEY (64 hex characters)."""
    return secrets.token_hex(32)


def current() -> _Keys:
    """The configured keys; raises KeyConfigError if configure() was never called."""
    if _keys is None:
        raise KeyConfigError("privacy keys are not configured: set DATA_KEYS and INDEX_KEY")
    return _keys
