"""所属地区码 filled from the 所属地区 text for every customer that has a text but no code: the
upgrade to 13 and the demo's load. Set-based: a million customers write a few hundred places,
each matched once in Python (db.values.regions.match), then one UPDATE per text that names one
region, through the (region, ...) index. No history: the text was already there; the code is
what the table says it means."""
from __future__ import annotations

from db.core import models
from db.values import regions


def fill_from_texts() -> tuple[int, int]:
    """(texts matched, texts matching nothing)."""
    table = models.Customer._meta.table_name
    db, p = models.database, models.database.param
    texts = [t for (t,) in db.execute_sql(
        f"SELECT DISTINCT region FROM {table} WHERE region <> '' AND region_code = ''").fetchall()]
    matched = 0
    for text in texts:
        found = regions.match(text)
        if found is not None:
            matched += 1
            db.execute_sql(f"UPDATE {table} SET region_code = {p} WHERE region = {p} AND region_code = ''",
                           (found.code, text))
    return matched, len(texts) - matched
