"""The ``harava`` command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pyarrow as pa

from scanner import __version__

FORMATS = ("table", "jsonl", "json", "csv", "parquet")


class ByteSize(click.ParamType):
    """A size such as ``500M`` or ``2G`` (K, M, G, T: powers of 1024) or plain bytes."""

    name = "size"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().upper().removesuffix("B")
        factor = 1
        if text and text[-1] in "KMGT":
            factor = 1024 ** ("KMGT".index(text[-1]) + 1)
            text = text[:-1]
        try:
            return int(float(text) * factor)
        except ValueError:
            self.fail(f"{value!r} is not a size like 500M or 2G", param, ctx)


class HaravaError(click.ClickException):
    """A fatal error: printed as ``Error: …`` and, per the outside contract, exit status 2."""

    exit_code = 2


def _summary_text(summary: dict) -> str:
    mb = summary["bytes"] / 1e6
    seconds = summary["seconds"] or 1e-9
    lines = []
    if summary["files"] or not summary.get("tables"):
        lines.append(f"Scanned {summary['files']} files, {mb:.1f} MB in {seconds:.2f} s ({mb / seconds:.1f} MB/s).")
    if summary.get("tables"):
        lines.append(f"Scanned {summary['tables']} tables, {summary['rows']} rows.")
        for column in summary["columns"]:
            for entity, stats in column["entities"].items():
                hint = ", name hint" if stats["name_hint"] else ""
                sampled = f", {column['sampling']}" if column.get("sampling") else ""
                name = f"{column['table']}.{column['column']}"
                lines.append(
                    f"  {name:<32} {entity:<26} {stats['rows']}/{column['rows_scanned']}"
                    f" rows ({stats['ratio']:.0%}, {stats['confidence']} confidence{hint}{sampled})"
                )
    findings = summary["findings"]
    if findings:
        lines.append(f"Findings: {sum(findings.values())}")
        lines.extend(f"  {entity:<28} {count}" for entity, count in findings.items())
    else:
        lines.append("Findings: none")
    if summary["skipped"]:
        lines.append("Skipped: " + ", ".join(f"{n} {reason}" for reason, n in summary["skipped"].items()))
    if summary["errors"]:
        lines.append(f"Could not read {len(summary['errors'])} items:")
        lines.extend(f"  {e['source']}: {e['error']}" for e in summary["errors"])
    return "\n".join(lines)


def _signature(options, entities: set[str], exclude: list[str]) -> str:
    """What a run's findings depend on besides the files themselves; a change means: read everything."""
    import hashlib

    from scanner import __version__ as version

    parts = [
        version,
        ",".join(sorted(entities)),
        repr(options.entities),
        repr(options.min_score),
        ",".join(sorted(exclude)),
        options.key.hex(),
    ]
    for path in options.recognizer_files:
        parts.append(Path(path).read_text("utf-8", errors="replace"))
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _progress_bar(total: int | None, no_progress: bool):
    """A byte progress bar on standard error, shown only on a terminal."""
    from tqdm import tqdm

    show = not no_progress and sys.stderr.isatty()
    return tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc="harava",
        disable=not show,
        file=sys.stderr,
        leave=False,
    )


recognizers_option = click.option(
    "--recognizers",
    "recognizer_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="A Presidio YAML recognizer file to load as well (repeatable).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="harava")
def main() -> None:
    """Harava finds personal data in file shares and databases."""


@main.command()
@click.argument("targets", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write findings to this file (default: stdout).")
@click.option("--show-values", is_flag=True, help="Print raw values instead of masked ones.")
@click.option("--entities", help="Comma-separated entity names to report (default: all).")
@click.option("--include", multiple=True, metavar="GLOB", help="Scan only files (or schema.tables) matching GLOB.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files, folders (or schema.tables) matching GLOB.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes for files; parallel tables for databases.",
)
@click.option("--no-progress", is_flag=True, help="No progress bar (it is also off when stderr is not a terminal).")
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
@click.option("--history", "history_path", help="Record the run in this history (SQLite file or database URL).")
def scan(
    targets: tuple[str, ...],
    fmt: str,
    output: str | None,
    show_values: bool,
    entities: str | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    workers: int,
    no_progress: bool,
    recognizer_files: tuple[str, ...],
    min_score: float,
    config_path: str | None,
    sample: int | None,
    all_columns: bool,
    statement_timeout: float,
    max_file_size: int | None,
    skip_hidden: bool,
    follow_symlinks: bool,
    history_path: str | None,
) -> None:
    """Scan files, folders and databases for personal data.

    A TARGET is a file, a folder or a database URL: sqlite:///path.db, postgresql://user@host/db,
    mysql://user@host/db or mariadb://user@host/db (any SQLAlchemy URL whose driver is installed).

    Exit status: 0 when the scan completed (with or without findings), 2 on usage or fatal errors.
    Items that cannot be read are reported and the scan goes on.
    """

    from detectors import DetectorLoadError, load_detectors
    from scanner.config import ConfigError, Settings, is_database_url, load_settings
    from scanner.keys import HashKeyError, load_key
    from scanner.output import open_writer
    from scanner.scan import ScanOptions, run_database_scan, run_scan
    from scanner.sources.database import DatabaseError, DatabaseOptions
    from scanner.sources.files import FileItem, WalkOptions, walk

    databases = [t for t in targets if is_database_url(t)]
    paths = [t for t in targets if not is_database_url(t)]
    for target in paths:
        if not Path(target).exists() and not Path(target).is_symlink():
            raise click.UsageError(f"{target}: no such file or folder")
    try:
        settings = load_settings(Path(config_path)) if config_path else Settings()
        key = load_key(settings.key_file)
        files = tuple(str(p) for p in settings.recognizers) + recognizer_files
        known = {e for d in load_detectors(files) for e in d.recognizer.supported_entities}
    except (ConfigError, HashKeyError, DetectorLoadError) as exc:
        raise HaravaError(str(exc)) from exc
    wanted = tuple(e.strip() for e in entities.split(",") if e.strip()) if entities else None
    if wanted:
        unknown = sorted(set(wanted) - known)
        if unknown:
            raise click.UsageError(f"unknown entity {unknown[0]}; known: {', '.join(sorted(known))}")
    if fmt == "parquet" and not output and sys.stdout.isatty():
        raise click.UsageError("Parquet is binary: give -o FILE or redirect standard output")

    options = ScanOptions(
        key=key, entities=wanted, recognizer_files=files, show_values=show_values, min_score=min_score
    )
    walk_options = WalkOptions(include, exclude, max_file_size, skip_hidden, follow_symlinks)
    items = list(walk(paths, walk_options))
    total = sum(i.size for i in items if isinstance(i, FileItem))
    if history_path and show_values:
        raise click.UsageError("a history never stores raw values: --history and --show-values do not go together")
    from scanner.history import History, HistoryError, _now, findings_of

    started = _now()
    try:
        history = History(history_path) if history_path else None
    except HistoryError as exc:
        raise HaravaError(str(exc)) from exc
    writer, handle = open_writer(fmt, output)
    bar = _progress_bar(total, no_progress)
    kept: list[pa.RecordBatch] = []

    def write(batch: pa.RecordBatch) -> None:
        writer.write(batch)
        if history is not None:
            kept.append(batch)

    def report_error(source: str, reason: str) -> None:
        bar.write(f"harava: {source}: {reason}", file=sys.stderr)

    try:
        summary = run_scan(
            paths, options, write, workers=workers, items=items, progress=bar.update, on_error=report_error
        )
        db = DatabaseOptions(include, exclude, sample, workers, all_columns, statement_timeout)
        for url in databases:
            part = run_database_scan(url, options, write, db, on_error=report_error)
            summary.add(part)
            summary.seconds += part.seconds
        bar.close()
        writer.close(summary.as_dict())
        if history is not None:
            findings = [f for batch in kept for f in findings_of("", batch, set())]
            errors = [{"source": s, "error": e} for s, e in summary.errors]
            run_id = history.record(" ".join(targets), [], findings, errors, 0, started)
            click.echo(f"Recorded as run {run_id} in {history_path}.", err=True)
    except DatabaseError as exc:
        raise HaravaError(str(exc)) from exc
    finally:
        bar.close()
        if handle is not None:
            handle.close()
    click.echo(_summary_text(summary.as_dict()), err=True)


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
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True)
def register_parse(statements: tuple[str, ...], fmt: str) -> None:
    """Read privacy statements and print the personal-data categories each declares, with evidence.

    Formats: .txt, .md, .html, .docx, .pdf; Finnish, Swedish and English.
    """
    import json

    from scanner.registers.check import statement_table
    from scanner.registers.documents import StatementError
    from scanner.registers.statement import parse_statement

    parsed = []
    for path in statements:
        try:
            parsed.append(parse_statement(Path(path), path))
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
@click.option("--format", "fmt", type=click.Choice(["table", "json", "html"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to this file.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@click.option(
    "--history",
    "history_path",
    help="Record the run in this history (SQLite file or database URL); default: [history] path in the config.",
)
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
def check(
    config_path: str,
    fmt: str,
    output: str | None,
    workers: int,
    no_progress: bool,
    history_path: str | None,
    since: str | None,
    fail_on: str,
    full: bool,
    accepted_path: str | None,
    write_accepted: str | None,
) -> None:
    """Compare the personal data in each register's sources with what its privacy statement declares.

    Exit status: 1 when undeclared personal data was found (with --fail-on new-undeclared: only when it
    is new since the previous run; never: not at all), 2 on errors, else 0.
    """
    import json

    from detectors import DetectorLoadError, load_detectors
    from scanner.config import ConfigError, load_config
    from scanner.history import History, HistoryError, _now
    from scanner.keys import HashKeyError, load_key
    from scanner.registers.accepted import load_accepted
    from scanner.registers.accepted import write_accepted as write_accepted_file
    from scanner.registers.check import render_change, render_html, render_table, run_check
    from scanner.registers.documents import StatementError
    from scanner.registers.taxonomy import KNOWN_ENTITIES
    from scanner.scan import ScanOptions

    started = _now()
    try:
        settings = load_config(Path(config_path)).settings
        files = tuple(str(p) for p in settings.recognizers)
        detector_entities = {e for d in load_detectors(files) for e in d.recognizer.supported_entities}
        config = load_config(
            Path(config_path), require_registers=True, entities=detector_entities | set(KNOWN_ENTITIES)
        )
        history_target = history_path or config.history
        if (since or fail_on == "new-undeclared") and not history_target:
            raise click.UsageError("--since and --fail-on new-undeclared need a history (--history or [history])")
        history = History(history_target) if history_target else None
        accepted = load_accepted(Path(accepted_path)) if accepted_path else None
        options = ScanOptions(key=load_key(settings.key_file), recognizer_files=files)
        with _progress_bar(None, no_progress) as bar:
            signature = _signature(options, detector_entities, config.exclude)
            previous = history.previous_scan(signature) if history is not None and not full else None
            result = run_check(
                config,
                options,
                detector_entities=detector_entities,
                workers=workers,
                progress=bar.update,
                keep_findings=history is not None or bool(write_accepted),
                accepted=accepted,
                previous=previous,
            )
        if write_accepted:
            write_accepted_file(Path(write_accepted), [f.__dict__ for f in result.history_findings() if f.undeclared])
        change = None
        if history is not None:
            status = 2 if result.incomplete else (1 if result.has_undeclared else 0)
            run_id = history.record(
                config_path,
                [v.as_dict() for v in result.verdicts],
                result.history_findings(),
                result.errors,
                status,
                started,
                result.files,
                signature,
            )
            if since or fail_on == "new-undeclared":
                change = history.compare(run_id, history.resolve(since or "last", before=run_id))
    except (ConfigError, HashKeyError, DetectorLoadError, StatementError, HistoryError) as exc:
        raise HaravaError(str(exc)) from exc
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
        Path(output).write_text(text, "utf-8")
    else:
        click.echo(text, nl=False)
    reused_files, reused_bytes = result.reused
    if reused_files:
        read_files = sum(r.summary.files for r in result.sources.values()) - reused_files
        read_seconds = sum(r.summary.read_seconds for r in result.sources.values())
        saved = f", about {reused_files * read_seconds / read_files:.2f} s saved" if read_files > 0 else ""
        click.echo(
            f"{reused_files} files ({reused_bytes / 1e6:.1f} MB) unchanged since run {result.reused_from}: "
            f"their findings carried over, not read again{saved} (--full reads everything).",
            err=True,
        )
    if result.incomplete:
        click.echo("Error: some sources could not be scanned (see errors); the verdict is incomplete.", err=True)
        sys.exit(2)
    if fail_on == "never":
        sys.exit(0)
    if fail_on == "new-undeclared":
        sys.exit(1 if change is not None and any(f.undeclared for f in change.new) else 0)
    sys.exit(1 if result.has_undeclared else 0)


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
