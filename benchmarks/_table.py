"""The comparison table: one row per measure, ours against aiohttp's.

Every row holds the samples of both sides; the table shows their medians, the
ratio ours / aiohttp and whether the target of issue 8 is met.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ("OURS", "SIDES", "THEIRS", "Row", "print_table", "write_json")

OURS = "ours"
THEIRS = "aiohttp"
SIDES = (OURS, THEIRS)

_FORMATS = {"req/s": "{:,.0f}", "req/CPU-s": "{:,.0f}", "ms": "{:.2f}", "MiB": "{:.1f}"}


@dataclass
class Row:
    """One measure: samples per side, and the target for ours / aiohttp."""

    label: str
    unit: str
    goal: float
    higher_is_better: bool
    samples: dict[str, list[float]] = field(
        default_factory=lambda: {side: [] for side in SIDES}
    )
    # Why a side has no figure (feature missing, server failed, ...).
    na: dict[str, str] = field(default_factory=dict)

    def add(self, side: str, value: float) -> None:
        """Record one sample of ``side``."""
        self.samples[side].append(value)

    def median(self, side: str) -> float | None:
        """The median of ``side``'s samples, None when it has none."""
        values = self.samples[side]
        return statistics.median(values) if values else None

    def ratio(self) -> float | None:
        """Ours / aiohttp's, when both have a (non-zero) figure."""
        ours, theirs = self.median(OURS), self.median(THEIRS)
        if ours is None or not theirs:
            return None
        return ours / theirs

    @property
    def target(self) -> str:
        """The target as text, e.g. ``>= 1.5x``."""
        return f"{'>=' if self.higher_is_better else '<='} {self.goal:g}x"

    def met(self) -> str:
        """``yes``/``no`` against the target, empty without a ratio."""
        ratio = self.ratio()
        if ratio is None:
            return ""
        ok = ratio >= self.goal if self.higher_is_better else ratio <= self.goal
        return "yes" if ok else "NO"

    def cell(self, side: str) -> str:
        """The median of ``side`` formatted for the table."""
        value = self.median(side)
        if value is None:
            return "n/a"
        return _FORMATS.get(self.unit, "{:.3g}").format(value)


def print_table(rows: list[Row], title: str) -> None:
    """Print the table, then a note line for every n/a cell."""
    header = ("measure", "unit", OURS, THEIRS, "ratio", "target", "met")
    lines = []
    for row in rows:
        ratio = row.ratio()
        lines.append(
            (
                row.label,
                row.unit,
                row.cell(OURS),
                row.cell(THEIRS),
                "" if ratio is None else f"{ratio:.2f}x",
                row.target,
                row.met(),
            )
        )
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(7)]
    right = {2, 3, 4}  # numbers align right
    print(f"\n{title}")
    for line in [header, tuple("-" * w for w in widths), *lines]:
        cells = (
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        )
        print("  ".join(cells).rstrip())
    # One note per distinct reason, naming the rows it empties.
    reasons: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        for side, why in row.na.items():
            labels = reasons.setdefault((side, why), [])
            if not row.label.startswith(" "):  # the p99 rows go with the row above
                labels.append(row.label)
    for (side, why), labels in reasons.items():
        print(f"n/a, {side} ({'; '.join(labels)}): {why}")


def write_json(rows: list[Row], path: Path, meta: dict[str, object]) -> None:
    """Save every sample, for comparing runs later."""
    data = {
        "meta": meta,
        "rows": [
            {
                "measure": row.label.strip(),
                "unit": row.unit,
                "target": row.target,
                "samples": row.samples,
                "medians": {side: row.median(side) for side in SIDES},
                "ratio": row.ratio(),
                "na": row.na,
            }
            for row in rows
        ],
    }
    path.write_text(json.dumps(data, indent=2) + "\n")
