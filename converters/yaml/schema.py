"""The YAML document's shape, in one place: the reader checks against it, the writer follows it,
and ``schema.json`` (the published JSON Schema) is tested to agree with it."""
from __future__ import annotations

from ..model import EdgeStyle, GroupKind, NodeKind, Side
from ..model.diagram import DIRECTIONS

VERSION_KEY = "flowzap_model"
VERSION = 1

STR, MAP, LIST = "string", "map", "list"

# field → (type, required, allowed values or None)
TOP = {
    VERSION_KEY: ("int", True, None),
    "title": (STR, False, None),
    "direction": (STR, False, DIRECTIONS),
    "attributes": (MAP, False, None),
    "lanes": (LIST, False, None),
    "nodes": (LIST, False, None),
    "edges": (LIST, False, None),
    "groups": (LIST, False, None),
}
LANE = {"id": (STR, True, None), "label": (STR, False, None), "attributes": (MAP, False, None)}
NODE = {
    "id": (STR, True, None),
    "lane": (STR, True, None),
    "kind": (STR, False, tuple(k.value for k in NodeKind)),
    "label": (STR, False, None),
    "shape": (STR, False, None),
    "attributes": (MAP, False, None),
}
_SIDES = tuple(s.value for s in Side)
EDGE = {
    "id": (STR, False, None),
    "source": (STR, True, None),
    "target": (STR, True, None),
    "label": (STR, False, None),
    "source_side": (STR, False, _SIDES),
    "target_side": (STR, False, _SIDES),
    "style": (STR, False, tuple(s.value for s in EdgeStyle)),
    "attributes": (MAP, False, None),
}
GROUP = {
    "id": (STR, True, None),
    "kind": (STR, False, tuple(k.value for k in GroupKind)),
    "label": (STR, False, None),
    "members": ("string-list", False, None),
    "lane": (STR, False, None),
    "parent": (STR, False, None),
    "attributes": (MAP, False, None),
}
