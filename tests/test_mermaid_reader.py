"""The Mermaid reader on its own (no node needed): what goes where in the model, the diagnostics,
positions, the format's registration. Agreement with mermaid itself: tests/test_mermaid_oracle.py."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from converters import InputError, convert, detect_format, read, read_with_diagnostics, write
from converters.mermaid import jison
from converters.mermaid.flowchart import OUTSIDE_LANE
from converters.mermaid.jison import translate_js_regex
from converters.model import EdgeStyle, NodeKind, Side

DATA = Path(__file__).resolve().parent / "data"


def model(text: str):
    result = read_with_diagnostics(text, "mermaid")
    return result.diagram, result.diagnostics


def codes(diagnostics) -> list[str]:
    return [d.code for d in diagnostics]


def test_subgraphs_are_lanes_and_outside_nodes_get_the_main_lane():
    d, diags = model("flowchart LR\n start((Go)) --> a\n subgraph user [User]\n a[Ask]\n end\n"
                     " subgraph srv [Server]\n b{OK?}\n end\n a --> b\n")
    assert [(lane.id, lane.label) for lane in d.lanes] == [(OUTSIDE_LANE, None), ("user", "User"), ("srv", "Server")]
    assert {n.id: n.lane for n in d.nodes} == {"start": OUTSIDE_LANE, "a": "user", "b": "srv"}
    assert {n.id: n.kind for n in d.nodes} == {"start": NodeKind.START, "a": NodeKind.TASK, "b": NodeKind.DECISION}
    assert "NODES_OUTSIDE_SUBGRAPHS" in codes(diags)
    # the main lane is written back without a subgraph
    text = write(d, "mermaid")
    assert "subgraph main" not in text and "  start((\"Go\"))\n" in text


def test_a_flowchart_without_subgraphs_is_one_lane_and_stays_without_subgraph():
    d, diags = model("graph TD\n A --> B\n")
    assert [lane.id for lane in d.lanes] == [OUTSIDE_LANE] and d.direction == "TB"
    assert "NODES_OUTSIDE_SUBGRAPHS" not in codes(diags)
    fz = write(d, "flowzap")
    assert fz.startswith("main { # main\n")
    assert "subgraph" not in convert(fz, source_format="flowzap", target_format="mermaid").content


def test_a_subgraph_named_main_keeps_its_subgraph():
    d, _ = model("flowchart LR\n x --> y\n subgraph main\n y\n end\n")
    assert [lane.id for lane in d.lanes] == ["main2", "main"]
    assert d.lanes[0].attributes == {"mermaid.lane": "outside"}
    assert d.lanes[1].attributes == {"mermaid.lane": "subgraph"}
    text = write(d, "mermaid")
    assert "subgraph main\n" in text and "subgraph main2" not in text


def test_nested_subgraphs_are_groups_with_all_their_nodes():
    d, _ = model("flowchart TB\n subgraph outer [Outer]\n  subgraph mid [Mid]\n   subgraph in [In]\n    x\n"
                 "   end\n   y\n  end\n  z\n end\n")
    assert [lane.id for lane in d.lanes] == ["outer"]
    groups = {g.id: (g.kind, g.label, g.members, g.lane, g.parent) for g in d.groups}
    assert groups == {"mid": ("subgraph", "Mid", ["x", "y"], "outer", None),
                      "in": ("subgraph", "In", ["x"], "outer", "mid")}


def test_a_subgraph_named_inside_itself_or_its_nested_subgraph_is_left_out_and_reported():
    # mermaid's parser makes c1 hold A and A hold c1; its layout fails on "Setting A as parent of c1
    # would create a cycle" (and draws nothing): the reader leaves that nesting out, as mermaid's
    # own order of setting parents would, and says so
    d, diags = model("flowchart LR\n subgraph A\n  subgraph c1\n   A\n   B\n  end\n end\n")
    assert [lane.id for lane in d.lanes] == ["c1"]
    assert [(n.id, n.lane) for n in d.nodes] == [("B", "c1")]
    assert [(g.id, g.members, g.lane, g.parent) for g in d.groups] == [("A", [], "c1", None)]
    [ignored] = [x for x in diags if x.code == "IGNORED_STATEMENT"]
    assert "Setting A as parent of c1 would create a cycle" in ignored.message
    assert (ignored.line, ignored.element) == (3, "c1")
    # a subgraph naming itself: mermaid fails on "Setting A as parent of A …"
    d, diags = model("flowchart LR\n subgraph A\n  A --> B\n end\n")
    assert [lane.id for lane in d.lanes] == ["A"] and [(n.id, n.lane) for n in d.nodes] == [("B", "A")]
    assert codes(diags) == ["IGNORED_STATEMENT", "EDGE_TO_SUBGRAPH"]
    assert "Setting A as parent of A would create a cycle" in diags[0].message


def test_an_edge_from_an_edge_id_is_left_out_and_reported():
    # mermaid makes no vertex for an edge id written as a node, keeps the edge and cannot draw it
    d, diags = model("flowchart LR\n A e1@--> B\n e1 --> C\n")
    assert [n.id for n in d.nodes] == ["A", "B", "C"]
    assert [(e.source, e.target, e.id) for e in d.edges] == [("A", "B", "e1")]
    assert codes(diags) == ["IGNORED_STATEMENT"] and diags[0].element == "e1"


def test_an_edge_to_a_subgraph_is_attached_to_its_first_node_and_reported():
    d, diags = model("flowchart LR\n a --> S\n subgraph S\n  b --> c\n end\n S --> d\n")
    assert [(e.source, e.target, e.attributes) for e in d.edges] == [
        ("a", "b", {"mermaid.target": "S"}), ("b", "c", {}), ("b", "d", {"mermaid.source": "S"})]
    assert codes(diags).count("EDGE_TO_SUBGRAPH") == 2
    text = write(d, "mermaid")
    assert "  a --> S\n" in text and "  S --> d\n" in text


def test_shapes_give_kinds_and_keep_the_exact_shape():
    d, _ = model("flowchart LR\n a((c)) --> b{d} --> c[t] --> e([s]) --> f[(db)] --> g[[sub]]\n"
                 " h@{ shape: card, label: \"Owner\" } --> i(((stop)))\n j@{ shape: brace }\n")
    kinds = {n.id: (n.kind, n.attributes.get("mermaid.shape")) for n in d.nodes}
    assert kinds == {
        "a": (NodeKind.START, None), "b": (NodeKind.DECISION, None), "c": (NodeKind.TASK, None),
        "e": (NodeKind.TASK, "stadium"), "f": (NodeKind.DATA, None), "g": (NodeKind.SUBPROCESS, None),
        "h": (NodeKind.USER_TASK, "card"), "i": (NodeKind.END, "doublecircle"), "j": (NodeKind.NOTE, None),
    }


def test_edges_keep_stroke_heads_length_ids_and_labels():
    d, _ = model("flowchart LR\n a -.->|dot| b\n b == thick ==> c\n c ~~~ d\n d --o e\n e <--> f\n"
                 " f ---> g\n g e7@--x h\n")
    got = [(e.style, e.label, e.id, e.attributes) for e in d.edges]
    assert got == [
        (EdgeStyle.DOTTED, "dot", None, {}), (EdgeStyle.THICK, "thick", None, {}),
        (EdgeStyle.INVISIBLE, None, None, {}), (EdgeStyle.SOLID, None, None, {"mermaid.arrow": "arrow_circle"}),
        (EdgeStyle.SOLID, None, None, {"mermaid.arrow": "double_arrow_point"}),
        (EdgeStyle.SOLID, None, None, {"mermaid.length": "2"}),
        (EdgeStyle.SOLID, None, "e7", {"mermaid.arrow": "arrow_cross"}),
    ]


def test_styles_classes_and_links_are_attributes_of_what_they_style():
    d, _ = model("flowchart LR\n a:::hot --> b\n classDef hot fill:#f96,stroke:#333\n class b cold\n"
                 " style a stroke-width:4px\n linkStyle 0 stroke:#0f0\n click b \"https://x.org\" \"Docs\" _blank\n"
                 " subgraph S\n c\n end\n style S fill:#eee\n")
    nodes = d.node_by_id()
    assert nodes["a"].attributes == {"mermaid.class": "hot", "mermaid.style": "stroke-width:4px"}
    assert nodes["b"].attributes == {"mermaid.class": "cold", "mermaid.link": "https://x.org",
                                     "mermaid.linkTarget": "_blank", "mermaid.tooltip": "Docs"}
    assert d.edges[0].attributes == {"mermaid.linkStyle": "stroke:#0f0"}
    assert d.attributes["mermaid.classDef.hot"] == "fill:#f96,stroke:#333"
    assert d.lane_by_id()["S"].attributes == {"mermaid.style": "fill:#eee"}
    again, _ = model(write(d, "mermaid"))
    assert [n.attributes for n in again.nodes] == [n.attributes for n in d.nodes]


def test_labels_entities_breaks_markdown_and_unicode():
    d, _ = model("flowchart LR\n a[\"say #quot;hi#quot; #35;1<br/>next\"] --> b[\"`**bold**`\"]\n c[日本語 ✓]\n")
    labels = {n.id: (n.label, n.attributes) for n in d.nodes}
    assert labels == {"a": ('say "hi" #1\nnext', {}), "b": ("**bold**", {"mermaid.labelType": "markdown"}),
                      "c": ("日本語 ✓", {})}
    text = write(d, "mermaid")
    assert 'a["say #quot;hi#quot; #35;1<br/>next"]' in text and 'b["`**bold**`"]' in text


def test_front_matter_init_comments_and_positions():
    text = ("---\ntitle: Orders\nconfig:\n  theme: forest\n---\n%%{init: {'flowchart': {'curve': 'basis'}}}%%\n"
            "flowchart LR\n%% a remark\n  A --> B\n  B --> C((\n")
    with pytest.raises(InputError) as caught:
        read(text, "mermaid")
    error = caught.value.errors[0]
    assert (error.line, error.code) == (10, "SYNTAX_ERROR")  # line 10 of the text as written
    d, _ = model(text.replace("C((\n", "C\n"))
    assert d.title == "Orders"
    assert d.attributes["mermaid.config"] == "theme: forest"
    assert d.attributes["mermaid.init"].startswith("%%{init:")
    assert d.attributes["mermaid.comments"] == " a remark"
    assert d.node_by_id()["A"].line == 9
    out = write(d, "mermaid")
    assert out.startswith('---\ntitle: "Orders"\nconfig:\n  theme: forest\n---\n%%{init:')


@pytest.mark.parametrize("text,code,line,column", [
    ("flowchart LR\n  n1((Start) --> n2[Next\n", "SYNTAX_ERROR", 2, 12),
    ("flowchart LR\n A --> B\n subgraph S\n  C\n", "SYNTAX_ERROR", 3, 2),
    ("flowchrt LR\n A --> B\n", "SYNTAX_ERROR", 1, 1),
    ("flowchart LR\n A@{ shape: hexagonal }\n", "UNKNOWN_SHAPE", 2, 2),
    ("flowchart LR\n A --> B\n linkStyle 4 stroke:red\n", "SYNTAX_ERROR", 3, 2),
    ("pie\n \"a\": 1\n", "UNSUPPORTED_DIAGRAM", 1, 1),
    ("", "EMPTY_DIAGRAM", 1, 1),
    ("sequenceDiagram\n A->>-B: x\n", "SYNTAX_ERROR", 2, 2),
])
def test_errors_carry_a_line_and_column(text, code, line, column):
    with pytest.raises(InputError) as caught:
        read(text, "mermaid")
    error = caught.value.errors[0]
    assert (error.code, error.line, error.column) == (code, line, column), error.message


def test_sequence_diagram_participants_are_lanes_and_messages_steps():
    d, _ = model("sequenceDiagram\n participant U as User\n participant S as Server\n U->>S: Login\n"
                 " S-->>U: Token\n loop every hour\n  U->>S: Refresh\n end\n Note over U,S: secure\n")
    assert [(lane.id, lane.label) for lane in d.lanes] == [("U", "User"), ("S", "Server")]
    assert [(n.id, n.lane, n.kind, n.label) for n in d.nodes] == [
        ("U_start", "U", NodeKind.START, "User"), ("m2", "S", NodeKind.TASK, "Login"),
        ("m3", "U", NodeKind.TASK, "Token"), ("m4", "S", NodeKind.TASK, "Refresh"),
        ("note5", "U", NodeKind.NOTE, "secure")]
    assert [(e.source, e.target, e.label, e.style) for e in d.edges] == [
        ("U_start", "m2", "Login", EdgeStyle.SOLID), ("m2", "m3", "Token", EdgeStyle.DOTTED),
        ("m3", "m4", "Refresh", EdgeStyle.SOLID)]
    assert [(g.kind, g.label, g.members) for g in d.groups] == [("loop", "every hour", ["m4"])]
    # and back: the same messages, in order, in the same loop
    text = write(d, "mermaid", {"diagram": "sequence"})
    assert "  loop every hour\n    U->>S: Refresh\n  end\n" in text
    assert "U->>S: Login\n  S-->>U: Token\n" in text


def test_sequence_fragments_become_groups_with_sections():
    d, _ = model("sequenceDiagram\n A->>B: x\n alt good\n  B->>A: ok\n else bad\n  B->>A: no\n end\n")
    assert [(g.id, g.kind, g.label, g.members, g.parent) for g in d.groups] == [
        ("alt1", "alt", "good", ["m3", "m4"], None), ("else2", "else", "bad", ["m4"], "alt1")]
    text = write(d, "mermaid", {"diagram": "sequence"})
    assert "  alt good\n    B->>A: ok\n  else bad\n    B->>A: no\n  end\n" in text


def test_the_format_is_registered_and_detected():
    for name in ("mermaid", "mmd", ".mermaid"):
        assert detect_format("", name).name == "mermaid"
    assert detect_format("x", filename="flow.mmd").name == "mermaid"
    assert detect_format("x", filename="flow.mermaid").name == "mermaid"
    for text in ("flowchart LR\n A{ok} --> B\n", "%% c\ngraph TD\nA-->B", "---\ntitle: t\n---\nsequenceDiagram\nA->>B: x",
                 "swimlane-beta LR\n A", "%%{init: {}}%%\nflowchart TB\n a"):
        assert detect_format(text).name == "mermaid", text
    for text in ("User { # User\nn1: circle label:\"x\"\n}\n", "flowzap_model: 1\n"):
        assert detect_format(text).name != "mermaid"


def test_js_regexes_are_translated_with_javascript_meaning():
    assert translate_js_regex("^(?:end\\b\\s*)") == \
        "(?:end(?:(?<=[A-Za-z0-9_])(?![A-Za-z0-9_])|(?<![A-Za-z0-9_])(?=[A-Za-z0-9_]))[" + jison._JS_SPACE + "]*)"
    # JavaScript's \s: not U+001C or U+0085 (Python's is), but U+FEFF
    assert re.fullmatch(translate_js_regex("^(?:\\s+)"), " \t\ufeff") and not re.match(translate_js_regex("\\s"), "\x1c\x85")
    assert translate_js_regex("^(?:$)") == "(?:\\Z)"
    assert translate_js_regex("^(?:[^$]a.)") == "(?:[^$]a[^\\n\\r\\u2028\\u2029])"
    assert translate_js_regex("^(?:(x)+)") == "(?:(?:x)+)"
    # "end" followed by a non-ASCII letter is still the keyword, as in JavaScript
    g = jison.grammar("flow")
    lexer = jison.Lexer(g, "endé")
    assert g.terminal_name(lexer.lex()) == "end"


def test_rich_model_round_trips_through_mermaid_with_comments():
    original = read((DATA / "rich_model.yaml").read_text(encoding="utf-8"), "yaml")
    text = write(original, "mermaid", {"extras": "comments"})
    back = read(text, "mermaid")
    renamed = {"Shop Backend": "Shop_Backend", "end": "end_2"}
    r = lambda x: renamed.get(x, x)  # noqa: E731
    assert (back.title, back.direction, back.attributes) == (original.title, original.direction, original.attributes)
    assert [(lane.id, lane.label, lane.attributes) for lane in back.lanes] == \
        [(r(lane.id), lane.label, lane.attributes) for lane in original.lanes]
    assert {n.id: (n.lane, n.kind, n.label, n.attributes) for n in back.nodes} == \
        {r(n.id): (r(n.lane), n.kind, n.label, n.attributes) for n in original.nodes}
    assert [(r(e.source), r(e.target), e.label, e.style, e.source_side, e.target_side, e.id, e.attributes)
            for e in original.edges] == \
        [(e.source, e.target, e.label, e.style, e.source_side, e.target_side, e.id, e.attributes) for e in back.edges]
    assert {(g.id, g.kind, g.label, tuple(map(r, g.members)), g.parent) for g in original.groups} == \
        {(g.id, g.kind, g.label, tuple(g.members), g.parent) for g in back.groups}


def test_activation_lines_are_kept_on_the_message_before_them_and_message_activations_kept():
    d, diags = model("sequenceDiagram\n activate B\n A->>+B: go\n activate A\n deactivate A\n B->>-A: back\n")
    assert [x.code for x in diags if x.code == "IGNORED_STATEMENT"] == []
    assert [e.attributes.get("activation") for e in d.edges] == ["activate", "deactivate"]
    assert d.edges[0].attributes["activations_before"] == "activate B"
    assert d.edges[0].attributes["activations"] == "activate A\ndeactivate A"
    text = write(d, "mermaid", {"diagram": "sequence"})
    assert "activate B\n  A->>+B: go\n  activate A\n  deactivate A\n  B->>-A: back" in text


def test_a_flowzap_lane_named_graph_is_not_taken_for_mermaid():
    assert detect_format('graph { # Graph\nn1: circle label:"x"\n}\n').name == "flowzap"


def test_the_reader_returns_its_errors_with_their_codes_and_never_raises():
    from converters.mermaid import read as read_mermaid
    cases = {
        "": "EMPTY_DIAGRAM",
        "pie\n": "UNSUPPORTED_DIAGRAM",
        "hello\n": "SYNTAX_ERROR",
        "---\ntitle: [\n---\nflowchart LR\n": "SYNTAX_ERROR",
        "flowchart LR\nA-->\n": "SYNTAX_ERROR",
        "flowchart LR\nA@{ shape: nope }\n": "UNKNOWN_SHAPE",
        "flowchart LR\nsubgraph one\nA\n": "SYNTAX_ERROR",
    }
    for text, code in cases.items():
        diagram, diagnostics = read_mermaid(text)
        errors = [d for d in diagnostics if d.severity.value == "error"]
        assert [d.code for d in errors] == [code], text
        assert errors[0].line is not None and errors[0].column is not None
        assert diagram.nodes == []


def test_entity_codes_for_characters_no_text_can_carry_are_replaced_and_reported():
    d, diags = model('flowchart LR\nA["a#55296;b#1;c#65535;"] --> B["#128;#quot;"]\n')
    assert [n.label for n in d.nodes] == ["a\ufffdb\ufffdc\ufffd", "\u20ac\""]  # #128; as browsers show it: €
    found = [(x.code, x.line, x.column) for x in diags if x.code == "UNENCODABLE_ENTITY"]
    assert found == [("UNENCODABLE_ENTITY", 2, 5), ("UNENCODABLE_ENTITY", 2, 13), ("UNENCODABLE_ENTITY", 2, 17)]
    for node in d.nodes:
        node.label.encode("utf-8")  # nothing a UTF-8 response cannot carry


def test_an_unterminated_init_directive_is_ignored_with_the_rest_as_mermaid_does():
    d, diags = model('flowchart LR\nA-->B\n%%{init: {"theme": "dark"}\nC-->D\n')
    assert [n.id for n in d.nodes] == ["A", "B"]
    [warning] = [x for x in diags if x.code == "UNTERMINATED_DIRECTIVE"]
    assert (warning.line, warning.column) == (3, 1)
    assert "mermaid.init" not in d.attributes  # so no writer copies it into text that no longer reads


@pytest.mark.parametrize("text,where", [
    ("---\ntitle: flow\u2028\u2028chart\nb c\n---\nflowchart TD\nA --> B\n", 3),
    ("---\ntitle: a\u2029\u2029\u2029b\nc: [\n---\nflowchart TD\nA --> B\n", 3),
])
def test_a_front_matter_error_is_placed_by_our_lines_not_by_yamls(text, where):
    """Found by scripts/fuzz_campaign.py: YAML counts U+2028, U+2029 and U+0085 as line breaks, so an
    error in front matter holding them was placed on line 8 of a 6-line text."""
    with pytest.raises(InputError) as caught:
        read_with_diagnostics(text, "mermaid")
    first = caught.value.errors[0]
    lines = text.split("\n")
    assert first.line <= len(lines) and first.column <= len(lines[first.line - 1]) + 1, first
    assert first.line == where
