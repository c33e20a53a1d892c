"""An optional picture of any diagram, rendered by *your own* mermaid.ink server through mermaid-py.

    pip install 'flowzap-converter[preview]'
    export MERMAID_INK_SERVER=https://mermaid-ink.example.internal
    from converters.mermaid.preview import preview
    svg = preview(diagram)                     # a model, or Mermaid text
    png = preview(diagram, image="png")

Why mermaid-py only here: its flowchart builder lower-cases node ids (``A`` and ``a`` collide) and
does not escape quotes in labels, so the Mermaid writer is this library's own; what mermaid-py
does well is ask a mermaid.ink server for SVG/PNG. This module never sends a diagram to the
public mermaid.ink (mermaid-py's default): without a server named by ``server=`` or
``MERMAID_INK_SERVER`` it refuses, because a diagram may be confidential.
"""
from __future__ import annotations

import contextlib
import io
import os
import threading

from ..errors import FlowzapError, OptionError
from ..model import Diagram

_ENV = "MERMAID_INK_SERVER"
_LOCK = threading.Lock()  # mermaid-py reads the server from the environment at request time


class PreviewError(FlowzapError):
    """The preview could not be made (mermaid-py missing, or the server answered with an error)."""

    code = "PREVIEW_FAILED"


def preview(source: Diagram | str, *, image: str = "svg", server: str | None = None,
            options: dict[str, str] | None = None) -> bytes:
    """SVG (``image="svg"``) or PNG (``"png"``) bytes of ``source`` — a model (written as Mermaid
    with ``options``, e.g. ``{"diagram": "swimlane"}``) or Mermaid text — rendered by the
    mermaid.ink server at ``server`` or ``$MERMAID_INK_SERVER``."""
    if image not in ("svg", "png"):
        raise OptionError(f"image {image!r}: allowed values are svg, png")
    server = (server or os.environ.get(_ENV, "")).strip().rstrip("/")
    if not server:
        raise OptionError(f"a preview needs your own mermaid.ink server: pass server= or set {_ENV} "
                          "(this library never sends diagrams to the public mermaid.ink)")
    if not server.startswith(("http://", "https://")):
        raise OptionError(f"mermaid.ink server {server!r} is not an http(s) URL")
    if isinstance(source, Diagram):
        from .. import write

        text = write(source, "mermaid", options or {}, loss_policy="ignore")
    else:
        text = source
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # mermaid-py prints a note about IPython
            import mermaid as mermaid_py
    except ImportError as exc:
        raise PreviewError("the preview needs mermaid-py: pip install 'flowzap-converter[preview]'") from exc
    with _LOCK:
        previous = os.environ.get(_ENV)
        os.environ[_ENV] = server
        try:
            rendered = mermaid_py.Mermaid(text)
        except mermaid_py.MermaidError as exc:
            raise PreviewError(f"the mermaid.ink server could not render the diagram: {exc}") from exc
        except Exception as exc:  # connection refused, TLS, timeouts: requests' own errors
            raise PreviewError(f"the mermaid.ink server at {server} did not answer: {exc}") from exc
        finally:
            if previous is None:
                os.environ.pop(_ENV, None)
            else:
                os.environ[_ENV] = previous
    if image == "svg":
        return rendered.svg_response.content
    return rendered.img_response.content
