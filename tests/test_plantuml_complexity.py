"""Nesting in PlantUML activity diagrams (issue 11): linear time however deep the blocks go, and the
library's ``max_depth`` refuses a deeper text at the line that passes it, before the rest is read."""
from __future__ import annotations

import pytest

from converters import InputError, read_with_diagnostics
from tests.complexity import assert_linear


def nested_ifs(depth: int) -> str:
    """``depth`` ifs without else, one inside the other: every level leaves a loose end that the
    statement after the last ``endif`` joins (closing them once cost time per open level)."""
    return "@startuml\nstart\n" + "if (a) then (y)\n" * depth + ":x;\n" + "endif\n" * depth + "stop\n@enduml\n"


def nested_whiles(depth: int) -> str:
    return "@startuml\nstart\n" + "while (w) is (go)\n" * depth + ":x;\n" + "endwhile\n" * depth + "stop\n@enduml\n"


@pytest.mark.parametrize("build", [nested_ifs, nested_whiles])
def test_nesting_costs_linear_time_without_a_depth_limit(build):
    assert_linear(build, lambda text: read_with_diagnostics(text, "plantuml", max_depth=None, max_nodes=None), 2000,
                  label=f"plantuml reader, {build.__name__}")


@pytest.mark.parametrize("build", [nested_ifs, nested_whiles])
def test_the_depth_limit_refuses_at_the_line_that_passes_it(build):
    with pytest.raises(InputError) as raised:
        read_with_diagnostics(build(100_000), "plantuml")
    assert raised.value.code == "INPUT_TOO_LARGE"
    assert "max_depth" in str(raised.value)
    assert raised.value.diagnostics[0].line == 103  # @startuml, start, then the 101st block
    assert len(read_with_diagnostics(build(100), "plantuml").diagram.nodes) >= 100  # the limit itself is allowed
