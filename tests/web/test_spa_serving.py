"""How the gateway serves the built web app next to the API."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest


def test_app_routes_get_the_app_shell_that_must_be_revalidated(web_url: str) -> None:
    for path in ("/", "/library", "/samples/3f0c1e2a-0000-4000-8000-000000000000", "/verify-email"):
        response = httpx.get(f"{web_url}{path}?token=abc")
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert '<div id="root">' in response.text
        assert response.headers["cache-control"] == "no-cache"


def test_hashed_assets_are_cached_for_a_year(web_url: str, web_dist: Path) -> None:
    # The entry script and the pages loaded on demand are all content-hashed files.
    scripts = sorted((web_dist / "assets").glob("*.js"))
    assert any(script.name.startswith("index-") for script in scripts)
    for script in scripts:
        response = httpx.get(f"{web_url}/assets/{script.name}")
        assert response.status_code == 200
        assert "javascript" in response.headers["content-type"]
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_a_missing_asset_is_a_404_not_the_app_shell(web_url: str) -> None:
    response = httpx.get(f"{web_url}/assets/index-gone.js")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "path", ["/api/nothing-here", "/api/samples", "/.well-known/nothing", "/blobs/x", "/api"]
)
def test_api_paths_never_fall_back_to_the_app(web_url: str, path: str) -> None:
    response = httpx.get(f"{web_url}{path}")
    assert response.status_code in (401, 403, 404)
    assert response.headers["content-type"].startswith("application/json")


def test_the_app_is_served_under_the_strict_csp_without_inline_scripts(
    web_url: str, web_dist: Path
) -> None:
    response = httpx.get(f"{web_url}/library")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "<script>" not in (web_dist / "index.html").read_text()


def test_files_outside_the_build_cannot_be_reached(web_url: str) -> None:
    response = httpx.get(f"{web_url}/..%2F..%2Fpyproject.toml")
    assert "[project]" not in response.text


def test_other_methods_on_app_paths_are_not_answered_with_the_app(web_url: str) -> None:
    response = httpx.post(f"{web_url}/library")
    assert response.status_code == 404


def test_text_files_go_out_gzipped_to_clients_that_accept_it(web_url: str, web_dist: Path) -> None:
    [entry] = (web_dist / "assets").glob("index-*.js")
    zipped = httpx.get(f"{web_url}/assets/{entry.name}", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < entry.stat().st_size / 2
    assert zipped.content == entry.read_bytes()  # httpx decodes it
    assert "javascript" in zipped.headers["content-type"]
    plain = httpx.get(f"{web_url}/assets/{entry.name}", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == entry.read_bytes()
    page = httpx.get(f"{web_url}/library", headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    assert page.headers["cache-control"] == "no-cache"
    assert '<div id="root">' in page.text
