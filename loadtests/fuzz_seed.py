"""Real objects for the fuzzer's account, made through the public API before a run, so the
engine's operations that take an id reach their logic instead of answering 404 to random ids.

Two sets: `keep` fills every path id of the reading and changing operations; `spend` fills the
DELETE operations' ids with objects of their own, so a delete early in the run does not turn the
rest of it into 404s.
"""

from __future__ import annotations

import io
import itertools
import time
import zipfile
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np
import soundfile

# The path parameters of the engine's document, each filled from the seeded library.
ID_PARAMETERS = (
    "sample_id",
    "collection_id",
    "kit_id",
    "export_id",
    "job_id",
    "import_id",
    "upload_id",
)
# Ids in request bodies (a pad's sample, an export's kit, a sub-collection's parent, ...).
BODY_IDS = (
    ("sample_id", "sample_id"),
    ("sample_ids[*]", "sample_id"),
    ("kit_id", "kit_id"),
    ("collection_id", "collection_id"),
    ("parent_id", "collection_id"),
)
# How often an id is a seeded one rather than a generated one.
SEEDED_SHARE = 0.9


@dataclass(frozen=True)
class SeededIds:
    """Ids for the stateless phases: `keep` for every operation, `spend` for the deletes."""

    keep: dict[str, str]
    spend: dict[str, str]


# Each seeded tone a different pitch: the engine answers the same audio twice with a 409.
_PITCHES = itertools.count()


def wav_bytes(freq: float = 220.0, seconds: float = 0.5, rate: int = 44100) -> bytes:
    """A real half-second sine tone as 16-bit WAV."""
    t = np.arange(int(seconds * rate)) / rate
    buffer = io.BytesIO()
    soundfile.write(buffer, 0.4 * np.sin(2 * np.pi * freq * t), rate, format="WAV")
    return buffer.getvalue()


def _created(response: httpx.Response) -> dict[str, Any]:
    if response.status_code not in (200, 201, 202):
        raise RuntimeError(
            f"seeding {response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text[:300]}"
        )
    body: dict[str, Any] = response.json()
    return body


def _upload_when_a_slot_is_free(api: httpx.Client, label: str) -> httpx.Response:
    # A Free producer has one upload slot, and the previous set's batch import may still hold
    # it while the engine unpacks the archive: wait for it as the app tells a producer to.
    for _ in range(40):
        response = api.post(
            "/api/samples",
            files={"audio": (f"{label}.wav", wav_bytes(220.0 + next(_PITCHES)), "audio/wav")},
            data={"title": f"Fuzz {label}", "genre": "boom bap", "tags": "fuzz,seed"},
        )
        if response.status_code != 429:
            return response
        time.sleep(0.25)
    return response


def _library(api: httpx.Client, label: str) -> dict[str, str]:
    """A sample (and its analysis job), a collection holding it, a kit with it on a pad, an
    export of it, an open direct upload and a batch import: one id of each kind."""
    uploaded = _created(_upload_when_a_slot_is_free(api, label))
    sample_id = str(uploaded["sample_id"])
    collection = _created(api.post("/api/collections", json={"name": f"Fuzz {label}"}))
    collection_id = str(collection["id"])
    _created(
        api.post(f"/api/collections/{collection_id}/samples", json={"sample_ids": [sample_id]})
    )
    kit = _created(api.post("/api/kits", json={"name": f"Fuzz {label}"}))
    kit_id = str(kit["id"])
    _created(
        api.put(f"/api/kits/{kit_id}/pads", json={"bank": "A", "pad": 1, "sample_id": sample_id})
    )
    export = _created(api.post("/api/exports", json={"kind": "samples", "sample_ids": [sample_id]}))
    direct = _created(
        api.post(
            "/api/samples/uploads",
            json={"filename": f"{label}.wav", "size": 1024, "content_type": "audio/wav"},
        )
    )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(f"{label}/tone.wav", wav_bytes(330.5 + next(_PITCHES)))
    batch = _created(
        api.post(
            "/api/samples/batch",
            files={"archive": (f"{label}.zip", archive.getvalue(), "application/zip")},
        )
    )
    return {
        "sample_id": sample_id,
        "collection_id": collection_id,
        "kit_id": kit_id,
        "export_id": str(export["id"]),
        "job_id": str(uploaded["job_id"]),
        "import_id": str(batch["import_id"]),
        "upload_id": str(direct["upload_id"]),
    }


def seed_library(api: httpx.Client) -> SeededIds:
    """Seed through `api` (signed in, based at the gateway) and return the ids to fuzz with."""
    return SeededIds(keep=_library(api, "keep"), spend=_library(api, "spend"))


def fuzz_config_toml(ids: SeededIds) -> str:
    """A schemathesis.toml: the seeded ids fill ids in paths and bodies most of the time (random
    ones the rest, so the 404 and 422 paths stay fuzzed), `keep` everywhere and `spend` on
    DELETE; the job stream is cut after its first event."""
    lines: list[str] = []
    for label, chosen in (("keep", ids.keep), ("spend", ids.spend)):
        for name, value in sorted(chosen.items()):
            lines += [f"[dictionaries.{label}_{name}]", f'values = ["{value}"]', ""]
    lines += ["[parameters]", *_bindings("keep", ids.keep)]
    lines += [
        f'"body.{field}" = {{ dictionary = "keep_{name}", probability = {SEEDED_SHARE} }}'
        for field, name in BODY_IDS
    ]
    lines.append("")
    lines += ["[[operations]]", 'include-method = "DELETE"', "[operations.parameters]"]
    lines += [*_bindings("spend", ids.spend), ""]
    lines += ["[[operations]]", 'include-path = "/api/jobs/events"', "request-timeout = 3"]
    lines += ["max-stream-events = 1", ""]
    return "\n".join(lines)


def _bindings(label: str, chosen: dict[str, str]) -> list[str]:
    return [
        f'"path.{name}" = {{ dictionary = "{label}_{name}", probability = {SEEDED_SHARE} }}'
        for name in sorted(chosen)
    ]
