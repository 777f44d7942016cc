"""The ``harava`` command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from scanner import FORMATS, __version__
from scanner.options import (
    ByteSize,
    HaravaError,
    HaravaGroup,
    ended_on_failure,
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
    """Harava finds personal data in file shares and databases."""


@main.command()
@click.argument("targets", nargs=-1, required=True)
@format_option(FORMATS, "table")
@output_option("the findings")
@click.option("--show-values", is_flag=True, help="Print raw values instead of masked ones.")
@click.option("--entities", help="Comma-separated entity names to report (default: all).")
@click.option("--include", multiple=True, metavar="GLOB", help="Scan only files (or schema.tables) matching GLOB.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files, folders (or schema.tables) matching GLOB.")
@running_options
@recognizers_option
@click.option(
    "--min-score",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Report only findings scoring at least this.",
)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Configuration file (TOML).")
@click.option(
    "--max-file-size", type=ByteSize(), help="Report files larger than this (e.g. 500M, 2G) instead of reading them."
)
@click.option("--skip-hidden", is_flag=True, help="Leave out hidden files and folders (names starting with a dot).")
@click.option("--follow-symlinks", is_flag=True, help="Follow symbolic links (loops are detected and reported).")
@click.option("--sample", type=click.IntRange(min=1), help="Databases: scan a random sample of N rows per table.")
@click.option("--all-columns", is_flag=True, help="Databases: scan numeric, date and binary columns too (as text).")
@click.option(
    "--statement-timeout",
    type=click.FloatRange(min=0.1),
    default=300.0,
    show_default=True,
    help="Databases: seconds one query may run before its table is reported and skipped.",
)
@history_option("Record the run in this history (SQLite file or database URL).")
def scan(targets: tuple[str, ...], **o: Any) -> None:
    """Scan files, folders and databases for personal data.

    A TARGET is a file, a folder or a database URL: sqlite:///path.db, postgresql://user@host/db,
    mysql://user@host/db or mariadb://user@host/db (any SQLAlchemy URL whose driver is installed).

    Exit status: 0 when the scan completed (with or without findings), 2 on usage or fatal errors.
    Items that cannot be read are reported and the scan goes on.
    """
    from scanner import pipeline
    from scanner.scan import coverage_of
    from scanner.sinks import HistorySink, fanout, open_writer
    from scanner.terminal import progress_bar, summary_text

    options, walking, db, total = _scan_setup(targets, o)
    history = open_history(o["history_path"])
    writer, output = writing(o["output"], lambda: open_writer(o["fmt"], o["output"]))
    recorder = None
    if history is not None:
        from scanner.history import now

        recorder = HistorySink.begin(history, " ".join(targets), now())
    try:
        with ended_on_failure(recorder), progress_bar(total, o["no_progress"]) as bar:
            outcome = pipeline.run(
                targets,
                options,
                fanout(lambda _, batch: writer.write(batch), recorder),
                walk_options=walking,
                db=db,
                **running(o),
                progress=bar.update,
                on_error=lambda where, why: bar.write(f"harava: {where}: {why}", file=sys.stderr),
            )
        summary = outcome.total().as_dict()
        writer.close(summary)
    except BaseException:
        if output is not None:
            output.discard()  # a findings file that looks complete is complete
        raise
    if output is not None:
        output.commit()
    status = exit_status(incomplete=bool(outcome.failed))
    if recorder is not None:
        recorder.finish([], outcome.errors, status, coverage=coverage_of(outcome.total()))
        click.echo(f"Recorded as run {recorder.run_id} in {o['history_path']}.", err=True)
    click.echo(summary_text(summary), err=True)
    if outcome.failed:
        click.echo(f"Error: {len(outcome.failed)} of the targets could not be scanned at all (see above).", err=True)
    sys.exit(status)


def _scan_setup(targets: tuple[str, ...], o: dict[str, Any]):
    """The scan's options checked and built; the bytes to read when a progress bar will show them."""
    from detectors import entities_of
    from scanner.config import is_database_url
    from scanner.scan import ScanOptions
    from scanner.sources.database import DatabaseOptions
    from scanner.sources.files import FileItem, WalkOptions, walk

    paths = [t for t in targets if not is_database_url(t)]
    for target in paths:
        if not Path(target).exists() and not Path(target).is_symlink():
            raise click.UsageError(f"{target}: no such file or folder")
    key, files, loaded, limits = load_run_settings(o["config_path"], o["recognizer_files"], o["limits"])
    known = entities_of(loaded)
    wanted = tuple(e.strip() for e in o["entities"].split(",") if e.strip()) if o["entities"] else None
    unknown = sorted(set(wanted or ()) - known)
    if unknown:
        raise click.UsageError(f"unknown entity {unknown[0]}; known: {', '.join(sorted(known))}")
    if o["fmt"] == "parquet" and not o["output"] and sys.stdout.isatty():
        raise click.UsageError("Parquet is binary: give -o FILE or redirect standard output")
    if o["history_path"] and o["show_values"]:
        raise click.UsageError("a history never stores raw values: --history and --show-values do not go together")
    options = ScanOptions(key, wanted, files, o["show_values"], o["min_score"], limits=limits)
    walking = WalkOptions(o["include"], o["exclude"], o["max_file_size"], o["skip_hidden"], o["follow_symlinks"])
    db = DatabaseOptions(o["include"], o["exclude"], o["sample"], o["all_columns"], o["statement_timeout"])
    show = not o["no_progress"] and sys.stderr.isatty()
    total = sum(i.size for i in walk(paths, walking) if isinstance(i, FileItem)) if show and paths else None
    return options, walking, db, total


@main.command()
@recognizers_option
def detectors(recognizer_files: tuple[str, ...]) -> None:
    """List the installed detectors: built-in, plug-ins and YAML files."""
    from detectors import DetectorLoadError, load_detectors
    from scanner.engine import Engine

    try:
        loaded = load_detectors(recognizer_files)
    except DetectorLoadError as exc:
        raise HaravaError(str(exc)) from exc
    engine = Engine([d.recognizer for d in loaded])
    click.echo(f"{'DETECTOR':<22} {'ENTITY':<28} {'CATEGORY':<18} {'PATH':<11} ORIGIN")
    for d, adapter in zip(loaded, engine.adapters, strict=True):
        path = "vectorised" if engine.is_vectorised(d.recognizer) else "per-text"
        click.echo(f"{adapter.name:<22} {adapter.entity:<28} {adapter.category:<18} {path:<11} {d.origin}")


@main.group()
def register() -> None:
    """Privacy statements (tietosuojaseloste) and what they declare."""


@register.command("parse")
@click.argument("statements", nargs=-1, required=True, type=click.Path(dir_okay=False))
@format_option(("json", "table"), "json")
@recognizers_option
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Configuration file (TOML).")
def register_parse(
    statements: tuple[str, ...], fmt: str, recognizer_files: tuple[str, ...], config_path: str | None
) -> None:
    """Read privacy statements and print the personal-data categories each declares, with evidence.

    Formats: .txt, .md, .html, .docx, .pdf; Finnish, Swedish and English. Which entities a category
    declares comes from the detectors: built-in ones, plug-ins and the YAML recognizer files given.
    """
    import json

    from detectors import entities_by_category
    from scanner.registers.documents import StatementError
    from scanner.registers.statement import parse_statement
    from scanner.reports import statement_table

    _, _, loaded, _ = load_run_settings(config_path, recognizer_files)
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


@main.command()
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Configuration file (TOML) naming the registers, their statements and sources.",
)
@format_option(("table", "json", "html"), "table")
@output_option("the report")
@running_options
@history_option("Record the run in this history (SQLite file or database URL); default: [history] path in the config.")
@click.option("--since", help="Also report what changed since a recorded run: last, a run number, or a date.")
@click.option(
    "--fail-on",
    type=click.Choice(["undeclared", "new-undeclared", "never"]),
    default="undeclared",
    show_default=True,
    help="When to exit with status 1.",
)
@click.option("--full", is_flag=True, help="Read every file again, even those unchanged since the last run.")
@click.option(
    "--accepted",
    "accepted_path",
    type=click.Path(dir_okay=False),
    help="Accepted-findings file: reviewed findings reported as accepted, not undeclared.",
)
@click.option(
    "--write-accepted",
    type=click.Path(dir_okay=False),
    help="Write every undeclared finding of this run to FILE as accepted entries to review.",
)
def check(config_path: str, **o: Any) -> None:
    """Compare the personal data in each register's sources with what its privacy statement declares.

    Exit status: 1 when undeclared personal data was found (with --fail-on new-undeclared: only when it
    is new since the previous run; never: not at all), 2 on errors, else 0.
    """
    from detectors import entities_of
    from scanner import pipeline
    from scanner.config import ConfigError
    from scanner.history import HistoryError, now
    from scanner.registers.accepted import AcceptedWriter
    from scanner.registers.documents import StatementError
    from scanner.sinks import HistorySink
    from scanner.terminal import progress_bar, reuse_text

    started = now()
    wants_change = bool(o["since"]) or o["fail_on"] == "new-undeclared"
    try:
        config, options, loaded, history, accepted = _check_setup(config_path, o, wants_change)
        entities = entities_of(loaded)
        signature = options.signature(entities, config.exclude)
        previous = history.previous_scan(signature) if history is not None and not o["full"] else None
        if o["since"] and history is not None:
            history.resolve(o["since"])  # a run or date that is not there is said now, not after the scan
        tallies = pipeline.tallies(config, loaded, accepted)  # statements read before anything is written
        accepting = o["write_accepted"] and writing(
            o["write_accepted"], lambda: AcceptedWriter(Path(o["write_accepted"]))
        )
        recorder = HistorySink.begin(history, config_path, started, signature) if history is not None else None
        listeners = [x for x in (recorder, accepting) if x]
        with ended_on_failure(*listeners):  # to the end: a stop while the last findings are written counts
            with progress_bar(None, o["no_progress"]) as bar:
                result, outcome = pipeline.check(
                    config,
                    options,
                    tallies,
                    detectors=loaded,
                    listeners=listeners,
                    **running(o),
                    progress=bar.update,
                    previous=previous,
                )
            for listener in listeners:
                listener.close()
            change = _record(recorder, result, outcome, o["since"] or "last" if wants_change else None)
    except (ConfigError, StatementError, HistoryError) as exc:
        raise HaravaError(str(exc)) from exc
    _print_check(result, change, o["fmt"], o["output"])
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
    new_undeclared = change is not None and any(f.undeclared for f in change.new)
    status = exit_status(
        incomplete=result.incomplete,
        undeclared=result.has_undeclared,
        new_undeclared=new_undeclared,
        fail_on=o["fail_on"],
    )
    sys.exit(status)


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

    key, files, loaded, limits = load_run_settings(config_path, limits=o["limits"])
    say_notes(loaded)
    allowed = entities_of(loaded) | known_entities(entities_by_category(loaded))
    config = load_config(Path(config_path), require_registers=True, entities=allowed)
    if wants_change and not (o["history_path"] or config.history):
        raise click.UsageError("--since and --fail-on new-undeclared need a history (--history or [history])")
    history = open_history(o["history_path"] or config.history)
    accepted = load_accepted(Path(o["accepted_path"])) if o["accepted_path"] else None
    return config, ScanOptions(key=key, recognizer_files=files, limits=limits), loaded, history, accepted


def _print_check(result: Any, change: Any, fmt: str, output: str | None) -> None:
    import json

    from scanner.outfile import write_text
    from scanner.reports import render_change, render_html, render_table

    if fmt == "json":
        report = result.as_dict()
        if change is not None:
            report["changes"] = change.as_dict()
        text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    elif fmt == "html":
        text = render_html(result)
    else:
        text = render_table(result) + (render_change(change) if change is not None else "")
    if output:
        writing(output, lambda: write_text(output, text))
    else:
        click.echo(text, nl=False)


@main.command()
@click.argument("run", default="last")
@click.option("--history", "history_path", required=True, help="The history (SQLite file or database URL).")
@click.option(
    "--format", "fmt", type=click.Choice(["html", "json", "md", "csv", "parquet"]), default="html", show_default=True
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here (default: stdout).")
def report(run: str, history_path: str, fmt: str, output: str | None) -> None:
    """A report of a recorded run (default: the last): HTML for people, JSON/Markdown, or the findings as
    CSV/Parquet for DuckDB, pandas or a BI tool."""
    from scanner.history import History, HistoryError
    from scanner.reports import render

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
