"""``flowzap-convert``: the command line. It only parses arguments, calls the library and prints;
every input goes through ``converters.migrate.one`` (one file or Markdown page → outcome, exit
status and message), whichever command reads it.

Exit status: 0 converted (warnings allowed), 1 input rejected, 2 usage error (unknown format,
bad option, missing file, unwritable output), 3 loss under ``--loss-policy fail``, 4 internal
error (a bug); ``migrate`` also: 1 some file failed, 5 stopped early (resume with ``--resume``).
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from click.shell_completion import CompletionItem

from . import __version__, api, registry
from .diagnostics import Severity
from .errors import FlowzapError, OptionError, UnknownFormatError
from .migrate import one

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_LOSS, EXIT_INTERNAL = 0, 1, 2, 3, 4

_SEVERITY_COLOUR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _colour() -> bool | None:
    """False under NO_COLOR (https://no-color.org); None: click decides (a terminal or not)."""
    return False if os.environ.get("NO_COLOR") else None


def _err(text: str, fg: str | None = None, bold: bool = False) -> None:
    click.echo(click.style(text, fg=fg, bold=bold) if fg or bold else text, err=True, color=_colour())


def _print_lines(outcome: one.Outcome, quiet: bool) -> None:
    for severity, text in outcome.lines():
        if quiet and severity is not Severity.ERROR:
            continue
        _err(text, _SEVERITY_COLOUR[severity], bold=text.endswith(outcome.message or "\0"))


def _read_input(path: str) -> tuple[bytes | None, str, str | None, OSError | None]:
    """(bytes, display name, filename for format detection, the error when it cannot be read)."""
    if path == "-":
        return sys.stdin.buffer.read(), "<stdin>", None, None
    try:
        return Path(path).read_bytes(), path, Path(path).name, None
    except OSError as error:
        return None, path, Path(path).name, error


def _parse_options(pairs: tuple[str, ...]) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.UsageError(f"--option {pair!r}: expected KEY=VALUE")
        options[key.strip()] = value
    return options


def _complete_formats(write: bool):
    def complete(ctx, param, incomplete: str) -> list[CompletionItem]:
        return [CompletionItem(fmt.name, help=fmt.title) for fmt in registry.all_formats()
                if (fmt.can_write if write else fmt.can_read) and fmt.name.startswith(incomplete.lower())]
    return complete


def _target(target_format: str | None, output: str | None, options: dict[str, str]) -> str:
    """The target format's name, checked with its options before anything is read."""
    if target_format is None:
        target = registry.format_for_filename(output) if output and output != "-" else None
        if target is None:
            raise click.UsageError("--to FORMAT is required (or -o with a known extension)")
        target_format = target.name
    try:
        fmt = registry.get_format(target_format)
        if not fmt.can_write:
            raise UnknownFormatError(f"the {fmt.name} format can be read but not written")
        registry.resolve_options(fmt, options)
    except (UnknownFormatError, OptionError) as error:
        raise click.UsageError(error.message) from error
    return fmt.name


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="flowzap-convert")
def cli() -> None:
    """Convert diagrams between FlowZap Code, Mermaid, BPMN 2.0 and YAML (see `formats`).

    Shell completion: eval "$(_FLOWZAP_CONVERT_COMPLETE=bash_source flowzap-convert)" (zsh_source, fish_source).
    """


FROM_OPTION = click.option("--from", "source_format", metavar="FORMAT", shell_complete=_complete_formats(False),
                           help="Source format (default: from the extension, else the content).")
LOSS_OPTION = click.option("--loss-policy", type=click.Choice(api.LOSS_POLICIES), default="warn", show_default=True,
                           help="What a conversion that cannot carry everything does.")
OPTION_OPTION = click.option("--option", "options", multiple=True, metavar="KEY=VALUE",
                             help="A writer option (see `formats`); repeatable.")


@cli.command()
@click.argument("input", default="-", metavar="[INPUT|-]")
@FROM_OPTION
@click.option("--to", "target_format", metavar="FORMAT", shell_complete=_complete_formats(True),
              help="Target format (default: from -o's extension).")
@click.option("-o", "--output", metavar="FILE|-", help="Write here (- or nothing: stdout); written atomically.")
@OPTION_OPTION
@LOSS_OPTION
@click.option("-q", "--quiet", is_flag=True, help="Print errors only, no warnings.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout (content, formats, diagnostics).")
def convert(input: str, source_format, target_format, output, options, loss_policy, quiet, as_json) -> None:
    """Convert INPUT (a file, a Markdown page's diagram blocks, or - for stdin) to another format."""
    parsed = _parse_options(options)
    target = _target(target_format, output, parsed)
    data, name, filename, error = _read_input(input)
    if error is not None:
        outcome = one.unreadable(name, error)
    else:
        outcome = one.convert_input(data, name=name, filename=filename, target_format=target,
                                    source_format=source_format, options=parsed, loss_policy=loss_policy)
        if outcome.status == "other":
            outcome.status, outcome.exit_code = "failed", EXIT_REJECTED
            outcome.message = "no diagram block found in this Markdown page"
    to_file = output not in (None, "-")
    if outcome.content is not None and to_file and outcome.ok:
        from .migrate.atomic import write_file

        try:
            write_file(output, outcome.content.encode("utf-8"))
        except OSError as exc:
            outcome.exit_code, outcome.status = EXIT_USAGE, "failed"
            outcome.message = f"cannot write {output}: {exc.strerror or exc}"
    if as_json:
        data = outcome.to_dict()
        if to_file:
            data["output"] = output if outcome.ok else None
        elif outcome.ok:
            data["content"] = outcome.content
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _print_lines(outcome, quiet)
        if outcome.ok and not to_file:
            sys.stdout.write(outcome.content)
            sys.stdout.flush()
    sys.exit(outcome.exit_code)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@FROM_OPTION
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout, for scripts.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
def validate(inputs, source_format, as_json, quiet) -> None:
    """Read and check diagrams without converting them; exit 1 if any is rejected, 2 if one cannot be read."""
    if source_format:
        try:
            registry.get_format(source_format)
        except UnknownFormatError as error:
            raise click.UsageError(error.message) from error
    reports, worst = [], EXIT_OK
    for path in inputs:
        data, name, filename, error = _read_input(path)
        outcome = one.unreadable(name, error) if error is not None else \
            one.validate_input(data, name=name, filename=filename, source_format=source_format)
        worst = max(worst, outcome.exit_code)
        valid = outcome.ok
        reports.append({"input": name, "valid": valid, "format": outcome.source_format, "summary": outcome.summary,
                        "diagnostics": [d.to_dict() for d in outcome.diagnostics],
                        **({"error": outcome.message or outcome.diagnostics[0].message} if not valid and
                           outcome.exit_code != EXIT_REJECTED else {})})
        if as_json:
            continue
        _print_lines(outcome, quiet)
        if valid:
            if not quiet:
                s = outcome.summary
                click.echo(f"{name}: valid {outcome.source_format} ({s['lanes']} lanes, {s['nodes']} nodes, "
                           f"{s['edges']} edges, {s['groups']} groups)")
        elif outcome.exit_code == EXIT_REJECTED:
            errors = sum(1 for d in outcome.diagnostics if d.severity is Severity.ERROR)
            click.echo(click.style(f"{name}: invalid ({errors} errors)", fg="red"), color=_colour())
        else:
            click.echo(click.style(f"{name}: not checked", fg="red"), color=_colour())
    if as_json:
        click.echo(json.dumps(reports if len(reports) > 1 else reports[0], indent=2, ensure_ascii=False))
    sys.exit(worst)


def formats_as_data() -> list[dict]:
    return [
        {
            "name": fmt.name,
            "title": fmt.title,
            "extensions": list(fmt.extensions),
            "read": fmt.can_read,
            "write": fmt.can_write,
            "options": [
                {"name": o.name, "default": o.default, "choices": list(o.choices) if o.choices else None, "help": o.help}
                for o in fmt.options
            ],
        }
        for fmt in registry.all_formats()
    ]


def _option_text(option: dict) -> str:
    values = "|".join(option["choices"]) if option["choices"] else "…"
    return f"{option['name']}={values} (default {option['default']}): {option['help']}"


@cli.command("formats")
@click.option("--json", "as_json", is_flag=True, help="JSON on stdout, for scripts.")
def formats_command(as_json) -> None:
    """List the formats, their extensions, directions and writer options."""
    data = formats_as_data()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    if not sys.stdout.isatty():  # piped: plain lines, nothing cut to a terminal's width
        for fmt in data:
            directions = "/".join(d for d, ok in (("read", fmt["read"]), ("write", fmt["write"])) if ok)
            click.echo(f"{fmt['name']}\t{fmt['title']}\t{' '.join(fmt['extensions'])}\t{directions}")
            for option in fmt["options"]:
                click.echo(f"  option {_option_text(option)}")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False)
    for column in ("format", "extensions", "read", "write", "writer options"):
        table.add_column(column, overflow="fold")
    for fmt in data:
        options = "\n".join(_option_text(o) for o in fmt["options"]) or "—"
        table.add_row(f"{fmt['name']}\n{fmt['title']}", " ".join(fmt["extensions"]),
                      "yes" if fmt["read"] else "no", "yes" if fmt["write"] else "no", options)
    Console().print(table)


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="SRC... DST")
@click.option("--to", "target_format", required=True, metavar="FORMAT", shell_complete=_complete_formats(True),
              help="Target format.")
@FROM_OPTION
@click.option("-j", "--jobs", type=click.IntRange(1), help="Worker processes (default: the CPUs this process may use).")
@click.option("--server", "servers", multiple=True, metavar="ADDRESS",
              help="Convert on these gRPC servers (HOST:PORT, repeatable; or one dns:///NAME:PORT), round-robin.")
@click.option("--in-flight", type=click.IntRange(1), help="Remote mode: requests in flight at most (default 8 per server).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
              help="Remote mode: seconds one diagram may take on a server before it is retried.")
@click.option("--resume", is_flag=True, help="Keep what an earlier run converted and what did not change.")
@click.option("--report", metavar="FILE", help="Write a JSON report (per file and per Markdown block).")
@click.option("--dry-run", is_flag=True, help="Convert and report, write nothing in DST.")
@click.option("--include", "includes", multiple=True, metavar="GLOB", help="Only paths matching (repeatable).")
@click.option("--exclude", "excludes", multiple=True, metavar="GLOB", help="Leave out paths matching (repeatable).")
@click.option("--copy-other", is_flag=True, help="Copy files that are not diagrams into DST too.")
@OPTION_OPTION
@LOSS_OPTION
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary; errors only.")
@click.option("--progress-interval", type=float, default=5.0, hidden=True)
def migrate(paths, target_format, source_format, jobs, servers, in_flight, timeout, resume, report, dry_run, includes,
            excludes, copy_other, options, loss_policy, quiet, progress_interval) -> None:
    """Convert every diagram under SRC (a folder, or files) into DST, a mirror of the tree.

    Markdown pages get their diagram blocks converted in a copy of the page. Outputs are written
    atomically; a state file in DST lets --resume finish an interrupted run. Exit 0: all
    converted, 1: some failed, 2: usage error, 5: stopped early (run again with --resume).
    """
    from .migrate import run

    if len(paths) < 2:
        raise click.UsageError("give SRC (a folder, or files) and DST")
    request = run.Request(
        sources=list(paths[:-1]), destination=paths[-1], target=target_format, source_format=source_format,
        options=_parse_options(options), loss_policy=loss_policy, jobs=jobs, servers=tuple(servers),
        in_flight=in_flight, timeout=timeout, resume=resume, report=report, dry_run=dry_run, copy_other=copy_other,
        includes=tuple(includes), excludes=tuple(excludes), quiet=quiet, progress_interval=progress_interval,
        progress="bar" if sys.stderr.isatty() else "lines")
    try:
        code = run.migrate(request, echo=lambda text: _err(text))
    except run.UsageError as error:
        raise click.UsageError(str(error)) from error
    except KeyboardInterrupt:
        _err("interrupted — run the same command with --resume to finish")
        sys.exit(130)
    sys.exit(code)


# --help goes through to the server, which lists its own flags.
@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []})
@click.argument("server_args", nargs=-1, type=click.UNPROCESSED)
def serve(server_args) -> None:
    """Start the gRPC service (options: flowzap-convert serve --help)."""
    try:
        from server.__main__ import main as serve_main
    except ImportError as exc:  # the server package is part of the distribution; this is a broken install
        raise click.ClickException(f"the gRPC server is not available: {exc}") from exc
    sys.exit(serve_main(list(server_args)))


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="flowzap-convert", standalone_mode=True)
    except FlowzapError as exc:  # anything the commands did not map: still no traceback
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(EXIT_REJECTED)


if __name__ == "__main__":
    main()
