"""Waveform peaks with a sample: null until analysed, drawn for older analyses by
`sp404 admin backfill-waveforms`, and merged down to the columns a list asks for; library and
search pages (written by orjson, not pydantic) answer exactly as their models state."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import asyncpg
import httpx

from analysis_engine.samples.schemas import SamplePage
from analysis_engine.search.schemas import TextMatchPage
from sp404.core.db import tenant_tx
from sp404.core.settings import Settings
from tests.analysis_engine.samples.conftest import upload
from tests.services.conftest import service_env


async def _analysed(
    settings: Settings, user_id: str, sample_id: str, waveform: bytes | None = None
) -> None:
    """Features as an engine left them: without a waveform (before waveforms were drawn) or
    with the stored peaks given."""
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=1)
    try:
        async with tenant_tx(pool, user_id) as conn:
            await conn.execute(
                "insert into app.audio_features (user_id, sample_id, features, embedding,"
                " engine_version, waveform) values ($1::uuid, $2::uuid, $3::jsonb, $4, '1', $5)",
                user_id,
                sample_id,
                json.dumps({"duration_s": 0.5}),
                [0.0] * 64,
                waveform,
            )
            await conn.execute(
                "update app.samples set status = 'ready' where id = $1::uuid", sample_id
            )
    finally:
        await pool.close()


def test_a_sample_has_no_waveform_until_analysed(producer_client: httpx.Client) -> None:
    sample_id = upload(producer_client, "Fresh")
    assert producer_client.get(f"/api/samples/{sample_id}").json()["waveform"] is None
    [row] = producer_client.get("/api/samples").json()["samples"]
    assert row["waveform"] is None


def test_the_backfill_draws_older_analyses_and_lists_merge_columns(
    producer_client: httpx.Client, migrated_db: Settings, account
) -> None:  # type: ignore[no-untyped-def]
    sample_id = upload(producer_client, "Old Tone")
    asyncio.run(_analysed(migrated_db, account.user_id, sample_id))
    assert producer_client.get(f"/api/samples/{sample_id}").json()["waveform"] is None
    env = service_env(migrated_db, SP404_DATABASE_AUDITOR_URL=migrated_db.database_auditor_url)
    # This producer's library: other tests' seeded rows (features without files) are not ours.
    command = [
        *[sys.executable, "-m", "sp404.cli.main", "admin", "backfill-waveforms"],
        *["--user", account.user_id],
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "waveforms written:" in done.stdout
    waveform = producer_client.get(f"/api/samples/{sample_id}").json()["waveform"]
    # 0.5 s of a 0.4-amplitude tone: 1,000 columns of 22 frames, within +-0.4 * 127.
    assert waveform["columns"] == len(waveform["peaks"]) == 1000
    assert all(-51 <= low <= high <= 51 for low, high in waveform["peaks"])
    assert min(low for low, _ in waveform["peaks"]) == -51
    assert max(high for _, high in waveform["peaks"]) == 51
    page = producer_client.get("/api/samples", params={"waveform_columns": 50}).json()
    assert page["samples"][0]["waveform"]["columns"] == 50
    assert page["samples"][0]["waveform"]["peaks"][0] == [-51, 51]
    # Run again: nothing left to draw.
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert (again.returncode, again.stdout.strip()) == (0, "waveforms written: 0")


def test_library_and_search_pages_answer_exactly_as_their_models_state(
    producer_client: httpx.Client, migrated_db: Settings, account
) -> None:  # type: ignore[no-untyped-def]
    sample_id = upload(producer_client, "Dusty Chord")
    # Four stored columns: (-10, 20) (-30, 5) (0, 127) (-127, 0).
    stored = bytes([246, 20, 226, 5, 0, 127, 129, 0])
    asyncio.run(_analysed(migrated_db, account.user_id, sample_id, stored))
    pages = {
        SamplePage: producer_client.get("/api/samples", params={"waveform_columns": 2}),
        TextMatchPage: producer_client.get(
            "/api/search", params={"q": "dusty", "waveform_columns": 2}
        ),
    }
    for model, response in pages.items():
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        # extra="forbid": a key beyond the model's fields fails here; and what pydantic would
        # have written from the same values is exactly what was sent.
        typed = model.model_validate_json(response.content)
        assert json.loads(typed.model_dump_json()) == response.json()
    [row] = pages[SamplePage].json()["samples"]
    [match] = pages[TextMatchPage].json()["results"]
    for answer in (row, match):
        assert answer["id"] == sample_id
        assert answer["waveform"] == {"columns": 2, "peaks": [[-30, 20], [-127, 127]]}
