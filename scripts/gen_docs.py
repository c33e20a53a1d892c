"""Regenerates the parts of the docs that come from the code, so they never drift:
docs/diagnostics.md (every diagnostic code) and the README's formats table (the registry).

    .venv/bin/python scripts/gen_docs.py          # rewrite
    .venv/bin/python scripts/gen_docs.py --check  # exit 1 if anything is out of date (tests call this)
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from converters.diagnostics import CODES  # noqa: E402
from converters.registry import all_formats  # noqa: E402


def diagnostics_md() -> str:
    lines = [
        "# Diagnostic codes",
        "",
        "Generated from `converters/diagnostics.py` by `scripts/gen_docs.py`; do not edit by hand.",
        "Codes are stable: a code's name and severity never change once released. *Loss* codes are",
        "reported by writers for what the target format cannot carry; the loss policy applies to them.",
        "",
        "| code | severity | loss | meaning |",
        "|---|---|---|---|",
    ]
    for code, info in CODES.items():
        lines.append(f"| `{code}` | {info.severity.value} | {'yes' if info.loss else ''} | {info.summary} |")
    return "\n".join(lines) + "\n"


def _option(option) -> str:
    bar = " \\| "  # a | inside a Markdown table cell must be escaped
    values = bar.join(f"`{c}`" for c in option.choices) if option.choices else "text"
    return f"`{option.name}` = {values} (default `{option.default}`): {option.help}"


def formats_md() -> str:
    lines = ["| format | name | extensions | read | write | writer options |", "|---|---|---|---|---|---|"]
    for fmt in all_formats():
        options = "<br>".join(_option(o) for o in fmt.options) or "—"
        lines.append(f"| {fmt.title} | `{fmt.name}` | {' '.join(f'`{e}`' for e in fmt.extensions)} | "
                     f"{'yes' if fmt.can_read else 'no'} | {'yes' if fmt.can_write else 'no'} | {options} |")
    return "\n".join(lines) + "\n"


def replace_section(text: str, name: str, body: str) -> str:
    marker = f"<!-- section: {name} -->"
    end = f"<!-- end: {name} -->"
    pattern = re.compile(re.escape(marker) + r".*?" + re.escape(end), re.S)
    block = f"{marker}\n{body}{end}"
    if pattern.search(text):
        return pattern.sub(lambda _: block, text)
    return text.replace(marker, block)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    targets = {
        ROOT / "docs" / "diagnostics.md": diagnostics_md(),
    }
    readme = ROOT / "README.md"
    targets[readme] = replace_section(readme.read_text(encoding="utf-8"), "formats", formats_md())
    stale = [path for path, content in targets.items()
             if not path.exists() or path.read_text(encoding="utf-8") != content]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is out of date: run scripts/gen_docs.py", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(targets[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
