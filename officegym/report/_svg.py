"""Plots as inline SVG: no plotting library, nothing fetched, the page works from file://."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

ROW, LABEL, WIDTH, PAD = 26, 220, 420, 12


def ci_bars(rows: Sequence[tuple[str, float, float, float]], title: str) -> str:
    """Horizontal bars of a rate in [0, 1] with its confidence interval as a whisker.

    Args:
        rows: (label, mean, low, high) per bar.
        title: the plot's accessible name.
    """
    height = PAD * 2 + ROW * len(rows) + 18
    parts = [_open(height, title), _axis(height, ("0%", "50%", "100%"), (0.0, 0.5, 1.0))]
    for i, (label, mean, low, high) in enumerate(rows):
        y = PAD + i * ROW
        x = LABEL + _clamp(mean) * WIDTH
        parts.append(_label(label, y))
        parts.append(
            f'<rect class="bar" x="{LABEL}" y="{y + 5}" width="{x - LABEL:.1f}" '
            f'height="{ROW - 10}">'
            f"<title>{escape(label)}: {mean:.0%} (95% CI {low:.0%}–{high:.0%})</title></rect>"
        )
        lo, hi = LABEL + _clamp(low) * WIDTH, LABEL + _clamp(high) * WIDTH
        mid = y + ROW / 2
        parts.append(
            f'<path class="ci" d="M{lo:.1f},{mid} H{hi:.1f} M{lo:.1f},{mid - 6} V{mid + 6} '
            f'M{hi:.1f},{mid - 6} V{mid + 6}"/>'
        )
        parts.append(f'<text class="value" x="{LABEL + WIDTH + 8}" y="{mid + 4}">{mean:.0%}</text>')
    parts.append("</svg>")
    return "".join(parts)


def difference_bars(rows: Sequence[tuple[str, float]], title: str) -> str:
    """Bars of a difference in [-1, 1] from a centre line: red left (worse), green right."""
    height = PAD * 2 + ROW * len(rows) + 18
    centre = LABEL + WIDTH / 2
    ticks = ("−100%", "0", "+100%")
    parts = [_open(height, title), _axis(height, ticks, (0.0, 0.5, 1.0))]
    for i, (label, diff) in enumerate(rows):
        y = PAD + i * ROW
        end = centre + max(-1.0, min(1.0, diff)) * WIDTH / 2
        left, width = min(centre, end), abs(end - centre)
        kind = "worse" if diff < 0 else "better"
        parts.append(_label(label, y))
        parts.append(
            f'<rect class="{kind}" x="{left:.1f}" y="{y + 5}" width="{width:.1f}" '
            f'height="{ROW - 10}"><title>{escape(label)}: {diff:+.0%}</title></rect>'
        )
        parts.append(
            f'<text class="value" x="{LABEL + WIDTH + 8}" y="{y + ROW / 2 + 4}">{diff:+.0%}</text>'
        )
    parts.append(f'<path class="zero" d="M{centre},{PAD - 4} V{height - 18}"/></svg>')
    return "".join(parts)


def _open(height: float, title: str) -> str:
    width = LABEL + WIDTH + 60
    return (
        f'<svg class="plot" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
    )


def _axis(height: float, labels: Sequence[str], at: Sequence[float]) -> str:
    out = []
    for text, frac in zip(labels, at, strict=True):
        x = LABEL + frac * WIDTH
        out.append(f'<path class="grid" d="M{x:.1f},{PAD - 4} V{height - 18}"/>')
        out.append(f'<text class="tick" x="{x:.1f}" y="{height - 4}">{text}</text>')
    return "".join(out)


def _label(text: str, y: float) -> str:
    short = text if len(text) <= 30 else text[:29] + "…"
    return f'<text class="label" x="{LABEL - 8}" y="{y + ROW / 2 + 4}">{escape(short)}</text>'


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))
