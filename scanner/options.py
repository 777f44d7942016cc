"""What the ``harava`` commands share: option decorators, parameter types, errors, the exit status, and
loading the settings, key and detectors every scanning command needs."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

T = TypeVar("T")


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


recognizers_option = click.option(
    "--recognizers",
    "recognizer_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    metavar="FILE.yaml",
    help="A Presidio YAML recognizer file to load as well (repeatable).",
)


def config_option(help: str, required: bool = False):
    return click.option(
        "--config",
        "config_path",
        required=required,
        type=click.Path(dir_okay=False),
        metavar="FILE.toml",
        help=help,
    )


def exit_status(
    *, incomplete: bool, undeclared: bool = False, new_undeclared: bool = False, fail_on: str = "never"
) -> int:
    """The exit status, per the outside contract: 2 when something could not be scanned at all (the answer
    is incomplete), else 1 when ``fail_on`` says what was found is a failure, else 0."""
    if incomplete:
        return 2
    if fail_on == "undeclared":
        return int(undeclared)
    if fail_on == "new-undeclared":
        return int(new_undeclared)
    return 0


def _options(*decorators):
    """Several click options as one decorator (shared by the commands that take them)."""

    def apply(function):
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


def output_option(what: str):
    return click.option(
        "-o", "--output", type=click.Path(dir_okay=False), help=f"Write {what} to FILE (default: stdout)."
    )


def format_option(choices: tuple[str, ...], default: str, help: str = "Output format."):
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True, help=help)


running_options = _options(
    click.option(
        "--workers",
        type=click.IntRange(min=0),
        default=1,
        show_default=True,
        metavar="N",
        help="Worker processes scanning files and tables side by side; a worker that crashes or hangs on an"
        " item is replaced and the item reported. 0: scan in this process, unprotected (for debugging).",
    ),
    click.option(
        "--item-timeout",
        type=click.FloatRange(min=0.1),
        default=300.0,
        show_default=True,
        metavar="SECONDS",
        help="How long one file or table may take before it is reported as timed out and left.",
    ),
    click.option(
        "--max-memory",
        type=ByteSize(),
        default="4G",
        show_default=True,
        metavar="SIZE",
        help="Resident memory one worker may use; a reader that needs more is stopped and its item reported.",
    ),
    click.option(
        "--limit",
        "limits",
        multiple=True,
        metavar="NAME=N",
        callback=lambda ctx, param, value: _limits(value),
        help="Change a limit on the work one item may cost (repeatable; also [limits] in the config):"
        " max_nesting, max_cells, max_pages, max_depth, max_members, max_member, max_total, max_ratio."
        " An item that reaches one is reported partial.",
    ),
    click.option("--no-progress", is_flag=True, help="No progress bar (it is also off when stderr is not a terminal)."),
    click.option(
        "--cluster",
        metavar="ADDRESS",
        help="Scan on a Dask cluster: local:N (N worker processes on this machine) or a scheduler's address"
        " (tcp://host:8786); also [cluster] address in the config. Each worker opens the items itself: the"
        " share mounted at the same path, the same hash key. Needs pip install 'harava[cluster]'.",
    ),
)


def running(o: dict[str, Any], settings: Any = None) -> dict[str, Any]:
    """The supervision options as ``scanner.pipeline.run`` takes them (no memory watch without workers), and
    the cluster to run on: ``--cluster``, else the configuration's ``[cluster] address`` (``settings``, as
    :func:`load_run_settings` read them)."""
    address = o["cluster"] or (settings.cluster if settings else None)
    cluster = None
    if address:
        from scanner.cluster import parse_cluster

        try:
            cluster = parse_cluster(address)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--cluster") from None
    return {
        "workers": o["workers"],
        "item_timeout": o["item_timeout"],
        "max_memory": o["max_memory"] if o["workers"] or cluster else None,
        "cluster": cluster,
        "key_file": settings.key_file if settings else None,
    }


def _limits(values: tuple[str, ...]) -> dict[str, int]:
    from scanner.extract import Limits

    chosen: dict[str, int] = {}
    for value in values:
        name, _, number = value.partition("=")
        name = name.strip().replace("-", "_")
        if not number.strip().isdigit():
            raise click.BadParameter(f"{value!r}: expected NAME=N, a whole number", param_hint="--limit")
        chosen[name] = int(number)
    try:
        Limits().with_values(chosen)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--limit") from None
    return chosen


def history_option(help: str, required: bool = False):
    return click.option("--history", "history_path", metavar="PATH|URL", required=required, help=help)


def entity_names(text: str | None, known: set[str]) -> tuple[str, ...] | None:
    """``--entities``: names separated by commas, in any case (``phone_number`` is ``PHONE_NUMBER``).

    >>> entity_names("phone_number, Email_Address", {"PHONE_NUMBER", "EMAIL_ADDRESS"})
    ('PHONE_NUMBER', 'EMAIL_ADDRESS')
    """
    if not text:
        return None
    canonical = {name.upper(): name for name in known}
    wanted = tuple(canonical.get(e.strip().upper(), e.strip()) for e in text.split(",") if e.strip())
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise click.UsageError(f"unknown entity {unknown[0]}; known: {', '.join(sorted(known))}")
    return wanted


def open_history(target: str | Path | None, key: bytes | None = None):
    """The history at ``target`` (None: no history, and neither it nor SQLAlchemy is imported); ``key`` is the
    hash key of the runs to record, whose id each run keeps (see ``scanner.keys.key_id``)."""
    if not target:
        return None
    from scanner.history import History, HistoryError
    from scanner.keys import key_id

    try:
        return History(target, key_id=key_id(key) if key is not None else None)
    except HistoryError as exc:
        raise HaravaError(str(exc)) from exc


def load_run_settings(
    config_path: str | None, recognizer_files: tuple[str, ...] = (), limits: dict[str, int] | None = None
):
    """Hash key, YAML recognizer files, the loaded detectors (built-in, plug-ins, YAML), the limits per
    item (the configuration's ``[limits]``, then ``--limit``) and the configuration's settings."""
    from detectors import DetectorLoadError, load_detectors
    from scanner.config import ConfigError, Settings, load_settings
    from scanner.extract import Limits
    from scanner.keys import HashKeyError, load_key

    try:
        settings = load_settings(Path(config_path)) if config_path else Settings()
        key = load_key(settings.key_file)
        files = tuple(str(p) for p in settings.recognizers) + recognizer_files
        loaded = load_detectors(files)
    except (ConfigError, HashKeyError, DetectorLoadError) as exc:
        raise HaravaError(str(exc)) from exc
    return key, files, loaded, Limits().with_values({**dict(settings.limits), **(limits or {})}), settings


def say_notes(loaded: list[Any]) -> None:
    """Detectors no privacy statement can declare (no category, or one unknown to the taxonomy)."""
    from scanner.registers.taxonomy import uncategorised_notes

    for note in uncategorised_notes(loaded):
        click.echo(f"Note: {note}", err=True)


def writing(path: str | None, opener: Callable[[], T]) -> T:
    """Open an output the user named; a path that cannot be written is their mistake, said plainly."""
    try:
        return opener()
    except OSError as exc:
        raise HaravaError(f"{path}: cannot write: {exc.strerror or exc}") from None


@contextlib.contextmanager
def ended_on_failure(*listeners: Any) -> Iterator[None]:
    """A run that ends without a result — an error, an interrupt — is recorded as such in the history and
    leaves the accepted-findings file as it was."""
    try:
        yield
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            terminated = type(exc).__name__ == "Terminated"
            why, status = ("interrupted (SIGTERM)", 143) if terminated else ("interrupted", 130)
        else:
            why, status = f"failed: {type(exc).__name__}", 2
        for listener in listeners:
            if listener is not None:
                listener.abort(why, status)
        raise


class Terminated(KeyboardInterrupt):
    """SIGTERM (a service stopped, a timeout in cron's wrapper): ended as cleanly as Ctrl-C."""


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated


class HaravaGroup(click.Group):
    """The command group, with what every command shares: the files it writes are private to the user
    (findings, histories and accepted-findings files describe personal data), an interrupt exits 130, and
    an unexpected error exits 2 with its type only — never 1, which ``check`` uses for "undeclared data",
    and never with a message that might quote a value (``HARAVA_DEBUG=1`` shows the traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        import contextlib
        import os
        import signal

        previous = os.umask(0o077)
        with contextlib.suppress(ValueError):  # not the main thread (an embedding program): its signals are its own
            signal.signal(signal.SIGTERM, _terminate)
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            terminated = isinstance(exc, Terminated)
            outcome = getattr(exc, "outcome", None)
            if outcome is not None:  # what was read before the interrupt, so that a stopped night says how far it got
                from scanner.terminal import summary_text

                click.echo("Interrupted — read so far:\n" + summary_text(outcome.total().as_dict()), err=True)
            click.echo(f"harava: interrupted{' (SIGTERM)' if terminated else ''}", err=True)
            sys.exit(143 if terminated else 130)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except Exception as exc:
            if os.environ.get("HARAVA_DEBUG"):
                raise
            if getattr(exc, "quotes_no_data", False):  # its own message is safe to show (a cluster's failure)
                click.echo(f"Error: {exc}", err=True)
                sys.exit(2)
            click.echo(
                f"Error: internal error ({type(exc).__name__}); its message is withheld because it may quote"
                " scanned data — run with HARAVA_DEBUG=1 to see it.",
                err=True,
            )
            sys.exit(2)
        finally:
            os.umask(previous)
