"""Each process loads only its sections of the settings: the gateway never holds a Stripe, S3 or
SMTP secret, the engine no Stripe or SMTP one, even when the environment carries them all."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from pydantic import SecretStr
from pydantic_settings import BaseSettings

from gateway.config import GatewaySettings
from sp404.cli.serve_commands import SERVICES
from sp404.core.settings import (
    SECTIONS,
    SERVICE_SETTINGS,
    AddressesSection,
    CoreSection,
    MailSection,
    MigrationSection,
    ObservabilitySection,
    Settings,
    StorageSection,
    StripeSection,
    TokensSection,
    UploadsSection,
    VibeSection,
    WorkerSection,
)

SERVICE_SECTIONS = [
    ("gateway", {CoreSection, TokensSection, AddressesSection, ObservabilitySection}),
    (
        "platform",
        {
            CoreSection,
            TokensSection,
            AddressesSection,
            ObservabilitySection,
            StorageSection,
            MailSection,
            StripeSection,
        },
    ),
    (
        "engine",
        {
            CoreSection,
            TokensSection,
            AddressesSection,
            ObservabilitySection,
            StorageSection,
            UploadsSection,
        },
    ),
    ("worker", {CoreSection, ObservabilitySection, StorageSection, VibeSection, WorkerSection}),
]

# Every secret a process could be handed, by the section that owns it.
SECRETS = {
    "SP404_STRIPE_SECRET_KEY": StripeSection,
    "SP404_STRIPE_WEBHOOK_SECRET": StripeSection,
    "SP404_S3_ACCESS_KEY_ID": StorageSection,
    "SP404_S3_SECRET_ACCESS_KEY": StorageSection,
    "SP404_BLOB_SIGNING_SECRET": StorageSection,
    "SP404_SMTP_PASSWORD": MailSection,
    "SP404_OPENROUTER_API_KEY": VibeSection,
    "SP404_DATABASE_OWNER_URL": MigrationSection,
    "SP404_DATABASE_AUDITOR_URL": MigrationSection,
    "SP404_GATEWAY_SECRETS": TokensSection,
    "SP404_SENTRY_DSN": ObservabilitySection,
}


def marker(name: str) -> str:
    return f"secret-of-{name.lower()}-0123456789"


@pytest.fixture
def every_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The environment of a careless deployment: every secret given to every process."""
    monkeypatch.setenv("SP404_VAR_DIR", str(tmp_path))
    for name in SECRETS:
        value = marker(name)
        monkeypatch.setenv(name, f'["{value}"]' if name == "SP404_GATEWAY_SECRETS" else value)


def revealed(settings: BaseSettings) -> str:
    """Every value the object holds, secrets in clear."""
    values = []
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        items = value if isinstance(value, list) else [value]
        values += [v.get_secret_value() if isinstance(v, SecretStr) else str(v) for v in items]
    return "\n".join(values)


@pytest.mark.parametrize(("service", "sections"), SERVICE_SECTIONS)
def test_each_process_composes_exactly_its_sections(
    service: str, sections: set[type[CoreSection]]
) -> None:
    composed = SERVICE_SETTINGS[service]
    assert {section for section in SECTIONS if issubclass(composed, section)} == sections


@pytest.mark.parametrize(("service", "sections"), SERVICE_SECTIONS)
@pytest.mark.usefixtures("every_secret")
def test_a_process_loads_only_the_secrets_of_its_sections(
    service: str, sections: set[type[CoreSection]]
) -> None:
    loaded = SERVICE_SETTINGS[service](_env_file=None)  # type: ignore[call-arg]
    text = revealed(loaded)
    held = {name for name in SECRETS if marker(name) in text}
    assert held == {name for name, owner in SECRETS.items() if owner in sections}


@pytest.mark.usefixtures("every_secret")
def test_the_gateway_has_no_field_or_attribute_for_stripe_s3_or_smtp() -> None:
    loaded = SERVICE_SETTINGS["gateway"](_env_file=None)  # type: ignore[call-arg]
    gateway = GatewaySettings(_env_file=None)  # type: ignore[call-arg]
    for obj in (loaded, gateway):
        names = set(type(obj).model_fields) | set(dir(obj))
        assert not {n for n in names if n.startswith(("stripe", "s3_", "smtp", "blob", "mail"))}
        assert "secret-of-sp404_stripe" not in revealed(obj)
        assert "secret-of-sp404_s3" not in revealed(obj)


@pytest.mark.usefixtures("every_secret")
def test_the_full_settings_for_admin_commands_and_tests_hold_every_section() -> None:
    loaded = Settings(_env_file=None)  # type: ignore[call-arg]
    assert all(isinstance(loaded, section) for section in SECTIONS)
    assert all(marker(name) in revealed(loaded) for name in SECRETS)


def test_no_two_sections_declare_the_same_variable() -> None:
    seen: dict[str, type[CoreSection]] = {}
    for section in SECTIONS:
        inherited = CoreSection.model_fields if section is not CoreSection else {}
        for name in section.model_fields.keys() - inherited.keys():
            assert name not in seen, (name, section, seen.get(name))
            seen[name] = section
    assert seen.keys() == Settings.model_fields.keys()


@pytest.mark.parametrize("service", sorted(SERVICES))
@pytest.mark.usefixtures("every_secret")
def test_each_service_app_builds_only_its_own_sections(service: str) -> None:
    module, name = SERVICES[service][0].split(":")
    app = getattr(importlib.import_module(module), name)()
    assert type(app.state.settings) is SERVICE_SETTINGS[service]
    assert "secret-of-sp404_stripe" not in revealed(app.state.settings) or service == "platform"
