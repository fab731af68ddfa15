"""The signing-key directory: first key, rotation, pruning, file modes and integrity."""

import json
import os
import stat
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from sp404 import tokens
from sp404.tokens import KeyRing, KeyRingError
from sp404.tokens._base64url import b64url_decode
from sp404.tokens.keys import thumbprint


def snapshot(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def test_generate_creates_one_active_2048_bit_key(key_dir: Path) -> None:
    keyring = tokens.generate(key_dir)
    assert list(keyring.entries) == [keyring.active_kid]
    assert keyring.active.private_key.key_size >= 2048
    assert keyring.active.retired_at is None
    assert sorted(p.name for p in key_dir.glob("*.pem")) == [f"{keyring.active_kid}.pem"]


def test_second_generate_changes_nothing(key_dir: Path) -> None:
    first = tokens.generate(key_dir)
    before = snapshot(key_dir)
    second = tokens.generate(key_dir)
    assert second.active_kid == first.active_kid
    assert snapshot(key_dir) == before


def test_concurrent_generates_agree_on_a_single_key(key_dir: Path) -> None:
    results: list[KeyRing] = []
    threads = [
        threading.Thread(target=lambda: results.append(tokens.generate(key_dir))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({keyring.active_kid for keyring in results}) == 1
    assert len(list(key_dir.glob("*.pem"))) == 1


def test_private_key_files_are_readable_by_the_owner_only(keyring: KeyRing) -> None:
    for kid in keyring.entries:
        mode = stat.S_IMODE(os.stat(keyring.directory / f"{kid}.pem").st_mode)
        assert mode == 0o600
    assert stat.S_IMODE(os.stat(keyring.directory).st_mode) == 0o700


def test_kid_is_the_rfc_7638_thumbprint() -> None:
    # The example key and thumbprint of RFC 7638 section 3.1.
    n = (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
        "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY"
        "368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f"
        "M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    )
    key = rsa.RSAPublicNumbers(65537, int.from_bytes(b64url_decode(n), "big")).public_key()
    assert thumbprint(key) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_generated_kid_matches_its_key(keyring: KeyRing) -> None:
    assert keyring.active_kid == thumbprint(keyring.active.public_key)


def test_rotate_retires_the_old_key_for_access_ttl_plus_leeway(keyring: KeyRing) -> None:
    rotated = tokens.rotate(keyring.directory, access_ttl=3600, leeway=30, now=1_000_000)
    old = rotated.entries[keyring.active_kid]
    assert rotated.active_kid != keyring.active_kid
    assert (old.retired_at, old.verify_until) == (1_000_000, 1_003_630)
    assert rotated.active.created_at == 1_000_000
    assert set(rotated.verification_keys(now=1_003_629)) == {keyring.active_kid, rotated.active_kid}
    assert set(rotated.verification_keys(now=1_003_630)) == {rotated.active_kid}


def test_prune_removes_only_keys_past_their_window(keyring: KeyRing) -> None:
    rotated = tokens.rotate(keyring.directory, access_ttl=3600, leeway=30, now=1_000_000)
    assert tokens.prune(keyring.directory, now=1_003_629) == []
    assert tokens.prune(keyring.directory, now=1_003_630) == [keyring.active_kid]
    reloaded = KeyRing.load(keyring.directory)
    assert list(reloaded.entries) == [rotated.active_kid]
    assert not (keyring.directory / f"{keyring.active_kid}.pem").exists()


def test_prune_never_removes_the_active_key(keyring: KeyRing) -> None:
    assert tokens.prune(keyring.directory, now=10**12) == []
    assert KeyRing.load(keyring.directory).active_kid == keyring.active_kid


def test_manifest_records_the_active_kid_and_key_lifetimes(keyring: KeyRing) -> None:
    tokens.rotate(keyring.directory, access_ttl=60, leeway=0, now=500)
    manifest = json.loads((keyring.directory / "keyring.json").read_text())
    assert manifest["keys"][keyring.active_kid] == {
        "created_at": keyring.active.created_at,
        "retired_at": 500,
        "verify_until": 560,
    }
    assert manifest["keys"][manifest["active"]]["retired_at"] is None


def test_loading_an_empty_directory_says_no_key_ring(key_dir: Path) -> None:
    key_dir.mkdir()
    with pytest.raises(KeyRingError, match="no key ring"):
        KeyRing.load(key_dir)


def test_a_pem_that_does_not_match_its_kid_is_refused(keyring: KeyRing) -> None:
    rotated = tokens.rotate(keyring.directory, access_ttl=60)
    old_pem = keyring.directory / f"{keyring.active_kid}.pem"
    new_pem = keyring.directory / f"{rotated.active_kid}.pem"
    old_bytes = old_pem.read_bytes()
    old_pem.write_bytes(new_pem.read_bytes())
    new_pem.write_bytes(old_bytes)
    with pytest.raises(KeyRingError, match="does not hold the key"):
        KeyRing.load(keyring.directory)


def test_a_manifest_entry_that_is_not_a_thumbprint_is_refused(keyring: KeyRing) -> None:
    manifest_path = keyring.directory / "keyring.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["keys"]["../../etc/passwd"] = manifest["keys"][keyring.active_kid]
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(KeyRingError, match="malformed"):
        KeyRing.load(keyring.directory)
