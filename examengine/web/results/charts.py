"""Charts as inline SVG built on the server: no JavaScript, no CDN, no inline style (the CSP allows
none; `.chart-svg` in app.css scales them down to the column).

Pure functions returning `Markup`. Every label is user data (dimension names, band labels) and goes
through `markupsafe.escape`; numbers are formatted here. Each chart carries role="img", an
aria-label and a <title> per bar / point, so screen readers and hovering show the values.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

PRIMARY = "#0d6efd"
MUTED = "#6c757d"
GRID = "#dee2e6"
FONT = 'font-family="system-ui, -apple-system, \'Segoe UI\', \'Noto Sans CJK SC\', sans-serif"'


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _svg(width: int, height: int, title: str, body: list[str], test_id: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'class="chart-svg" role="img" aria-label="{escape(title)}" data-testid="{escape(test_id)}" '
        f'{FONT} font-size="12">' + "".join(body) + "</svg>"
    )


def histogram(counts: Sequence[int], labels: Sequence[str], *, title: str, test_id: str = "histogram") -> Markup:
    """Vertical bars: one per bucket, its count above it, the bucket's label below."""
    width, height, left, bottom, top = 520, 230, 36, 36, 18
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max(counts) if counts and max(counts) > 0 else 1
    step = plot_w / max(1, len(counts))
    body = [f"<title>{escape(title)}</title>"]
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">'
                    f'{_num(peak * fraction)}</text>')
    for index, (count, label) in enumerate(zip(counts, labels, strict=False)):
        bar_h = plot_h * count / peak
        x = left + index * step + step * 0.12
        y = top + plot_h - bar_h
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.76:.1f}" height="{bar_h:.1f}" '
                    f'fill="{PRIMARY}" rx="2"><title>{escape(label)}: {count}</title></rect>')
        if count:
            body.append(f'<text x="{x + step * 0.38:.1f}" y="{y - 4:.1f}" text-anchor="middle">{count}</text>')
        body.append(f'<text x="{left + index * step + step / 2:.1f}" y="{height - bottom + 16}" '
                    f'text-anchor="middle" fill="{MUTED}" font-size="10">{escape(label)}</text>')
    return _svg(width, height, title, body, test_id)


def bar_chart(items: Sequence[tuple[str, float | None]], *, title: str, maximum: float = 100.0,
              unit: str = "%", test_id: str = "bar-chart") -> Markup:
    """Horizontal bars (long Chinese labels fit on the left); None values show as "—"."""
    row_h, left, right, width = 28, 170, 56, 520
    height = max(1, len(items)) * row_h + 12
    plot_w = width - left - right
    body = [f"<title>{escape(title)}</title>"]
    for index, (label, value) in enumerate(items):
        y = 6 + index * row_h
        body.append(f'<text x="{left - 8}" y="{y + row_h / 2 + 4:.1f}" text-anchor="end">'
                    f'<title>{escape(label)}</title>{escape(_short(label, 14))}</text>')
        body.append(f'<rect x="{left}" y="{y + 5}" width="{plot_w}" height="{row_h - 10}" fill="{GRID}" '
                    f'opacity="0.5" rx="3"/>')
        text = "—" if value is None else f"{_num(value)}{unit}"
        if value is not None:
            bar_w = plot_w * max(0.0, min(value, maximum)) / maximum if maximum else 0
            body.append(f'<rect x="{left}" y="{y + 5}" width="{bar_w:.1f}" height="{row_h - 10}" fill="{PRIMARY}" '
                        f'rx="3"><title>{escape(label)}: {escape(text)}</title></rect>')
        body.append(f'<text x="{width - right + 6}" y="{y + row_h / 2 + 4:.1f}">{escape(text)}</text>')
    return _svg(width, height, title, body, test_id)


def radar(items: Sequence[tuple[str, float | None]], *, title: str, maximum: float = 100.0,
          test_id: str = "radar-chart") -> Markup:
    """A radar (spider) chart for three or more dimensions; None counts as 0 but is labelled "—"."""
    width, radius, label_at, pad = 560, 120, 1.18, 22
    count = max(3, len(items))
    # As tall as the labels reach (a triangle needs much less than a hexagon).
    reach = [radius * label_at * math.sin(-math.pi / 2 + 2 * math.pi * i / count) for i in range(count)]
    height = round(max(reach) - min(reach) + 2 * pad)
    cx, cy = width / 2, pad - min(reach)

    def point(index: int, fraction: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        return cx + radius * fraction * math.cos(angle), cy + radius * fraction * math.sin(angle)

    body = [f"<title>{escape(title)}</title>"]
    for ring in (0.25, 0.5, 0.75, 1.0):
        ring_points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(count)))
        body.append(f'<polygon points="{ring_points}" fill="none" stroke="{GRID}"/>')
    for index in range(count):
        x, y = point(index, 1.0)
        body.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
    body.append(f'<text x="{cx + 3:.1f}" y="{cy - radius / 2 + 4:.1f}" fill="{MUTED}" font-size="10">'
                f'{_num(maximum / 2)}</text>')
    fractions = [max(0.0, min((value or 0) / maximum, 1.0)) if maximum else 0 for _, value in items]
    shape = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, f) for i, f in enumerate(fractions)))
    body.append(f'<polygon points="{shape}" fill="{PRIMARY}" fill-opacity="0.25" stroke="{PRIMARY}" '
                f'stroke-width="2"/>')
    for index, ((label, value), fraction) in enumerate(zip(items, fractions, strict=True)):
        x, y = point(index, fraction)
        text = "—" if value is None else f"{_num(value)}%"
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{PRIMARY}">'
                    f'<title>{escape(label)}: {escape(text)}</title></circle>')
        lx, ly = point(index, label_at)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        body.append(f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="{anchor}"><title>{escape(label)}</title>'
                    f'{escape(_short(label, 12))} <tspan fill="{MUTED}">{escape(text)}</tspan></text>')
    return _svg(width, height, title, body, test_id)


def dimension_chart(items: Sequence[tuple[str, float | None]], *, title: str, test_id: str = "dimension-chart") -> Markup:
    """A radar for three or more dimensions, else bars."""
    if len(items) >= 3:
        return radar(items, title=title, test_id=test_id)
    return bar_chart(items, title=title, test_id=test_id)
