"""Nothing lost: a migration killed with SIGKILL at random moments, several times, then resumed,
ends byte for byte identical to an uninterrupted run (and leaves no temporary file)."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time

import pytest

from tests.migrate_trees import command, flowzap_convert, generated_tree, tree_digest

FILES = 500


@pytest.mark.slow
@pytest.mark.parametrize("target", ["mermaid", "bpmn"])
def test_killed_at_random_moments_and_resumed_equals_an_uninterrupted_run(tmp_path, target):
    seed = int(os.environ.get("MIGRATE_KILL_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    src = generated_tree(tmp_path / "src", FILES)
    reference = tmp_path / "reference"
    started = time.monotonic()
    done = flowzap_convert("migrate", src, reference, "--to", target, "--jobs", "2", "-q")
    full_run = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    expected = tree_digest(reference)
    assert len(expected) == FILES

    out = tmp_path / "out"
    kills = 0
    for attempt in range(4):
        args = ["migrate", src, out, "--to", target, "--jobs", "2", "-q"] + (["--resume"] if attempt else [])
        process = subprocess.Popen(command(*args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        time.sleep(rng.uniform(0.1, max(0.2, full_run * 0.6)))
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # the whole run, workers included, at once
            kills += 1
        process.wait(60)
    assert kills >= 2, f"the runs ended before they could be killed (seed {seed})"
    report = tmp_path / "report.json"
    resumed = flowzap_convert("migrate", src, out, "--to", target, "--jobs", "2", "--resume", "--report", report)
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(report.read_text())["summary"]
    assert summary["total"] == FILES and summary["failed"] == 0
    assert tree_digest(out) == expected, f"resumed output differs from an uninterrupted run (seed {seed})"
    # every file converted exactly once: the same statuses as the uninterrupted run
    assert summary["converted"] + summary["with warnings"] == FILES
    again = flowzap_convert("migrate", src, out, "--to", target, "--resume")
    assert f"{FILES} done by an earlier run" in again.stderr


def test_a_temporary_file_left_by_a_killed_run_is_swept(tmp_path):
    src = generated_tree(tmp_path / "src", 3, pages_every=0)
    out = tmp_path / "out"
    (out / "part000").mkdir(parents=True)
    (out / "part000" / ".fzmig-99999-0.tmp").write_text("half a file")
    done = flowzap_convert("migrate", src, out, "--to", "yaml", "--resume", "-q")
    assert done.returncode == 0
    assert sorted(tree_digest(out)) == [f"part000/flow0000{i}.yaml" for i in range(3)]
