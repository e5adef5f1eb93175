"""Benchmarks with their workloads: `python3 -m bench` (placeholder until bench/ is filled)."""

from __future__ import annotations

import sys


def main() -> int:
    print("bench: no benchmarks yet")
    return 0


if __name__ == "__main__":
    sys.exit(main())
