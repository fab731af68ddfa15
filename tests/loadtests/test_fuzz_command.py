"""The schemathesis command line the fuzz run uses."""

from __future__ import annotations

import re
from pathlib import Path

from loadtests.fuzz import SESSION_ENDERS, fuzz_command, parameters_config


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


def test_a_real_sample_fills_the_sample_id_of_every_route(tmp_path: Path) -> None:
    config = parameters_config(tmp_path / "schemathesis.toml", "1234")
    command = fuzz_command("u", tmp_path, max_examples=1, exclude=None, config=config)
    assert command[1:3] == ["--config-file", str(config)]
    assert config.read_text() == '[parameters]\nsample_id = "1234"\n'
