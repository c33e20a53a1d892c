"""flowzap-converter: diagrams-as-code between FlowZap Code, Mermaid, BPMN 2.0 and YAML.

    from converters import convert
    result = convert(text, target_format="mermaid")      # source format detected
    print(result.content); print(result.diagnostics)

Every reader produces the shared model (``converters.model``); every writer consumes it.
"""
from .api import (
    ConversionResult,
    ReadResult,
    convert,
    read,
    read_with_diagnostics,
    validate,
    write,
    write_with_diagnostics,
)
from .diagnostics import CODES, Diagnostic, Severity
from .errors import (
    FlowzapError,
    InputError,
    InternalError,
    LossError,
    OptionError,
    UnknownFormatError,
)
from .registry import all_formats, detect_format, get_format

__version__ = "0.1.0"

__all__ = [
    "CODES",
    "ConversionResult",
    "Diagnostic",
    "FlowzapError",
    "InputError",
    "InternalError",
    "LossError",
    "OptionError",
    "ReadResult",
    "Severity",
    "UnknownFormatError",
    "all_formats",
    "convert",
    "detect_format",
    "get_format",
    "read",
    "read_with_diagnostics",
    "validate",
    "write",
    "write_with_diagnostics",
]
