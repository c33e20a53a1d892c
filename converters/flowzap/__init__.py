"""FlowZap Code (``.fz``): the swimlane workflow language the product is named after."""
import re

from ..formats import Format
from .reader import read
from .writer import write

_LANE_LINE = re.compile(r"^[ \t]*[^\W\d]\w*[ \t]*\{", re.MULTILINE)
_STATEMENT = re.compile(r"(?:^[ \t]*[^\W\d]\w*:[ \t]*(?:circle|rectangle|diamond|taskbox|rect)\b|->)",
                        re.MULTILINE | re.IGNORECASE)


def sniff(text: str) -> bool:
    head = text[:4096]
    return bool(_LANE_LINE.search(head) and _STATEMENT.search(head)) and not head.lstrip().startswith("<")


FORMAT = Format(
    name="flowzap",
    title="FlowZap Code",
    extensions=(".fz", ".flowzap"),
    reader=read,
    writer=write,
    options=(),
    sniff=sniff,
    aliases=("fz", "flowzap-code"),
    media_type="text/x-flowzap",
    description="FlowZap's swimlane workflow language: lanes, four shapes, edges with handles, loops",
)

__all__ = ["FORMAT", "read", "write"]
