"""Each table has one owning package that writes it; other packages call the owner.

The services' SQL is in the named queries (`*.sql` beside the code) and a few module constants,
so scanning both for INSERT, UPDATE and DELETE finds every writer. A table written from a second
package is either a mistake (move the statement into the owner and call it) or listed in SHARED
with the reason.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WRITE = re.compile(r"(?i)\b(?:insert\s+into|update|delete\s+from)\s+app\.([a-z_]+)")

OWNERS = {
    "api_usage": "analysis_engine.analysis",
    "audit_log": "sp404.core",
    "audio_features": "analysis_engine.analysis",
    "collection_samples": "analysis_engine.collections",
    "collections": "analysis_engine.collections",
    "email_outbox": "sp404.accounts",
    "email_tokens": "sp404.accounts",
    "exports": "analysis_engine.exports",
    "invoices": "sp404.billing",
    "kit_pads": "analysis_engine.kits",
    "kits": "analysis_engine.kits",
    "personal_access_tokens": "sp404.accounts",
    "processing_jobs": "sp404.jobs",
    "refresh_token_families": "sp404.accounts",
    "refresh_tokens": "sp404.accounts",
    "sample_imports": "analysis_engine.imports",
    "samples": "analysis_engine.samples",
    "subscriptions": "sp404.billing",
    "upload_reservations": "sp404.billing",
    "usage_counters": "sp404.billing",
    "user_preferences": "sp404.accounts",
    "users": "sp404.accounts",
    "vibe_analyses": "analysis_engine.analysis",
}

# (table, second writer) -> why it writes there.
SHARED = {
    ("subscriptions", "sp404.accounts"): (
        "sign-up creates the Free subscription in the same statement as the account; accounts "
        "sits below billing and cannot call it, and billing owns every later write"
    ),
    ("usage_counters", "sp404.accounts"): (
        "sign-up creates the account's empty counter row in the same statement as the account"
    ),
    ("exports", "sp404.accounts"): (
        "the GDPR data export is an `exports` row of kind 'data_export', written only by "
        "accounts; the engine writes only the sampler kinds"
    ),
    ("samples", "analysis_engine.analysis"): (
        "the analysis worker moves a sample through processing, deferred, analysed and failed "
        "in the same transaction as the job and the features it stores"
    ),
    ("samples", "analysis_engine.imports"): (
        "a migrated sample's BPM and key from the old app, or a device pad's tempo, become its "
        "starting values right after the upload path created it"
    ),
}


def package_of(source: Path) -> str:
    rel = source.relative_to(REPO).parts
    if rel[0] == "platform":
        return f"sp404.{rel[2]}"
    return f"{rel[0]}.{rel[1]}" if len(rel) > 2 else rel[0]


def writers() -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for root in ("platform/sp404", "analysis_engine", "gateway"):
        for source in (REPO / root).rglob("*"):
            if source.suffix in (".sql", ".py"):
                for match in WRITE.finditer(source.read_text()):
                    found[match.group(1)].add(package_of(source))
    return found


def test_every_written_table_has_an_owner() -> None:
    assert sorted(set(writers()) - set(OWNERS)) == []


def test_only_the_owner_writes_a_table() -> None:
    strays = [
        f"{table} is written by {package} (owner: {OWNERS[table]})"
        for table, packages in sorted(writers().items())
        for package in sorted(packages)
        if package != OWNERS.get(table) and (table, package) not in SHARED
    ]
    assert strays == []


def test_the_shared_list_has_no_stale_entries() -> None:
    found = writers()
    stale = [pair for pair in SHARED if pair[1] not in found.get(pair[0], set())]
    assert stale == []


def test_the_owners_named_are_the_packages_that_write() -> None:
    found = writers()
    idle = [table for table, owner in OWNERS.items() if owner not in found.get(table, set())]
    assert idle == []
