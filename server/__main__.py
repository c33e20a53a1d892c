"""``python -m server`` and ``flowzap-convert serve``: start the gRPC service.

Exit status: 0 after a clean shutdown (SIGTERM/SIGINT), 1 when it cannot serve (address in use,
a worker failed to start), 2 for unusable flags or variables.
"""
from __future__ import annotations

import sys

from . import logs
from .config import ConfigError, parse


def main(argv: list[str] | None = None) -> int:
    try:
        config = parse(argv)
    except ConfigError as error:
        print(f"flowzap-convert serve: {error}", file=sys.stderr)
        return 2
    except SystemExit as exit_:  # argparse: --help (0) or a malformed flag (2)
        return int(exit_.code or 0)
    logs.setup(config.log_level, background=True)
    from .supervisor import run  # after the flags: --help answers without importing gRPC

    try:
        return run(config)
    finally:
        logs.flush()


if __name__ == "__main__":
    sys.exit(main())
