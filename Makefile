.PHONY: setup run test bench goldens

setup:
	bash scripts/setup.sh

# The main job: set up and start the service.
run: setup
	exec .venv/bin/flowzap-convert serve

# Set up and run every test, real-tool checks included.
test:
	bash scripts/test.sh

# Regenerate golden files for review (git diff shows what changed).
goldens:
	.venv/bin/python -m pytest $$(grep -l update_goldens tests/test_*.py) --update-goldens

bench:
	.venv/bin/python benchmarks/bench_core.py
