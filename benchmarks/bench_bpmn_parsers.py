"""Issue 13, sixth pass: what a BPMN reader that does not call lxml per element would cost, measured
before writing one (the floor of each design: the parse plus the per-element data the reader needs:
tag, attributes, the line lxml reports, the texts it reads).

    .venv/bin/python benchmarks/bench_bpmn_parsers.py [--quick] [--callgrind [--step N]]

Over tests/corpus/bpmn-more/ (the files of bench_bpmn.py part 0), each candidate against a bare
``lxml.etree.fromstring`` of the same bytes:

  lxml_walk       lxml's tree, then one ``iter()`` reading each element's tag, sourceline and items()
  expat_count     pyexpat with a start handler that does nothing (the least a SAX reader pays)
  expat_tree      pyexpat building a light tree: one ``__slots__`` object per element (tag, attribute
                  dict made in C, line, children), character data switched on only inside the
                  elements whose text the reader reads
  etree_c         the standard library's C ElementTree: expat with the tree built in C (no line numbers)
  etree_c_lines   the same plus each element's line as lxml reports it (the line of the start tag's
                  ">", only "\\n" counted): one regex scan for the start tags, one for the newlines
  reader_on_etree the current reader's own code run over C ElementTree elements (made from
                  converters/bpmn/reader.py by the text substitutions of ``_reader_on_etree``):
                  an ESTIMATE of the model building over C-built objects — fz/raw-content
                  serialization is stubbed out and comments/CDATA are not masked, so its output
                  is not the reader's; it only says what the rest costs
  reader          converters.bpmn.reader.read (the reader of main), for scale

Default: CPU time, best of the repeats, all candidates interleaved in one process (noisy on a
shared machine: read the ratios, not the milliseconds). ``--callgrind``: instructions per
candidate (valgrind, one process each, start-up subtracted as in bench_bpmn_instructions.py).
"""
from __future__ import annotations

import argparse
import bisect
import gc
import importlib.util
import re
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.parsers import expat

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_bpmn_instructions import callgrind_count  # noqa: E402
from bench_bpmn_instructions import texts as corpus  # noqa: E402  (every step-th file of bpmn-more)
from converters.bpmn import reader, safexml  # noqa: E402

_LXML = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True,
                        collect_ids=False)
# The elements whose text the reader reads (documentation, annotations, lane refs, data
# association ends, a potential owner's expression).
_TEXT_ELEMENTS = frozenset({"documentation", "text", "flowNodeRef", "sourceRef", "targetRef", "formalExpression"})


def prepared(text: str) -> bytes:
    """What safexml hands the parser: the declaration blanked (same positions), UTF-8."""
    return safexml._blank_declaration(text).encode("utf-8")


def lxml_parse(data: bytes):
    try:
        return etree.fromstring(data, _LXML)
    except etree.XMLSyntaxError:
        return None


def lxml_walk(data: bytes):
    root = lxml_parse(data)
    if root is None:
        return None
    return [(element.tag, element.sourceline, element.items()) for element in root.iter()]


def expat_count(data: bytes):
    parser = expat.ParserCreate(None, " ")
    parser.buffer_text = True

    def start(name, attributes):
        pass

    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        return None
    return parser


class Light:
    """One element of expat_tree's light tree."""

    __slots__ = ("tag", "attrib", "sourceline", "children", "text")

    def __init__(self, tag: str, attrib: dict, sourceline: int) -> None:
        self.tag = tag
        self.attrib = attrib
        self.sourceline = sourceline
        self.children: list[Light] = []
        self.text: str | None = None


def expat_tree(data: bytes):
    parser = expat.ParserCreate(None, " ")
    parser.buffer_text = True
    parser.namespace_prefixes = True
    stack: list[Light] = []
    texts: list[str] = []
    top: list[Light] = []
    wanted: dict[str, bool] = {}  # element name → whether its text is read

    def characters(chunk: str) -> None:
        texts.append(chunk)

    def start(name: str, attributes: dict) -> None:
        element = Light(name, attributes, parser.CurrentLineNumber)
        (stack[-1].children if stack else top).append(element)
        stack.append(element)
        if parser.CharacterDataHandler is not None:  # a child ends its parent's text
            parser.CharacterDataHandler = None
            stack[-2].text = "".join(texts) or None
            texts.clear()
        has_text = wanted.get(name)
        if has_text is None:  # (a file has a few dozen distinct names)
            has_text = wanted[name] = (name.split(" ")[1] if " " in name else name) in _TEXT_ELEMENTS
        if has_text:
            parser.CharacterDataHandler = characters

    def end(name: str) -> None:
        element = stack.pop()
        if parser.CharacterDataHandler is not None:
            parser.CharacterDataHandler = None
            element.text = "".join(texts) or None
            texts.clear()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        return None
    return top[0]


def etree_c(data: bytes):
    try:
        return ET.fromstring(data)
    except ET.ParseError:
        return None


# A start tag through its ">" (possessive: no backtracking on any input); lxml's sourceline is the
# line of that ">", counting "\n" only (a lone CR is no line break for libxml2's counter).
_START_TAG = re.compile(rb"<[^\s/>!?][^\s/>]*+(?:\s++[^\s=/>]++\s*+=\s*+(?:\"[^\"]*+\"|'[^']*+'))*+\s*+/?>")
_NEWLINE = re.compile(rb"\n")


def etree_c_lines(data: bytes):
    root = etree_c(data)
    if root is None:
        return None
    ends = [match.end() for match in _START_TAG.finditer(data)]
    newlines = [match.start() for match in _NEWLINE.finditer(data)]
    lines = [bisect.bisect_left(newlines, end) + 1 for end in ends]
    return dict(zip(map(id, root.iter()), lines)), root


def _reader_on_etree():
    """converters/bpmn/reader.py rewritten to run over C ElementTree elements (see the docstring:
    an estimate of the model building only)."""
    source = (ROOT / "converters" / "bpmn" / "reader.py").read_text(encoding="utf-8")
    line_of = r"([A-Za-z_][\w.]*(?:\[[^\]\[]*\])?(?:\.[A-Za-z_]\w*)*)\.sourceline"
    source = re.sub(line_of, r"_LINE(\1)", source)
    replacements = {
        "_get = etree._Element.get": "import xml.etree.ElementTree as ET\n_get = ET.Element.get\n_LINES = {}\n"
                                     "def _LINE(element):\n    return _LINES.get(id(element))\n",
        "root = safexml.parse(self.text, self.out)": "root = _parse(self.text, self.out)",
        'list(root.iter(f"{_M}*"))': "[e for e in root.iter() if e.tag[:len(_M)] == _M]",
        "list(root.iter(_CATEGORY_VALUE, _COLLABORATION))":
            "[e for e in root.iter() if e.tag == _CATEGORY_VALUE or e.tag == _COLLABORATION]",
        "items = element.items() if len(element.attrib) <= FEW_ATTRIBUTES else attribute_items(element)":
            "items = element.items()",
        'f"{element.prefix}:{split(element.tag)[1]}" if element.prefix else split(element.tag)[1]':
            "split(element.tag)[1]",
        "serialize(": "_serialized(",
    }
    for old, new in replacements.items():
        source = source.replace(old, new)
    source = re.sub(r"(\w+)\.iterchildren\(([^)]*)\)", r"(c for c in \1 if c.tag == \2)", source)
    source += '''

def _serialized(elements):
    return ""


def _parse(text, out):
    found = etree_c_lines(prepared(text))
    if found is None:
        out.add("SYNTAX_ERROR", "not well-formed")
        return None
    _LINES.clear()
    _LINES.update(found[0])
    return found[1]
'''
    path = Path(tempfile.mkdtemp()) / "_reader_on_etree.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("converters.bpmn._reader_on_etree", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    module.etree_c_lines, module.prepared = etree_c_lines, prepared  # (used by its _parse)
    spec.loader.exec_module(module)
    return module


CANDIDATES = ("lxml", "lxml_walk", "expat_count", "expat_tree", "etree_c", "etree_c_lines", "reader_on_etree", "reader")


def work_for(name: str, texts: list[str]):
    """A function reading every text once as the candidate does, the text's encoding included (as
    the reader and bench_bpmn.py's lxml side do); nothing is kept from one file to the next."""
    if name in ("reader", "reader_on_etree"):
        read = reader.read if name == "reader" else _reader_on_etree().read
    else:
        function = {"lxml": lxml_parse, "lxml_walk": lxml_walk, "expat_count": expat_count, "expat_tree": expat_tree,
                    "etree_c": etree_c, "etree_c_lines": etree_c_lines}[name]

        def read(text: str) -> None:
            function(prepared(text))

    def work() -> None:
        for text in texts:
            read(text)
    return work


def timed(texts: list[str], repeat: int) -> None:
    works = {name: work_for(name, texts) for name in CANDIDATES}
    best = dict.fromkeys(CANDIDATES, float("inf"))
    for _ in range(repeat):  # interleaved: a noisy neighbour weighs on all alike
        for name, work in works.items():
            gc.collect()
            start = time.process_time()
            work()
            best[name] = min(best[name], time.process_time() - start)
    print(f"{len(texts)} files of tests/corpus/bpmn-more/, CPU time, best of {repeat}, one process:")
    for name in CANDIDATES:
        print(f"   {name:16} {best[name] * 1000:8.1f} ms   {best[name] / best['lxml']:5.2f}x lxml")


def worker(name: str, step: int, empty: bool) -> None:
    work = work_for(name, [] if empty else corpus(step))
    work()
    eval("work()", {"work": work})  # the counted call (callgrind toggles collection on builtin_eval)


def instructions(name: str, step: int, empty: bool = False) -> int:
    return callgrind_count(__file__, "--worker", name, "--step", str(step), *(["--empty"] if empty else []))


def counted(step: int, names: list[str]) -> None:
    counts = {name: instructions(name, step) - instructions(name, step, empty=True) for name in ["lxml", *names]}
    print(f"{len(corpus(step))} files of tests/corpus/bpmn-more/ (every {step}th), instructions (callgrind):")
    for name, count in counts.items():
        print(f"   {name:16} {count:>14,d}   {count / counts['lxml']:5.2f}x lxml")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="every 10th file, 3 repeats")
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--callgrind", action="store_true", help="instructions instead of CPU time")
    parser.add_argument("--step", type=int, default=4, help="with --callgrind: every Nth file")
    parser.add_argument("--only", nargs="*", default=[c for c in CANDIDATES if c != "lxml"],
                        help="with --callgrind: the candidates to count")
    parser.add_argument("--worker", choices=CANDIDATES, help=argparse.SUPPRESS)
    parser.add_argument("--empty", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.step, args.empty)
    elif args.callgrind:
        counted(args.step, args.only)
    else:
        timed(corpus(10 if args.quick else 1), 3 if args.quick else args.repeat)


if __name__ == "__main__":
    main()
