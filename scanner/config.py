"""The configuration file (TOML), as ``harava check`` and ``harava scan --config`` read it.

Paths are relative to the file itself. Every error names the file, the key and, where it can be
found, the line::

    [settings]
    key_file = "secrets/hash.key"          # the HMAC key for value_hash (see scanner.keys)
    recognizers = ["detectors/extra.yaml"]  # Presidio YAML recognizer files to load

    exclude = ["*.bak", "tmp"]              # globs left out of every source
    accept_unread = ["binary", "sampled"]   # what a register's sources may leave unread and still be judged
                                            # complete (codes: scanner.extract.CODES; this is the default)

    [limits]                                # work per item (scanner.extract.Limits; --limit NAME=VALUE)
    max_cells = 5000000

    [history]
    path = "harava-history.db"              # where runs are recorded (or a database URL); left out,
                                            # harava check uses default_history(the config file)

    [umbrella]                              # what umbrella terms in statements cover
    yhteystiedot = ["PHONE_NUMBER", "EMAIL_ADDRESS"]

    [[registers]]
    name = "Asiakasrekisteri"
    statement = "statements/asiakasrekisteri.txt"
    sources = ["share/Asiakaspalvelu", "sqlite:///crm.db"]
    declare = ["IP_ADDRESS"]                # declared although the statement does not say so
    ignore = ["FI_BUSINESS_ID"]             # never flagged for this register
    retention = "6 kuukautta"               # instead of the period the statement gives
    accept_unread = ["binary", "encrypted"] # instead of the top-level list, for this register

    [[subjects]]                            # known data subjects (scanner.find): findings of a value in
    name = "Työntekijät"                    # the list are tagged with the name (``subject``)
    values_from = "tyontekijat_hetu.csv"    # one value per line, or a CSV file with ...
    column = "hetu"                         # ... the column to read (optional)
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """The configuration file is missing or wrong; the message names the file, key and line."""


#: Codes of parts a register's sources may leave unread without the verdict being incomplete: content no
#: reader understands (pictures, programs) and tables sampled on purpose.
ACCEPT_UNREAD = ("binary", "sampled")


@dataclass(frozen=True)
class Settings:
    key_file: Path | None = None
    recognizers: tuple[Path, ...] = ()
    limits: tuple[tuple[str, int], ...] = ()  # [limits]: name = value
    cluster: str | None = None  # [cluster] address: local:N or a Dask scheduler's address


@dataclass
class RegisterConfig:
    name: str
    statement: Path
    sources: list[str]
    declare: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    umbrella: dict[str, list[str]] = field(default_factory=dict)
    retention_days: int | None = None  # overrides the statement's period
    accept_unread: list[str] | None = None  # overrides Config.accept_unread


@dataclass(frozen=True)
class SubjectsConfig:
    """A list of known data subjects' values (``[[subjects]]``): read, hashed and forgotten at each check."""

    name: str
    values_from: Path
    column: str | None = None


@dataclass
class Config:
    path: Path
    settings: Settings = field(default_factory=Settings)
    registers: list[RegisterConfig] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    umbrella: dict[str, list[str]] = field(default_factory=dict)
    history: str | None = None  # an SQLite file (relative to the config) or a database URL
    accept_unread: list[str] = field(default_factory=lambda: list(ACCEPT_UNREAD))
    subjects: list[SubjectsConfig] = field(default_factory=list)

    def accepted_unread(self, register: RegisterConfig) -> set[str]:
        return set(self.accept_unread if register.accept_unread is None else register.accept_unread)


def is_database_url(source: str) -> bool:
    return re.match(r"^[a-z][a-z0-9+.-]*://", source) is not None


class _Reader:
    """Type checks with error messages that point into the file."""

    def __init__(self, path: Path, text: str, known: set[str] | None) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.known = known

    def line_of(self, key: str, register: int | None = None) -> int | None:
        """Line of ``key = …`` (within the n-th ``[[registers]]`` block when given)."""
        start, end = 0, len(self.lines)
        if register is not None:
            headers = [i for i, line in enumerate(self.lines) if line.strip() == "[[registers]]"]
            if register < len(headers):
                start = headers[register]
                end = headers[register + 1] if register + 1 < len(headers) else len(self.lines)
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for index in range(start, end):
            if pattern.match(self.lines[index]):
                return index + 1
        return start + 1 if register is not None else None

    def error(self, key: str, message: str, register: int | None = None) -> ConfigError:
        line = self.line_of(key.rsplit(".", 1)[-1], register)
        where = f"{self.path}:{line}" if line else str(self.path)
        return ConfigError(f"{where}: {key}: {message}")

    def strings(self, value: Any, key: str, register: int | None = None) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, "must be a list of strings", register)
        return value

    def string(self, value: Any, key: str, register: int | None = None) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "must be a non-empty string", register)
        return value

    def entities(self, value: Any, key: str, register: int | None = None) -> list[str]:
        """Entity names, in any case (``phone_number`` is ``PHONE_NUMBER``), as the detectors spell them."""
        names = self.strings(value, key, register)
        if self.known is not None:
            canonical = {name.upper(): name for name in self.known}
            names = [canonical.get(name.upper(), name) for name in names]
            for name in names:
                if name not in self.known:
                    raise self.error(key, f"unknown entity {name!r}; known: {', '.join(sorted(self.known))}", register)
        return names

    def retention(self, value: Any, key: str, register: int | None = None) -> int | None:
        """Days: a whole number, or a period as a statement would write it ("6 kuukautta", "2 years")."""
        from scanner.registers.retention import parse_duration

        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        period = parse_duration(value) if isinstance(value, str) else None
        if period is None:
            raise self.error(key, 'must be days (a number) or a period such as "6 kuukautta" or "2 years"', register)
        return period.days

    def codes(self, value: Any, key: str, register: int | None = None) -> list[str]:
        from scanner.extract import CODES

        names = self.strings(value, key, register)
        for name in names:
            if name not in CODES:
                raise self.error(key, f"unknown code {name!r}; the codes are: {', '.join(CODES)}", register)
        return names

    def limits(self, value: Any) -> tuple[tuple[str, int], ...]:
        from scanner.extract import Limits

        if not isinstance(value, dict):
            raise self.error("limits", "must be a table of name = number")
        for name, number in value.items():
            try:
                Limits().with_values({name: number})
            except ValueError as exc:
                raise self.error(f"limits.{name}", str(exc)) from None
        return tuple(value.items())

    def umbrella(self, value: Any, key: str, register: int | None = None) -> dict[str, list[str]]:
        if not isinstance(value, dict):
            raise self.error(key, "must be a table of term = [entities]", register)
        return {term: self.entities(v, f"{key}.{term}", register) for term, v in value.items()}


def _resolve(base: Path, source: str) -> str:
    """A source path as the user would write it from the current folder (relative stays relative);
    a relative SQLite file in a URL is relative to the config file too."""
    if is_database_url(source):
        sqlite = re.match(r"^(sqlite(?:\+\w+)?:///)(?!/)(.+)$", source)
        if sqlite and not sqlite.group(2).startswith(":memory:"):
            return sqlite.group(1) + _resolve(base, sqlite.group(2))
        return source
    resolved = base / source
    try:
        return os.path.relpath(resolved)
    except ValueError:  # another drive on Windows
        return str(resolved)


def _register(reader: _Reader, entry: dict[str, Any], index: int, base: Path) -> RegisterConfig:
    """One ``[[registers]]`` table, checked key by key."""
    where = f"registers[{index}]"
    unknown = set(entry) - {
        "name",
        "statement",
        "sources",
        "declare",
        "ignore",
        "umbrella",
        "retention",
        "accept_unread",
    }
    if unknown:
        raise reader.error(f"{where}.{sorted(unknown)[0]}", "unknown key", index)
    for required in ("name", "statement", "sources"):
        if required not in entry:
            raise reader.error(where, f"missing required key {required!r}", index)
    name = reader.string(entry["name"], f"{where}.name", index)
    statement = base / reader.string(entry["statement"], f"{where}.statement", index)
    if not statement.is_file():
        raise reader.error(f"{where}.statement", f"no such file: {statement}", index)
    sources = reader.strings(entry["sources"], f"{where}.sources", index)
    if not sources:
        raise reader.error(f"{where}.sources", "lists no source", index)
    for source in sources:
        if not is_database_url(source) and not (base / source).exists():
            raise reader.error(f"{where}.sources", f"no such file or folder: {base / source}", index)
    return RegisterConfig(
        name=name,
        statement=statement,
        sources=[_resolve(base, s) for s in sources],
        declare=reader.entities(entry.get("declare", []), f"{where}.declare", index),
        ignore=reader.entities(entry.get("ignore", []), f"{where}.ignore", index),
        umbrella=reader.umbrella(entry.get("umbrella", {}), f"{where}.umbrella", index),
        retention_days=reader.retention(entry.get("retention"), f"{where}.retention", index),
        accept_unread=(
            reader.codes(entry["accept_unread"], f"{where}.accept_unread", index) if "accept_unread" in entry else None
        ),
    )


def load_config(path: Path, *, require_registers: bool = False, entities: set[str] | None = None) -> Config:
    """Read and check a configuration file; ``entities`` are the names ``declare``/``ignore``/``umbrella``
    may use (all detectors' entities)."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    reader = _Reader(path, text, entities)
    base = path.parent
    known = (
        "settings",
        "registers",
        "exclude",
        "accept_unread",
        "limits",
        "umbrella",
        "history",
        "subjects",
        "cluster",
    )
    unknown = set(data) - set(known)
    if unknown:
        raise reader.error(sorted(unknown)[0], f"unknown key (expected {', '.join(known)})")
    history = _one_key(reader, data, "history", "path", "")
    cluster = _one_key(reader, data, "cluster", "address", " (local:N or tcp://host:8786)")

    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise reader.error("settings", "must be a table")
    unknown = set(settings) - {"key_file", "recognizers"}
    if unknown:
        raise reader.error(f"settings.{sorted(unknown)[0]}", "unknown key (expected key_file, recognizers)")
    key_file = settings.get("key_file")
    config = Config(
        path=path,
        settings=Settings(
            key_file=base / reader.string(key_file, "settings.key_file") if key_file is not None else None,
            recognizers=tuple(
                base / r for r in reader.strings(settings.get("recognizers", []), "settings.recognizers")
            ),
            limits=reader.limits(data.get("limits", {})),
            cluster=cluster,
        ),
        exclude=reader.strings(data.get("exclude", []), "exclude"),
        accept_unread=reader.codes(data.get("accept_unread", list(ACCEPT_UNREAD)), "accept_unread"),
        umbrella=reader.umbrella(data.get("umbrella", {}), "umbrella"),
        history=_resolve(base, history) if history is not None else None,
    )

    registers = data.get("registers", [])
    if not isinstance(registers, list) or not all(isinstance(r, dict) for r in registers):
        raise reader.error("registers", "must be an array of tables: [[registers]]")
    if require_registers and not registers:
        raise ConfigError(f"{path}: no [[registers]] defined")
    names: set[str] = set()
    for index, entry in enumerate(registers):
        register = _register(reader, entry, index, base)
        if register.name in names:
            raise reader.error(f"registers[{index}].name", f"register {register.name!r} is defined twice", index)
        names.add(register.name)
        config.registers.append(register)
    config.subjects = _subjects(reader, data.get("subjects", []), base)
    return config


def _subjects(reader: _Reader, entries: Any, base: Path) -> list[SubjectsConfig]:
    """The ``[[subjects]]`` tables: a name, the file of values (relative to the configuration), a column."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise reader.error("subjects", "must be an array of tables: [[subjects]]")
    found: list[SubjectsConfig] = []
    for index, entry in enumerate(entries):
        where = f"subjects[{index}]"
        unknown = set(entry) - {"name", "values_from", "column"}
        if unknown:
            raise reader.error(f"{where}.{sorted(unknown)[0]}", "unknown key (expected name, values_from, column)")
        for required in ("name", "values_from"):
            if required not in entry:
                raise reader.error(where, f"missing required key {required!r}")
        name = reader.string(entry["name"], f"{where}.name")
        if any(s.name == name for s in found):
            raise reader.error(f"{where}.name", f"subject list {name!r} is defined twice")
        values = base / reader.string(entry["values_from"], f"{where}.values_from")
        if not values.is_file():
            raise reader.error(f"{where}.values_from", f"no such file: {values}")
        column = reader.string(entry["column"], f"{where}.column") if "column" in entry else None
        found.append(SubjectsConfig(name, values, column))
    return found


def _one_key(reader: _Reader, data: dict[str, Any], table: str, key: str, hint: str) -> str | None:
    """The one string of a table of one key (``[history] path``), or None without the table."""
    value = data.get(table, {})
    if not isinstance(value, dict) or set(value) - {key}:
        raise reader.error(table, f"must be a table with one key, {key}{hint}")
    return reader.string(value[key], f"{table}.{key}") if key in value else None


def load_settings(path: Path) -> Settings:
    """Only the ``[settings]`` of a configuration file (what ``harava scan --config`` needs)."""
    return load_config(path).settings


def state_home() -> Path:
    """``$XDG_STATE_HOME``, or ``~/.local/state`` (the XDG base directory rules: a relative value is ignored)."""
    base = os.environ.get("XDG_STATE_HOME", "")
    return Path(base) if os.path.isabs(base) else Path.home() / ".local" / "state"


def default_history(config: Path) -> Path:
    """Where ``harava check`` records runs when neither ``--history`` nor ``[history] path`` says: one SQLite
    file per configuration file, under the XDG state directory, so that ``--since last`` works from the second
    run on without a flag. The name is the file's stem and a digest of its absolute path: two ``harava.toml``
    in different folders are different configurations and must not be compared with each other.

    >>> default_history(Path("/srv/harava/harava.toml")).name
    'harava-9d3f1924.db'
    """
    absolute = Path(os.path.abspath(config))
    digest = hashlib.sha256(str(absolute).encode()).hexdigest()[:8]
    return state_home() / "harava" / f"{absolute.stem}-{digest}.db"


def item_path(source: str) -> str:
    """The same file or database from any working folder: an absolute path, or the URL (with an absolute
    path for SQLite files)."""
    if not is_database_url(source):
        return os.path.abspath(source)
    if source.startswith("sqlite:///") and not source.startswith("sqlite:////"):
        return "sqlite:///" + os.path.abspath(source[len("sqlite:///") :])
    return source
