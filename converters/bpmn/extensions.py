"""The project's own extension: one ``<fz:meta>`` per written element, inside ``extensionElements``.

It carries what BPMN has no element for, so FlowZap → BPMN → FlowZap loses nothing:

    <fz:meta kind="start" shape="circle" sourceSide="right" targetSide="left" style="dotted"
             id="original id" noId="true" index="3" synthetic="true" members="n2 n3" lane="User"
             parent="g1" groupKind="loop">
      <fz:attribute key="owner" value="Alice"/>
    </fz:meta>

Every field is optional. ``synthetic`` marks an element the writer added so that linters accept
the diagram (a join gateway, a start event); the reader removes it and reconnects the flows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

from .vocabulary import FZ_NS

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


def encode(fields: dict[str, str | None], attributes: dict[str, str]) -> str:
    """``<fz:meta …>`` as XML text ('' when there is nothing to say)."""
    present = {k: v for k, v in fields.items() if v is not None}
    if not present and not attributes:
        return ""
    head = "<fz:meta" + "".join(f" {k}={quoteattr(v)}" for k, v in present.items())
    if not attributes:
        return head + "/>"
    body = "".join(f"<fz:attribute key={quoteattr(k)} value={quoteattr(v)}/>" for k, v in attributes.items())
    return f"{head}>{body}</fz:meta>"


def decode(extension_elements) -> Meta | None:
    """The ``fz:meta`` inside an lxml ``extensionElements`` element, if any."""
    if extension_elements is None:
        return None
    for child in extension_elements:
        if child.tag == META:
            meta = Meta(dict(child.attrib))
            for item in child:
                if item.tag == ATTRIBUTE and item.get("key") is not None:
                    meta.attributes[item.get("key")] = item.get("value", "")
            return meta
    return None
