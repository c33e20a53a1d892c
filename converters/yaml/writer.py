"""Model → YAML: the whole model, lossless; empty and default fields are left out.

The text is what ``yaml.dump(to_data(diagram), Dumper=CSafeDumper, …)`` gives, byte for byte
(tests/test_yaml_writer_events.py checks it), but made without PyYAML's representer: that pure
Python layer built a node and ran every implicit resolver's regex for each of the ≈ 15 scalars
of a node, three quarters of the time of a write. Here the document's events are made directly
and given to the same (libyaml) emitter; a string is resolved only against the resolvers of its
first character, as PyYAML's own resolver does.
"""
from __future__ import annotations

import io

import yaml
from yaml.events import (DocumentEndEvent, DocumentStartEvent, MappingEndEvent, MappingStartEvent, ScalarEvent,
                         SequenceEndEvent, SequenceStartEvent, StreamEndEvent, StreamStartEvent)
from yaml.resolver import Resolver

from ..diagnostics import Diagnostic
from ..model import Diagram, EdgeStyle, GroupKind, NodeKind
from .schema import VERSION, VERSION_KEY

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_OPTIONS = {"allow_unicode": True, "width": 1 << 16}
_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_RESOLVERS = Resolver.yaml_implicit_resolvers  # first character → [(tag, regex)]; None: any character


def to_data(diagram: Diagram) -> dict:
    """The whole document as one dict (what ``yaml.dump`` would be given; the writer makes the same
    events element by element, tests/test_yaml_writer_events.py compares them)."""
    data = _head(diagram)
    for key, elements, item in _sections(diagram):
        data[key] = [item(element) for element in elements]
    return data


def _head(diagram: Diagram) -> dict:
    data: dict = {VERSION_KEY: VERSION}
    if diagram.title is not None:
        data["title"] = diagram.title
    data["direction"] = diagram.direction
    if diagram.attributes:
        data["attributes"] = dict(diagram.attributes)
    return data


def _sections(diagram: Diagram):
    """The document's lists after its head, in order: key, elements, the dict of one element."""
    sections = [("lanes", diagram.lanes, _lane), ("nodes", diagram.nodes, _node), ("edges", diagram.edges, _edge)]
    if diagram.groups:
        sections.append(("groups", diagram.groups, _group))
    return sections


def _lane(lane) -> dict:
    item = {"id": lane.id}
    if lane.label is not None:
        item["label"] = lane.label
    if lane.attributes:
        item["attributes"] = dict(lane.attributes)
    return item


def _node(node) -> dict:
    item = {"id": node.id, "lane": node.lane}
    if node.kind is not NodeKind.TASK:
        item["kind"] = node.kind.value
    if node.label is not None:
        item["label"] = node.label
    if node.shape is not None:
        item["shape"] = node.shape
    if node.attributes:
        item["attributes"] = dict(node.attributes)
    return item


def _edge(edge) -> dict:
    item = {}
    if edge.id is not None:
        item["id"] = edge.id
    item["source"] = edge.source
    item["target"] = edge.target
    if edge.label is not None:
        item["label"] = edge.label
    if edge.source_side is not None:
        item["source_side"] = edge.source_side.value
    if edge.target_side is not None:
        item["target_side"] = edge.target_side.value
    if edge.style is not EdgeStyle.SOLID:
        item["style"] = edge.style.value
    if edge.attributes:
        item["attributes"] = dict(edge.attributes)
    return item


def _group(group) -> dict:
    item = {"id": group.id, "kind": GroupKind(group.kind).value}
    if group.label is not None:
        item["label"] = group.label
    item["members"] = list(group.members)
    if group.lane is not None:
        item["lane"] = group.lane
    if group.parent is not None:
        item["parent"] = group.parent
    if group.attributes:
        item["attributes"] = dict(group.attributes)
    return item


def _plain_reads_as_string(value: str) -> bool:
    """Whether ``value`` written plain reads back as a string (PyYAML's ``Resolver.resolve``):
    when not, the emitter quotes it."""
    resolvers = _RESOLVERS.get(value[0] if value else "", ())
    wildcards = _RESOLVERS.get(None, ())
    for tag, regexp in (*resolvers, *wildcards):
        if regexp.match(value):
            return tag == _STR_TAG
    return True


def _emit(data, emit) -> None:
    """Gives ``emit`` the events PyYAML's serializer makes for ``data`` (block style, no anchors:
    ``to_data`` shares no object, and the safe representer never anchors a scalar). Each event is
    emitted as it is made, so none outlives its line: a list of them was 750,000 objects at 50,000
    nodes."""
    if isinstance(data, str):
        emit(ScalarEvent(None, _STR_TAG, (_plain_reads_as_string(data), True), data))
    elif isinstance(data, dict):
        emit(MappingStartEvent(None, None, True, flow_style=False))
        for key, value in data.items():
            _emit(key, emit)
            _emit(value, emit)
        emit(MappingEndEvent())
    elif isinstance(data, list):
        emit(SequenceStartEvent(None, None, True, flow_style=False))
        for item in data:
            _emit(item, emit)
        emit(SequenceEndEvent())
    elif type(data) is int:
        emit(ScalarEvent(None, _INT_TAG, (True, False), str(data)))
    else:  # to_data makes strings, ints, lists and dicts only
        raise TypeError(f"no YAML event for {type(data).__name__}")


def _emit_document(diagram: Diagram, emit) -> None:
    """The events of ``to_data(diagram)``, each element's made from a dict of that element alone
    (a dict of the whole model held beside it was a second copy of 50,000 nodes: the working set
    that stops fitting the cache as the model grows)."""
    emit(MappingStartEvent(None, None, True, flow_style=False))
    for key, value in _head(diagram).items():
        _emit(key, emit)
        _emit(value, emit)
    for key, elements, item in _sections(diagram):
        _emit(key, emit)
        emit(SequenceStartEvent(None, None, True, flow_style=False))
        for element in elements:
            _emit(item(element), emit)
        emit(SequenceEndEvent())
    emit(MappingEndEvent())


def write(diagram: Diagram, options: dict[str, str]) -> tuple[str, list[Diagnostic]]:
    stream = io.StringIO()
    dumper = _Dumper(stream, **_OPTIONS)
    try:
        emit = dumper.emit
        emit(StreamStartEvent())
        emit(DocumentStartEvent())
        _emit_document(diagram, emit)
        emit(DocumentEndEvent())
        emit(StreamEndEvent())
    finally:
        dumper.dispose()
    return stream.getvalue(), []
