"""Settings of the Qt apps: a TOML file, then the command line on top (the line wins).

Each app describes its settings as a frozen dataclass whose ``__post_init__`` checks them
and raises ``ConfigError``; ``load`` reads ``--config FILE`` and the parsed arguments into it.
"""

from __future__ import annotations

import argparse
import dataclasses
import pathlib
import tomllib
from typing import Any, TypeVar

T = TypeVar("T")


class ConfigError(Exception):
    """The configuration cannot start the app; the message says what to fix."""


def load(
    cls: type[T],
    args: argparse.Namespace,
    *,
    required: tuple[str, ...],
    text_fields: frozenset[str] = frozenset(),
) -> T:
    """``cls`` built from ``args.config`` (a TOML file, may be None) then the other arguments.

    ``text_fields`` may be written as numbers in the file (a PIN); they become strings.
    """
    values: dict[str, Any] = {}
    if args.config is not None:
        values.update(read_file(args.config, cls, text_fields=text_fields))
    for name, value in vars(args).items():
        if name != "config" and value is not None:
            values[name] = value
    missing = [name for name in required if not values.get(name)]
    if missing:
        raise ConfigError("missing: " + ", ".join("--" + name.replace("_", "-") for name in missing))
    try:
        return cls(**values)
    except TypeError as exc:  # a wrong type in the file
        raise ConfigError(str(exc)) from exc


def read_file(
    path: pathlib.Path, cls: type[Any], *, text_fields: frozenset[str] = frozenset()
) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    unknown = sorted(set(data) - {field.name for field in dataclasses.fields(cls)})
    if unknown:
        raise ConfigError(f"{path}: unknown settings {', '.join(unknown)}")
    for name, value in data.items():
        if name in text_fields and isinstance(value, int):
            data[name] = str(value)
        elif name.endswith("_seconds") and isinstance(value, int):
            data[name] = float(value)
    return data
