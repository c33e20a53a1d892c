"""sqlglot-style assertions that every format's tests share.

    assert_identity(text, "mermaid")                  # read, write back: the same text
    assert_identity(text, "bpmn", compare="model")    # … or the same model (formats whose text
                                                      #     the writer lays out anew)
    assert_converts(text, "flowzap", "mermaid", expected, losses={("DROPPED_EDGE_SIDES", "n1->n2")})
    assert_converts(text, "flowzap", "mermaid", LossError)   # the conversion must report a loss

``losses`` lists (code, element) pairs that must be among the diagnostics: how a test says that a
loss IS reported, and names what was lost. Expecting ``LossError`` converts with loss_policy
"fail", as sqlglot's ``validate_all`` expects ``UnsupportedError``.
"""
from __future__ import annotations

from converters import api
from converters.errors import LossError


def _reported(diagnostics) -> set[tuple[str, str | None]]:
    found = set()
    for d in diagnostics:
        found.add((d.code, d.element))
        # a grouped diagnostic names several elements, comma-separated
        for name in (d.element or "").split(", "):
            found.add((d.code, name))
    return found


def assert_identity(text: str, fmt: str, *, options: dict[str, str] | None = None, expected: str | None = None,
                    compare: str = "text") -> api.ConversionResult:
    """``text`` read as ``fmt`` and written back as ``fmt``: the same text (``expected`` when the
    writer's canonical form differs from the input), or with ``compare="model"`` the same model."""
    result = api.convert(text, source_format=fmt, target_format=fmt, options=options)
    if compare == "model":
        again = api.read(result.content, fmt)
        assert again == api.read(text, fmt), f"{fmt} → {fmt} changed the model"
    else:
        want = text if expected is None else expected
        assert result.content == want, f"{fmt} → {fmt}:\n--- expected\n{want}\n--- got\n{result.content}"
    return result


def assert_converts(text: str, source: str, target: str, expected: str | type[LossError] | None = None, *,
                    options: dict[str, str] | None = None,
                    losses: set[tuple[str, str | None]] | None = None) -> api.ConversionResult | None:
    """``text`` converted from ``source`` to ``target`` is ``expected`` (None: any text), and every
    (code, element) of ``losses`` is reported. ``expected=LossError``: the conversion must refuse
    under loss_policy "fail"."""
    if expected is LossError:
        try:
            api.convert(text, source_format=source, target_format=target, options=options, loss_policy="fail")
        except LossError as error:
            return None if not losses else _check_losses(error.diagnostics, losses)
        raise AssertionError(f"{source} → {target} was expected to report a loss and did not")
    result = api.convert(text, source_format=source, target_format=target, options=options)
    if expected is not None:
        assert result.content == expected, f"{source} → {target}:\n--- expected\n{expected}\n--- got\n{result.content}"
    if losses:
        _check_losses(result.diagnostics, losses)
    return result


def _check_losses(diagnostics, losses) -> None:
    missing = set(losses) - _reported(diagnostics)
    assert not missing, f"not reported: {sorted(missing)}; reported: {sorted(_reported(diagnostics))}"
