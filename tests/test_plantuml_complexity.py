"""Nesting in PlantUML activity diagrams (issue 11): linear time however deep the control blocks go
(the writer nests an if per decision of a long flow, so their depth is not limited), and the
library's ``max_depth`` refuses partitions and groups (the model's groups) nested deeper, at the
line that passes it, before the rest is read."""
from __future__ import annotations

import pytest

from converters import InputError, read_with_diagnostics, write
from tests.complexity import assert_linear


def nested_ifs(depth: int) -> str:
    """``depth`` ifs without else, one inside the other: every level leaves a loose end that the
    statement after the last ``endif`` joins (closing them once cost time per open level)."""
    return "@startuml\nstart\n" + "if (a) then (y)\n" * depth + ":x;\n" + "endif\n" * depth + "stop\n@enduml\n"


def nested_whiles(depth: int) -> str:
    return "@startuml\nstart\n" + "while (w) is (go)\n" * depth + ":x;\n" + "endwhile\n" * depth + "stop\n@enduml\n"


def nested_partitions(depth: int) -> str:
    return "@startuml\nstart\n" + "partition p {\n" * depth + ":x;\n" + "}\n" * depth + "stop\n@enduml\n"


@pytest.mark.parametrize("build", [nested_ifs, nested_whiles])
def test_control_blocks_nest_in_linear_time_at_any_depth(build):
    assert_linear(build, lambda text: read_with_diagnostics(text, "plantuml", max_nodes=None), 2000,
                  label=f"plantuml reader, {build.__name__}")
    assert read_with_diagnostics(build(5000), "plantuml").diagram.nodes  # no depth limit for them


def test_the_writers_deep_ifs_read_back_with_the_default_limits():
    # a chain of decisions, each one's "no" branch going on: the writer nests one if per decision
    written = write(read_with_diagnostics(nested_ifs(300), "plantuml").diagram, "plantuml")
    assert written.count("endif") >= 150, written[:500]
    assert read_with_diagnostics(written, "plantuml").diagram.nodes


def test_groups_nested_past_the_limit_are_refused_at_the_line_that_passes_it():
    with pytest.raises(InputError) as raised:
        read_with_diagnostics(nested_partitions(100_000), "plantuml")
    assert raised.value.code == "INPUT_TOO_LARGE"
    assert "max_depth" in str(raised.value)
    assert raised.value.diagnostics[0].line == 103  # @startuml, start, then the 101st partition
    assert len(read_with_diagnostics(nested_partitions(100), "plantuml").diagram.groups) == 100  # the limit itself


def test_nested_groups_cost_linear_time_without_a_limit():
    assert_linear(nested_partitions, lambda text: read_with_diagnostics(text, "plantuml", max_depth=None), 300,
                  label="plantuml reader, nested partitions")
