"""Regenerate the CLI reference in README.md from the real parser (so it cannot drift)."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from sp404.cli.main import build_parser

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"(<!-- cli-help -->\n)(.*?)(<!-- /cli-help -->)", re.DOTALL)


def _subparsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found: list[argparse.ArgumentParser] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                found.append(child)
                found.extend(_subparsers(child))
    return found


def cli_reference() -> str:
    """Help text of `sp404` and every subcommand, as Markdown."""
    # argparse wraps to the terminal width; fix it so the text is the same everywhere.
    os.environ["COLUMNS"] = "100"
    parser = build_parser()
    parts = [parser.format_help()] + [p.format_help() for p in _subparsers(parser)]
    return "".join(f"```\n{text.strip()}\n```\n" for text in parts)


def render(readme: str) -> str:
    return BLOCK.sub(lambda m: m.group(1) + cli_reference() + m.group(3), readme)


if __name__ == "__main__":
    text = README.read_text()
    updated = render(text)
    if "--check" in sys.argv:
        sys.exit(0 if updated == text else 1)
    README.write_text(updated)
