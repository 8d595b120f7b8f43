"""Inline SVG charts drawn in Python (no library, nothing from the network): horizontal bars and stacked columns.

Every mark carries `data-key` and `data-value`, so a test reads the figures back from the page. All text goes
through html.escape.
"""

from __future__ import annotations

from html import escape

PALETTE = ("#1f6feb", "#d97706", "#16a34a", "#dc2626", "#7c3aed", "#0891b2", "#64748b")
ROW, LABEL_W, BAR_W = 26, 380, 360


def _svg(width: int, height: int, title: str, body: str) -> str:
    return (
        f'<svg viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>{body}</svg>'
    )


def bars(
    chart_id: str, title: str, items: list[tuple[str, str, float]], unit: str = "", maximum: float | None = None
) -> str:
    """One horizontal bar per (key, label, value)."""
    top = maximum or max([v for _, _, v in items] + [1])
    rows = []
    for i, (key, label, value) in enumerate(items):
        y = i * ROW + 4
        width = 0 if not top else round(BAR_W * value / top, 1)
        shown = f"{value:g}{unit}"
        name = label if len(label) <= 56 else label[:55] + "…"
        rows.append(
            f'<g class="mark" data-key="{escape(str(key))}" data-value="{value:g}">'
            f'<text x="{LABEL_W - 8}" y="{y + 15}" text-anchor="end" font-size="12">{escape(name)}</text>'
            f'<rect x="{LABEL_W}" y="{y}" width="{width}" height="{ROW - 8}" fill="{PALETTE[0]}" rx="2"/>'
            f'<text x="{LABEL_W + width + 6}" y="{y + 15}" font-size="12">{escape(shown)}</text></g>'
        )
    height = max(1, len(items)) * ROW + 8
    body = "".join(rows) or '<text x="8" y="20" font-size="12">–</text>'
    return f'<figure class="chart" id="{chart_id}">{_svg(LABEL_W + BAR_W + 80, height, title, body)}</figure>'


def stacked_columns(
    chart_id: str, title: str, columns: list[str], series: dict[str, list[int]], labels: dict[str, str]
) -> str:
    """One column per entry of `columns` (days), stacked by series (channels); a legend below."""
    col_w, height, left = 18, 180, 36
    top = max([sum(values[i] for values in series.values()) for i in range(len(columns))] + [1])
    marks = []
    for i, column in enumerate(columns):
        base = height
        for s, (name, values) in enumerate(sorted(series.items())):
            value = values[i]
            h = round(height * value / top, 1)
            base -= h
            marks.append(
                f'<rect class="mark" data-key="{escape(column)}|{escape(name)}" data-value="{value}" '
                f'x="{left + i * col_w}" y="{base}" width="{col_w - 3}" height="{h}" '
                f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(column)} {escape(labels.get(name, name))}: '
                f"{value}</title></rect>"
            )
        if i % 5 == 0 or i == len(columns) - 1:
            marks.append(f'<text x="{left + i * col_w}" y="{height + 14}" font-size="10">{escape(column[5:])}</text>')
    marks.append(f'<text x="0" y="12" font-size="10">{top}</text><text x="0" y="{height}" font-size="10">0</text>')
    legend = "".join(
        f'<rect x="{left + j * 110}" y="{height + 24}" width="10" height="10" fill="{PALETTE[j % len(PALETTE)]}"/>'
        f'<text x="{left + j * 110 + 14}" y="{height + 33}" font-size="11">{escape(labels.get(name, name))}</text>'
        for j, name in enumerate(sorted(series))
    )
    width = left + max(1, len(columns)) * col_w + 10
    svg = _svg(max(width, 480), height + 44, title, "".join(marks) + legend)
    return f'<figure class="chart" id="{chart_id}">{svg}</figure>'
