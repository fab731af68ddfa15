"""The schemathesis command line the fuzz run uses."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from loadtests.fuzz import SESSION_ENDERS, fuzz_command
from loadtests.fuzz_seed import ID_PARAMETERS, SeededIds, fuzz_config_toml


def test_the_fuzz_run_is_bounded_and_checks_for_server_errors_and_schema_mismatches(
    tmp_path: Path,
) -> None:
    command = fuzz_command(
        "http://127.0.0.1:1/openapi.json", tmp_path, max_examples=7, exclude=None
    )
    assert command[command.index("--max-examples") + 1] == "7"
    assert command[command.index("--checks") + 1] == (
        "not_a_server_error,response_schema_conformance"
    )
    assert "--exclude-path-regex" not in command
    # One seed replays the same inputs; another explores others.
    assert command[command.index("--seed") + 1] == "404"
    other = fuzz_command("u", tmp_path, max_examples=1, exclude=None, seed=7)
    assert other[other.index("--seed") + 1] == "7"


def test_operations_that_end_the_fuzzers_session_are_left_out_with_one_pattern(
    tmp_path: Path,
) -> None:
    command = fuzz_command("u", tmp_path, max_examples=1, exclude=SESSION_ENDERS)
    assert command.count("--exclude-path-regex") == 1
    pattern = re.compile(SESSION_ENDERS)
    for path in ("/api/auth/logout", "/api/account", "/api/account/password",
                 "/api/auth/sessions/revoke-others"):  # fmt: skip
        assert pattern.match(path)
    for path in ("/api/account/profile", "/api/auth/login", "/api/auth/sessions"):
        assert not pattern.match(path)


def test_the_run_goes_through_the_gateway_within_its_time_and_ends_with_the_stateful_phase(
    tmp_path: Path,
) -> None:
    command = fuzz_command(
        "engine.json", tmp_path, max_examples=1, exclude=None, base_url="http://gw", max_time_s=50
    )
    assert command[command.index("--url") + 1] == "http://gw"
    assert command[command.index("--max-time") + 1] == "50"
    assert command[command.index("--phases") + 1].split(",")[-1] == "stateful"


def test_seeded_ids_fill_paths_and_bodies_and_deletes_spend_their_own() -> None:
    keep = {name: f"keep-{name}" for name in ID_PARAMETERS}
    spend = {name: f"spend-{name}" for name in ID_PARAMETERS}
    config = tomllib.loads(fuzz_config_toml(SeededIds(keep=keep, spend=spend)))
    assert config["dictionaries"]["keep_sample_id"]["values"] == ["keep-sample_id"]
    assert config["parameters"]["path.kit_id"]["dictionary"] == "keep_kit_id"
    assert config["parameters"]["body.sample_ids[*]"]["dictionary"] == "keep_sample_id"
    [deletes, stream] = config["operations"]
    assert deletes["include-method"] == "DELETE"
    assert deletes["parameters"]["path.sample_id"]["dictionary"] == "spend_sample_id"
    assert stream["max-stream-events"] == 1
