"""Who the client is, when a known number of our own proxies stand in front of us.

Each proxy appends the address it received the connection from to X-Forwarded-For, so with N
trusted hops the client is the N-th address from the right of (the chain + the peer). Anything to
the left of that was written by the client and is never believed: a client that sends
`X-Forwarded-For: 1.2.3.4` through one trusted load balancer arrives as `1.2.3.4, <client>` and is
still `<client>`. With no trusted hops (the default) the peer is the client.
"""

from __future__ import annotations


def resolve_client_address(peer: str, forwarded_for: str | None, trusted_hops: int) -> str:
    """The client's address, given the TCP peer, its X-Forwarded-For and our proxies' count."""
    if trusted_hops <= 0 or not forwarded_for:
        return peer
    seen = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()] + [peer]
    if len(seen) <= trusted_hops:
        # Fewer entries than proxies: a proxy is missing or misconfigured; believe none of them.
        return peer
    return seen[-1 - trusted_hops]
