"""``flowzap-convert``: the command line. It only parses arguments, calls the library's API and
prints; every decision about diagrams is made in the library.

Exit status: 0 converted (warnings allowed), 1 input rejected, 2 usage error (unknown format,
bad option, missing file), 3 loss under ``--loss-policy fail``, 4 internal error (a bug).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__, api, registry
from .diagnostics import Diagnostic, Severity
from .errors import FlowzapError, InputError, InternalError, LossError, OptionError, UnknownFormatError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_LOSS, EXIT_INTERNAL = 0, 1, 2, 3, 4

_SEVERITY_COLOUR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _print_diagnostics(diagnostics: list[Diagnostic], name: str) -> None:
    for diagnostic in diagnostics:
        line = diagnostic.format(name)
        # click.echo drops the colour codes when stderr is not a terminal.
        click.echo(click.style(line, fg=_SEVERITY_COLOUR[diagnostic.severity]), err=True)


def _read_input(path: str) -> tuple[bytes, str, str | None]:
    """(bytes, display name, filename for format detection)."""
    if path == "-":
        return sys.stdin.buffer.read(), "<stdin>", None
    file = Path(path)
    try:
        return file.read_bytes(), path, file.name
    except OSError as exc:
        raise click.UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _parse_options(pairs: tuple[str, ...]) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.UsageError(f"--option {pair!r}: expected KEY=VALUE")
        options[key.strip()] = value
    return options


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="flowzap-convert")
def cli() -> None:
    """Convert diagrams between FlowZap Code, Mermaid, BPMN 2.0 and YAML (see `formats`)."""


@cli.command()
@click.argument("input", default="-", metavar="[INPUT|-]")
@click.option("--from", "source_format", metavar="FORMAT", help="Source format (default: from the extension, else the content).")
@click.option("--to", "target_format", metavar="FORMAT", help="Target format (default: from -o's extension).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write here instead of stdout.")
@click.option("--option", "options", multiple=True, metavar="KEY=VALUE", help="A writer option (see `formats`); repeatable.")
@click.option("--loss-policy", type=click.Choice(api.LOSS_POLICIES), default="warn", show_default=True,
              help="What a conversion that cannot carry everything does.")
def convert(input: str, source_format, target_format, output, options, loss_policy) -> None:
    """Convert INPUT (a file, or - for stdin) to another format."""
    if target_format is None:
        target = registry.format_for_filename(output) if output else None
        if target is None:
            raise click.UsageError("--to FORMAT is required (or -o with a known extension)")
        target_format = target.name
    data, name, filename = _read_input(input)
    try:
        result = api.convert(data, target_format=target_format, source_format=source_format,
                             options=_parse_options(options), loss_policy=loss_policy, filename=filename)
    except InputError as exc:
        _print_diagnostics(exc.diagnostics, name)
        click.echo(click.style(f"{name}: rejected: {exc.message}", fg="red", bold=True), err=True)
        sys.exit(EXIT_REJECTED)
    except LossError as exc:
        _print_diagnostics(exc.diagnostics, name)
        click.echo(click.style(f"{name}: not converted: {exc.message}", fg="red", bold=True), err=True)
        sys.exit(EXIT_LOSS)
    except (UnknownFormatError, OptionError) as exc:
        raise click.UsageError(exc.message) from exc
    except InternalError as exc:
        click.echo(f"internal error (please report it): {exc.message}", err=True)
        sys.exit(EXIT_INTERNAL)
    _print_diagnostics(result.diagnostics, name)
    if output:
        Path(output).write_text(result.content, encoding="utf-8")
    else:
        click.echo(result.content, nl=False)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--from", "source_format", metavar="FORMAT", help="Source format (default: detected per file).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout, for scripts.")
def validate(inputs, source_format, as_json) -> None:
    """Read and check diagrams without converting them; exit 1 if any is rejected."""
    reports, rejected = [], False
    for path in inputs:
        data, name, filename = _read_input(path)
        report = {"input": name, "valid": True, "format": None, "summary": None, "diagnostics": []}
        try:
            result = api.validate(data, source_format, filename=filename)
            report.update(format=result.source_format, summary=result.diagram.summary(),
                          diagnostics=[d.to_dict() for d in result.diagnostics])
            found = result.diagnostics
        except InputError as exc:
            rejected = True
            report.update(valid=False, format=exc.format_name, diagnostics=[d.to_dict() for d in exc.diagnostics])
            found = exc.diagnostics
        except UnknownFormatError as exc:
            raise click.UsageError(f"{name}: {exc.message}") from exc
        reports.append(report)
        if not as_json:
            _print_diagnostics(found, name)
            if report["valid"]:
                s = report["summary"]
                click.echo(f"{name}: valid {report['format']} ({s['lanes']} lanes, {s['nodes']} nodes, "
                           f"{s['edges']} edges, {s['groups']} groups)")
            else:
                errors = sum(1 for d in found if d.severity is Severity.ERROR)
                click.echo(click.style(f"{name}: invalid ({errors} errors)", fg="red"))
    if as_json:
        click.echo(json.dumps(reports if len(reports) > 1 else reports[0], indent=2, ensure_ascii=False))
    sys.exit(EXIT_REJECTED if rejected else EXIT_OK)


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


@cli.command("formats")
@click.option("--json", "as_json", is_flag=True, help="JSON on stdout, for scripts.")
def formats_command(as_json) -> None:
    """List the formats, their extensions, directions and writer options."""
    data = formats_as_data()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False)
    for column in ("format", "extensions", "read", "write", "writer options"):
        table.add_column(column)
    for fmt in data:
        options = "\n".join(
            f"{o['name']}={'|'.join(o['choices']) if o['choices'] else '…'} (default {o['default']}): {o['help']}"
            for o in fmt["options"]
        ) or "—"
        table.add_row(f"{fmt['name']}\n{fmt['title']}", " ".join(fmt["extensions"]),
                      "yes" if fmt["read"] else "no", "yes" if fmt["write"] else "no", options)
    Console(soft_wrap=False).print(table)


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
