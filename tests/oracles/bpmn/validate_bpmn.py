#!/usr/bin/env python3
"""Offline BPMN 2.0 XML validator (from ../shared/oracles/bpmn/validate_bpmn.py; local() fixed to
match the BPMN namespace only).

Usage:
  python validate_bpmn.py [--require-di] [--spiff] [--summary] [--lxml] FILE.bpmn [...]

Checks, in order:
 1. XSD validation against the OMG BPMN 2.0 schemas (BPMN20.xsd -> Semantic.xsd, BPMNDI.xsd,
    DC.xsd, DI.xsd). The XSDs are taken from $BPMN_XSD_DIR if set, else from the installed
    SpiffWorkflow package (SpiffWorkflow/bpmn/parser/schema/). Engine: `xmlschema` (default;
    it also resolves xsd:IDREF such as sequenceFlow/@targetRef and lane/flowNodeRef) or
    lxml/libxml2 with --lxml (faster, but does NOT report dangling IDREFs).
 2. Reference checks the XSD cannot do (those attributes are xsd:QName): DI bpmnElement,
    messageFlow source/target, participant processRef, incoming/outgoing vs sequenceFlow ends,
    sequence flows staying inside one process, lane membership (each node in <=1 lane; with
    a laneSet every flow node should be in one lane), gateway default flow is an outgoing flow.
 3. --require-di: every participant, lane, flow node, sequence/message flow has a DI element
    with geometry (Bounds / >=2 waypoints)   (bpmn-js renders nothing without DI).
 4. --spiff: parse each executable process with SpiffWorkflow's BpmnParser (engine-level check).
 --summary prints a JSON summary (lanes, nodes, flows) for round-trip comparisons.
Exit code 0 when every file has no errors (warnings allowed), else 1.
"""
import json, os, pathlib, sys
from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
NS = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI}
FLOW_NODE_TAGS = {
    "task", "userTask", "serviceTask", "scriptTask", "manualTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity", "subProcess", "adHocSubProcess", "transaction",
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway",
}

def xsd_dir():
    d = os.environ.get("BPMN_XSD_DIR")
    if d:
        return pathlib.Path(d)
    import SpiffWorkflow.bpmn.parser as p
    return pathlib.Path(p.__file__).parent / "schema"

_schema = {}
def xsd_errors(path, use_lxml):
    main = str(xsd_dir() / "BPMN20.xsd")
    if use_lxml:
        if "lxml" not in _schema:
            _schema["lxml"] = etree.XMLSchema(etree.parse(main))
        s = _schema["lxml"]
        ok = s.validate(etree.parse(path))
        return [] if ok else [f"XSD line {e.line}: {e.message}" for e in s.error_log]
    import xmlschema
    if "xs" not in _schema:
        _schema["xs"] = xmlschema.XMLSchema(main)
    return [f"XSD {e.path}: {e.reason}" for e in _schema["xs"].iter_errors(path)]

def local(el):
    """The local name of a BPMN element; '' for any other namespace (a vendor extension such as
    <zeebe:userTask/> is no flow node: the recipe this file comes from counted it as one)."""
    q = etree.QName(el)
    return q.localname if q.namespace == BPMN else ""

def ref_checks(doc, require_di):
    errors, warnings = [], []
    ids = {el.get("id"): el for el in doc.iter() if isinstance(el.tag, str) and el.get("id")}
    def strip(q):  # QName values may carry a prefix
        return q.split(":", 1)[1] if q and ":" in q else q
    for p in doc.iterfind(".//bpmn:participant", NS):
        pr = p.get("processRef")
        if pr and strip(pr) not in ids:
            errors.append(f"participant {p.get('id')}: processRef {pr} not found")
    for mf in doc.iterfind(".//bpmn:messageFlow", NS):
        for a in ("sourceRef", "targetRef"):
            if strip(mf.get(a)) not in ids:
                errors.append(f"messageFlow {mf.get('id')}: {a} {mf.get(a)} not found")
    for di in doc.iterfind(".//bpmndi:*[@bpmnElement]", NS):
        if strip(di.get("bpmnElement")) not in ids:
            errors.append(f"{local(di)} {di.get('id')}: bpmnElement {di.get('bpmnElement')} not found")
    for proc in doc.iterfind(".//bpmn:process", NS):
        pid = proc.get("id")
        nodes = {el.get("id"): el for el in proc.iter() if isinstance(el.tag, str) and local(el) in FLOW_NODE_TAGS}
        flows = {f.get("id"): f for f in proc.iterfind(".//bpmn:sequenceFlow", NS)}
        for fid, f in flows.items():
            for a in ("sourceRef", "targetRef"):
                if f.get(a) not in nodes:
                    errors.append(f"sequenceFlow {fid}: {a} {f.get(a)} is not a flow node of process {pid}")
        for nid, n in nodes.items():
            for tag, end in (("incoming", "targetRef"), ("outgoing", "sourceRef")):
                for r in n.iterfind(f"bpmn:{tag}", NS):
                    f = flows.get((r.text or "").strip())
                    if f is None:
                        if (r.text or "").strip() not in ids:
                            errors.append(f"{nid}: <{tag}> {r.text} not found")
                    elif f.get(end) != nid:
                        errors.append(f"{nid}: <{tag}> {r.text} but that flow's {end} is {f.get(end)}")
            d = n.get("default")
            if d and (d not in flows or flows[d].get("sourceRef") != nid):
                errors.append(f"{nid}: default flow {d} is not one of its outgoing flows")
        lane_of = {}
        for lane in proc.iterfind(".//bpmn:lane", NS):
            for r in lane.iterfind("bpmn:flowNodeRef", NS):
                nid = (r.text or "").strip()
                if nid not in nodes:
                    errors.append(f"lane {lane.get('id')}: flowNodeRef {nid} is not a flow node of process {pid}")
                # nested lanes legitimately repeat their children's nodes in the parent lane
                if lane.find("bpmn:childLaneSet", NS) is None:
                    if nid in lane_of:
                        errors.append(f"flow node {nid} is in lanes {lane_of[nid]} and {lane.get('id')}")
                    lane_of[nid] = lane.get("id")
        if proc.find(".//bpmn:laneSet", NS) is not None:
            top_level = {el.get("id") for el in proc if isinstance(el.tag, str) and local(el) in FLOW_NODE_TAGS}
            for nid in sorted(top_level - set(lane_of)):
                warnings.append(f"flow node {nid} of process {pid} is in no lane")
    if require_di:
        has_di = {}
        for di in doc.iterfind(".//bpmndi:BPMNShape", NS):
            has_di[strip(di.get("bpmnElement"))] = di.find("dc:Bounds", NS) is not None
        for di in doc.iterfind(".//bpmndi:BPMNEdge", NS):
            has_di[strip(di.get("bpmnElement"))] = len(di.findall("di:waypoint", NS)) >= 2
        want = [el for el in doc.iter() if isinstance(el.tag, str) and (
            local(el) in FLOW_NODE_TAGS | {"participant", "lane", "sequenceFlow", "messageFlow"})]
        for el in want:
            if not has_di.get(el.get("id")):
                errors.append(f"{local(el)} {el.get('id')}: no DI (shape bounds / edge waypoints)")
    return errors, warnings

def summary(doc):
    out = {"processes": []}
    for proc in doc.iterfind(".//bpmn:process", NS):
        lanes = [{"id": l.get("id"), "name": l.get("name"),
                  "nodes": [(r.text or "").strip() for r in l.iterfind("bpmn:flowNodeRef", NS)]}
                 for l in proc.iterfind(".//bpmn:lane", NS)]
        nodes = [{"id": el.get("id"), "type": local(el), "name": el.get("name")}
                 for el in proc.iter() if isinstance(el.tag, str) and local(el) in FLOW_NODE_TAGS]
        flows = [{"id": f.get("id"), "source": f.get("sourceRef"), "target": f.get("targetRef"), "name": f.get("name")}
                 for f in proc.iterfind(".//bpmn:sequenceFlow", NS)]
        out["processes"].append({"id": proc.get("id"), "name": proc.get("name"), "lanes": lanes, "nodes": nodes, "flows": flows})
    out["messageFlows"] = [{"id": m.get("id"), "source": m.get("sourceRef"), "target": m.get("targetRef"), "name": m.get("name")}
                           for m in doc.iterfind(".//bpmn:messageFlow", NS)]
    return out

def spiff_errors(path):
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator
    try:
        parser = BpmnParser(validator=BpmnValidator())
        parser.add_bpmn_file(path)
        for pid in parser.get_process_ids():   # executable processes only
            parser.get_spec(pid)
        return []
    except Exception as e:  # ValidationException and friends
        return [f"SpiffWorkflow: {type(e).__name__}: {str(e).splitlines()[0][:300]}"]

def main(argv):
    flags = {a for a in argv if a.startswith("--")}
    files = [a for a in argv if not a.startswith("--")]
    if not files:
        print(__doc__); return 2
    failed = 0
    for f in files:
        try:
            doc = etree.parse(f)
        except etree.XMLSyntaxError as e:
            print(f"ERROR {f}: not well-formed XML: {e}"); failed += 1; continue
        errs = xsd_errors(f, "--lxml" in flags)
        e2, warns = ref_checks(doc, "--require-di" in flags)
        errs += e2
        if "--spiff" in flags:
            errs += spiff_errors(f)
        print(f"{'ERROR' if errs else 'OK   '} {f}: {len(errs)} errors, {len(warns)} warnings")
        for e in errs: print("   E", e)
        for w in warns: print("   W", w)
        if "--summary" in flags:
            print(json.dumps(summary(doc), indent=1))
        failed += bool(errs)
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
