"""The analysis plots as inline SVG (no JavaScript): facility against discrimination with the flag zones,
and option curves (the share choosing each option across five groups by total score)."""
from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from ..results.charts import GRID, MUTED, PRIMARY, _num, _svg

DANGER = "#dc3545"
WARNING_FILL = "#fff3cd"
DANGER_FILL = "#f8d7da"
CURVE_COLOURS = ("#198754", "#dc3545", "#fd7e14", "#6f42c1", "#0dcaf0", "#6c757d", "#d63384", "#20c997")


def scatter(points: Sequence[tuple[str, float, float, bool]], *, title: str, x_label: str, y_label: str,
            test_id: str = "scatter") -> Markup:
    """Points (label, facility 0..1, discrimination -1..1, flagged); shaded: discrimination below 0.2
    (revise) and below 0 (reject), facility outside 0.1..0.9 (little information)."""
    width, height, left, bottom, top, right = 520, 300, 44, 40, 14, 12
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_of(facility: float) -> float:
        return left + plot_w * max(0.0, min(1.0, facility))

    def y_of(discrimination: float) -> float:
        return top + plot_h * (1 - (max(-1.0, min(1.0, discrimination)) + 1) / 2)

    body = [f"<title>{escape(title)}</title>",
            f'<rect x="{left}" y="{y_of(0.2):.1f}" width="{plot_w}" height="{y_of(0) - y_of(0.2):.1f}" fill="{WARNING_FILL}"/>',
            f'<rect x="{left}" y="{y_of(0):.1f}" width="{plot_w}" height="{y_of(-1) - y_of(0):.1f}" fill="{DANGER_FILL}"/>',
            f'<rect x="{left}" y="{top}" width="{x_of(0.1) - left:.1f}" height="{plot_h}" fill="{GRID}" opacity="0.5"/>',
            f'<rect x="{x_of(0.9):.1f}" y="{top}" width="{left + plot_w - x_of(0.9):.1f}" height="{plot_h}" '
            f'fill="{GRID}" opacity="0.5"/>']
    for value in (-1, -0.5, 0, 0.5, 1):
        y = y_of(value)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{_num(value)}</text>')
    for value in (0, 0.25, 0.5, 0.75, 1):
        x = x_of(value)
        body.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" fill="{MUTED}">'
                    f'{int(value * 100)}%</text>')
    body.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle" fill="{MUTED}">'
                f'{escape(x_label)}</text>')
    body.append(f'<text x="12" y="{top + plot_h / 2:.1f}" text-anchor="middle" fill="{MUTED}" '
                f'transform="rotate(-90 12 {top + plot_h / 2:.1f})">{escape(y_label)}</text>')
    for label, facility, discrimination, flagged in points:
        colour = DANGER if flagged else PRIMARY
        body.append(f'<circle cx="{x_of(facility):.1f}" cy="{y_of(discrimination):.1f}" r="5" fill="{colour}" '
                    f'fill-opacity="0.8" data-point="{escape(label)}"><title>{escape(label)}: '
                    f'{round(facility * 100)}%, {discrimination:.2f}</title></circle>')
    return _svg(width, height, title, body, test_id)


def option_curves(options: Sequence[tuple[str, Sequence[float | None], bool]], *, title: str,
                  group_labels: Sequence[str], test_id: str = "option-curves") -> Markup:
    """One line per option: its share of each score group (lowest group first); the key drawn thicker."""
    width, height, left, bottom, top, right = 360, 200, 36, 30, 12, 10
    plot_w, plot_h = width - left - right, height - top - bottom
    groups = max(1, len(group_labels))
    step = plot_w / max(1, groups - 1)
    body = [f"<title>{escape(title)}</title>"]
    for value in (0, 0.5, 1):
        y = top + plot_h * (1 - value)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{int(value * 100)}%</text>')
    for index, label in enumerate(group_labels):
        body.append(f'<text x="{left + index * step:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                    f'fill="{MUTED}" font-size="10">{escape(label)}</text>')
    for number, (text, curve, correct) in enumerate(options):
        points = [(left + i * step, top + plot_h * (1 - share)) for i, share in enumerate(curve) if share is not None]
        if not points:
            continue
        colour = CURVE_COLOURS[number % len(CURVE_COLOURS)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="{3 if correct else 1.5}">'
                    f'<title>{escape(text)}</title></polyline>')
    return _svg(width, height, title, body, test_id)
