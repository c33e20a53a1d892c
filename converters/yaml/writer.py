"""Model → YAML: the whole model, lossless; empty and default fields are left out."""
from __future__ import annotations

import yaml

from ..diagnostics import Diagnostic
from ..model import Diagram, EdgeStyle, GroupKind, NodeKind
from .schema import VERSION, VERSION_KEY

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def to_data(diagram: Diagram) -> dict:
    data: dict = {VERSION_KEY: VERSION}
    if diagram.title is not None:
        data["title"] = diagram.title
    data["direction"] = diagram.direction
    if diagram.attributes:
        data["attributes"] = dict(diagram.attributes)
    data["lanes"] = [_lane(lane) for lane in diagram.lanes]
    data["nodes"] = [_node(node) for node in diagram.nodes]
    data["edges"] = [_edge(edge) for edge in diagram.edges]
    if diagram.groups:
        data["groups"] = [_group(group) for group in diagram.groups]
    return data


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


def write(diagram: Diagram, options: dict[str, str]) -> tuple[str, list[Diagnostic]]:
    text = yaml.dump(to_data(diagram), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=1 << 16)
    return text, []
