"""The planning entry: what importing a file would do, by kind; reads the archive, writes nothing."""
from __future__ import annotations

from pathlib import Path

from db.core.errors import RuleError
from db.core.models import MAIN_DIMENSION
from db.transfer.importer.classes import plan_classes
from db.transfer.importer.common import KINDS, ImportPlan, many_objects
from db.transfer.importer.customers import CustomerPlanner
from db.transfer.importer.sales import plan_sales


def plan(path: str | Path, kind: str = "customers", dimension: str = MAIN_DIMENSION) -> ImportPlan:
    """What importing `path` would do; reads the archive, writes nothing."""
    if kind not in KINDS:
        raise RuleError("import.bad_kind", kind=kind)
    with many_objects():
        if kind == "customers":
            return CustomerPlanner(path).run()
        if kind == "classes":
            return plan_classes(path, dimension)
        return plan_sales(path)
