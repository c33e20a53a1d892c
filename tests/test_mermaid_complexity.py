"""The Mermaid reader takes time linear in its input, whatever the input (issue 11).

Each family below is a shape of text that once cost the square of its size (or worse): long lines,
runs of spaces, repeated tokens, blank lines, comments, unclosed constructs, deep nesting, many
classes, styles, edges. ``assert_linear`` reads it at n and 10 n characters: ten times the input
may cost at most 12 times the time. The lexer's rewritten rules are checked against mermaid's
originals here too, so that being linear never changes what is read.
"""
from __future__ import annotations

import random
import re

import pytest

from converters import limits
from converters.gcpause import gc_paused
from converters.mermaid import jison, read
from converters.mermaid.preprocess import preprocess

from .complexity import assert_linear


def _chain(separator: str):
    return lambda n: "flowchart LR\n" + separator.join(f"n{i}" for i in range(n // 8)) + "\n"


# name → text of about n characters
FAMILIES = {
    # long lines, runs of spaces, long words
    "spaces between two nodes": lambda n: "flowchart LR\nA" + " " * n + "B\n",
    "spaces in a label": lambda n: "flowchart LR\nA[" + " " * n + "x]\n",
    "a long node id": lambda n: "flowchart LR\n" + "a" * n + " --> B\n",
    "a long non-ASCII node id": lambda n: "flowchart LR\n" + "\u00e9" * n + " --> B\n",
    "a long edge label": lambda n: "flowchart LR\nA -- " + "x" * n + " --> B\n",
    "a long dotted edge label": lambda n: "flowchart LR\nA -. " + "x" * n + " .-> B\n",
    "a long style": lambda n: "flowchart LR\nA\nstyle A fill" + ":#f" * (n // 3) + "\n",
    # repeated tokens on one line
    "a chain of arrows on one line": _chain(" --> "),
    "a chain of arrows without spaces": _chain("-->"),
    "nodes joined with &": lambda n: "flowchart LR\n" + " & ".join(f"n{i}" for i in range(n // 8)) + " --> X\n",
    "many @ in one word": lambda n: "flowchart LR\n" + "a@" * (n // 2) + "\n",
    # what preprocessing removes or rewrites
    "blank lines": lambda n: "flowchart LR\n" + "\n" * n + "A\n",
    "comment lines": lambda n: "flowchart LR\n" + "%% c\n" * (n // 5) + "A\n",
    "blank lines and comments": lambda n: "flowchart LR\n" + " \n  %% c\n" * (n // 9) + "A\n",
    "directives": lambda n: "%%{init: {}}%%\n" * (n // 15) + "flowchart LR\nA\n",
    "an unclosed directive": lambda n: "flowchart LR\nA\n%%{init: {" + "x " * (n // 2) + "\n",
    "an unclosed front matter": lambda n: "---\n" + "\n" * n + "flowchart LR\nA\n",
    "unclosed HTML tags": lambda n: "flowchart LR\nA[" + "<a " * (n // 3) + "]\n",
    "entity codes": lambda n: "flowchart LR\nA[" + "#35;#quot;" * (n // 10) + "]\n",
    "entity codes no text can carry": lambda n: "flowchart LR\nA[" + "#1;" * (n // 3) + "]\n",
    "entity markers never closed": lambda n: "flowchart LR\nA[" + "\ufb02\u00b0" * (n // 2) + "]\n",
    "style lines with colons": lambda n: "flowchart LR\nA\n" + "style A a:b:c#d\n" * (n // 16),
    "a style line of colons": lambda n: "flowchart LR\nA\nstyle A " + ":" * n + "\n",
    # many statements
    "many edges": lambda n: "flowchart LR\n" + "".join(f"n{i} --> n{i + 1}\n" for i in range(n // 12)),
    "many classDefs and classes": lambda n: "flowchart LR\nA-->B\n" + "".join(
        f"classDef c{i} fill:#f9f;\nclass A,B c{i}\n" for i in range(n // 40)),
    "classes on edge ids": lambda n: "flowchart LR\n" + "".join(f"n{i} e{i}@--> n{i + 1}\n" for i in range(n // 32))
    + "".join(f"class e{i} foo\n" for i in range(n // 32)),
    "many linkStyles": lambda n: "flowchart LR\n" + "".join(f"n{i} --> n{i + 1}\n" for i in range(n // 30))
    + "".join(f"linkStyle {i} stroke:red\n" for i in range(n // 30)),
    "many shape data blocks": lambda n: "flowchart LR\n" + "".join(
        f'n{i}@{{ shape: rect, label: "x" }}\n' for i in range(n // 35)),
    "one shape data block of many strings": lambda n: 'flowchart LR\nA@{ label: "' + '" "' * (n // 3) + '" }\n',
    # subgraphs
    "deeply nested subgraphs": lambda n: "flowchart LR\n" + "".join(f"subgraph s{i}\n" for i in range(n // 12))
    + "x\n" + "end\n" * (n // 12),
    # (d nested subgraphs with a node each make groups of d, d - 1, … members: the model lists every
    # node inside a group, so that output, and no reader, grows with d²; the library's nesting limit
    # bounds it)
    "many subgraphs": lambda n: "flowchart LR\n" + "".join(f"subgraph s{i}\nn{i}\nend\n" for i in range(n // 20)),
    "a subgraph opened many times": lambda n: "flowchart LR\n" + "".join(f"subgraph s\nn{i}\nend\n" for i in range(n // 20)),
    "subgraphs never closed": lambda n: "flowchart LR\n" + "".join(f"subgraph s{i}\nn{i}\n" for i in range(n // 16)),
    "subgraphs styled as nodes": lambda n: "flowchart LR\n" + "".join(f"subgraph s{i}\nn{i}\nend\n" for i in range(n // 40))
    + "".join(f"style s{i} fill:#fff\n" for i in range(n // 40)),
    # sequence diagrams: what the shared lexer and preprocessing do
    "sequence: spaces before a participant": lambda n: "sequenceDiagram\nparticipant " + " " * n + "A\n",
    "sequence: spaces in a participant name": lambda n: "sequenceDiagram\nparticipant A" + " " * n + "<\n",
    "sequence: spaces in a message": lambda n: "sequenceDiagram\nA->>B: " + " " * n + "x\n",
    "sequence: many messages": lambda n: "sequenceDiagram\n" + "".join(f"A->>B: m{i}\n" for i in range(n // 12)),
}


def _read(text: str) -> None:
    # as the API reads, with the nesting limit lifted (the reader itself must be linear at any depth;
    # the limit's early refusal is tested below)
    with gc_paused(len(text)), limits.applied(limits.Limits(max_depth=None)):
        read(text)  # the reader returns its errors: some of these texts are rejected, as mermaid does


_NESTED = {
    "flowchart": lambda d: "flowchart LR\n" + "".join(f"subgraph s{i}\nn{i}\n" for i in range(d)) + "end\n" * d,
    "sequence": lambda d: "sequenceDiagram\n" + "".join(f"loop l{i}\nA->>B: m{i}\n" for i in range(d)) + "end\n" * d,
}


@pytest.mark.parametrize("kind", list(_NESTED))
def test_nesting_past_max_depth_is_refused_while_reading(kind):
    # max_depth (default 100) levels of groups are read; one more is refused where it opens, with
    # the limit's code, before the rest of the text is parsed (so 10x deeper costs what 10x longer does)
    lanes = 1 if kind == "flowchart" else 0  # (the outermost subgraphs are lanes, not groups)
    diagram, diagnostics = read(_NESTED[kind](limits.MAX_DEPTH + lanes))
    assert not [d for d in diagnostics if d.code == "INPUT_TOO_LARGE"] and len(diagram.groups) == limits.MAX_DEPTH
    diagram, diagnostics = read(_NESTED[kind](limits.MAX_DEPTH + lanes + 1))
    refused = [d for d in diagnostics if d.code == "INPUT_TOO_LARGE"]
    opened = 2 * (limits.MAX_DEPTH + lanes) + 2  # the line of the block one too deep
    assert refused and refused[0].line in (opened, opened + 1) and "max_depth" in refused[0].message
    assert not diagram.groups
    with limits.applied(limits.Limits(max_depth=5)):
        _, diagnostics = read(_NESTED[kind](7))
    assert [d.code for d in diagnostics if d.code == "INPUT_TOO_LARGE"]
    with limits.applied(limits.Limits(max_depth=None)):
        diagram, diagnostics = read(_NESTED[kind](300))
    assert len(diagram.groups) == 300 - lanes and not [d for d in diagnostics if d.severity.name == "ERROR"]
    assert_linear(lambda n: _NESTED[kind](n // 24), lambda text: read(text), 40_000, label=f"{kind} nested past the limit")


# Sizes at which the small case takes some milliseconds (below that, fixed costs hide growth).
_CHEAP = {"spaces in a label", "a long node id", "a long non-ASCII node id", "unclosed HTML tags", "directives",
          "an unclosed directive", "entity markers never closed", "a style line of colons", "entity codes",
          "sequence: spaces before a participant", "sequence: spaces in a participant name",
          "sequence: spaces in a message", "a long style", "many @ in one word"}


# Cheaper still: the unclosed directive is skipped at C speed up to a size where the CPU caches stop
# holding it; measured from there (400,000 → 800,000 characters: ×1.8 here).
_CHEAPEST = {"an unclosed directive": 200_000}


@pytest.mark.parametrize("name", list(FAMILIES))
def test_reading_is_linear(name):
    n = _CHEAPEST.get(name) or (40_000 if name in _CHEAP else 5_000)
    assert_linear(FAMILIES[name], _read, n, label=name)


def test_the_reader_returns_what_it_rejects_and_never_raises():
    for name, build in FAMILIES.items():
        diagram, diagnostics = read(build(500))
        assert diagram is not None and isinstance(diagnostics, list), name


# The rewritten lexer rules match exactly what mermaid's own rules match.
_ALPHABETS = {
    r"^(?:(\r?\n)*\s*\n)": "\n\n\r \t x\u2028",
    r"^(?:[^<>:\n,;@]+(?=\s*[\n;#]|$))": "ab  \t#;:\n<@,",
    r"""^(?:([A-Za-z0-9!"\#$%&'*+\.`?\\_\/]|-(?=[^\>\-\.])|(?!))+)""": "a-->..-b/ \\é",
    r"^(?:(\r?\n)+)": "\r\n\n x",
    r"^(?:((?!\n)\s)+)": " \t\n\x1c\ufeffa",
    jison._SEQUENCE_ACTOR: "ab--x)|\\/(-+>: ",
}


@pytest.mark.parametrize("source", list(jison.LINEAR_REWRITES))
def test_a_rewritten_lexer_rule_matches_what_mermaid_s_rule_matches(source):
    original = re.compile(jison.translate_js_regex(source), re.IGNORECASE)
    rewritten = re.compile(jison.LINEAR_REWRITES[source], re.IGNORECASE)
    rng = random.Random(11)
    alphabet = _ALPHABETS[source]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
        for pos in range(len(text) + 1):
            a, b = original.match(text, pos), rewritten.match(text, pos)
            assert (a and a.end()) == (b and b.end()), (text, pos)


def test_the_lexer_tries_only_the_rules_that_can_start_with_the_next_character():
    g = jison.grammar("flow")
    by_char, other, at_end = g.candidates["INITIAL"]
    assert len(by_char[ord("A")]) < len(at_end) / 4
    # every rule of the state that matches somewhere in these texts is among the candidates there
    for text in ("flowchart LR\n A-->B & C\n", "graph TD;A((x))-.->|t|B\n", "  style A fill:#f9f\n", "é --> ü\n"):
        for pos in range(len(text)):
            code = ord(text[pos])
            candidates = set(by_char[code] if code < 128 else other)
            for rule in at_end:
                if g.rule_match[rule](text, pos):
                    assert rule in candidates, (text, pos, rule)


def test_the_lexer_s_combined_steps_pick_the_rule_jison_picks():
    # each step is one alternation of consecutive rules: at every position, the rule it names is
    # the first of the state's rules that matches there (jison's own choice)
    g = jison.grammar("flow")
    steps = g.steps(frozenset())
    texts = ("flowchart LR\n A-->B & C\n", "graph TD;A((x))-.->|t|B\n", "  style A fill:#f9f\n", "é --> ü\n",
             "A@{ shape: rect }\nB == x ==> C\nclick A href \"u\"\n  subgraph s [t]\n  end\n")
    for state, (by_char, other, _at_end) in steps.items():
        rules = g.candidates[state][2]
        for text in texts:
            for pos in range(len(text)):
                expected = next((r for r in rules if g.rule_match[r](text, pos)), None)
                code = ord(text[pos])
                got = None
                for match, by_group, rule, _slot in (by_char[code] if code < 128 else other):
                    found = match(text, pos)
                    if found is not None:
                        got = by_group[found.lastindex] if by_group is not None else rule
                        break
                assert got == expected, (state, text, pos)


def test_a_run_a_rule_failed_on_is_not_scanned_again():
    # 8,000 spaces: each space is a token; the rules that start with \s* scan the run once
    # (the arrows make the rules that start with \s* live: without "--", "==", "-" or "~~" in the
    # text the lexer leaves them out altogether)
    code = preprocess("flowchart LR\nA" + " " * 8000 + "B\nC --> D ==> E -.- F ~~~ G\n").code
    lexer = jison.Lexer(jison.grammar("flow"), code)
    tokens = 0
    while lexer.lex() not in (jison.EOF, jison.grammar("flow").symbols["EOF"]):
        tokens += 1
    assert tokens > 8000
    assert max(lexer.fail_until) >= code.index("B")
