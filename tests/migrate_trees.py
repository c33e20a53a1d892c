"""Source trees for the migration tests and benchmark: the development corpus plus Markdown pages
with diagrams and text around them, files that are not diagrams and a bad file; and generated
trees of reference-size diagrams (for kill-and-resume runs and for measuring)."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
REFERENCE = (CORPUS / "flowzap" / "00_seed_auth_flow.fz").read_text(encoding="utf-8")
SCRIPT = Path(sys.executable).parent / "flowzap-convert"

MERMAID_BLOCK = "flowchart LR\n  subgraph Team\n    A[Write] --> B{Review?}\n    B -->|yes| C[Merge]\n  end\n"
FLOWZAP_BLOCK = ('Ops { # Operations\nn1: circle label:"Start"\nn2: rectangle label:"Deploy"\n'
                 'n1.handle(right) -> n2.handle(left)\n}\n')
SEQUENCE_BLOCK = "sequenceDiagram\n  Alice->>Bob: Hello\n  Bob-->>Alice: Hi\n"

# A page with everything that must survive byte for byte around its diagram blocks.
GUIDE_PAGE = (
    "---\ntitle: \"Guide ```mermaid\"\ntags: [a, b]\n---\n"
    "# Guide\n\nText *around* the diagrams.\n\n"
    "```mermaid\n" + MERMAID_BLOCK + "```\n\n"
    "```python\nprint('not a diagram')\n```\n\n"
    "~~~flowzap\n" + FLOWZAP_BLOCK + "~~~\n\n"
    "  ````mermaid title=\"indented, four backticks\"\n" + "".join("  " + line + "\n" for line in
                                                                   SEQUENCE_BLOCK.splitlines()) + "  ````\n\n"
    "> ```flowzap\n" + "".join("> " + line + "\n" for line in FLOWZAP_BLOCK.splitlines()) + "> ```\n\n"
    "```plantuml\n@startuml\nAlice -> Bob: hi\n@enduml\n```\n\n"
    "```\n" + MERMAID_BLOCK + "```\n\n"
    "Trailing text without a newline at the end"
)
CRLF_PAGE = ("# Windows page\r\n\r\n```mermaid\r\n" + MERMAID_BLOCK.replace("\n", "\r\n") + "```\r\n\r\nEnd.\r\n")
BAD_BLOCK_PAGE = ("# A page with a broken block\n\nIntro.\n\n```mermaid\n" + MERMAID_BLOCK + "```\n\n"
                  "```flowzap\nOps { # Ops\nn1: rect label:\"x\"\n}\n```\n")
NO_DIAGRAM_PAGE = "# Plain page\n\n```bash\necho hi\n```\n"


def corpus_tree(destination: Path) -> Path:
    """The development corpus plus pages, files that are not diagrams and a bad file."""
    shutil.copytree(CORPUS, destination, ignore=shutil.ignore_patterns("SOURCES.md"))
    docs = destination / "docs"
    (docs / "deep" / "er").mkdir(parents=True)
    (docs / "guide.md").write_text(GUIDE_PAGE, encoding="utf-8", newline="")
    (docs / "windows.md").write_bytes(CRLF_PAGE.encode("utf-8"))
    (docs / "deep" / "er" / "broken.md").write_text(BAD_BLOCK_PAGE, encoding="utf-8")
    (docs / "plain.md").write_text(NO_DIAGRAM_PAGE, encoding="utf-8")
    (docs / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (docs / "script.py").write_text("print('hello')\n", encoding="utf-8")
    (docs / "notes.txt").write_text(MERMAID_BLOCK, encoding="utf-8")  # a diagram only its content tells
    (docs / "mermaid-saved-as.fz").write_text(MERMAID_BLOCK, encoding="utf-8")  # the bad file
    return destination


def reference_variant(index: int) -> str:
    """The reference example with labels of its own (outputs differ from file to file)."""
    return REFERENCE.replace('label:"', f'label:"{index} ', 3)


def generated_tree(destination: Path, files: int, pages_every: int = 10) -> Path:
    """``files`` reference-size diagrams in folders of 100; every ``pages_every``-th one a
    Markdown page holding it (plus a Mermaid block)."""
    for index in range(files):
        folder = destination / f"part{index // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        if pages_every and index % pages_every == pages_every - 1:
            page = f"# Page {index}\n\n```flowzap\n{reference_variant(index)}```\n\nText.\n\n```mermaid\n{MERMAID_BLOCK}```\n"
            (folder / f"page{index:05d}.md").write_text(page, encoding="utf-8")
        else:
            (folder / f"flow{index:05d}.fz").write_text(reference_variant(index), encoding="utf-8")
    return destination


def tree_digest(root: Path, ignore=(".flowzap-migrate.db",)) -> dict[str, str]:
    """path → sha256 of every file under ``root`` (the state file left out)."""
    found = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            if any(rel == i or rel.startswith(i + "-") for i in ignore):
                continue
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def flowzap_convert(*args, **kwargs) -> subprocess.CompletedProcess:
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "converters.cli"]
    kwargs.setdefault("timeout", 600)
    return subprocess.run(command + [str(a) for a in args], capture_output=True, text=True, check=False, **kwargs)


def command(*args) -> list[str]:
    base = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "converters.cli"]
    return base + [str(a) for a in args]
