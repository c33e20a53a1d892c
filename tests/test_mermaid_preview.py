"""The optional preview through mermaid-py and the user's own mermaid.ink server, against a
stand-in mermaid.ink on 127.0.0.1 that checks what it is sent (the Mermaid text, base64url in the
path, as mermaid.ink expects) and answers an SVG or a PNG."""
from __future__ import annotations

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from converters import OptionError, read
from converters.mermaid.preview import PreviewError, preview
from tests.conftest import CORPUS

REFERENCE = CORPUS / "flowzap" / "00_seed_auth_flow.fz"
PNG = b"\x89PNG\r\n\x1a\nfake"


class _MermaidInk(BaseHTTPRequestHandler):
    received: list[tuple[str, str]] = []

    def do_GET(self):  # noqa: N802
        kind, _, rest = self.path.lstrip("/").partition("/")
        encoded = rest.split("?", 1)[0]
        text = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
        self.received.append((kind, text))
        if not text.startswith(("flowchart", "graph", "swimlane-beta", "sequenceDiagram")):
            self.send_response(400)
            self.end_headers()
            self.wfile.write(b"Syntax error in text")
            return
        body = b"<svg xmlns='http://www.w3.org/2000/svg'><text>ok</text></svg>" if kind == "svg" else PNG
        self.send_response(200)
        self.send_header("Content-Type", "image/svg+xml" if kind == "svg" else "image/png")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def ink():
    _MermaidInk.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _MermaidInk)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_model_is_written_as_mermaid_and_rendered_by_the_named_server(ink):
    model = read(REFERENCE.read_text(encoding="utf-8"), "flowzap")
    svg = preview(model, server=ink, options={"diagram": "swimlane"})
    assert svg.startswith(b"<svg")
    kinds = [kind for kind, _ in _MermaidInk.received]
    assert kinds == ["svg", "img"]
    assert _MermaidInk.received[0][1].startswith("swimlane-beta LR\n  subgraph User\n")
    assert preview("flowchart LR\n A --> B\n", server=ink, image="png") == PNG


def test_the_server_comes_from_the_environment_and_is_never_the_public_one(ink, monkeypatch):
    monkeypatch.setenv("MERMAID_INK_SERVER", ink)
    assert preview("sequenceDiagram\n A->>B: hi\n").startswith(b"<svg")
    monkeypatch.delenv("MERMAID_INK_SERVER")
    with pytest.raises(OptionError, match="your own mermaid.ink"):
        preview("flowchart LR\n A --> B\n")


def test_errors_from_the_server_are_reported(ink):
    with pytest.raises(PreviewError, match="could not render"):
        preview("pie\n \"a\": 1\n", server=ink)
    with pytest.raises(PreviewError, match="did not answer"):
        preview("flowchart LR\n A\n", server="http://127.0.0.1:9")
    with pytest.raises(OptionError):
        preview("flowchart LR\n A\n", server=ink, image="gif")
