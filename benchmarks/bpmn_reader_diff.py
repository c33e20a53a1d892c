"""Differential check of the BPMN reader against the reader of another git revision (issue 13: a
faster reader must read every file exactly as the old one did: same model, same diagnostics, same
lines and columns).

    .venv/bin/python benchmarks/bpmn_reader_diff.py [--against main] [--variants N]

The other revision's ``converters`` package is unpacked into a temporary directory and run in a
subprocess (two packages of one name cannot live in one interpreter); both sides read every
``.bpmn`` file under tests/ plus hostile variants of them (truncated, ids duplicated or removed,
references broken, a DTD, blank lines before the declaration, declarations spread over lines) and
print one canonical line per input, positions included; any difference is printed and the exit
status is 1.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_ID = re.compile(r'\bid="([^"<>]*)"')
_SOURCE_REF = re.compile(r'\bsourceRef="([^"<>]*)"')


def _variants(text: str) -> list[str]:
    """Hostile variants of one file (deterministic)."""
    out = [text[: len(text) // 3], text[: 2 * len(text) // 3]]
    ids = _ID.findall(text)
    if len(ids) >= 3:
        second, third = ids[1], ids[2]
        out.append(text.replace(f'id="{third}"', f'id="{second}"', 1))  # a duplicate id
        out.append(text.replace(f'id="{second}"', "", 1))  # an element without id
    if _SOURCE_REF.search(text):
        out.append(_SOURCE_REF.sub('sourceRef="Nowhere"', text, count=2))  # unresolved ends
    out.append("\n\n  " + text)  # blank lines before the declaration
    out.append(text.replace("<?xml ", "<?xml\n  ", 1))  # a declaration over two lines
    out.append(text.replace(">", "><!DOCTYPE x>", 1))  # a DTD
    out.append(text.replace("incoming>", "incomin>", 1))  # a mismatched tag
    out.append(text.replace('isExpanded="true"', 'isExpanded="false"').replace('x="', 'x="a', 1))  # bad DI
    return out


def _inputs(variants: int) -> list[str]:
    files = sorted(p for p in (ROOT / "tests").rglob("*.bpmn") if "node_modules" not in p.parts)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    extra = [v for text in texts[:variants] for v in _variants(text)] if variants else []
    return texts + extra


def _canonical(value):
    if dataclasses.is_dataclass(value):
        return {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if hasattr(value, "value") and hasattr(value, "name"):  # an enum
        return f"{type(value).__name__}.{value.name}"
    return value


def _dump(variants: int) -> None:
    """Runs inside either tree: one JSON line per input."""
    from converters.bpmn.reader import read

    for text in _inputs(variants):
        diagram, diagnostics = read(text)
        diags = [{"code": d.code, "severity": str(d.severity), "message": d.message, "line": d.line,
                  "column": d.column, "element": d.element, "elements": list(d.elements)} for d in diagnostics]
        print(json.dumps([_canonical(diagram), diags], sort_keys=True, default=str))


def _run(tree: Path, variants: int) -> list[str]:
    code = (f"import sys; sys.path.insert(0, {str(tree)!r}); sys.path.insert(1, {str(ROOT / 'benchmarks')!r}); "
            f"import bpmn_reader_diff as d; d.ROOT = __import__('pathlib').Path({str(ROOT)!r}); d._dump({variants})")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tree)
    return result.stdout.splitlines()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--against", default="main", help="git revision whose reader is the reference")
    parser.add_argument("--variants", type=int, default=10_000, help="make variants of the first N files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "old.tar"
        subprocess.run(["git", "archive", "-o", str(archive), args.against, "converters"], cwd=ROOT, check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(Path(tmp) / "old", filter="data")
        old = _run(Path(tmp) / "old", args.variants)
    new = _run(ROOT, args.variants)
    inputs = _inputs(args.variants)
    differ = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    for i in differ[:10]:
        print(f"input {i} differs:\n  {inputs[i][:120]!r}\n  old {old[i][:600]}\n  new {new[i][:600]}")
    print(f"{len(inputs)} inputs read by both readers: {len(differ)} differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
