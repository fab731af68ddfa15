"""Microseconds per access-token verification: cold vs cached, with and without Redis revocation.

Usage: python benchmarks/bench_token_verify.py [--redis redis://127.0.0.1:6379/15] [--n 5000]

The baseline is a bare PyJWT decode of the same token, measured in the same run, so the ratios
hold across machines. Targets: cold <= 150 us, cached <= 10 us (without the Redis round trip).
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platform"))

import jwt

from sp404 import tokens

ISSUER = "https://platform.sp404.bench"
AUDIENCE = "sp404-api"
REPEATS = 5


async def per_call_us(call: Callable[[], Awaitable[object]], n: int) -> float:
    """Median over REPEATS runs of the mean microseconds per call."""
    for _ in range(min(n, 200)):  # warm-up: imports, caches, pooled connections
        await call()
    runs = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(n):
            await call()
        runs.append((time.perf_counter() - start) / n * 1e6)
    return statistics.median(runs)


async def main(redis_url: str, n: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        keyring = tokens.generate(Path(directory) / "keys")
        token, _ = tokens.issue_access_token(
            keyring,
            user_id=str(uuid.uuid4()),
            email="bench@example.com",
            tier="pro",
            verified=True,
            issuer=ISSUER,
            audience=AUDIENCE,
        )
        public_key = keyring.active.public_key
        keys = tokens.JwksCache.from_keyring(keyring)
        store = tokens.RevocationStore.from_url(redis_url, key_prefix=f"sp404bench:{uuid.uuid4()}:")

        def verifier(cache_size: int, revocation: bool) -> tokens.AccessTokenVerifier:
            return tokens.AccessTokenVerifier(
                keys,
                issuer=ISSUER,
                audience=AUDIENCE,
                cache_size=cache_size,
                revocation=store if revocation else None,
            )

        async def pyjwt_decode() -> object:
            return jwt.decode(
                token,
                public_key,
                algorithms=["RS256"],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["iss", "aud", "sub", "jti", "iat", "exp"]},
            )

        cold, cached = verifier(0, False), verifier(10_000, False)
        cold_revocable, cached_revocable = verifier(0, True), verifier(10_000, True)
        claims = await cold.verify(token)
        results = {
            "pyjwt decode (baseline)": await per_call_us(pyjwt_decode, n),
            "cold (cache off)": await per_call_us(lambda: cold.verify(token), n),
            "cached": await per_call_us(lambda: cached.verify(token), n * 20),
            "redis check alone": await per_call_us(lambda: store.check(claims), n),
            "cold + redis revocation": await per_call_us(lambda: cold_revocable.verify(token), n),
            "cached + redis revocation": await per_call_us(
                lambda: cached_revocable.verify(token), n
            ),
        }
        await store.aclose()
        await keys.aclose()

    for name, us in results.items():
        print(f"{name:28s} {us:9.2f} us/verify")
    base, cold_us, cached_us = (
        results["pyjwt decode (baseline)"],
        results["cold (cache off)"],
        results["cached"],
    )
    print(f"{'cold / pyjwt':28s} {cold_us / base:9.2f}x")
    print(f"{'cached / pyjwt':28s} {cached_us / base:9.3f}x")
    print(f"{'cold / cached (speed-up)':28s} {cold_us / cached_us:9.1f}x")
    print(
        f"targets: cold <= 150 us: {'ok' if cold_us <= 150 else 'MISSED'}; "
        f"cached <= 10 us: {'ok' if cached_us <= 10 else 'MISSED'}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--n", type=int, default=5000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.redis, arguments.n))
