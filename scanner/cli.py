"""The ``harava`` command line."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import click

from scanner import FORMATS, __version__
from scanner.options import (
    ByteSize,
    HaravaError,
    HaravaGroup,
    config_option,
    ended_on_failure,
    entity_names,
    exit_status,
    format_option,
    history_option,
    load_run_settings,
    open_history,
    output_option,
    recognizers_option,
    running,
    running_options,
    say_notes,
    writing,
)


@click.group(cls=HaravaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="harava")
def main() -> None:
    """Harava finds personal data in file shares and databases, and checks it against what each register's
    privacy statement declares.

    \b
    Examples:
      harava init                                  # a harava.toml for the statements in this folder
      harava scan examples/share                   # what personal data is where
      harava check --config examples/harava.toml   # is it declared? (exit 1 if not)
      harava check --config examples/harava.toml --since last   # and what is new since the last check
      harava register parse examples/statements/* --format table
      harava report --config examples/harava.toml -o report.html
      harava find 131052-308T --config examples/harava.toml   # where is this person's data?
      harava key show-path                         # the key behind value_hash: back it up

    Run "harava COMMAND --help" for a command's options.
    """


@main.command()
@click.argument("targets", nargs=-1, required=True, metavar="TARGET...")
@format_option(
    FORMATS, "table", "Output format: table for people; jsonl, json, csv or parquet (to a file) for programs."
)
@output_option("the findings")
@click.option("--show-values", is_flag=True, help="Print raw values instead of masked ones.")
@click.option(
    "--entities",
    metavar="NAME,...",
    help="Report only these entities, e.g. FI_PERSONAL_IDENTITY_CODE,PHONE_NUMBER (any case; default: all;"
    " `harava detectors` lists them).",
)
@click.option("--include", multiple=True, metavar="GLOB", help="Scan only files (or schema.tables) matching GLOB.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files, folders (or schema.tables) matching GLOB.")
@running_options
@recognizers_option
@click.option(
    "--min-score",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    metavar="SCORE",
    help="Report only findings whose detector's confidence is at least SCORE (0 to 1).",
)
@config_option("Configuration file: its [settings] and [limits] are used (registers are for `harava check`).")
@click.option(
    "--max-file-size",
    type=ByteSize(),
    metavar="SIZE",
    help="Report files larger than SIZE (e.g. 500M, 2G) as too large instead of reading them.",
)
@click.option("--skip-hidden", is_flag=True, help="Leave out hidden files and folders (names starting with a dot).")
@click.option("--follow-symlinks", is_flag=True, help="Follow symbolic links (loops are detected and reported).")
@click.option(
    "--sample", type=click.IntRange(min=1), metavar="N", help="Databases: scan a random sample of N rows per table."
)
@click.option("--all-columns", is_flag=True, help="Databases: scan numeric, date and binary columns too (as text).")
@click.option(
    "--statement-timeout",
    type=click.FloatRange(min=0.1),
    default=300.0,
    show_default=True,
    metavar="SECONDS",
    help="Databases: how long one query may run before its table is reported and skipped.",
)
@history_option("Record the run in this history (SQLite file or database URL).")
def scan(targets: tuple[str, ...], **o: Any) -> None:
    """Scan files, folders and databases for personal data.

    A TARGET is a file, a folder or a database URL: sqlite:///relative/path.db, sqlite:////absolute/path.db,
    postgresql://user@host/db, mysql://user@host/db or mariadb://user@host/db (any SQLAlchemy URL whose
    driver is installed).

    \b
    Examples:
      harava scan examples/share
      harava scan examples/share --entities fi_personal_identity_code,phone_number
      harava scan share --format jsonl -o findings.jsonl --workers 4
      harava scan sqlite:///examples/crm.db
      harava scan postgresql://scanner@db.example.fi/crm --include 'public.*' --sample 10000

    The findings go to standard output (a table, masked), the summary to standard error.
    Exit status: 0 when the scan completed (with or without findings), 2 on usage or fatal errors.
    Items that cannot be read are reported and the scan goes on.
    """
    from scanner import pipeline
    from scanner.scan import coverage_of
    from scanner.sinks import HistorySink, fanout, open_writer
    from scanner.terminal import TableWriter, plural, progress_bar, summary_text

    options, walking, db, total, show, settings = _scan_setup(targets, o)
    history = open_history(o["history_path"], options.key)
    writer, output = writing(o["output"], lambda: open_writer(o["fmt"], o["output"]))
    recorder = None
    if history is not None:
        from scanner.history import now

        recorder = HistorySink.begin(history, " ".join(targets), now())
    try:
        with ended_on_failure(recorder), progress_bar(total, show) as bar:
            if show and output is None and isinstance(writer, TableWriter) and sys.stdout.isatty():
                writer.above = lambda text: bar.write(text, file=sys.stdout, end="")  # lines above the bar
            outcome = pipeline.run(
                targets,
                options,
                fanout(lambda _, batch: writer.write(batch), recorder),
                walk_options=walking,
                db=db,
                **running(o, settings),
                progress=bar.update,
                on_error=lambda where, why: bar.write(f"harava: {where}: {why}", file=sys.stderr),
            )
        summary = outcome.total().as_dict()
        writer.close(summary)
    except BaseException:
        if output is not None:
            output.discard()  # a findings file that looks complete is complete
        elif isinstance(writer, TableWriter):
            with contextlib.suppress(OSError):  # a closed pipe must not hide why the scan stopped
                writer.flush_held()  # what was found before an interrupt or an error, as if it had streamed
        raise
    if output is not None:
        output.commit()
    status = exit_status(incomplete=bool(outcome.failed))
    if recorder is not None:
        recorder.finish([], outcome.errors, status, coverage=coverage_of(outcome.total()))
        _say_recorded(recorder.run_id, o["history_path"])
    click.echo(summary_text(summary), err=True)
    if outcome.failed:
        failed = plural(len(outcome.failed), "target")
        click.echo(f"Error: {failed} of {len(targets)} could not be scanned at all (see above).", err=True)
    sys.exit(status)


def _say_recorded(run_id: int, history: str) -> None:
    """Which run a command recorded, so that ``harava report RUN`` and ``--since RUN`` can name it (a
    database URL without its password)."""
    from scanner.sources.database import redact

    click.echo(f"Recorded as run {run_id} in {redact(str(history))}.", err=True)


def _scan_setup(targets: tuple[str, ...], o: dict[str, Any]):
    """The scan's options checked and built; whether a progress bar is drawn, the bytes it counts to, and the
    configuration's settings."""
    from detectors import entities_of
    from scanner.config import is_database_url
    from scanner.scan import ScanOptions
    from scanner.sources.database import DatabaseOptions
    from scanner.sources.files import WalkOptions
    from scanner.terminal import bytes_to_read, shows_progress

    paths = [t for t in targets if not is_database_url(t)]
    for target in paths:
        if not Path(target).exists() and not Path(target).is_symlink():
            raise click.UsageError(f"{target}: no such file or folder")
    key, files, loaded, limits, settings = load_run_settings(o["config_path"], o["recognizer_files"], o["limits"])
    wanted = entity_names(o["entities"], entities_of(loaded))
    if o["fmt"] == "parquet" and not o["output"] and sys.stdout.isatty():
        raise click.UsageError("Parquet is binary: give -o FILE or redirect standard output")
    if o["history_path"] and o["show_values"]:
        raise click.UsageError("a history never stores raw values: --history and --show-values do not go together")
    options = ScanOptions(key, wanted, files, o["show_values"], o["min_score"], limits=limits)
    walking = WalkOptions(o["include"], o["exclude"], o["max_file_size"], o["skip_hidden"], o["follow_symlinks"])
    db = DatabaseOptions(o["include"], o["exclude"], o["sample"], o["all_columns"], o["statement_timeout"])
    # machine output streaming to this terminal would be cut into by a bar; the table waits for it, or goes above
    to_terminal = o["fmt"] != "table" and o["output"] in (None, "-") and sys.stdout.isatty()
    show = shows_progress(o["no_progress"], to_terminal)
    return options, walking, db, bytes_to_read(paths, walking, show), show, settings


@main.command()
@recognizers_option
def detectors(recognizer_files: tuple[str, ...]) -> None:
    """List the installed detectors: built-in, plug-ins and YAML files, with the entity each reports (the
    names --entities and a register's declare/ignore take) and whether it runs in the vectorised pass.

    \b
    Examples:
      harava detectors
      harava detectors --recognizers extra.yaml
    """
    from detectors import DetectorLoadError, load_detectors
    from scanner.engine import Engine
    from scanner.terminal import aligned

    try:
        loaded = load_detectors(recognizer_files)
    except DetectorLoadError as exc:
        raise HaravaError(str(exc)) from exc
    engine = Engine([d.recognizer for d in loaded])
    rows = [("DETECTOR", "ENTITY", "CATEGORY", "PATH", "ORIGIN")]
    for d, adapter in zip(loaded, engine.adapters, strict=True):
        path = "vectorised" if engine.is_vectorised(d.recognizer) else "per-text"
        rows.append((adapter.name, adapter.entity, adapter.category, path, d.origin))
    click.echo("\n".join(aligned(rows)))


@main.group()
def register() -> None:
    """Privacy statements (tietosuojaseloste) and what they declare.

    \b
    Example:
      harava register parse examples/statements/* --format table
    """


@register.command("parse")
@click.argument("statements", nargs=-1, required=True, type=click.Path(dir_okay=False), metavar="STATEMENT...")
@format_option(("json", "table"), "json", "Output format: json for programs, table for people.")
@recognizers_option
@config_option("Configuration file: its [settings] recognizers are used, so statements are read as `check` reads them.")
def register_parse(
    statements: tuple[str, ...], fmt: str, recognizer_files: tuple[str, ...], config_path: str | None
) -> None:
    """Read privacy statements and print the personal-data categories each declares, with evidence.

    Formats: .txt, .md, .html, .docx, .pdf; Finnish, Swedish and English. Which entities a category
    declares comes from the detectors: built-in ones, plug-ins and the YAML recognizer files given.

    \b
    Examples:
      harava register parse examples/statements/* --format table
      harava register parse tietosuojaseloste.pdf > declared.json
    """
    import json

    from detectors import entities_by_category
    from scanner.registers.documents import StatementError
    from scanner.registers.statement import parse_statement
    from scanner.reports import statement_table

    _, _, loaded, _, _ = load_run_settings(config_path, recognizer_files)
    say_notes(loaded)
    mapping = entities_by_category(loaded)
    parsed = []
    for path in statements:
        try:
            parsed.append(parse_statement(Path(path), path, mapping=mapping))
        except StatementError as exc:
            raise HaravaError(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps([s.as_dict() for s in parsed], ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(statement_table(s) for s in parsed), nl=False)


def _fail_on(ctx: click.Context, param: click.Parameter, value: str) -> Any:
    from scanner.risk import parse_fail_on

    try:
        return parse_fail_on(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@main.command()
@config_option("Configuration file naming the registers, their statements and sources.", required=True)
@format_option(
    ("table", "json", "html"), "table", "Output format: table for people, json for programs, html for a page to share."
)
@output_option("the report")
@running_options
@history_option(
    "Record the run in this history (SQLite file or database URL); default: [history] path in the config, else"
    " a file per configuration under $XDG_STATE_HOME/harava (~/.local/state/harava)."
)
@click.option("--no-history", is_flag=True, help="Record nothing, carry nothing over: every file is read.")
@click.option(
    "--since",
    metavar="last|RUN|DATE",
    help="Also report what changed since a recorded run: the last one, run number RUN, or the last run on or"
    " before DATE (YYYY-MM-DD).",
)
@click.option(
    "--fail-on",
    default="undeclared",
    show_default=True,
    metavar="CONDITION[,CONDITION]",
    callback=_fail_on,
    help="When to exit with status 1: undeclared (any undeclared data), new-undeclared (undeclared data new"
    " since the previous run), risk>=N (an item's risk score reaches N, 0-100), or never; several joined by"
    " commas, any one met fails.",
)
@click.option("--full", is_flag=True, help="Read every file again, even those unchanged since the last run.")
@click.option(
    "--accepted",
    "accepted_path",
    type=click.Path(dir_okay=False),
    metavar="FILE.toml",
    help="Accepted-findings file: reviewed findings reported as accepted, not undeclared.",
)
@click.option(
    "--write-accepted",
    type=click.Path(dir_okay=False),
    metavar="FILE.toml",
    help="Write every undeclared finding of this run to FILE.toml as accepted entries to review.",
)
def check(config_path: str, **o: Any) -> None:
    """Compare the personal data in each register's sources with what its privacy statement declares.

    Every check is recorded in a history (see --history), so --since last says what is new from the
    second run on.

    \b
    Examples:
      harava check --config examples/harava.toml
      harava check --config harava.toml --since last
      harava check --config harava.toml --history history.db --fail-on new-undeclared
      harava check --config harava.toml --fail-on undeclared,risk>=70   # also when an item's risk is high
      harava check --config harava.toml --format html -o check.html

    Exit status: 1 when undeclared personal data was found (with --fail-on new-undeclared: only when it
    is new since the previous run; risk>=N: when an item's risk score reaches N; never: not at all), 2 on errors or when not everything could be read,
    else 0. The last line on standard error says which, and why.
    """
    from detectors import entities_of
    from scanner import pipeline
    from scanner.config import ConfigError
    from scanner.find import FindError
    from scanner.history import HistoryError, now
    from scanner.registers.accepted import AcceptedWriter
    from scanner.registers.documents import StatementError
    from scanner.sinks import HistorySink
    from scanner.terminal import check_status_text, progress_bar, reuse_text

    started = now()
    wants_change = bool(o["since"]) or o["fail_on"].needs_history
    try:
        config, options, loaded, history, accepted, target = _check_setup(config_path, o, wants_change)
        subjects = _known_subjects(config, options.key, loaded, history)
        entities = entities_of(loaded)
        signature = options.signature(entities, config.exclude)
        previous = history.previous_scan(signature) if history is not None and not o["full"] else None
        if o["since"] and history is not None:
            history.resolve(o["since"])  # a run or date that is not there is said now, not after the scan
        tallies = pipeline.tallies(config, loaded, accepted)  # statements read before anything is written
        show, total = _check_progress(config, o["no_progress"])  # and the folders walked (Ctrl-C leaves no trace)
        accepting = o["write_accepted"] and writing(
            o["write_accepted"], lambda: AcceptedWriter(Path(o["write_accepted"]))
        )
        recorder = HistorySink.begin(history, config_path, started, signature) if history is not None else None
        listeners = [x for x in (recorder, accepting, subjects) if x]
        with ended_on_failure(*listeners):  # to the end: a stop while the last findings are written counts
            with progress_bar(total, show) as bar:
                result, outcome = pipeline.check(
                    config,
                    options,
                    tallies,
                    detectors=loaded,
                    listeners=listeners,
                    **running(o, config.settings),
                    progress=bar.update,
                    previous=previous,
                )
            for listener in listeners:
                listener.close()
            change = _record(recorder, result, outcome, o["since"] or "last" if wants_change else None)
    except (ConfigError, StatementError, HistoryError, FindError) as exc:
        raise HaravaError(str(exc)) from exc
    _print_check(result, change, o["fmt"], o["output"], subjects)
    note = reuse_text(outcome.total(), outcome.reused_from)
    if note:
        click.echo(note, err=True)
    for verdict in result.verdicts:
        if verdict.incomplete:
            gaps = ", ".join(f"{c} {n}" for c, n in verdict.coverage.gaps.items())
            unreachable = ", ".join(verdict.coverage.unreachable)
            why = "; ".join(
                x for x in (gaps and f"not read: {gaps}", unreachable and f"unreachable: {unreachable}") if x
            )
            click.echo(
                f"Error: the verdict on {verdict.register.name} is incomplete ({why}); see the errors above, or"
                " accept such items with accept_unread in the configuration.",
                err=True,
            )
    if recorder is not None:
        _say_recorded(recorder.run_id, target)
    new_undeclared = change is not None and any(f.undeclared for f in change.new)
    why = o["fail_on"].why(undeclared=result.has_undeclared, new_undeclared=new_undeclared, risk=result.max_risk)
    status = 2 if result.incomplete else int(why is not None)  # the outside contract's exit statuses
    click.echo(check_status_text(status, result, change, str(o["fail_on"]), why), err=True)
    sys.exit(status)


def _check_progress(config: Any, no_progress: bool) -> tuple[bool, int | None]:
    """Whether a bar is drawn, and its total: the bytes in the registers' folders, walked first. A check
    prints nothing until every register is judged, so walking first delays no result, and a bar with a
    total says how far the scan is and how long the rest will take (one whose total grew with the walk
    would promise an end that keeps moving away)."""
    from scanner.config import is_database_url
    from scanner.sources.files import WalkOptions
    from scanner.terminal import bytes_to_read, shows_progress

    show = shows_progress(no_progress)
    paths = [s for s in dict.fromkeys(s for r in config.registers for s in r.sources) if not is_database_url(s)]
    return show, bytes_to_read(paths, WalkOptions(exclude=tuple(config.exclude)), show)


def _record(recorder: Any, result: Any, outcome: Any, since: str | None) -> Any:
    """The run finished in the history (with the status its verdicts give); what changed since ``since``."""
    from scanner.scan import coverage_of

    if recorder is None:
        return None
    status = exit_status(incomplete=result.incomplete, undeclared=result.has_undeclared, fail_on="undeclared")
    recorder.finish(
        [v.as_dict() for v in result.verdicts], result.errors, status, outcome.files, coverage_of(outcome.total())
    )
    if since is None:
        return None
    history = recorder.history
    return history.compare(recorder.run_id, history.resolve(since, before=recorder.run_id))


def _check_setup(config_path: str, o: dict[str, Any], wants_change: bool):
    """The configuration, scan options, detector entities, history and accepted findings of a check."""
    from detectors import entities_by_category, entities_of
    from scanner.config import load_config
    from scanner.registers.accepted import load_accepted
    from scanner.registers.taxonomy import known_entities
    from scanner.scan import ScanOptions

    key, files, loaded, limits, _ = load_run_settings(config_path, limits=o["limits"])
    say_notes(loaded)
    allowed = entities_of(loaded) | known_entities(entities_by_category(loaded))
    config = load_config(Path(config_path), require_registers=True, entities=allowed)
    target = _history_target(config, o["history_path"], o["no_history"], wants_change)
    history = open_history(target, key)
    accepted = load_accepted(Path(o["accepted_path"])) if o["accepted_path"] else None
    return config, ScanOptions(key=key, recognizer_files=files, limits=limits), loaded, history, accepted, target


def _history_target(config: Any, given: str | None, off: bool, wants_change: bool) -> str | None:
    """The history a check records in: --history, the config's [history] path, else the default file of this
    configuration (created here, private to the user). A default that cannot be created is said, and the
    check goes on unrecorded, unless --since or --fail-on new-undeclared needs it."""
    from scanner.config import default_history

    if off:
        if given:
            raise click.UsageError("--history and --no-history do not go together")
        if wants_change:
            raise click.UsageError("--since and --fail-on new-undeclared need a history, which --no-history turns off")
        return None
    if given or config.history:
        return given or config.history
    path = default_history(config.path)
    if path.exists():
        return str(path)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        why = f"cannot create {path.parent}: {exc.strerror or exc}; give --history or [history] path"
        if wants_change:
            raise HaravaError(f"no history: {why}") from None
        click.echo(f"Note: this check is not recorded ({why}, or --no-history).", err=True)
        return None
    click.echo(
        f"Note: {config.path} names no [history] path: runs are recorded in {path} (--since last compares"
        " with the previous one; --no-history records nothing).",
        err=True,
    )
    return str(path)


def _known_subjects(config: Any, key: bytes, loaded: list[Any], history: Any) -> Any:
    """The configuration's [[subjects]] lists, read and hashed (their values forgotten): a listener tallying
    the findings of their values, whose history records them with their subject. None without lists."""
    if not config.subjects:
        return None
    from scanner.adapters import Adapter
    from scanner.find import KnownSubjects, SubjectTally

    known = KnownSubjects(config.subjects, key, [Adapter(d.recognizer) for d in loaded])
    for note in known.notes():
        click.echo(f"Note: {note}", err=True)
    if history is not None:
        history.subjects = known.names
    return SubjectTally(known)


def _print_check(result: Any, change: Any, fmt: str, output: str | None, subjects: Any = None) -> None:
    import json

    from scanner.outfile import write_text
    from scanner.reports import render_change, render_html, render_table

    if fmt == "json":
        report = result.as_dict()
        if change is not None:
            report["changes"] = change.as_dict()
        if subjects is not None:  # only with [[subjects]] lists: the findings of their values
            report["subjects"] = subjects.as_list()
        text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    elif fmt == "html":
        text = render_html(result)
    else:
        text = render_table(result) + (render_change(change) if change is not None else "")
        if change is not None and change.key_note:
            text += change.key_note + "\n"
        if subjects is not None:
            text += subjects.text()
    if output:
        writing(output, lambda: write_text(output, text))
    else:
        click.echo(text, nl=False)


@main.command()
@click.argument("run", default="last", metavar="[last|RUN|DATE]")
@history_option("The history the run was recorded in (SQLite file or database URL).")
@config_option("Or the configuration whose checks recorded it: its [history] path, or its default history.")
@format_option(
    ("html", "json", "md", "csv", "parquet"),
    "html",
    "html: a page for people; json, md: the run and its verdicts; csv, parquet: its findings, one row each.",
)
@output_option("the report")
def report(run: str, history_path: str | None, config_path: str | None, fmt: str, output: str | None) -> None:
    """A report of a recorded run: the last one (default), run number RUN, or the last run on or before DATE
    (YYYY-MM-DD). HTML for people, JSON/Markdown, or the findings as CSV/Parquet for DuckDB, pandas or a
    BI tool.

    \b
    Examples:
      harava report --history history.db -o report.html
      harava report --config harava.toml -o report.html
      harava report 3 --history history.db --format md
      harava report --history history.db --format parquet -o findings.parquet
    """
    from scanner.history import History, HistoryError
    from scanner.reports import render

    history_path = _report_history(history_path, config_path)
    try:
        history = History(history_path)
        chosen = history.resolve(run)
        if chosen is None:
            raise HistoryError(f"{history_path}: no runs recorded yet")
        data = render(history, chosen, fmt)
    except HistoryError as exc:
        raise HaravaError(str(exc)) from exc
    if fmt in ("csv", "parquet") and not output and sys.stdout.isatty():
        raise click.UsageError(f"{fmt} output: give -o FILE or redirect standard output")
    if output:
        Path(output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def _report_history(history_path: str | None, config_path: str | None) -> str:
    """The history ``report`` reads: --history, or the one the configuration's checks record in (which must
    be there already: a report never creates an empty default history)."""
    from scanner.config import ConfigError, default_history, load_config

    if history_path and config_path:
        raise click.UsageError("give --history or --config, not both")
    if history_path:
        return history_path
    if not config_path:
        raise click.UsageError("which history? give --history PATH|URL, or --config FILE.toml of the checks")
    try:
        config = load_config(Path(config_path))
    except ConfigError as exc:
        raise HaravaError(str(exc)) from exc
    if config.history:
        return config.history
    path = default_history(config.path)
    if not path.exists():
        raise HaravaError(f"no check of {config_path} has been recorded yet (its default history would be {path})")
    return str(path)


@main.command()
@click.argument("values", nargs=-1, metavar="[VALUE]...")
@click.option(
    "--values-from",
    "lists",
    multiple=True,
    metavar="FILE[:COLUMN,...]",
    help="Values from a file, one per line — or from a CSV file's named columns (a header name or a number"
    " from 1), a row's values together as one subject; - is standard input. Each line or row is a subject"
    " of its own. Repeatable.",
)
@history_option("The history to search (SQLite file or database URL).")
@config_option(
    "Or the configuration whose checks recorded it: its [history] path (or default history), its [settings]"
    " key_file and recognizers, and the database URLs --rescan connects to."
)
@click.option(
    "--entity",
    metavar="NAME",
    help="What the values are, e.g. FI_PERSONAL_IDENTITY_CODE (default: the one entity whose detector accepts"
    " each value; `harava detectors` lists them). One value's own: ENTITY=VALUE, e.g. phone_number=0401234567.",
)
@format_option(("table", "json", "csv"), "table", "Output format: table for people; json or csv for programs.")
@output_option("the places")
@click.option(
    "--run",
    metavar="last|RUN|DATE",
    help="Search this recorded run: the last one (default), run number RUN, or the last run on or before DATE.",
)
@click.option("--all-runs", is_flag=True, help="Search every recorded run: places where the value was ever seen.")
@click.option(
    "--rescan",
    is_flag=True,
    help="Read each place again (a file re-extracted, a database row selected by its key) and say whether the"
    " value is still there: proof of an erasure.",
)
@recognizers_option
def find(values: tuple[str, ...], lists: tuple[str, ...], **o: Any) -> None:
    """Where is this person's data? List every place a history recorded the values at: identity codes,
    business IDs, phone numbers (any written form), e-mail and IP addresses, IBANs, card numbers.

    Each VALUE is checked and normalised by the detector that accepts it and hashed with the history's key,
    as a scan does; the places come from the history's index of value hashes, without rescanning. The
    VALUEs given together are one data subject; each line or row of --values-from is another. Values are
    never written anywhere: the output shows them masked, an error shows only their form (999999-999A).

    \b
    Examples:
      harava find 131052-308T --history history.db
      harava find 131052-308T aino.virtanen@example.fi "040 123 4567" --config harava.toml
      harava find --values-from poistopyynnot.csv:hetu,email --history history.db --format csv -o places.csv
      harava find 131052-308T --history history.db --all-runs
      harava find 131052-308T --history history.db --rescan      # after an erasure: is it gone?
      harava find --values-from - --history history.db < pyynto.txt   # values kept out of ps and shell history

    Exit status: 0 when the search completed (found or not); 2 on usage or errors (a value no detector
    accepts, a run hashed with a key not at hand). With --rescan: 1 when a value is still in a place it
    was recorded at, 2 when a place could not be read again, 0 when every value is gone.
    """
    from scanner.find import FindError, as_csv, as_json, as_table
    from scanner.history import HistoryError
    from scanner.sources.database import redact
    from scanner.terminal import plural

    if not values and not lists:
        raise click.UsageError("give the VALUEs to look for, or --values-from FILE")
    if o["all_runs"] and o["run"]:
        raise click.UsageError("--run and --all-runs do not go together")
    if o["all_runs"] and o["rescan"]:
        raise click.UsageError("--rescan reads the places of one run again: leave out --all-runs")
    try:
        found, target, status = _find(values, lists, o)
    except (FindError, HistoryError) as exc:
        raise HaravaError(str(exc)) from exc
    if o["fmt"] == "json":
        import json

        text = json.dumps(as_json(found, redact(str(target))), ensure_ascii=False, indent=2) + "\n"
    else:
        text = as_csv(found) if o["fmt"] == "csv" else as_table(found)
    if o["output"]:
        from scanner.outfile import write_text

        writing(o["output"], lambda: write_text(o["output"], text))
    else:
        click.echo(text, nl=False)
    places = sum(len(p) for p in found.places.values())
    subjects = sum(1 for p in found.places.values() if p)
    click.echo(f"{subjects} of {plural(len(found.subjects), 'subject')} found, in {plural(places, 'place')}.", err=True)
    sys.exit(status)


def _find(values: tuple[str, ...], lists: tuple[str, ...], o: dict[str, Any]):
    """The search of ``harava find`` (and its rescan): the result, the history searched, the exit status."""
    from scanner.adapters import Adapter
    from scanner.config import ConfigError, Settings, load_config
    from scanner.find import Identifier, Keys, rescan, rescan_status, search, subjects_from
    from scanner.history import History
    from scanner.keys import HashKeyError
    from scanner.scan import ScanOptions

    key, files, loaded, limits, _ = load_run_settings(o["config_path"], o["recognizer_files"])
    try:
        config = load_config(Path(o["config_path"])) if o["config_path"] else None
        keys = Keys((config.settings if config else Settings()).key_file)
    except (ConfigError, HashKeyError) as exc:
        raise HaravaError(str(exc)) from exc
    target = _find_history(o["history_path"], config)
    adapters = [Adapter(d.recognizer) for d in loaded]
    entity = entity_names(o["entity"], {a.entity for a in adapters}) if o["entity"] else None
    if entity and len(entity) > 1:
        raise click.UsageError("--entity takes one entity")
    subjects = subjects_from(values, lists, Identifier(adapters, entity[0] if entity else None), keys)
    history = History(target)
    found = search(history, subjects, keys, None if o["all_runs"] else (o["run"] or "last"))
    if not o["rescan"]:
        return found, target, 0
    urls = [s for r in config.registers for s in r.sources] if config else []
    rescan(found, keys, ScanOptions(key=key, recognizer_files=files, limits=limits), urls)
    return found, target, rescan_status(found)


def _find_history(history_path: str | None, config: Any) -> str:
    """The history ``find`` searches: --history, else the configuration's (which must exist: a search never
    creates an empty history)."""
    from scanner.config import default_history, is_database_url

    if history_path:
        target = history_path
    elif config is None:
        raise click.UsageError("which history? give --history PATH|URL, or --config FILE.toml of the checks")
    else:
        target = config.history or str(default_history(config.path))
    if not is_database_url(target) and not Path(target).is_file():
        raise HaravaError(f"{target}: no such history (a check or scan records one with --history)")
    return target


@main.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path), metavar="[DIR]")
@click.option("-i", "--interactive", is_flag=True, help="Ask for each register's name, statement and sources.")
@click.option("--force", is_flag=True, help="Replace an existing harava.toml.")
def init(folder: Path, interactive: bool, force: bool) -> None:
    """Write a commented harava.toml in DIR (default: this folder): one register per privacy statement found
    there (a file with a data-content section), a [history] path and the nightly schedule for this machine.
    Asks nothing unless --interactive.

    \b
    Examples:
      harava init                      # in the folder that holds the statements
      harava init /srv/harava -i       # asks for registers, statements and sources
    """
    from scanner.config import ConfigError
    from scanner.init import CONFIG_NAME, InitError, ask, drafts_from, find_statements, write_config

    if (folder / CONFIG_NAME).exists() and not force:
        raise HaravaError(f"{folder / CONFIG_NAME} exists; --force replaces it")
    found = find_statements(folder) if folder.is_dir() else []
    drafts = ask(folder, found, click.prompt) if interactive else drafts_from(found)
    try:
        path = write_config(folder, drafts, force=force)
    except (InitError, ConfigError) as exc:
        raise HaravaError(str(exc)) from exc
    shown = _shown(path)
    if not drafts:
        click.echo(
            f"Wrote {shown} with an example register, commented out: no privacy statement was found in {folder}."
        )
        click.echo("Put the statements there and run `harava init --force`, or fill in [[registers]] by hand.")
        return
    click.echo(f"Wrote {shown}: {len(drafts)} register{'s' if len(drafts) != 1 else ''}.")
    for draft in drafts:
        entities = sorted(draft.read.declared_entities) if draft.read else []
        sources = ", ".join(draft.sources)
        click.echo(f"  {draft.name}: declares {', '.join(entities) or 'no entity a detector finds'}; sources {sources}")
    if any(d.sources == ["."] for d in drafts):
        here = "this folder" if folder.resolve() == Path.cwd() else _shown(folder)
        click.echo(f'Sources "." scan {here} itself: edit sources = [...] to name the shares and databases.')
    click.echo(f"Next: harava check --config {shown}   (again with --since last: what changed)")


def _shown(path: Path) -> str:
    """A path as the user would type it from here."""
    import os

    relative = os.path.relpath(path)
    return relative if not relative.startswith("..") else str(path.resolve())


@main.group()
def key() -> None:
    """The secret key behind value_hash: where it is, and starting a new one.

    The key is made on first use (~/.config/harava/hash.key). Back it up with the history: a lost key is
    replaced by a new one, and hashes from before cannot be matched with later ones.

    \b
    Examples:
      harava key show-path
      cp "$(harava key show-path --config harava.toml)" /backup/harava/
      harava key rotate
    """


@key.command("show-path")
@config_option("Configuration file: its [settings] key_file is the key file.")
def key_show_path(config_path: str | None) -> None:
    """Print the key file's path (on standard output, for scripts: cp "$(harava key show-path)" …) and, on
    standard error, what names it, whether it exists and its id, and whether HARAVA_HASH_KEY overrides it.

    \b
    Examples:
      harava key show-path
      harava key show-path --config harava.toml    # its [settings] key_file
    """
    from scanner.keys import ENV_KEY, ENV_KEY_FILE, HashKeyError, key_id, key_source, load_key

    source = key_source(_settings_key_file(config_path))
    click.echo(str(source.path))
    named = {
        ENV_KEY_FILE: f"{ENV_KEY_FILE} names it",
        "[settings] key_file": f"[settings] key_file in {config_path} names it",
        "default": f"the default key file: neither {ENV_KEY_FILE} nor [settings] key_file names another",
    }
    if source.from_environment:
        import os

        overridden = key_id(os.environ[ENV_KEY].encode("utf-8"))
        click.echo(f"{ENV_KEY} is set and overrides this file: runs use the key it holds (id {overridden}).", err=True)
        return
    origin = next(n for o, n in named.items() if o == source.origin)
    if not source.path.exists():
        click.echo(f"Not created yet ({origin}): the first scan or check creates it.", err=True)
        return
    try:
        found = key_id(load_key(source.path))
        click.echo(f"Key id {found}; {origin}. Back it up with the history: without it, new runs cannot be", err=True)
        click.echo("matched with the runs it hashed (`harava key rotate` starts a new key on purpose).", err=True)
    except HashKeyError as exc:
        raise HaravaError(str(exc)) from exc


@key.command("rotate")
@config_option("Configuration file: its [settings] key_file is the key file.")
def key_rotate(config_path: str | None) -> None:
    """Start a new key; the old one is kept beside it, named by its id. Nothing is re-keyed: hashes already
    recorded stay as they are, the next run starts a new hash epoch, and comparing across it (--since) says
    so and matches findings by place only.

    \b
    Examples:
      harava key rotate
      harava key rotate --config harava.toml       # its [settings] key_file
    """
    from scanner.keys import HashKeyError, rotate_key

    try:
        done = rotate_key(_settings_key_file(config_path))
    except HashKeyError as exc:
        raise HaravaError(str(exc)) from exc
    click.echo(f"New key (id {done.new_id}) in {done.path}.")
    if done.retired is not None:
        click.echo(
            f"The old key (id {done.old_id}) is kept as {done.retired}: keep it with the backups of the runs it"
            f" hashed (to go back, move it to {done.path.name})."
        )
    click.echo(
        "Nothing was re-keyed. The next run starts a new hash epoch: compared with a run before it, findings"
        " are matched by place only (the report says so), and every file is read again once."
    )


def _settings_key_file(config_path: str | None) -> Path | None:
    from scanner.config import ConfigError, load_settings

    if not config_path:
        return None
    try:
        return load_settings(Path(config_path)).key_file
    except ConfigError as exc:
        raise HaravaError(str(exc)) from exc
