"""What every measurement shares: the result row, timing helpers, the machine, the outputs."""
from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable


@dataclass
class Result:
    """One line of the table. `median`/`p95` in the row's unit; `target` is the bound the
    median (and `p95_target` the p95) must stay under; `floor` is the median of the same
    work through the raw driver (bench.floor), in the row's unit, where one applies; `note`
    says what was measured or, for a row not measured, why."""

    name: str
    unit: str = "ms"
    median: float | None = None
    p95: float | None = None
    samples: int = 0
    target: float | None = None
    p95_target: float | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)
    floor: float | None = None

    @property
    def measured(self) -> bool:
        return self.median is not None

    @property
    def verdict(self) -> str:
        if not self.measured:
            return "-"
        ok = (self.target is None or self.median <= self.target) and (
            self.p95_target is None or self.p95 is None or self.p95 <= self.p95_target)
        return "ok" if ok else "OVER"


def not_measured(name: str, reason: str) -> Result:
    return Result(name, note=f"not measured: {reason}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summarize(name: str, seconds: list[float], *, unit: str = "ms", **kwargs) -> Result:
    scale = {"ms": 1000.0, "s": 1.0}[unit]
    values = [s * scale for s in seconds]
    return Result(name, unit, statistics.median(values), percentile(values, 0.95), len(values),
                  **kwargs)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


# A fixed piece of plain Python, timed in a fresh interpreter: how fast the host runs at the
# moment of a run. The hosts here switch between speeds from one hour to the next (the same
# code's times doubled between two sessions); with this beside every table, two tables can
# be read against each other.
_SPEED_LOOP = "import time; t = time.perf_counter(); sum(range(5_000_000)); s = 0\nfor i in range(2_000_000): s += i\nprint(time.perf_counter() - t)"


def host_speed(runs: int = 3) -> float:
    """Milliseconds the fixed loop takes at best of `runs`."""
    times = [float(subprocess.run([sys.executable, "-c", _SPEED_LOOP], capture_output=True, text=True,
                                  check=True).stdout) for _ in range(runs)]
    return round(min(times) * 1000)


def machine() -> dict:
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import textual

    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "textual": textual.__version__,
        # Other work on the machine shows up as p95 spikes of a scheduler slice (about 4 ms).
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "speed_loop_ms": host_speed(),
    }


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "x":
        return f"{value:.2f}"
    if unit == "ms" and value < 1:
        return f"{value:.3f}"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def table(runs: dict[str, list[Result]]) -> list[str]:
    """The results as a Markdown table (printed as is, and kept in BENCHMARKS.md): one row per
    measurement, and per database measured (`runs`: its label -> its results) the median,
    p95, floor and verdict side by side."""
    labels = list(runs)
    by_name = {label: {r.name: r for r in results} for label, results in runs.items()}
    names = list(dict.fromkeys(r.name for results in runs.values() for r in results))
    head = "| measurement | unit | n | target |" + "".join(
        f" {label} | p95 | floor | result |" for label in labels) + " note |"
    lines = [head, "|---|---|---:|---|" + "---:|---:|---:|---|" * len(labels) + "---|"]
    for name in names:
        rows = [by_name[label].get(name) for label in labels]
        first = next(r for r in rows if r is not None)
        target = "" if first.target is None else f"≤ {_fmt(first.target, first.unit)}"
        if first.p95_target is not None:
            target += f" (p95 ≤ {_fmt(first.p95_target, first.unit)})"
        cells = "".join(
            " - | - | - | - |" if r is None else
            f" {_fmt(r.median, r.unit)} | {_fmt(r.p95, r.unit)} | {_fmt(r.floor, r.unit)} | {r.verdict} |"
            for r in rows)
        notes = {label: r.note for label, r in zip(labels, rows) if r is not None and r.note}
        note = (next(iter(notes.values())) if len(set(notes.values())) <= 1 and len(notes) == len(labels)
                else "; ".join(f"{label}: {text}" for label, text in notes.items()))
        samples = max((r.samples for r in rows if r is not None), default=0)
        lines.append(f"| {name} | {first.unit if first.measured else ''} | {samples or ''} | "
                     f"{target} |{cells} {note} |")
    return lines


def write_json(path: Path, runs: dict[str, list[Result]], context: dict) -> None:
    path.write_text(json.dumps({"context": context, "runs": {
        label: [asdict(r) | {"verdict": r.verdict} for r in results]
        for label, results in runs.items()}}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_markdown(path: Path, runs: dict[str, list[Result]], context: dict) -> None:
    m = context["machine"]
    where = "; ".join(f"{label}: `{d['database']}`, {d['database_mb']:,} MB"
                      + (f", {d['server']}" if d.get("server") else "")
                      for label, d in context["databases"].items())
    text = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`.venv/bin/python -m bench`); the raw numbers are in",
        "`bench/results.json`. Times are wall-clock on the machine below; a row marked",
        "\"not measured\" names what it waits for. Each database's columns are its median, p95,",
        "floor (the same statements through the raw driver, sqlite3 or psycopg2: bench/floor.py)",
        "and verdict against the target; both databases hold the same archive, measured in one",
        "sitting, one after the other.",
        "",
        f"Run {context['when']} on {context['customers']:,} customers ({where}).",
        "",
        f"Machine: {m['cpus']} CPUs ({m['cpu']}), {m['memory_gb']} GB memory, {m['system']}; "
        f"Python {m['python']}, SQLite {m['sqlite']}, Textual {m['textual']}; "
        f"load average at the end {', '.join(map(str, m['load_average']))}; "
        f"a fixed Python loop (bench.harness.host_speed, the host's speed of the moment) "
        f"{m.get('speed_loop_ms', '?')} ms.",
        "",
        *table(runs),
        "",
    ]
    path.write_text("\n".join(text), encoding="utf-8")
