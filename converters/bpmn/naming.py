"""The writer's second stage: the id of every element it will write.

BPMN ids are xsd:ID, one namespace for the whole document, and must be NCNames. Each element keeps
the id the model (or its BPMN source, for pools) gave it when that id is a free NCName; otherwise
it gets a numbered one (``converters.model.IdAllocator``); fz:meta then carries the model's id.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Diagram, Group, IdAllocator
from .plan import Plan, has_lane_set
from .vocabulary import NCNAME

_NOT_NCNAME = re.compile(r"[^A-Za-z0-9_.\-]")


def ncname(text: str) -> str:
    """``text`` made an NCName (for ids built from model text, such as ``Property_<node id>``)."""
    cleaned = _NOT_NCNAME.sub("_", text)
    return cleaned if NCNAME.match(cleaned) else f"_{cleaned}"


def allocator() -> IdAllocator:
    """Ids of one document: a model id is kept when it is a free NCName, else the fallback."""
    return IdAllocator(lambda text: NCNAME.match(text) is not None,
                       lambda text: text if NCNAME.match(text) else "")


@dataclass(slots=True)
class Names:
    ids: IdAllocator = field(default_factory=allocator)
    lane_xml_id: dict[str, str] = field(default_factory=dict)
    flows: int = 0  # connections named so far (each one's id is its ``xml_id``)
    edge_xml_id: dict[str, str] = field(default_factory=dict)  # model edge id → flow id (gateway defaults)
    process_id: dict[int, str] = field(default_factory=dict)
    participant_id: dict[int, str] = field(default_factory=dict)
    parent_xml_id: dict[str, str] = field(default_factory=dict)  # lane id → its parent lane's id
    parent_band: dict[str, list[str]] = field(default_factory=dict)  # parent lane id → its lanes, in order
    group_xml_id: dict[str, str] = field(default_factory=dict)

    def get(self, wanted: str | None, fallback: str) -> str:
        """``wanted`` when it is a free NCName, else ``fallback`` (numbered until free)."""
        return self.ids.allocate(wanted, fallback if NCNAME.match(fallback) else ncname(fallback))

    def reserve(self, fixed: str) -> str:
        """An id the writer spells itself (``Definitions_1``), or one a kept fragment holds."""
        return self.ids.take(fixed)


def assign(names: Names, diagram: Diagram, plan: Plan, mode: str, drawn_groups: list[Group]) -> Names:
    """Ids for pools, lanes, nodes, flows and groups, in that order (so that the pools keep the
    participant and process ids their BPMN source gave them)."""
    lane_by_id = diagram.lane_by_id()
    for index, lanes in enumerate(plan.pools):
        first = lane_by_id[lanes[0]].attributes if lanes else {}
        names.process_id[index] = names.get(first.get("bpmn.process"), f"Process_{index + 1}")
        if index not in plan.single_lane_pools:
            names.participant_id[index] = names.get(first.get("bpmn.participant"), f"Participant_{index + 1}")
        names.reserve(f"LaneSet_{index + 1}")
    for lane in diagram.lanes:
        names.lane_xml_id[lane.id] = names.get(lane.id, "Lane")
    for lanes in plan.pools:  # lanes under a parent lane (a nested laneSet read from BPMN)
        previous = None
        for lane_id in lanes:
            wanted = lane_by_id[lane_id].attributes.get("bpmn.parentLane")
            if wanted is None or not has_lane_set(lanes, diagram, lane_by_id, mode, len(plan.pools)):
                previous = None
                continue
            if previous is not None and previous[0] == wanted:
                parent = previous[1]
            else:
                parent = names.get(wanted, "Lane")
                previous = (wanted, parent)
            names.parent_xml_id[lane_id] = parent
            names.parent_band.setdefault(parent, []).append(lane_id)
    for index, lanes in enumerate(plan.pools):
        if index not in names.participant_id:  # a lane that is its pool: the lane's id
            names.participant_id[index] = names.lane_xml_id[lanes[0]]
    for item in plan.nodes:  # a pool standing as a node is the participant itself
        if item.tag == "participant":
            item.xml_id = names.participant_id[int(plan.pool_of_lane[item.lane])]
    for item in plan.nodes:
        if item.tag != "participant":
            item.xml_id = names.get(item.id, "Node")
    if len(plan.by_id) != len(plan.nodes):
        # Two nodes share an id (the checks refuse such models; the writer called directly still
        # writes them as before): every node of that id is written with the id the last one got.
        by_model_id = {item.id: item.xml_id for item in plan.nodes if item.tag == "participant"}
        by_model_id.update((item.id, item.xml_id) for item in plan.nodes if item.tag != "participant")
        for item in plan.nodes:
            item.xml_id = by_model_id[item.id]
    for connection in plan.connections:
        fallback = {"sequenceFlow": "Flow", "messageFlow": "MessageFlow"}.get(connection.kind, "Association")
        wanted = connection.edge.id if connection.edge is not None else None
        xml_id = names.get(wanted, fallback) if wanted else names.get(None, f"{fallback}_{names.flows + 1}")
        names.flows += 1
        connection.xml_id = xml_id
        if wanted:
            names.edge_xml_id[wanted] = xml_id
    for group in drawn_groups:
        gid = names.group_xml_id[group.id] = names.get(group.id, "Group")
        if group.label is not None:
            names.reserve(f"Category_{gid}")
            names.reserve(f"CategoryValue_{gid}")
    return names
