"""One self-contained HTML report: inline SVG charts and small tables, no scripts, no network.

It must open from ``file://`` on an air-gapped machine, so charts are drawn here as SVG
elements (rect bars, circle points, polylines) from the analysis views, and the CSS is inline.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import duckdb
import polars as pl

from warehouse.db import frame

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")
CSS = """
body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;color:#222;max-width:1100px}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.9em;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f3f3f3}svg{background:#fff;border:1px solid #eee}.note{color:#666;font-size:.85em}
svg text{font-size:11px;fill:#333}
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def line_chart(
    df: pl.DataFrame,
    *,
    x: str,
    y: str,
    series: str,
    title: str,
    width: int = 900,
    height: int = 320,
) -> str:
    """Points and lines per series over a date axis (months); one ``<circle class="point">`` per value."""
    if df.is_empty():
        return f'<p class="note">{_e(title)}: no data.</p>'
    left, right, top, bottom = 50, 220, 20, 40
    xs = sorted(df[x].unique().to_list())
    ymax = max(1, int(df[y].max()))
    pw, ph = width - left - right, height - top - bottom
    xpos = {
        v: left + (pw * i / max(1, len(xs) - 1) if len(xs) > 1 else pw / 2)
        for i, v in enumerate(xs)
    }

    def ypos(v: float) -> float:
        return top + ph - ph * v / ymax

    parts = [
        f'<svg class="chart line-chart" role="img" aria-label="{_e(title)}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    parts.append(
        f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#999"/><line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="#999"/>'
    )
    for t in range(0, ymax + 1, max(1, ymax // 5)):
        parts.append(f'<text x="{left - 6}" y="{ypos(t) + 4:.1f}" text-anchor="end">{t}</text>')
    step = max(1, len(xs) // 12)
    for i, v in enumerate(xs):
        if i % step == 0:
            label = v.strftime("%Y-%m") if isinstance(v, dt.date) else str(v)
            parts.append(
                f'<text x="{xpos[v]:.1f}" y="{top + ph + 16}" text-anchor="middle">{_e(label)}</text>'
            )
    names = df.group_by(series).agg(pl.col(y).sum()).sort(y, descending=True)[series].to_list()
    for k, name in enumerate(names):
        color = PALETTE[k % len(PALETTE)]
        pts = df.filter(pl.col(series) == name).group_by(x).agg(pl.col(y).sum()).sort(x)
        coords = [(xpos[a], ypos(b)) for a, b in pts.iter_rows()]
        if len(coords) > 1:
            parts.append(
                f'<polyline class="series-line" fill="none" stroke="{color}" stroke-width="2" points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in coords)}"/>'
            )
        for (a, b), (xv, yv) in zip(coords, pts.iter_rows(), strict=True):
            parts.append(
                f'<circle class="point" cx="{a:.1f}" cy="{b:.1f}" r="4" fill="{color}"><title>{_e(name)} {_e(xv)}: {yv}</title></circle>'
            )
        ly = top + 14 * k + 8
        parts.append(
            f'<rect x="{width - right + 12}" y="{ly - 8}" width="10" height="10" fill="{color}"/><text x="{width - right + 26}" y="{ly + 1}">{_e(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    rows: list[tuple[str, list[float]]], *, labels: tuple[str, ...], title: str, width: int = 900
) -> str:
    """Horizontal stacked bars, one ``<rect class="bar">`` per non-zero segment."""
    if not rows:
        return f'<p class="note">{_e(title)}: no data.</p>'
    left, bar_h, gap, top = 230, 18, 6, 30
    height = top + len(rows) * (bar_h + gap) + 20
    vmax = max(sum(v) for _, v in rows) or 1
    pw = width - left - 60
    parts = [
        f'<svg class="chart bar-chart" role="img" aria-label="{_e(title)}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for k, lab in enumerate(labels):
        parts.append(
            f'<rect x="{left + 130 * k}" y="8" width="10" height="10" fill="{PALETTE[k]}"/><text x="{left + 130 * k + 14}" y="17">{_e(lab)}</text>'
        )
    for i, (name, values) in enumerate(rows):
        y = top + i * (bar_h + gap)
        parts.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{_e(name)}</text>')
        x = float(left)
        for k, v in enumerate(values):
            w = pw * v / vmax
            if v > 0:
                parts.append(
                    f'<rect class="bar" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{PALETTE[k]}"><title>{_e(name)} {_e(labels[k])}: {v:g}</title></rect>'
                )
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 13}">{sum(values):g}</text>')
    parts.append("</svg>")
    return "".join(parts)


def table(df: pl.DataFrame, limit: int = 20) -> str:
    """A small HTML table of the first ``limit`` rows."""
    head = "".join(f"<th>{_e(c)}</th>" for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>"
        for row in df.head(limit).iter_rows()
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def build_html(con: duckdb.DuckDBPyConnection) -> str:
    """The report page as a string."""
    totals = frame(
        con,
        """SELECT (SELECT count(*) FROM fact_document) AS documents,
                  (SELECT count(*) FROM fact_document_appearance) AS appearances,
                  (SELECT count(*) FROM fact_citation) AS citations,
                  (SELECT count(*) FROM fact_appointment) AS appointments,
                  (SELECT count(*) FROM fact_task_assignment) AS task_assignments,
                  (SELECT count(DISTINCT issuer_id) FROM document_issuer_canonical) AS issuers""",
    )
    top_issuers = frame(
        con,
        """SELECT issuer FROM issuance_by_issuer_month GROUP BY issuer ORDER BY sum(n_documents) DESC, issuer LIMIT 8""",
    )["issuer"].to_list()
    issuance = (
        frame(
            con,
            "SELECT month, issuer, sum(n_documents) AS n FROM issuance_by_issuer_month WHERE list_contains(?, issuer) GROUP BY ALL",
            [top_issuers],
        )
        if top_issuers
        else pl.DataFrame()
    )
    coverage = frame(
        con,
        """SELECT series || ' ' || doc_year AS label, n_published, est_unpublished, max_serial, share_published
           FROM series_coverage ORDER BY max_serial DESC, label LIMIT 15""",
    )
    cited = frame(
        con,
        """SELECT cited_doc_number, n_citing_documents, cited_level, title FROM most_cited
           ORDER BY n_citing_documents DESC, cited_doc_number LIMIT 15""",
    )
    graph = frame(con, "SELECT * FROM citation_level_graph ORDER BY n_citations DESC")
    lag = frame(con, "SELECT * FROM publication_lag_summary ORDER BY n_documents DESC LIMIT 15")
    tasks = frame(
        con,
        "SELECT unit, sum(n_assignments) AS n_assignments, sum(n_documents) AS n_documents FROM task_load_by_unit GROUP BY unit ORDER BY 2 DESC, 1 LIMIT 15",
    )
    appts = frame(
        con,
        "SELECT organisation, sum(n_appointed) AS n_appointed, sum(n_removed) AS n_removed FROM appointments_by_organisation GROUP BY 1 ORDER BY sum(n_actions) DESC, 1 LIMIT 15",
    )
    sections = [
        "<h1>政府公报发文分析 · Government issuance report</h1>",
        f'<p class="note">Generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC from the warehouse.</p>',
        table(totals),
        "<h2>Issuance over time per issuer</h2>",
        line_chart(
            issuance, x="month", y="n", series="issuer", title="Documents per month, top issuers"
        )
        if top_issuers
        else '<p class="note">No dated documents.</p>',
        "<h2>Series coverage</h2>",
        '<p class="note">Published serials vs the estimate of issued but unpublished ones (highest serial seen minus serials seen).</p>',
        bar_chart(
            [(r[0], [float(r[1]), float(r[2])]) for r in coverage.iter_rows()],
            labels=("published", "estimated unpublished"),
            title="Series coverage",
        ),
        table(coverage),
        "<h2>Most cited documents</h2>",
        bar_chart(
            [(r[0], [float(r[1])]) for r in cited.iter_rows()],
            labels=("citing documents",),
            title="Most cited",
        ),
        table(cited),
        "<h2>Citations between levels of government</h2>",
        table(graph),
        "<h2>Time from signing to publication</h2>",
        table(lag),
        "<h2>Task load per responsible unit</h2>",
        table(tasks),
        "<h2>Appointments per organisation</h2>",
        table(appts),
    ]
    return f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>Gazette warehouse report</title><style>{CSS}</style></head><body>{"".join(sections)}</body></html>'


def write_report(con: duckdb.DuckDBPyConnection, out_dir: Path) -> Path:
    """Write ``report.html`` into ``out_dir`` and return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.html"
    path.write_text(build_html(con), encoding="utf-8")
    return path
