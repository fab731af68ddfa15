"""Unpadded base64url (RFC 7515 section 2), the encoding JWS and JWK use for bytes."""

import base64


def b64url_encode(data: bytes) -> str:
    """Encode bytes as base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url; raises ValueError on malformed input."""
    # Restore the padding the JOSE encoding strips; validate=True refuses stray characters
    # instead of silently dropping them.
    padded = text + "=" * (-len(text) % 4)
    return base64.b64decode(padded, altchars=b"-_", validate=True)


def uint_to_b64url(value: int) -> str:
    """Encode a non-negative integer big-endian in its minimal length, as JWK `n` and `e` are."""
    length = max(1, (value.bit_length() + 7) // 8)
    return b64url_encode(value.to_bytes(length, "big"))
