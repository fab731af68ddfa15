"""The deployment files stay true to the code: .env.example generated from the settings, each
service given only its sections' variables, every service checked for health, every alert
well-formed and about metrics that exist."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from gateway.config import GatewaySettings
from gateway.metrics import GatewayMetrics
from scripts.generate_env_example import render
from sp404.core.settings import (
    REPO_ROOT,
    SECTIONS,
    SERVICE_SETTINGS,
    MigrationSection,
    TokensSection,
)
from sp404.observability import JobMetrics, ServiceMetrics

ENV_EXAMPLE = REPO_ROOT / ".env.example"
COMPOSE = REPO_ROOT / "compose.yaml"
CONTAINERFILE = REPO_ROOT / "Containerfile"
ALERTS = REPO_ROOT / "ops" / "prometheus" / "alerts.yml"
PROMETHEUS = REPO_ROOT / "ops" / "prometheus" / "prometheus.yml"
# Read by compose and the database init script only, not by the Python settings.
COMPOSE_ONLY = {
    "SP404_DB_MIGRATOR_PASSWORD",
    "SP404_DB_APP_PASSWORD",
    "SP404_DB_AUDITOR_PASSWORD",
    "SP404_GATEWAY_SECRET",
}
# One-shot jobs run to completion; every other service must report its health.
ONE_SHOT = {"migrate", "keys", "minio-setup"}
# The settings sections each of our containers reads.
SECTIONS_OF: dict[str, tuple[type[BaseSettings], ...]] = {
    **{name: (settings,) for name, settings in SERVICE_SETTINGS.items()},
    "gateway": (SERVICE_SETTINGS["gateway"], GatewaySettings),
    "migrate": (MigrationSection,),
    "keys": (TokensSection,),
}


def env_names(settings: type[BaseSettings]) -> set[str]:
    prefix = str(settings.model_config.get("env_prefix", ""))
    return {f"{prefix}{name}".upper() for name in settings.model_fields}


def every_setting() -> set[str]:
    return set().union(*map(env_names, SECTIONS)) | env_names(GatewaySettings)


def documented() -> set[str]:
    """Names set or shown (commented out) as `NAME=` at the start of a line of .env.example."""
    return set(re.findall(r"^#? ?(SP404_[A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE))


def test_env_example_is_generated_from_the_settings() -> None:
    assert ENV_EXAMPLE.read_text() == render(), "run: python -m scripts.generate_env_example"


def test_env_example_names_every_setting_of_every_service() -> None:
    assert every_setting() - documented() == set()


def test_env_example_names_no_setting_the_code_does_not_have() -> None:
    assert documented() - every_setting() - COMPOSE_ONLY == set()


def test_env_example_holds_placeholders_not_secrets() -> None:
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.startswith("#") or "=" not in line:
            continue
        name, value = line.split("=", 1)
        if re.search(r"PASSWORD|SECRET|ACCESS_KEY", name):
            assert value.startswith("change-me"), name


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def test_compose_runs_every_part_of_the_stack(compose: dict[str, Any]) -> None:
    services = set(compose["services"])
    expected = {"postgres", "redis", "minio", "mailpit", "migrate", "gateway", "platform"}
    assert expected | {"engine", "worker"} <= services
    assert compose["services"]["postgres"]["image"].split(":")[-1].split("-")[0] >= "15"
    assert compose["services"]["redis"]["image"].split(":")[-1].startswith("7")
    assert compose["services"]["migrate"]["command"] == ["sp404", "db", "migrate"]


def test_every_long_running_service_has_a_health_check_and_waits_for_healthy_dependencies(
    compose: dict[str, Any],
) -> None:
    for name, service in compose["services"].items():
        if name not in ONE_SHOT:
            assert "test" in service.get("healthcheck", {}), name
        for dependency, rule in service.get("depends_on", {}).items():
            wanted = (
                "service_completed_successfully" if dependency in ONE_SHOT else "service_healthy"
            )
            assert rule == {"condition": wanted}, (name, dependency)


def test_the_application_services_check_readyz(compose: dict[str, Any]) -> None:
    for name in ("gateway", "platform", "engine"):
        assert "/readyz" in " ".join(compose["services"][name]["healthcheck"]["test"]), name


def test_compose_gives_each_service_only_the_variables_of_its_sections(
    compose: dict[str, Any],
) -> None:
    for name, sections in SECTIONS_OF.items():
        given = set(compose["services"][name].get("environment") or {}) - {"SERVICE"}
        readable = set().union(*map(env_names, sections))
        assert given - readable == set(), name
    gateway = set(compose["services"]["gateway"]["environment"])
    assert not {n for n in gateway if re.search("STRIPE|S3|SMTP|OPENROUTER|OWNER|AUDITOR", n)}


def test_compose_takes_every_secret_from_the_environment(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            text = "" if value is None else str(value)
            if re.search(r"PASSWORD|SECRET|_KEY(_ID)?$|DSN|DATABASE_(OWNER_)?URL", key) and text:
                assert "${" in text, (name, key)
            assert not re.search(r"://[^:/@]+:[^$@]+@", text), (name, key)


def test_compose_builds_only_targets_the_containerfile_has(compose: dict[str, Any]) -> None:
    targets = set(re.findall(r"^FROM \S+ AS (\S+)$", CONTAINERFILE.read_text(), re.MULTILINE))
    assert {"api", "worker"} <= targets
    for name, service in compose["services"].items():
        if "build" in service:
            assert service["build"]["target"] in targets, name


def stages() -> dict[str, str]:
    """Containerfile stage name -> its instructions."""
    parts = re.split(r"^FROM ", CONTAINERFILE.read_text(), flags=re.MULTILINE)[1:]
    return {part.split("\n", 1)[0].split(" AS ")[-1]: part for part in parts}


def test_both_images_run_as_a_non_root_user_without_secrets() -> None:
    for target in ("api", "worker"):
        users = re.findall(r"^USER (\S+)$", stages()[target], re.MULTILINE)
        assert users and users[-1] not in ("root", "0"), target
    text = CONTAINERFILE.read_text()
    assert ".env" not in re.findall(r"^COPY .*$", text, re.MULTILINE)
    assert not re.search(r"^(ENV|ARG) .*(PASSWORD|SECRET)", text, re.MULTILINE)


def test_only_the_worker_image_gets_torch() -> None:
    api_chain = stages()["api"] + stages()["runtime"] + stages()["deps"]
    instructions = [line for line in api_chain.splitlines() if not line.startswith("#")]
    assert not [line for line in instructions if re.search(r"torch|\[.worker.\]", line)]
    assert "--from=worker-deps" in stages()["worker"]


def exported_metric_names() -> set[str]:
    """Every series name our registries can expose (with histogram and counter suffixes)."""
    gateway = GatewayMetrics()
    gateway.watch([], lambda: 0, lambda: 0)
    pages = [
        ServiceMetrics("engine", lambda: None, with_queue=True).render(),
        JobMetrics().render(),
        gateway.render(),
    ]
    names: set[str] = {"up"}
    for page in pages:
        for name, kind in re.findall(r"^# TYPE (\S+) (\S+)$", page.decode(), re.MULTILINE):
            names.add(name)
            if kind == "counter":
                names.add(f"{name}_total")
            if kind == "histogram":
                names |= {f"{name}_bucket", f"{name}_count", f"{name}_sum"}
    return names


@pytest.fixture(scope="module")
def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def test_every_alert_rule_has_an_expression_a_duration_labels_and_annotations(
    alert_rules: list[dict[str, Any]],
) -> None:
    assert alert_rules
    for rule in alert_rules:
        assert set(rule) == {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert re.fullmatch(r"\d+[smh]", rule["for"]), rule["alert"]
        assert rule["labels"]["severity"] in {"page", "ticket", "info"}, rule["alert"]
        assert {"summary", "description"} <= set(rule["annotations"]), rule["alert"]
        assert rule["expr"].count("(") == rule["expr"].count(")"), rule["alert"]


def test_alerts_cover_the_failures_operators_must_hear_about(
    alert_rules: list[dict[str, Any]],
) -> None:
    names = {rule["alert"] for rule in alert_rules}
    assert {
        "HighErrorRate",
        "HighLatencyP95",
        "QueueAgeHigh",
        "DeadJobs",
        "StripeWebhookFailures",
        "BreakerOpen",
        "RedisDown",
    } <= names


def test_alerts_only_use_metrics_the_services_export(alert_rules: list[dict[str, Any]]) -> None:
    known = exported_metric_names()
    for rule in alert_rules:
        used = set(re.findall(r"\b((?:sp404|gateway)_[a-z0-9_]+|up)\b", rule["expr"]))
        assert used - known == set(), rule["alert"]


def test_prometheus_scrapes_every_service_and_loads_the_alerts() -> None:
    config = yaml.safe_load(PROMETHEUS.read_text())
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]
    jobs = {job["job_name"] for job in config["scrape_configs"]}
    assert jobs == {"gateway", "platform", "engine", "worker"}
