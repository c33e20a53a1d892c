"""The project's own extension: one ``<fz:meta>`` per written element, inside ``extensionElements``.

It carries what BPMN has no element for, so FlowZap → BPMN → FlowZap loses nothing:

    <fz:meta kind="start" shape="circle" sourceSide="right" targetSide="left" style="dotted"
             id="original id" noId="true" index="3" synthetic="true" members="n2 n3" lane="User"
             parent="g1" groupKind="loop">
      <fz:attribute key="owner" value="Alice"/>
    </fz:meta>

Every field is optional. A value XML cannot hold (a C0 control, U+FFFE, a lone surrogate: see
xmltext.py) is written base64-encoded under the field's name plus ``.b64`` (``label.b64="…"``, and
``key.b64`` / ``value.b64`` on ``fz:attribute``), so any text survives exactly. ``synthetic`` marks
an element the writer added so that linters accept
the diagram (a join gateway, a start event); the reader removes it and reconnects the flows.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from .vocabulary import FZ_NS
from .xmlparts import attribute_items
from .xmltext import attribute, holds_all

META = f"{{{FZ_NS}}}meta"
ATTRIBUTE = f"{{{FZ_NS}}}attribute"


@dataclass(slots=True)
class Meta:
    fields: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.fields.get(name, default)

    @property
    def synthetic(self) -> bool:
        return self.fields.get("synthetic") == "true"


_B64 = ".b64"


def _pair(name: str, value: str) -> str:
    """`` name="value"``, or `` name.b64="…"`` when XML cannot hold the value."""
    if holds_all(value):
        return f" {name}={attribute(value)}"
    packed = base64.b64encode(value.encode("utf-8", "surrogatepass")).decode("ascii")
    return f' {name}{_B64}="{packed}"'


def encode(fields: dict[str, str | None], attributes: dict[str, str]) -> str:
    """``<fz:meta …>`` as XML text ('' when there is nothing to say)."""
    present = {k: v for k, v in fields.items() if v is not None}
    if not present and not attributes:
        return ""
    head = "<fz:meta" + "".join(_pair(k, v) for k, v in present.items())
    if not attributes:
        return head + "/>"
    body = "".join(f"<fz:attribute{_pair('key', k)}{_pair('value', v)}/>" for k, v in attributes.items())
    return f"{head}>{body}</fz:meta>"


def _unpacked(element) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, value in attribute_items(element):
        if name.endswith(_B64):
            try:
                values[name[: -len(_B64)]] = base64.b64decode(value, validate=True).decode("utf-8", "surrogatepass")
            except (binascii.Error, UnicodeDecodeError):
                continue  # not written by this converter: ignored like any foreign attribute
        else:
            values.setdefault(name, value)
    return values


def decode(extension_elements) -> Meta | None:
    """The ``fz:meta`` inside an lxml ``extensionElements`` element, if any."""
    if extension_elements is None:
        return None
    for child in extension_elements:
        if child.tag == META:
            meta = Meta(_unpacked(child))
            for item in child:
                if item.tag == ATTRIBUTE:
                    pair = _unpacked(item)
                    if pair.get("key") is not None:
                        meta.attributes[pair["key"]] = pair.get("value", "")
            return meta
    return None
