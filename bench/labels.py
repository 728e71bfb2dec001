"""`make bench-labels`: how long 1,000 labels take to render as a PDF (target: 10 s), per layout.

Renders only (no database): the same Label rows a request builds, through the same code.
Usage: python -m bench.labels [COUNT]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.services.scanning.labels import LAYOUTS, Label, render  # noqa: E402


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    app = Flask(__name__)
    with app.app_context():
        labels = [
            Label(
                f"https://inventory.example.com/s/I{100000 + n}",
                f"Hex bolt M{8 + n % 12} x {20 + n % 60}",
                f"BLT-{n:06d}",
                "1.25",
            )
            for n in range(count)
        ]
        print(f"{count:,} distinct labels (QR code, name, SKU, price)")
        worst = 0.0
        for name in sorted(LAYOUTS):
            start = time.perf_counter()
            pdf = render(labels, layout=name)
            took = time.perf_counter() - start
            worst = max(worst, took)
            print(f"  {name:<14} {took:6.2f} s  {count / took:8.0f} labels/s  {len(pdf) / 1024:8.0f} KiB")
    print(f"{'met' if worst <= 10 else 'MISSED'}  {count:,} labels in <= 10 s: slowest layout {worst:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
