"""Text that protobuf cannot encode (lone surrogates such as ``\\ud800``) made encodable.

protobuf refuses a ``str`` field holding a code point UTF-8 cannot carry, and the call would end
INTERNAL. The library rejects such text at its readers; this is the server's own guarantee for
whatever still gets through: the response is rebuilt with each such code point replaced by U+FFFD
and one REPLACED_TEXT warning; a library writer that fails on such text (an InternalError from a
UnicodeError) makes the input refused with UNENCODABLE_TEXT. Only the failing path pays for the walk.
"""
from __future__ import annotations

import dataclasses
import re

from converters import CODES, Diagnostic

_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def clean(text: str) -> str:
    return _SURROGATE.sub(REPLACEMENT, text)


def scrub(value):
    """A copy of ``value`` (strings, containers, the model's dataclasses, exceptions, library
    results) with every string made encodable."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, (list, tuple)):
        items = [scrub(item) for item in value]
        return items if isinstance(value, list) else type(value)(items) if type(value) is tuple else items
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, BaseException):
        copy = BaseException.__new__(type(value))
        copy.args = tuple(scrub(arg) for arg in value.args)
        for key, item in vars(value).items():
            setattr(copy, key, scrub(item))
        return copy
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: scrub(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    return value


def unencodable_diagnostic() -> Diagnostic:
    code = "REPLACED_TEXT"
    return Diagnostic(code, CODES[code].severity,
                      "text with code points UTF-8 cannot carry (lone surrogates) was replaced with U+FFFD")


def unencodable_error(error: BaseException):
    """The library's error when a reader let a lone surrogate through and a writer failed to
    encode it (InternalError from a UnicodeError): the input is refused, as it should have been
    at the reader; None for any other error."""
    from converters.errors import InputError, InternalError

    cause = error.__cause__
    if isinstance(error, InternalError) and isinstance(cause, UnicodeError) and "surrogate" in str(cause):
        code = "UNENCODABLE_TEXT"
        return InputError([Diagnostic(code, CODES[code].severity,
                                      "the input holds text UTF-8 cannot carry (a lone surrogate, such as the "
                                      "character reference &#55296;)")], None)
    return None
