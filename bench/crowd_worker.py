"""One of the crowd's processes (bench/crowd.py): for `seconds`, locate a customer of the hot
set by its short name, open its card (the row, its sales figures, its history: what the card
reads) and save a new remark at the version it read. Prints one JSON line at the end.

    python -m bench.crowd_worker URL SEED SECONDS HOT.json   (a list of [code, short name])
"""
from __future__ import annotations

import json
import os
import random
import sys
import time


def main(url: str, seed: int, seconds: float, hot_file: str) -> None:
    import db
    from db.archive import customers, history, sales, search
    from db.core.errors import ConflictError

    with open(hot_file, encoding="utf-8") as f:
        hot = json.load(f)
    db.open_store(url)
    rng = random.Random(seed)
    who = os.environ.get("LOGNAME", "?")
    locates, opens, saves = [], [], []
    saved, refused, unnamed, errors, missed = [], 0, 0, [], 0
    ends = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < ends:
        code, short_name = rng.choice(hot)
        n += 1
        try:
            began = time.perf_counter()
            hits = search.locate(short_name)
            locates.append(time.perf_counter() - began)
            missed += code not in {h.code for h in hits} and len(hits) < 50
            began = time.perf_counter()
            row = customers.get(code)
            sales.performance(code)
            history.for_entity("customer", code)
            opens.append(time.perf_counter() - began)
            value = f"{who} {n}"
            began = time.perf_counter()
            try:
                after = customers.save_card(code, {"remark": value}, {}, row.version)
                saved.append([code, after.version, value])
            except ConflictError as exc:
                refused += 1
                unnamed += not exc.values.get("who")
            saves.append(time.perf_counter() - began)
        except Exception as exc:  # noqa: BLE001 - every error is counted and reported
            errors.append(f"{type(exc).__name__}: {exc}"[:200])
    print(json.dumps({"who": who, "locates": locates, "opens": opens, "saves": saves,
                      "saved": saved, "refused": refused, "unnamed": unnamed, "errors": errors,
                      "missed": missed}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
