"""YAML → model. Safe loading only (the YAML is composed into nodes, never constructed into
arbitrary objects); duplicate keys, unknown fields, wrong types, bad values and dangling references
are errors at their line and column, all of them reported in one pass."""
from __future__ import annotations

import bisect
import difflib
import re

import yaml

from ..diagnostics import Diagnostic, Diagnostics
from ..model import Diagram, Edge, EdgeStyle, Group, GroupKind, Lane, Node, NodeKind, Side, check_diagram
from . import schema

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_NULL_TAG = "tag:yaml.org,2002:null"


# Line breaks to YAML 1.1 that are none to the text's own lines (converters/text.py refuses U+0085).
_YAML_ONLY_BREAKS = ("\u2028", "\u2029")


class _Reader:
    def __init__(self) -> None:
        self.out = Diagnostics()
        self.line_starts: list[int] | None = None  # the text's own line starts, when YAML counts lines otherwise

    def at(self, node: yaml.Node) -> dict:
        return self.place(node.start_mark)

    def place(self, mark) -> dict:
        """Line and column of a YAML mark in the text's own lines (by its index when YAML's differ)."""
        if self.line_starts is None:
            return {"line": mark.line + 1, "column": mark.column + 1}
        line = bisect.bisect_right(self.line_starts, mark.index)
        return {"line": line, "column": mark.index - self.line_starts[line - 1] + 1}

    def mapping(self, node: yaml.Node, fields: dict, what: str) -> dict[str, yaml.Node] | None:
        """The fields of a mapping, checked against ``fields``; None when it is no mapping."""
        if not isinstance(node, yaml.MappingNode):
            self.out.add("INVALID_VALUE", f"{what} must be a mapping", **self.at(node))
            return None
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is None:
                self.out.add("INVALID_VALUE", f"{what}: keys must be plain strings", **self.at(key_node))
                continue
            if key in result:
                self.out.add("DUPLICATE_KEY", f"{what}: key {key!r} is given twice", **self.at(key_node))
                continue
            if key not in fields:
                close = difflib.get_close_matches(key, list(fields), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.out.add("UNKNOWN_FIELD", f"{what}: unknown field {key!r}{hint}", **self.at(key_node))
                continue
            result[key] = value_node
        for name, (_, required, _) in fields.items():
            if required and name not in result:
                self.out.add("MISSING_FIELD", f"{what}: field {name!r} is required", **self.at(node))
        return result

    def value(self, fields: dict, present: dict[str, yaml.Node], name: str, what: str, default=None):
        node = present.get(name)
        if node is None:
            return default
        kind, _, allowed = fields[name]
        if kind == schema.STR:
            text = self.string(node, f"{what}.{name}")
            if text is not None and allowed is not None and text not in allowed:
                self.out.add("INVALID_VALUE", f"{what}.{name}: {text!r} is not one of {', '.join(allowed)}",
                             **self.at(node))
                return default
            return text if text is not None else default
        if kind == schema.MAP:
            return self.string_map(node, f"{what}.{name}")
        if kind == "string-list":
            if not isinstance(node, yaml.SequenceNode):
                self.out.add("INVALID_VALUE", f"{what}.{name} must be a list of strings", **self.at(node))
                return []
            items = [self.string(item, f"{what}.{name}[{i}]") for i, item in enumerate(node.value)]
            return [item for item in items if item is not None]
        return node

    def string(self, node: yaml.Node, what: str) -> str | None:
        # Plain numbers are kept as written (an id 42 is the string "42"); booleans, nulls,
        # lists and mappings where text is expected are errors.
        if isinstance(node, yaml.ScalarNode) and node.tag in (_STR_TAG, _INT_TAG):
            return node.value
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG and what.endswith((".label", ".title")):
            return None
        self.out.add("INVALID_VALUE", f"{what} must be a string", **self.at(node))
        return None

    def string_map(self, node: yaml.Node, what: str) -> dict[str, str]:
        if not isinstance(node, yaml.MappingNode):
            self.out.add("INVALID_VALUE", f"{what} must be a mapping of strings", **self.at(node))
            return {}
        result: dict[str, str] = {}
        for key_node, value_node in node.value:
            key = self.string(key_node, f"{what} key")
            if key is None:
                continue
            if key in result:
                self.out.add("DUPLICATE_KEY", f"{what}: key {key!r} is given twice", **self.at(key_node))
                continue
            value = self.string(value_node, f"{what}.{key}")
            if value is not None:
                result[key] = value
        return result

    def items(self, present: dict, name: str) -> list[yaml.Node]:
        node = present.get(name)
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.out.add("INVALID_VALUE", f"{name} must be a list", **self.at(node))
            return []
        return node.value

    def read(self, text: str) -> Diagram:
        if any(c in text for c in _YAML_ONLY_BREAKS):
            self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        try:
            root = yaml.compose(text, Loader=_Loader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            self.out.add("SYNTAX_ERROR", f"not valid YAML: {exc.problem or exc.context}",
                         **(self.place(mark) if mark else {"line": None, "column": None}))
            return Diagram()
        except yaml.YAMLError as exc:
            self.out.add("SYNTAX_ERROR", f"not valid YAML: {exc}")
            return Diagram()
        if root is None:
            self.out.add("EMPTY_DIAGRAM", "the YAML document is empty", line=1, column=1)
            return Diagram()
        top = self.mapping(root, schema.TOP, "document")
        if top is None:
            return Diagram()
        version_node = top.get(schema.VERSION_KEY)
        if version_node is not None and (
            not isinstance(version_node, yaml.ScalarNode) or version_node.value != str(schema.VERSION)
        ):
            self.out.add("UNSUPPORTED_VERSION", f"{schema.VERSION_KEY}: this library reads version "
                         f"{schema.VERSION}", **self.at(version_node))
            return Diagram()
        diagram = Diagram(
            title=self.value(schema.TOP, top, "title", "document"),
            direction=self.value(schema.TOP, top, "direction", "document", "LR"),
            attributes=self.value(schema.TOP, top, "attributes", "document", {}) or {},
        )
        # Without an alias (``*name``) every node of the tree has one parent: each item can be
        # dropped from it once read. With one, a list may be read again through the alias.
        tree = "*" not in text
        for i, item in _one_by_one(self.items(top, "lanes"), tree):
            f = self.mapping(item, schema.LANE, f"lanes[{i}]")
            if f is not None and "id" in f:
                w = f"lanes[{i}]"
                diagram.lanes.append(Lane(self.value(schema.LANE, f, "id", w) or "", self.value(schema.LANE, f, "label", w),
                                          self.value(schema.LANE, f, "attributes", w, {}), **self.at(item)))
        for i, item in _one_by_one(self.items(top, "nodes"), tree):
            f = self.mapping(item, schema.NODE, f"nodes[{i}]")
            if f is not None and "id" in f and "lane" in f:
                w = f"nodes[{i}]"
                diagram.nodes.append(Node(
                    self.value(schema.NODE, f, "id", w) or "", self.value(schema.NODE, f, "lane", w) or "",
                    NodeKind(self.value(schema.NODE, f, "kind", w, "task")), self.value(schema.NODE, f, "label", w),
                    self.value(schema.NODE, f, "shape", w), self.value(schema.NODE, f, "attributes", w, {}),
                    **self.at(item)))
        for i, item in _one_by_one(self.items(top, "edges"), tree):
            f = self.mapping(item, schema.EDGE, f"edges[{i}]")
            if f is not None and "source" in f and "target" in f:
                w = f"edges[{i}]"
                source_side = self.value(schema.EDGE, f, "source_side", w)
                target_side = self.value(schema.EDGE, f, "target_side", w)
                diagram.edges.append(Edge(
                    self.value(schema.EDGE, f, "source", w) or "", self.value(schema.EDGE, f, "target", w) or "",
                    self.value(schema.EDGE, f, "label", w),
                    Side(source_side) if source_side else None, Side(target_side) if target_side else None,
                    EdgeStyle(self.value(schema.EDGE, f, "style", w, "solid")), self.value(schema.EDGE, f, "id", w),
                    self.value(schema.EDGE, f, "attributes", w, {}), **self.at(item)))
        for i, item in _one_by_one(self.items(top, "groups"), tree):
            f = self.mapping(item, schema.GROUP, f"groups[{i}]")
            if f is not None and "id" in f:
                w = f"groups[{i}]"
                diagram.groups.append(Group(
                    self.value(schema.GROUP, f, "id", w) or "",
                    GroupKind.parse(self.value(schema.GROUP, f, "kind", w, "loop")) or GroupKind.LOOP,
                    self.value(schema.GROUP, f, "label", w), self.value(schema.GROUP, f, "members", w, []),
                    self.value(schema.GROUP, f, "lane", w), self.value(schema.GROUP, f, "parent", w),
                    self.value(schema.GROUP, f, "attributes", w, {}), **self.at(item)))
        if not self.out.has_errors():
            self.out.extend(check_diagram(diagram))
        return diagram


def _one_by_one(items: list, drop: bool):
    """Each item of a list of the document's tree, with its index; with ``drop``, dropped from the
    tree once its element is made: its nodes and marks are freed while they are still in the cache,
    and their memory holds the next elements (the tree of 50,000 nodes, freed whole at the end, was
    a last pass over all of it)."""
    for index in range(len(items)):
        item = items[index]
        if drop:
            items[index] = None
        yield index, item


def read(text: str) -> tuple[Diagram, list[Diagnostic]]:
    reader = _Reader()
    diagram = reader.read(text)
    return diagram, reader.out.items
