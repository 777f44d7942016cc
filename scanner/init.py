"""``harava init``: a first configuration file, written from the privacy statements found in a folder.

A newcomer has statements long before they have a configuration, and the configuration's vocabulary
(registers, statements, sources, histories, umbrella terms) is what they are about to learn. So ``init``
asks nothing by default: it reads each file that looks like a statement (one with a data-content section,
the only part that declares), writes one register per statement with what it declares as a comment, a
``[history]`` path, and the nightly schedule for this machine, every key explained where it stands. The
file it writes is checked as ``harava check`` would read it, so the next command works. ``--interactive``
asks for each register's name, statement and sources instead.

The nightly command is built here once (:func:`nightly_command`), for the schedule comments ``init``
writes and, in the tests, for the cron line and systemd unit of ``examples/schedule``, so they all agree.
"""

from __future__ import annotations

import datetime
import json
import os
import shlex
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scanner.config import is_database_url, load_config
from scanner.registers.documents import SUFFIXES, StatementError
from scanner.registers.statement import Statement, parse_statement

CONFIG_NAME = "harava.toml"
HISTORY_NAME = "harava-history.db"
CHECK_OUTPUT = "harava-check.txt"
REPORT_NAME = "harava-report.html"
#: Harava's own files in the folder it was set up in: never sources of personal data to report.
OWN_FILES = (CONFIG_NAME, f"{HISTORY_NAME}*", CHECK_OUTPUT, REPORT_NAME)
#: How far below the folder statements are looked for (the folder itself and e.g. its statements/).
DEPTH = 2
#: Candidates read at most, and their largest size: a folder of a whole share must not be read here.
MAX_CANDIDATES = 200
MAX_STATEMENT_SIZE = 20 * 1024 * 1024
_SKIPPED_FOLDERS = {"node_modules", "__pycache__", "site-packages"}


class InitError(Exception):
    """The configuration cannot be written (it exists, or the folder cannot be written)."""


@dataclass
class RegisterDraft:
    """One ``[[registers]]`` entry to write."""

    name: str
    statement: Path
    sources: list[str] = field(default_factory=lambda: ["."])
    read: Statement | None = None  # what the statement declares, for the comment above the entry


def _candidates(folder: Path, depth: int = DEPTH) -> Iterator[Path]:
    """Files of a statement format in ``folder`` and its subfolders down to ``depth``, hidden ones and
    virtual environments left out, in a stable order."""
    try:
        children = sorted(folder.iterdir())
    except OSError:
        return
    for child in children:
        if child.name.startswith(".") or child.name in _SKIPPED_FOLDERS or child.is_symlink():
            continue
        if child.is_file() and child.suffix.lower() in SUFFIXES:
            yield child
        elif child.is_dir() and depth > 1 and not (child / "pyvenv.cfg").exists():
            yield from _candidates(child, depth - 1)


def find_statements(folder: Path) -> list[tuple[Path, Statement]]:
    """The privacy statements in ``folder``: files with a data-content section ("Rekisterin tietosisältö",
    "Registrets datainnehåll", "Categories of personal data"…). Notes, logs and other documents have none."""
    found = []
    for index, path in enumerate(_candidates(folder)):
        if index >= MAX_CANDIDATES:
            break
        try:
            if path.stat().st_size > MAX_STATEMENT_SIZE:
                continue
            statement = parse_statement(path, os.path.relpath(path, folder))
        except (OSError, StatementError):
            continue
        if statement.has_content_section:
            found.append((path, statement))
    return found


def drafts_from(found: list[tuple[Path, Statement]]) -> list[RegisterDraft]:
    """One register per statement, named as the statement names it (else by its file), each name once."""
    drafts: list[RegisterDraft] = []
    names: set[str] = set()
    for path, statement in found:
        name = (statement.register or path.stem).strip()
        if name in names:
            name = f"{name} ({path.name})"
        names.add(name)
        drafts.append(RegisterDraft(name, path, read=statement))
    return drafts


def ask(folder: Path, found: list[tuple[Path, Statement]], prompt: Callable[..., str]) -> list[RegisterDraft]:
    """Registers as the user names them: each statement found is offered, then more may be added.
    ``prompt`` is ``click.prompt`` (a parameter, so that this module needs no terminal)."""
    drafts: list[RegisterDraft] = []
    for draft in drafts_from(found):
        where = os.path.relpath(draft.statement, folder)
        draft.name = prompt(f"Register of {where}: name (- to leave it out)", default=draft.name).strip()
        if draft.name == "-":
            continue
        draft.sources = _ask_sources(folder, draft.name, prompt)
        drafts.append(draft)
    while True:
        given = prompt(
            "Another register: its privacy statement file (empty: no more)", default="", show_default=False
        ).strip()
        if not given:
            return drafts
        path = folder / given
        try:
            statement = parse_statement(path, given)
        except StatementError as exc:
            print(f"  {exc}", file=sys.stderr)
            continue
        name = prompt("  name", default=(statement.register or path.stem)).strip()
        drafts.append(RegisterDraft(name, path, _ask_sources(folder, name, prompt), statement))


def _ask_sources(folder: Path, name: str, prompt: Callable[..., str]) -> list[str]:
    """Folders, files or database URLs, separated by commas; asked again until each one exists."""
    while True:
        text = prompt(f"  {name}: sources (folders, files, database URLs; comma-separated)", default=".")
        sources = [s.strip() for s in text.split(",") if s.strip()]
        missing = [s for s in sources if not is_database_url(s) and not (folder / s).exists()]
        if sources and not missing:
            return sources
        print(f"  no such file or folder: {', '.join(missing) or '(none given)'}", file=sys.stderr)


def harava_command() -> str:
    """The ``harava`` to schedule: the one beside this Python (a virtual environment's), else on PATH."""
    return shutil.which("harava", path=os.path.dirname(sys.executable)) or shutil.which("harava") or "harava"


def nightly_command(harava: str, config: str, history: str, folder: str) -> str:
    """The nightly check as one ``sh`` command line, for cron and systemd alike: it records the run in the
    history, compares it with the last one, writes the check's text and the HTML report in ``folder``, and
    prints the check's text (so cron mails it, and the journal logs it) only when its exit status is not 0:
    new undeclared data (1), or a check that could not read everything or finish (2, 130, 143). It exits
    with the check's status, so a service counts 2 as a failure. Cron mails output, never exit statuses.

    >>> print(nightly_command("harava", "/etc/harava/harava.toml", "history.db", "/var/lib/harava"))  # doctest: +NORMALIZE_WHITESPACE
    cd /var/lib/harava && harava check --config /etc/harava/harava.toml --history history.db --since last
    --fail-on new-undeclared --no-progress > harava-check.txt 2>&1; status=$?; [ $status = 0 ] || cat
    harava-check.txt; harava report --history history.db -o harava-report.html; exit $status
    """
    h, q = shlex.quote(harava), shlex.quote
    return (
        f"cd {q(folder)} && {h} check --config {q(config)} --history {q(history)} --since last"
        f" --fail-on new-undeclared --no-progress > {CHECK_OUTPUT} 2>&1; status=$?;"
        f" [ $status = 0 ] || cat {CHECK_OUTPUT}; {h} report --history {q(history)} -o {REPORT_NAME}; exit $status"
    )


def systemd_exec(command: str) -> str:
    """``command`` as a systemd ``ExecStart=`` value: run by ``/bin/sh -c``, in double quotes, with systemd's
    own expansions escaped (``$$`` for ``$``, ``%%`` for ``%``) so that the shell gets the line as cron does."""
    quoted = command.replace("\\", "\\\\").replace('"', '\\"').replace("$", "$$").replace("%", "%%")
    return f'/bin/sh -c "{quoted}"'


def _toml(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def _declares(statement: Statement | None) -> str:
    if statement is None:
        return ""
    parts = []
    for evidence in statement.declared:
        category = evidence.category
        if category.umbrella:
            parts.append(f"{category.label} (an umbrella term: see [umbrella])")
        else:
            entities = ", ".join(category.entities)
            parts.append(f"{category.label} ({entities})" if entities else category.label)
    return "; ".join(parts) or "nothing a detector finds"


def _register_text(draft: RegisterDraft, base: Path) -> str:
    statement = os.path.relpath(draft.statement, base)
    lines = [
        *textwrap.wrap(
            f"From {statement}: declares {_declares(draft.read)}.", 108, initial_indent="# ", subsequent_indent="#   "
        ),
        "[[registers]]",
        f"name = {_toml(draft.name)}",
        f"statement = {_toml(statement)}",
        f"sources = [{', '.join(_toml(s) for s in draft.sources)}]"
        + ("  # where its data lives: folders, files, database URLs" if draft.sources == ["."] else ""),
        "# declare = []            # entities declared although the statement does not name them",
        "# ignore = []             # entities never flagged for this register",
        '# retention = "6 kuukautta"  # instead of the period the statement gives',
    ]
    return "\n".join(lines) + "\n"


_EXAMPLE_REGISTER = """\
# No privacy statement was found here (a file with a data-content section such as "Rekisterin
# tietosisältö"). Put each register's statement in this folder and run `harava init --force`, or fill in:
#
# [[registers]]
# name = "Asiakasrekisteri"
# statement = "asiakasrekisteri.txt"       # .txt .md .html .docx .pdf; Finnish, Swedish or English
# sources = ["/srv/jako/Asiakaspalvelu", "postgresql://scanner@db.example.fi/crm"]
"""


def render_config(folder: Path, drafts: list[RegisterDraft], harava: str, today: datetime.date) -> str:
    """The commented configuration file for ``folder``."""
    base = folder.resolve()
    config = base / CONFIG_NAME
    statements = [os.path.relpath(d.statement, base) for d in drafts]
    exclude = ", ".join(_toml(g) for g in (*OWN_FILES, *statements))
    line = nightly_command(harava, str(config), str(base / HISTORY_NAME), str(base))
    registers = "\n".join(_register_text(d, base) for d in drafts) if drafts else _EXAMPLE_REGISTER
    return f"""\
# Harava's configuration, written by `harava init` on {today.isoformat()}. Paths are relative to this file.
#
#   harava check --config {shlex.quote(str(config))}               # each register's data against its statement
#   harava check --config {shlex.quote(str(config))} --since last  # and what is new since the last check
#
# Every key is explained in README.md ("Checking registers", "Configuration").

# Left out of every source: Harava's own files and the statements (their controller's contact details are
# no register's data). Globs: a path relative to a source folder, or a file name.
exclude = [{exclude}]

# What a register's sources may leave unread and still be judged complete (the default: pictures and
# programs, and database tables sampled on purpose). Codes: encrypted, corrupt, unsupported, too-large…
# accept_unread = ["binary", "sampled"]

[history]
# Each check is recorded here: verdicts, and findings as masked values and keyed hashes, never raw values.
# `--since last` compares with the previous check; `harava report --config …` makes an HTML page of one.
path = {_toml(HISTORY_NAME)}

# [settings]
# key_file = "hash.key"   # the secret key behind value_hash (default ~/.config/harava/hash.key; `harava key
#                         # show-path` says which). Back it up: without it, new runs cannot be matched with
#                         # the history.

# [umbrella]
# "yhteystiedot" (contact details) in a statement may mean a postal address or a phone number: it declares
# nothing by itself until this says what it covers here.
# yhteystiedot = ["PHONE_NUMBER", "EMAIL_ADDRESS"]

{registers}
# Nightly at 02:30, by cron (`crontab -e` as a user who may read every source). It prints, and cron mails,
# only when something new and undeclared turned up or the check could not read everything:
#
# 30 2 * * *  {line}
#
# Or by systemd: copy examples/schedule/harava-check.service and .timer to /etc/systemd/system/, with
#
# WorkingDirectory={base}
# ExecStart={systemd_exec(line)}
"""


def write_config(folder: Path, drafts: list[RegisterDraft], *, force: bool = False) -> Path:
    """Write ``folder/harava.toml`` and read it back as ``harava check`` will (a mistake here is a bug)."""
    path = folder / CONFIG_NAME
    if path.exists() and not force:
        raise InitError(f"{path} exists; --force replaces it")
    text = render_config(folder, drafts, harava_command(), datetime.date.today())
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    except OSError as exc:
        raise InitError(f"{path}: cannot write: {exc.strerror or exc}") from None
    load_config(path, require_registers=bool(drafts))
    return path
