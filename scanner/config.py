"""The configuration file (TOML). Paths in it are relative to the file itself.

Used by ``harava scan --config`` so far::

    [settings]
    key_file = "secrets/hash.key"          # the HMAC key for value_hash (see scanner.keys)
    recognizers = ["detectors/extra.yaml"]  # Presidio YAML recognizer files to load
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


class ConfigError(Exception):
    """The configuration file is missing or wrong; the message names the file and the key."""


@dataclass(frozen=True)
class Settings:
    key_file: Path | None = None
    recognizers: tuple[Path, ...] = ()


def load_settings(path: Path) -> Settings:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise ConfigError(f"{path}: [settings] must be a table")
    unknown = set(settings) - {"key_file", "recognizers"}
    if unknown:
        raise ConfigError(f"{path}: unknown key settings.{sorted(unknown)[0]}")
    base = path.parent
    key_file = settings.get("key_file")
    if key_file is not None and not isinstance(key_file, str):
        raise ConfigError(f"{path}: settings.key_file must be a string path")
    recognizers = settings.get("recognizers", [])
    if not isinstance(recognizers, list) or not all(isinstance(r, str) for r in recognizers):
        raise ConfigError(f"{path}: settings.recognizers must be a list of paths")
    return Settings(
        key_file=base / key_file if key_file else None,
        recognizers=tuple(base / r for r in recognizers),
    )
