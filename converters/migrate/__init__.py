"""Converting many inputs: ``one`` (one file or Markdown page, shared by every command) and
``run.migrate`` (a whole tree, resumable, locally or through converter servers). See docs/migrate.md."""
from .one import Outcome, convert_input, validate_input

__all__ = ["Outcome", "convert_input", "validate_input"]
