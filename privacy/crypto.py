"""Authenticated encryption of short strings with Fernet (AES-128-CBC + HMAC-SHA256)."""

from cryptography.fernet import InvalidToken

from privacy.keys import current


class DecryptionError(ValueError):
    """The token was tampered with, truncated, or made with a key no longer configured."""


def encrypt(plaintext: str) -> str:
    """Encrypt under the newest data key; the token is URL-safe ASCII."""
    return current().all.encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """Decrypt with any configured data key."""
    try:
        return current().all.decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError):
        raise DecryptionError("cannot decrypt token with the configured DATA_KEYS") from None


def needs_rotation(token: str) -> bool:
    """True unless the token already decrypts with the newest key (one HMAC check)."""
    try:
        current().newest.decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return True
    return False


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest data key (the original timestamp is kept)."""
    try:
        return current().all.rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError):
        raise DecryptionError("cannot rotate token: no configured DATA_KEYS entry decrypts it") from None
