"""BPMN 2.0 XML (``.bpmn``): the OMG standard of Camunda, Signavio, ARIS, bpmn.io and Bizagi.

Read from any modeller; written with one pool (lanes as a laneSet) or one pool per lane, and full
diagram interchange so bpmn-js, Camunda Modeler and Kroki show it laid out. See docs/bpmn.md.
"""
import re

from ..formats import Format, WriterOption
from .reader import read
from .writer import write

_ROOT = re.compile(r"<(?:[A-Za-z_][\w.\-]*:)?definitions\b[^>]*\"http://www\.omg\.org/spec/BPMN/20100524/MODEL\"")


def sniff(text: str) -> bool:
    """BPMN when the first kilobytes hold a ``definitions`` root bound to the BPMN model namespace."""
    head = text[:8192]
    return head.lstrip().startswith("<") and bool(_ROOT.search(head))


FORMAT = Format(
    name="bpmn",
    title="BPMN 2.0 XML",
    extensions=(".bpmn", ".bpmn2"),
    reader=read,
    writer=write,
    options=(
        WriterOption("pools", "auto", "auto: one pool, or the pools the BPMN source had; single: one pool with a "
                     "lane per model lane; per-lane: each lane its own pool, cross-lane edges as message flows",
                     ("auto", "single", "per-lane")),
        WriterOption("structure", "bpmnlint", "bpmnlint: make implicit splits, joins, starts and ends explicit "
                     "(marked, removed again on reading) so bpmnlint's recommended rules pass; as-is: write the "
                     "graph unchanged", ("bpmnlint", "as-is")),
        WriterOption("executable", "auto", "isExecutable on the processes (engines load only executable ones); "
                     "auto: as the BPMN source had it, else false", ("auto", "false", "true")),
    ),
    sniff=sniff,
    aliases=("bpmn2", "bpmn20"),
    media_type="application/bpmn+xml",
    description="BPMN 2.0 XML with diagram interchange: pools, lanes, events, tasks, gateways, flows",
)

__all__ = ["FORMAT", "read", "write"]
