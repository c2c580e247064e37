"""The demo archive: built from fixtures/ (archive.build) or generated at scale (archive.generate)."""
from db.demo.archive import FIXTURES, build, generate

__all__ = ["FIXTURES", "build", "generate"]
