"""PlantUML benchmark: our reader against PlantUML's own check of the same files, the reference
example through PlantUML and back, and generated diagrams of growing size.

    python benchmarks/bench_plantuml.py [--quick]
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from converters import read_with_diagnostics, write_with_diagnostics  # noqa: E402
from converters.plantuml import read  # noqa: E402
from tests.oracles.plantuml_oracle import JAR, available  # noqa: E402
from tests.test_plantuml_properties import chain_with_jumps  # noqa: E402

CORPUS = sorted((ROOT / "tests" / "corpus" / "plantuml").glob("*.puml"))


def median_time(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        function()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def plantuml_check(texts: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(["java", "-Djava.awt.headless=true", "-jar", str(JAR), "-pipe", "-syntax"],
                   input="".join(texts).encode(), capture_output=True, timeout=600)
    return time.perf_counter() - started


def main(quick: bool) -> None:
    repeat = 3 if quick else 20
    texts = [p.read_text(encoding="utf-8") for p in CORPUS]
    ours = median_time(lambda: [read(t) for t in texts], repeat) / len(texts)
    print(f"our reader: {ours * 1000:.3f} ms per file ({len(texts)} files)")
    if available():
        many = plantuml_check(texts * (1 if quick else 5))
        one = plantuml_check(texts[:1])
        per_file = (many - one) / (len(texts) * (1 if quick else 5) - 1)
        print(f"PlantUML -syntax: {per_file * 1000:.3f} ms per file (JVM start-up {one:.2f} s subtracted); "
              f"ours is {per_file / ours:.1f}x faster")
    reference = (ROOT / "tests" / "corpus" / "flowzap" / "00_seed_auth_flow.fz").read_text(encoding="utf-8")

    def round_trip():
        model = read_with_diagnostics(reference, "flowzap").diagram
        text, _ = write_with_diagnostics(model, "plantuml")
        read_with_diagnostics(text, "plantuml")
    print(f"FlowZap -> PlantUML -> model, reference example: {median_time(round_trip, repeat) * 1000:.2f} ms")
    options = {"diagram": "activity", "extras": "report"}
    sizes = (500, 5000) if quick else (500, 5000, 50000)
    for n in sizes:
        model = chain_with_jumps(n)
        runs = 3 if n < 50000 else 1
        w = median_time(lambda model=model: write_with_diagnostics(model, "plantuml", options), runs)
        text = write_with_diagnostics(model, "plantuml", options)[0]
        r = median_time(lambda text=text: read_with_diagnostics(text, "plantuml"), runs)
        print(f"{n} nodes: write {w * 1000:.1f} ms, read {r * 1000:.1f} ms")


if __name__ == "__main__":
    main("--quick" in sys.argv)
