"""Every setting is one field of Settings, one `serve` option and one row of README's settings
table, and the defaults the option's help and the row state are the field's."""

import argparse
import re
from dataclasses import MISSING, fields
from pathlib import Path

import pytest

from partnergraph.server.cli import _parser
from partnergraph.server.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"
_ROW = re.compile(r"^\| `PARTNERGRAPH_(\w+)` \| (.*?) \| .* \|$", re.MULTILINE)
_FIELDS = {field.name: field.default for field in fields(Settings) if field.default is not MISSING}


def _serve_options() -> dict[str, argparse.Action]:
    commands = next(
        action for action in _parser()._actions if isinstance(action, argparse._SubParsersAction)
    )
    serve = commands.choices["serve"]
    return {
        option[2:]: action
        for action in serve._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    }


def _readme_rows() -> dict[str, str]:
    section = README.read_text().split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    return {name.lower(): default for name, default in _ROW.findall(section)}


def _states(text: str, default: object) -> bool:
    """Whether text (`8000`, `v23.0`, `10100`) states default."""
    if isinstance(default, int | float) and re.fullmatch(r"[0-9.]+", text):
        return float(text) == default
    return text == str(default)


def test_every_setting_has_a_serve_option_and_a_readme_row_and_nothing_else_does() -> None:
    assert set(_serve_options()) == {name.replace("_", "-") for name in _FIELDS}
    assert set(_readme_rows()) == set(_FIELDS)


@pytest.mark.parametrize("name", [name for name, default in _FIELDS.items() if default is not None])
def test_the_readme_row_states_the_default(name: str) -> None:
    stated = re.match(r"`([^`]*)`", _readme_rows()[name])
    assert stated is not None, _readme_rows()[name]
    assert _states(stated[1], _FIELDS[name]), (name, stated[1], _FIELDS[name])


def _help_defaults() -> list[tuple[str, str]]:
    """Each serve option whose help ends stating its setting's default, `(…, 8000)` or
    `(…, INFO)`: the setting and the default stated (a setting unset by default is left out)."""
    stated = []
    for option, action in _serve_options().items():
        found = re.search(r"\(([^()]*)\)$", action.help or "")
        value = found[1].split(";")[0].split(", ")[-1] if found else ""
        name = option.replace("-", "_")
        if value and not value.startswith("PARTNERGRAPH_") and _FIELDS[name] is not None:
            stated.append((name, value))
    return stated


@pytest.mark.parametrize(("name", "value"), _help_defaults())
def test_a_default_the_serve_help_states_is_the_settings(name: str, value: str) -> None:
    assert _states(value, _FIELDS[name]), (name, value, _FIELDS[name])
