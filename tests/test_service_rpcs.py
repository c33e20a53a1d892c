"""Every RPC of ConverterService through a Python client, against a real server process on a
loopback port: results equal the library's, errors carry their rich google.rpc.Status."""
from __future__ import annotations

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from converters import all_formats, convert, read_with_diagnostics, validate
from server.gen.flowzap.converter.v1 import converter_service_pb2 as api
from server.gen.flowzap.converter.v1 import converter_service_pb2_grpc as api_grpc
from server.gen.flowzap.converter.v1 import diagnostic_pb2, diagram_pb2
from server.testing import ServerProcess, rich_details

from .conftest import DATA

SERVICE_DATA = DATA / "service"
REFERENCE = (SERVICE_DATA / "auth_flow.fz").read_text(encoding="utf-8")
TWO_ERRORS = (SERVICE_DATA / "two_errors.fz").read_text(encoding="utf-8")
TITLED = (SERVICE_DATA / "titled.yaml").read_text(encoding="utf-8")
MAX_MESSAGE = 64 * 1024


@pytest.fixture(scope="module")
def server():
    with ServerProcess("--workers", "2", "--max-message-size", str(MAX_MESSAGE), "--max-nodes", "5000") as process:
        yield process


@pytest.fixture(scope="module")
def channel(server):
    with grpc.insecure_channel(server.address) as channel:
        yield channel


@pytest.fixture(scope="module")
def stub(channel):
    return api_grpc.ConverterServiceStub(channel)


def failure(call, request, **kwargs) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        call(request, timeout=30, **kwargs)
    return caught.value


# -- ConvertDiagram ----------------------------------------------------------------------------

def test_convert_reference_example_equals_the_library(stub):
    response, call = stub.ConvertDiagram.with_call(
        api.ConvertDiagramRequest(source=REFERENCE, target_format="yaml"), timeout=30)
    expected = convert(REFERENCE, target_format="yaml")
    assert response.content == expected.content
    assert response.source_format == "flowzap"  # detected from the content
    assert response.target_format == "yaml"
    assert [d.code for d in response.diagnostics] == [d.code for d in expected.diagnostics]
    request_ids = [value for key, value in call.trailing_metadata() if key == "x-request-id"]
    assert len(request_ids) == 1 and len(request_ids[0]) == 32


def test_every_registered_writer_is_served(stub):
    """Formats come from the registry: whatever it holds when the tests run is served."""
    for fmt in all_formats():
        if not fmt.can_write:
            continue
        response = stub.ConvertDiagram(api.ConvertDiagramRequest(
            source=REFERENCE, source_format="flowzap", target_format=fmt.name), timeout=30)
        assert response.content == convert(REFERENCE, source_format="flowzap", target_format=fmt.name).content
        assert response.target_format == fmt.name


def test_caller_request_id_is_kept(stub):
    _, call = stub.ConvertDiagram.with_call(api.ConvertDiagramRequest(source=REFERENCE, target_format="yaml"),
                                            metadata=(("x-request-id", "trace-42"),), timeout=30)
    assert ("x-request-id", "trace-42") in call.trailing_metadata()


def test_invalid_diagram_has_rich_status(stub):
    error = failure(stub.ConvertDiagram, api.ConvertDiagramRequest(source=TWO_ERRORS, target_format="yaml"))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "line 3, column 5" in error.details()
    details = rich_details(error)
    assert set(details) == {"ErrorInfo", "BadRequest", "DiagnosticList"}
    info = details["ErrorInfo"]
    assert info.reason == "UNKNOWN_SHAPE"
    assert (info.metadata["line"], info.metadata["column"]) == ("3", "5")
    violations = details["BadRequest"].field_violations
    assert [(v.field, v.reason) for v in violations] == [("source", "UNKNOWN_SHAPE"), ("source", "UNKNOWN_NODE")]
    assert violations[1].description.startswith("line 5, column 21: UNKNOWN_NODE")
    errors = [d for d in details["DiagnosticList"].diagnostics if d.severity == diagnostic_pb2.SEVERITY_ERROR]
    assert [(d.code, d.line, d.column) for d in errors] == [("UNKNOWN_SHAPE", 3, 5), ("UNKNOWN_NODE", 5, 21)]


@pytest.mark.parametrize("field, request_fields, closest", [
    ("target_format", {"target_format": "yml2"}, "yaml"),
    ("source_format", {"target_format": "yaml", "source_format": "flowzapp"}, "flowzap"),
])
def test_unknown_format_names_the_closest(stub, field, request_fields, closest):
    error = failure(stub.ConvertDiagram, api.ConvertDiagramRequest(source=REFERENCE, **request_fields))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert repr(closest) in error.details()
    details = rich_details(error)
    assert details["ErrorInfo"].reason == "UNKNOWN_FORMAT"
    assert details["ErrorInfo"].metadata["closest"] == closest
    assert [v.field for v in details["BadRequest"].field_violations] == [field]


def test_undetectable_source_and_missing_target(stub):
    error = failure(stub.ConvertDiagram, api.ConvertDiagramRequest(source="hello there\n", target_format="yaml"))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert rich_details(error)["ErrorInfo"].metadata["field"] == "source_format"
    error = failure(stub.ConvertDiagram, api.ConvertDiagramRequest(source=REFERENCE))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert rich_details(error)["ErrorInfo"].metadata["field"] == "target_format"


def test_unknown_writer_option(stub):
    error = failure(stub.ConvertDiagram, api.ConvertDiagramRequest(
        source=REFERENCE, target_format="yaml", options={"no_such_option": "1"}))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    details = rich_details(error)
    assert details["ErrorInfo"].reason == "INVALID_OPTION"
    assert details["BadRequest"].field_violations[0].field == "options"


def test_loss_under_fail_policy_is_failed_precondition(stub):
    request = api.ConvertDiagramRequest(source=TITLED, target_format="flowzap", loss_policy=api.LOSS_POLICY_FAIL)
    error = failure(stub.ConvertDiagram, request)
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    details = rich_details(error)
    assert details["ErrorInfo"].reason == "LOSSY_CONVERSION"
    violations = details["PreconditionFailure"].violations
    assert sorted(v.type for v in violations) == ["DROPPED_EDGE_STYLE", "DROPPED_TITLE"]
    assert {v.subject for v in violations} == {"diagram", "n1->n2"}
    # The same request under the other policies succeeds; WARN reports the losses.
    warned = stub.ConvertDiagram(api.ConvertDiagramRequest(source=TITLED, target_format="flowzap"), timeout=30)
    assert sorted(d.code for d in warned.diagnostics if d.loss) == ["DROPPED_EDGE_STYLE", "DROPPED_TITLE"]
    ignored = stub.ConvertDiagram(api.ConvertDiagramRequest(
        source=TITLED, target_format="flowzap", loss_policy=api.LOSS_POLICY_IGNORE), timeout=30)
    assert not [d for d in ignored.diagnostics if d.loss]
    assert ignored.content == warned.content


def test_source_over_the_size_limit_is_refused_before_parsing(stub, server):
    # Garbage that would be a syntax error if it were parsed: the size check answers first.
    source = "}" * (MAX_MESSAGE + 1)
    error = failure(stub.ConvertDiagram, api.ConvertDiagramRequest(source=source, target_format="yaml"))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    details = rich_details(error)
    assert details["ErrorInfo"].reason == "INPUT_TOO_LARGE"
    assert [d.code for d in details["DiagnosticList"].diagnostics] == ["INPUT_TOO_LARGE"]
    # Far over it, the transport refuses the message itself.
    error = failure(stub.ConvertDiagram, api.ConvertDiagramRequest(source="x" * (MAX_MESSAGE * 4), target_format="yaml"))
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_diagram_over_the_node_limit(stub):
    from server.testing import chain_diagram

    error = failure(stub.ConvertDiagram, api.ConvertDiagramRequest(source=chain_diagram(5001)[:MAX_MESSAGE],
                                                                   target_format="yaml"))
    # Cut at the size limit the text is malformed or too large: either way, refused.
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    small = chain_diagram(300)
    assert len(small.encode()) < MAX_MESSAGE
    assert stub.ConvertDiagram(api.ConvertDiagramRequest(source=small, target_format="yaml"), timeout=30).content


# -- ValidateDiagram, ListFormats ----------------------------------------------------------------

def test_validate_returns_summary_and_warnings(stub):
    response = stub.ValidateDiagram(api.ValidateDiagramRequest(source=REFERENCE), timeout=30)
    expected = validate(REFERENCE)
    assert response.source_format == "flowzap"
    summary = expected.diagram.summary()
    assert (response.summary.lanes, response.summary.nodes, response.summary.edges, response.summary.groups) == (
        summary["lanes"], summary["nodes"], summary["edges"], summary["groups"])
    assert response.summary.nodes == 19
    error = failure(stub.ValidateDiagram, api.ValidateDiagramRequest(source=TWO_ERRORS))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert rich_details(error)["ErrorInfo"].reason == "UNKNOWN_SHAPE"


def test_list_formats_is_the_registry(stub):
    response = stub.ListFormats(api.ListFormatsRequest(), timeout=30)
    registry = all_formats()
    assert [f.name for f in response.formats] == [f.name for f in registry]
    for served, fmt in zip(response.formats, registry):
        assert list(served.extensions) == list(fmt.extensions)
        assert list(served.aliases) == list(fmt.aliases)
        assert (served.can_read, served.can_write) == (fmt.can_read, fmt.can_write)
        assert served.origin == fmt.origin == "builtin"
        assert [(o.name, o.default_value, o.help, list(o.allowed_values)) for o in served.writer_options] == [
            (o.name, o.default, o.help, list(o.choices or ())) for o in fmt.options]


# -- the model over the wire --------------------------------------------------------------------

def test_parse_returns_the_model(stub):
    response = stub.ParseDiagram(api.ParseDiagramRequest(source=REFERENCE), timeout=30)
    model = read_with_diagnostics(REFERENCE).diagram
    diagram = response.diagram
    assert response.source_format == "flowzap"
    assert [(l.id, l.label) for l in diagram.lanes] == [(l.id, l.label) for l in model.lanes]
    assert [(n.id, n.lane, diagram_pb2.NodeKind.Name(n.kind)) for n in diagram.nodes] == [
        (n.id, n.lane, f"NODE_KIND_{n.kind.name}") for n in model.nodes]
    assert len(diagram.edges) == len(model.edges) == 22
    first = diagram.edges[0]
    assert (first.source, first.target, first.source_side, first.target_side) == (
        "n1", "n2", diagram_pb2.SIDE_RIGHT, diagram_pb2.SIDE_LEFT)
    assert diagram.nodes[0].position.line == 2
    assert not diagram.HasField("title")


@pytest.mark.parametrize("target", [f.name for f in all_formats() if f.can_write])
def test_parsed_model_written_back_equals_direct_conversion(stub, target):
    parsed = stub.ParseDiagram(api.ParseDiagramRequest(source=REFERENCE), timeout=30)
    written = stub.WriteDiagram(api.WriteDiagramRequest(diagram=parsed.diagram, target_format=target), timeout=30)
    assert written.content == convert(REFERENCE, target_format=target).content
    assert written.target_format == target


def test_write_a_hand_built_model(stub):
    diagram = diagram_pb2.Diagram(
        lanes=[diagram_pb2.Lane(id="Ops", label="Operations")],
        nodes=[diagram_pb2.Node(id="a", lane="Ops", kind=diagram_pb2.NODE_KIND_START, label="Go"),
               diagram_pb2.Node(id="b", lane="Ops", label="Work")],
        edges=[diagram_pb2.Edge(source="a", target="b", label="next")],
    )
    response = stub.WriteDiagram(api.WriteDiagramRequest(diagram=diagram, target_format="yaml"), timeout=30)
    back = stub.ParseDiagram(api.ParseDiagramRequest(source=response.content, source_format="yaml"), timeout=30)
    assert [n.id for n in back.diagram.nodes] == ["a", "b"]
    assert back.diagram.nodes[1].kind == diagram_pb2.NODE_KIND_TASK  # unspecified reads as task
    assert back.diagram.edges[0].label == "next"


def test_write_an_invalid_model(stub):
    dangling = diagram_pb2.Diagram(
        lanes=[diagram_pb2.Lane(id="Ops")],
        nodes=[diagram_pb2.Node(id="a", lane="Ops")],
        edges=[diagram_pb2.Edge(source="a", target="ghost")],
    )
    error = failure(stub.WriteDiagram, api.WriteDiagramRequest(diagram=dangling, target_format="yaml"))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    details = rich_details(error)
    assert details["ErrorInfo"].reason == "DANGLING_REFERENCE"
    assert all(v.field.startswith("diagram") for v in details["BadRequest"].field_violations)

    unknown_kind = diagram_pb2.Diagram(lanes=[diagram_pb2.Lane(id="Ops")],
                                       nodes=[diagram_pb2.Node(id="a", lane="Ops", kind=99)])
    error = failure(stub.WriteDiagram, api.WriteDiagramRequest(diagram=unknown_kind, target_format="yaml"))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert rich_details(error)["ErrorInfo"].reason == "INVALID_VALUE"


# -- BatchConvertDiagrams -----------------------------------------------------------------------

def test_batch_goes_on_after_a_bad_item(stub):
    items = [
        ("first.fz", api.ConvertDiagramRequest(source=REFERENCE, target_format="yaml")),
        ("broken.fz", api.ConvertDiagramRequest(source=TWO_ERRORS, target_format="yaml")),
        ("huge.fz", api.ConvertDiagramRequest(source="x" * (MAX_MESSAGE + 10), target_format="yaml")),
        ("wrong-target", api.ConvertDiagramRequest(source=REFERENCE, target_format="nope")),
        ("last.fz", api.ConvertDiagramRequest(source=REFERENCE, target_format="flowzap")),
    ]
    requests = (api.BatchConvertDiagramsRequest(name=name, request=request) for name, request in items)
    results = list(stub.BatchConvertDiagrams(requests, timeout=60))
    assert [r.name for r in results] == [name for name, _ in items]
    assert [r.WhichOneof("result") for r in results] == ["response", "error", "error", "error", "response"]
    assert results[0].response.content == convert(REFERENCE, target_format="yaml").content
    assert results[4].response.content == convert(REFERENCE, target_format="flowzap").content
    broken = results[1].error
    assert broken.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert "line 3, column 5" in broken.message
    from google.rpc import error_details_pb2

    info = error_details_pb2.ErrorInfo()
    assert broken.details[0].Unpack(info) and info.reason == "UNKNOWN_SHAPE"
    assert results[2].error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert "bytes" in results[2].error.message
    assert "'nope'" in results[3].error.message


def test_batch_of_many_items_in_order(stub):
    sources = [REFERENCE if i % 3 else TWO_ERRORS for i in range(60)]
    requests = (api.BatchConvertDiagramsRequest(name=f"item-{i}", request=api.ConvertDiagramRequest(
        source=source, target_format="yaml")) for i, source in enumerate(sources))
    results = list(stub.BatchConvertDiagrams(requests, timeout=60))
    assert [r.name for r in results] == [f"item-{i}" for i in range(60)]
    assert [r.WhichOneof("result") for r in results] == ["response" if i % 3 else "error" for i in range(60)]


# -- health, reflection-free introspection, the log --------------------------------------------

def test_health_is_serving(channel):
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", "flowzap.converter.v1.ConverterService"):
        assert health.Check(health_pb2.HealthCheckRequest(service=service), timeout=10).status == \
            health_pb2.HealthCheckResponse.SERVING
    with pytest.raises(grpc.RpcError) as caught:
        health.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=10)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


def test_echo_is_not_served_without_the_flag(channel):
    from server.gen.flowzap.benchmark.v1 import echo_service_pb2, echo_service_pb2_grpc

    with pytest.raises(grpc.RpcError) as caught:
        echo_service_pb2_grpc.EchoServiceStub(channel).Echo(echo_service_pb2.EchoRequest(payload="x"), timeout=10)
    assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_one_structured_log_line_per_call(stub, server):
    _, call = stub.ConvertDiagram.with_call(api.ConvertDiagramRequest(source=REFERENCE, target_format="yaml"),
                                            metadata=(("x-request-id", "log-line-check"),), timeout=30)
    failure(stub.ConvertDiagram, api.ConvertDiagramRequest(source=TWO_ERRORS, target_format="yaml"),
            metadata=(("x-request-id", "log-line-error"),))
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = {e.get("request_id"): e for e in server.events("rpc")}
        if "log-line-check" in lines and "log-line-error" in lines:
            break
        time.sleep(0.05)
    ok, bad = lines["log-line-check"], lines["log-line-error"]
    assert [e["request_id"] for e in server.events("rpc")].count("log-line-check") == 1
    assert ok["method"] == "ConvertDiagram" and ok["status"] == "OK"
    assert ok["target_format"] == "yaml" and ok["bytes_in"] > len(REFERENCE) and ok["bytes_out"] > 0
    assert ok["duration_ms"] > 0
    assert bad["status"] == "INVALID_ARGUMENT"


def test_bytes_that_are_no_request_are_invalid_argument(channel, server):
    raw = channel.unary_unary("/flowzap.converter.v1.ConverterService/ConvertDiagram")
    for garbage in (b"\xff\xff\xff\xff", b"\x0a\x03\xff\xfe\xfd"):  # corrupt wire format; bad UTF-8
        with pytest.raises(grpc.RpcError) as caught:
            raw(garbage, timeout=10)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert rich_details(caught.value)["ErrorInfo"].reason == "MALFORMED_REQUEST"
    stream = channel.stream_stream("/flowzap.converter.v1.ConverterService/BatchConvertDiagrams")
    good = api.BatchConvertDiagramsRequest(name="ok", request=api.ConvertDiagramRequest(
        source=REFERENCE, target_format="yaml")).SerializeToString()
    responses = stream(iter([good, b"\xff\xff\xff"]), timeout=30)
    first = api.BatchConvertDiagramsResponse.FromString(next(responses))
    assert first.name == "ok" and first.WhichOneof("result") == "response"
    with pytest.raises(grpc.RpcError) as caught:
        next(responses)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_error_details_stay_small_enough_for_trailers(stub):
    """Hundreds of errors: the details are cut (ErrorInfo says so) rather than overflow the
    client's trailing-metadata limit, which would turn the status into RESOURCE_EXHAUSTED."""
    source = "Team { # Team\n" + "".join(f'n{i}: hexagon label:"{"long label " * 5}{i}"\n' for i in range(1, 400)) + "}\n"
    error = failure(stub.ConvertDiagram, api.ConvertDiagramRequest(source=source, source_format="flowzap",
                                                                   target_format="yaml"))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    details = rich_details(error)
    info = details["ErrorInfo"]
    # the library keeps the first 100 errors of a code and counts the rest in one more
    assert info.reason == "UNKNOWN_SHAPE" and info.metadata["errors"] == "101"
    assert info.metadata["truncated"] == "true"
    kept = details["BadRequest"].field_violations
    assert 1 <= len(kept) < 101
    assert [v.description.split(",")[0] for v in kept] == [f"line {i + 2}" for i in range(len(kept))]


def test_a_format_added_to_the_registry_is_served_without_any_change(monkeypatch):
    """The server reads the registry on every call: a format registered later (here a tiny one
    made by the test, in an in-process server) is listed and converted to at once."""
    from converters import registry
    from converters.formats import Format, WriterOption
    from server.config import Config
    from server.testing import InProcessServer

    def write_outline(diagram, options):
        separator = options["separator"]
        return "\n".join(f"{node.lane}{separator}{node.label or node.id}" for node in diagram.nodes) + "\n", []

    outline = Format(name="outline", title="Outline (test)", extensions=(".outline",), writer=write_outline,
                     options=(WriterOption("separator", ": ", "between lane and label", None),),
                     origin="flowzap-outline-plugin")
    monkeypatch.setattr(registry, "FORMATS", [*registry.FORMATS, outline])
    with InProcessServer(Config(workers=1, address="127.0.0.1:0", isolation="thread")) as running, \
            grpc.insecure_channel(running.address) as channel:
        stub = api_grpc.ConverterServiceStub(channel)
        listed = {f.name: f for f in stub.ListFormats(api.ListFormatsRequest(), timeout=30).formats}
        assert (listed["outline"].can_read, listed["outline"].can_write) == (False, True)
        assert listed["outline"].writer_options[0].name == "separator"
        assert listed["outline"].origin == "flowzap-outline-plugin"
        response = stub.ConvertDiagram(api.ConvertDiagramRequest(
            source=REFERENCE, target_format="outline", options={"separator": " | "}), timeout=30)
        assert response.content.splitlines()[:2] == ["User | Start", "User | Enter credentials"]
        error = failure(stub.ConvertDiagram, api.ConvertDiagramRequest(source="x", source_format="outline",
                                                                       target_format="yaml"))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT  # write-only: not a source format
        assert "can be written but not read" in error.details()
