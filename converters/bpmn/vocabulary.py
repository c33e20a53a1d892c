"""BPMN 2.0's vocabulary as this converter uses it: namespaces, element families, the model kind
each element means, and the sizes modellers draw them at (bpmn-js / Camunda Modeler defaults)."""
from __future__ import annotations

import re

from ..model import NodeKind

MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
# The project's own namespace: what BPMN has no element for (edge sides, FlowZap originals,
# attributes) travels in extensionElements under it, so FlowZap → BPMN → FlowZap loses nothing.
FZ_NS = "https://flowzap.xyz/schema/bpmn/1.0"

# Prefixes this converter writes; a reader accepts any prefix (it matches namespaces, not prefixes).
PREFIXES = {"bpmn": MODEL_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS, "xsi": XSI_NS, "fz": FZ_NS}

EVENTS = frozenset({
    "startEvent", "endEvent", "intermediateThrowEvent", "intermediateCatchEvent", "boundaryEvent",
})
TASKS = frozenset({
    "task", "userTask", "serviceTask", "scriptTask", "manualTask", "sendTask", "receiveTask",
    "businessRuleTask",
})
SUBPROCESSES = frozenset({"subProcess", "adHocSubProcess", "transaction", "callActivity"})
GATEWAYS = frozenset({
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway",
})
FLOW_NODES = EVENTS | TASKS | SUBPROCESSES | GATEWAYS
# Containers whose children are flow elements (an expanded sub-process holds its own nodes).
CONTAINERS = frozenset({"subProcess", "adHocSubProcess", "transaction"})
DATA = frozenset({"dataObjectReference", "dataStoreReference"})
# Elements a process may hold that are no flow node; read without a diagnostic.
KNOWN_PROCESS_CHILDREN = frozenset({
    "documentation", "extensionElements", "laneSet", "sequenceFlow", "dataObject", "dataObjectReference",
    "dataStoreReference", "textAnnotation", "association", "group", "ioSpecification", "property",
    "auditing", "monitoring", "supports", "correlationSubscription", "resourceRole", "categoryValueRef",
    "dataInputAssociation", "dataOutputAssociation", "incoming", "outgoing", "standardLoopCharacteristics",
    "multiInstanceLoopCharacteristics", "completionCondition",
})
EVENT_DEFINITIONS = frozenset({
    "messageEventDefinition", "timerEventDefinition", "errorEventDefinition", "signalEventDefinition",
    "escalationEventDefinition", "compensateEventDefinition", "conditionalEventDefinition",
    "linkEventDefinition", "terminateEventDefinition", "cancelEventDefinition",
})


def kind_of(tag: str) -> NodeKind:
    """The model meaning of a BPMN element (its exact type is kept in ``bpmn.type``)."""
    if tag == "startEvent":
        return NodeKind.START
    if tag == "endEvent":
        return NodeKind.END
    if tag in EVENTS:
        return NodeKind.EVENT
    if tag == "userTask":
        return NodeKind.USER_TASK
    if tag in TASKS:
        return NodeKind.TASK
    if tag == "exclusiveGateway":
        return NodeKind.DECISION
    if tag in GATEWAYS:
        return NodeKind.GATEWAY
    if tag in SUBPROCESSES:
        return NodeKind.SUBPROCESS
    if tag in DATA:
        return NodeKind.DATA
    if tag == "textAnnotation":
        return NodeKind.NOTE
    raise KeyError(tag)


# The BPMN element written for each model kind when the model does not name one (bpmn.type).
KIND_ELEMENT = {
    NodeKind.START: "startEvent",
    NodeKind.END: "endEvent",
    NodeKind.EVENT: "intermediateThrowEvent",
    NodeKind.TASK: "task",
    NodeKind.USER_TASK: "userTask",
    NodeKind.DECISION: "exclusiveGateway",
    NodeKind.GATEWAY: "parallelGateway",
    # A sub-process whose contents the model does not hold is a call of another process (an empty
    # subProcess is an error for bpmnlint: no start, no end inside).
    NodeKind.SUBPROCESS: "callActivity",
    NodeKind.DATA: "dataObjectReference",
    NodeKind.NOTE: "textAnnotation",
}
# Which element types may stand for each kind (a bpmn.type outside this set is not trusted).
KIND_ELEMENTS = {
    NodeKind.START: frozenset({"startEvent"}),
    NodeKind.END: frozenset({"endEvent"}),
    NodeKind.EVENT: frozenset({"intermediateThrowEvent", "intermediateCatchEvent", "boundaryEvent"}),
    NodeKind.TASK: TASKS - {"userTask"},
    NodeKind.USER_TASK: frozenset({"userTask"}),
    NodeKind.DECISION: frozenset({"exclusiveGateway"}),
    NodeKind.GATEWAY: GATEWAYS - {"exclusiveGateway"},
    NodeKind.SUBPROCESS: SUBPROCESSES,
    NodeKind.DATA: DATA,
    NodeKind.NOTE: frozenset({"textAnnotation"}),
}

# Sizes as bpmn-js and Camunda Modeler draw them (width, height).
SIZES = {
    "event": (36, 36),
    "gateway": (50, 50),
    "activity": (100, 80),
    "dataObjectReference": (36, 50),
    "dataStoreReference": (50, 50),
    "textAnnotation": (100, 30),
}


def size_of(tag: str) -> tuple[int, int]:
    if tag in EVENTS:
        return SIZES["event"]
    if tag in GATEWAYS:
        return SIZES["gateway"]
    return SIZES.get(tag, SIZES["activity"])


# BPMN attributes of flow nodes and flows that the model has no field for: read into
# ``bpmn.<name>`` and written back as they were (values are the XSD's simple types).
NATIVE_ATTRIBUTES = frozenset({
    "isInterrupting", "cancelActivity", "parallelMultiple", "instantiate", "gatewayDirection",
    "implementation", "isForCompensation", "startQuantity", "completionQuantity", "scriptFormat",
    "calledElement", "triggeredByEvent", "isImmediate", "eventGatewayType", "ordering", "cancelRemainingInstances",
    "method", "isCollection", "isClosed", "isExecutable", "processType",
})

NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
