"""RS256 signing keys kept as PEM files in one directory, with a JSON manifest.

Layout of the directory (mode 0700):

- `<kid>.pem`: one unencrypted PKCS#8 RSA private key per kid, mode 0600;
- `keyring.json`: `{"version": 1, "active": kid, "keys": {kid: {"created_at", "retired_at",
  "verify_until"}}}` with Unix seconds (`null` while a key is active).

A kid is the RFC 7638 JWK thumbprint of the public key, so a kid names exactly one key and the
loader can check every PEM against its file name. Rotation retires the active key but keeps it
for verification until every token it signed has expired (`retired_at + access_ttl + leeway`);
`prune` deletes it after that. Writers hold an flock on `.lock` so two processes starting at
once (API replicas, the CLI) cannot both create a first key.
"""

import contextlib
import fcntl
import hashlib
import json
import os
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sp404.tokens._base64url import b64url_encode, uint_to_b64url
from sp404.tokens.errors import KeyRingError

KEY_SIZE = 2048
MANIFEST = "keyring.json"
_LOCK = ".lock"
# A thumbprint is 43 base64url characters; the pattern also keeps manifest entries from
# naming paths outside the directory.
_KID = re.compile(r"^[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True, slots=True)
class KeyEntry:
    """One signing key and its life: created, retired (or None) and verifiable until (or None)."""

    kid: str
    private_key: rsa.RSAPrivateKey
    created_at: int
    retired_at: int | None
    verify_until: int | None

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        """The public half, which verifiers use."""
        return self.private_key.public_key()

    def verifies_at(self, now: float) -> bool:
        """Whether tokens signed by this key may still be accepted at `now`."""
        return self.verify_until is None or now < self.verify_until


@dataclass(frozen=True, slots=True)
class KeyRing:
    """A snapshot of the key directory: the active signing key and every key still kept."""

    directory: Path
    active_kid: str
    entries: Mapping[str, KeyEntry]

    @property
    def active(self) -> KeyEntry:
        """The key that signs new tokens."""
        return self.entries[self.active_kid]

    @classmethod
    def load(cls, directory: Path | str) -> "KeyRing":
        """Read the manifest and every PEM it names; raises KeyRingError when absent or broken."""
        root = Path(directory)
        manifest = _read_manifest(root)
        if manifest is None:
            raise KeyRingError(f"no key ring in {root}; run key generation first")
        return _load_entries(root, manifest)

    def verification_keys(self, now: float | None = None) -> dict[str, rsa.RSAPublicKey]:
        """Public keys by kid that may still verify tokens at `now`."""
        at = time.time() if now is None else now
        return {kid: e.public_key for kid, e in self.entries.items() if e.verifies_at(at)}


def thumbprint(public_key: rsa.RSAPublicKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA public key."""
    numbers = public_key.public_numbers()
    # RFC 7638: required members only, lexicographic order, no whitespace.
    canonical = json.dumps(
        {"e": uint_to_b64url(numbers.e), "kty": "RSA", "n": uint_to_b64url(numbers.n)},
        separators=(",", ":"),
        sort_keys=True,
    )
    return b64url_encode(hashlib.sha256(canonical.encode("ascii")).digest())


def generate(directory: Path | str, *, now: int | None = None) -> KeyRing:
    """Create the first signing key unless one exists; a second call changes nothing."""
    root = Path(directory)
    with _locked(root):
        manifest = _read_manifest(root)
        if manifest is None:
            manifest = _new_manifest()
            _add_active_key(root, manifest, _now(now))
            _write_manifest(root, manifest)
        return _load_entries(root, manifest)


def rotate(
    directory: Path | str, *, access_ttl: int, leeway: int = 30, now: int | None = None
) -> KeyRing:
    """Make a new active key and retire the old one, which keeps verifying for `access_ttl`."""
    root = Path(directory)
    at = _now(now)
    with _locked(root):
        manifest = _read_manifest(root) or _new_manifest()
        previous = manifest["active"]
        if previous is not None:
            record = manifest["keys"][previous]
            record["retired_at"] = at
            # Every token the old key signed expires within access_ttl; the leeway covers
            # verifiers whose clocks run behind ours.
            record["verify_until"] = at + access_ttl + leeway
        _add_active_key(root, manifest, at)
        _write_manifest(root, manifest)
        return _load_entries(root, manifest)


def prune(directory: Path | str, *, now: int | None = None) -> list[str]:
    """Delete retired keys whose verification window has passed; returns their kids."""
    root = Path(directory)
    at = _now(now)
    with _locked(root):
        manifest = _read_manifest(root)
        if manifest is None:
            return []
        removed = [
            kid
            for kid, record in manifest["keys"].items()
            if kid != manifest["active"]
            and record["verify_until"] is not None
            and at >= record["verify_until"]
        ]
        for kid in removed:
            del manifest["keys"][kid]
        # The manifest goes first: a crash in between leaves an orphan PEM, never a manifest
        # entry without its key.
        _write_manifest(root, manifest)
        for kid in removed:
            (root / f"{kid}.pem").unlink(missing_ok=True)
        return removed


def _now(now: int | None) -> int:
    return int(time.time()) if now is None else now


def _new_manifest() -> dict[str, Any]:
    return {"version": 1, "active": None, "keys": {}}


def _add_active_key(root: Path, manifest: dict[str, Any], at: int) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    kid = thumbprint(key.public_key())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # O_EXCL with 0600 from the start: the key is never readable by others, not even briefly.
    fd = os.open(root / f"{kid}.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    manifest["keys"][kid] = {"created_at": at, "retired_at": None, "verify_until": None}
    manifest["active"] = kid


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(root / _LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _read_manifest(root: Path) -> dict[str, Any] | None:
    path = root / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise KeyRingError(f"cannot read {path}") from exc
    try:
        manifest = json.loads(text)
    except ValueError as exc:
        raise KeyRingError(f"{path} is not valid JSON") from exc
    _check_manifest(path, manifest)
    return manifest  # type: ignore[no-any-return]


def _check_manifest(path: Path, manifest: Any) -> None:
    if not isinstance(manifest, dict) or not isinstance(manifest.get("keys"), dict):
        raise KeyRingError(f"{path} has no key table")
    keys: dict[str, Any] = manifest["keys"]
    active = manifest.get("active")
    if not isinstance(active, str) or active not in keys:
        raise KeyRingError(f"{path} names no active key")
    for kid, record in keys.items():
        if not _KID.match(kid) or not isinstance(record, dict):
            raise KeyRingError(f"{path} has a malformed entry")
        for field in ("created_at", "retired_at", "verify_until"):
            value = record.get(field)
            if not (value is None or (isinstance(value, int) and not isinstance(value, bool))):
                raise KeyRingError(f"{path}: {field} of a key is not a Unix time")


def _write_manifest(root: Path, manifest: dict[str, Any]) -> None:
    # Write-then-rename so a reader sees the old manifest or the new one, never half of one.
    tmp = root / f".{MANIFEST}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=2, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, root / MANIFEST)


def _load_entries(root: Path, manifest: dict[str, Any]) -> KeyRing:
    entries: dict[str, KeyEntry] = {}
    for kid, record in manifest["keys"].items():
        key = _load_private_key(root / f"{kid}.pem")
        if thumbprint(key.public_key()) != kid:
            raise KeyRingError(f"{kid}.pem does not hold the key its name says")
        entries[kid] = KeyEntry(
            kid=kid,
            private_key=key,
            created_at=record["created_at"],
            retired_at=record["retired_at"],
            verify_until=record["verify_until"],
        )
    return KeyRing(directory=root, active_kid=manifest["active"], entries=entries)


def _load_private_key(path: Path) -> rsa.RSAPrivateKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyRingError(f"cannot read {path.name}") from exc
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except ValueError as exc:
        raise KeyRingError(f"{path.name} is not a PEM private key") from exc
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < KEY_SIZE:
        raise KeyRingError(f"{path.name} is not an RSA key of at least {KEY_SIZE} bits")
    return key
