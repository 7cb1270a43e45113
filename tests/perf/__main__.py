"""Run every ``tests/perf/bench_*.py`` (or the names given) and print its figures.

Usage: ``python -m tests.perf [name ...]``. Each module defines ``run() -> None``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = argv or sorted(p.stem for p in here.glob("bench_*.py"))
    if not names:
        print("No benchmarks found.")
        return 0
    for name in names:
        module = importlib.import_module(
            f"tests.perf.{name if name.startswith('bench_') else 'bench_' + name}"
        )
        print(
            f"\n== {module.__name__.rsplit('.', 1)[-1]}: {(module.__doc__ or '').strip().splitlines()[0]}"
        )
        module.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
