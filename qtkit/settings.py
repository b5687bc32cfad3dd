"""Settings of the Qt apps: a TOML file, then the command line on top (the line wins).

Each app describes its settings as a frozen dataclass whose ``__post_init__`` checks them
and raises ``ConfigError``; ``load`` reads ``--config FILE`` and the parsed arguments into it.

Secrets (a device's key) are never taken from the command line, which every account on the
machine can read (``ps``, /proc/PID/cmdline): they come from the file (mode 600) or from the
environment, and the file is checked to be readable by its owner alone.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import pathlib
import sys
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

# The device key of a kiosk or a board, when it is not in the settings file.
DEVICE_KEY_VARIABLE = "QMS_DEVICE_KEY"
DEVICE_KEY = {"device_key": DEVICE_KEY_VARIABLE}


class ConfigError(Exception):
    """The configuration cannot start the app; the message says what to fix."""


def load(
    cls: type[T],
    args: argparse.Namespace,
    *,
    required: tuple[str, ...],
    text_fields: frozenset[str] = frozenset(),
    secrets: Mapping[str, str] | None = None,
) -> T:
    """``cls`` built from ``args.config`` (a TOML file, may be None), then the environment for
    ``secrets`` (field -> variable), then the other arguments.

    ``text_fields`` may be written as numbers in the file (a PIN); they become strings.
    """
    secrets = secrets or {}
    values: dict[str, Any] = {}
    if args.config is not None:
        values.update(read_file(args.config, cls, text_fields=text_fields))
        _warn_if_others_read(args.config, [name for name in secrets if name in values])
    for name, variable in secrets.items():
        if os.environ.get(variable):
            values[name] = os.environ[variable]
    for name, value in vars(args).items():
        if name != "config" and value is not None:
            values[name] = value
    missing = [name for name in required if not values.get(name)]
    if missing:
        raise ConfigError("missing: " + ", ".join(_where(name, secrets) for name in missing))
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


def _where(name: str, secrets: Mapping[str, str]) -> str:
    if name in secrets:
        return f"{name} (in the --config file, or the environment variable {secrets[name]})"
    return "--" + name.replace("_", "-")


def _warn_if_others_read(path: pathlib.Path, secrets: Sequence[str]) -> None:
    """A warning, not a refusal: the app still starts (a kiosk that refuses to start leaves a
    hall without tickets), and the log tells the administrator what to fix."""
    if not secrets or os.name == "nt":  # Windows: the folder's access list decides, not mode bits
        return
    if path.stat().st_mode & 0o077:
        print(
            f"Cảnh báo: tệp cấu hình {path} chứa {', '.join(secrets)} (khóa bí mật) nhưng tài khoản "
            f"khác trên máy cũng đọc được. Hãy chạy: chmod 600 {path}",
            file=sys.stderr,
        )


class _Refused(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        raise ConfigError(
            "--device-key không còn được dùng: trên dòng lệnh, mọi tài khoản trên máy đều đọc được "
            'khóa. Hãy ghi device_key = "…" vào tệp cấu hình (--config, chmod 600) hoặc đặt biến '
            f"môi trường {DEVICE_KEY_VARIABLE}."
        )


def refuse_device_key_option(parser: argparse.ArgumentParser) -> None:
    """``--device-key`` (given by older start-up scripts) stops the app and says where the key
    goes now, instead of argparse's bare "unrecognized arguments"."""
    parser.add_argument("--device-key", action=_Refused, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
