# SPDX-License-Identifier: MIT
"""The report view: audits and what-if comparisons (tables, charts, pages) and the batch summary.

Why self-contained HTML: reports are emailed and attached to audit minutes; a single file with
charts inlined as base64 PNG opens anywhere, offline, with nothing to fetch. Every piece of text
(ids, column names, values) is escaped, because a ruleset or a table can hold any characters:
with the report rules of :mod:`rhrt.render.escape` (``escape_report_markdown``, ``escape_html``).

pandas, numpy and matplotlib are imported inside the functions that draw or build frames.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rhrt._words import plural
from rhrt.model.scale import LEVELS
from rhrt.render.escape import clean, escape_html, escape_report_markdown

LEVEL_LABELS = tuple(str(lv) for lv in LEVELS)


@dataclass(frozen=True)
class Section:
    """A report section: a heading, paragraphs, tables (pandas) and charts (PNG bytes)."""

    title: str
    paragraphs: Sequence[str] = ()
    tables: Sequence[tuple[str, Any]] = ()
    charts: Sequence[tuple[str, bytes]] = ()


# -- text ------------------------------------------------------------------------------------


def pct(value: float | None) -> str:
    return "-" if value is None or value != value else f"{100.0 * value:.1f}%"


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if value != value:
            return ""
        return f"{value:.3f}" if abs(value) < 1 else f"{value:,.1f}"
    if isinstance(value, (list, tuple)) or type(value).__name__ == "ndarray":
        return clean(", ".join(str(v) for v in value))
    if value is None:
        return ""
    return clean(str(value))  # one line, no control, bidi or zero-width characters


def markdown_table(frame: Any, max_rows: int = 50) -> str:
    cols = [str(c) for c in frame.columns]
    lines = [
        "| " + " | ".join(escape_report_markdown(c) for c in cols) + " |",
        "|" + "|".join("---" for _ in cols) + "|",
    ]
    for row in frame.head(max_rows).itertuples(index=False):
        lines.append("| " + " | ".join(escape_report_markdown(_cell(v)) for v in row) + " |")
    if len(frame) > max_rows:
        lines.append(f"\n_{plural(len(frame) - max_rows, 'more row')} not shown._")
    return "\n".join(lines)


def html_table(frame: Any, max_rows: int = 50) -> str:
    head = "".join(f"<th>{escape_html(clean(str(c)))}</th>" for c in frame.columns)
    body = []
    for row in frame.head(max_rows).itertuples(index=False):
        body.append("<tr>" + "".join(f"<td>{escape_html(_cell(v))}</td>" for v in row) + "</tr>")
    more = ""
    if len(frame) > max_rows:
        more = f"<p class='more'>{plural(len(frame) - max_rows, 'more row')} not shown.</p>"
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def render_markdown(title: str, intro: Sequence[str], sections: Sequence[Section]) -> str:
    out = [f"# {escape_report_markdown(title)}", ""]
    out += [*(escape_report_markdown(p) + "\n" for p in intro)]
    for sec in sections:
        out += [f"## {escape_report_markdown(sec.title)}", ""]
        out += [escape_report_markdown(p) + "\n" for p in sec.paragraphs]
        for caption, frame in sec.tables:
            if caption:
                out += [f"**{escape_report_markdown(caption)}**", ""]
            out += [markdown_table(frame), ""]
    return "\n".join(out).rstrip() + "\n"


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:980px;margin:2em auto;
padding:0 1em;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6em}h2{margin-top:1.8em;border-bottom:1px solid #ccc;padding-bottom:.2em}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f0f0f0}figure{margin:1em 0}figcaption{font-size:.9em;color:#555}
img{max-width:100%}.more{font-size:.85em;color:#555}.note{color:#555;font-size:.9em}
"""


def render_html(title: str, intro: Sequence[str], sections: Sequence[Section]) -> str:
    parts = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{escape_html(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape_html(title)}</h1>",
    ]
    parts += [f"<p>{escape_html(p)}</p>" for p in intro]
    for sec in sections:
        parts.append(f"<h2>{escape_html(sec.title)}</h2>")
        parts += [f"<p>{escape_html(p)}</p>" for p in sec.paragraphs]
        for caption, png in sec.charts:
            data = base64.b64encode(png).decode("ascii")
            parts.append(
                f"<figure><img alt='{escape_html(caption, quote=True)}' "
                f"src='data:image/png;base64,{data}'><figcaption>{escape_html(caption)}"
                "</figcaption></figure>"
            )
        for caption, frame in sec.tables:
            if caption:
                parts.append(f"<h3>{escape_html(caption)}</h3>")
            parts.append(html_table(frame))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# -- the batch summary ------------------------------------------------------------------------


class BatchCounts(Protocol):
    """What :func:`batch_summary_text` reads (``rhrt.batch``'s run summary has it)."""

    rows: int
    levels: dict[int, int]
    urgent: int
    provisional: int
    pathways: dict[str, int]
    seconds: float
    rows_read: int
    rows_refused: int
    rows_unread: int
    rows_implied: int
    ruleset_status: str | None


def _share(count: int, rows: int) -> str:
    return f"{100.0 * count / rows:.1f}%" if rows else "-"


def batch_summary_text(summary: BatchCounts) -> str:
    """The plain-text summary at the end of a ``rhrt batch`` run: counts and shares per level
    and pathway, provisional rows, measures that changed nothing, the ruleset's status and the
    statement that framework levels support professional judgement. One line per item; the
    command line's output stream cleans it for the terminal."""
    rows: list[tuple[str, int]] = [(f"level {lv}", c) for lv, c in summary.levels.items()]
    rows.append(("urgent", summary.urgent))
    counts: Mapping[str, int] = summary.pathways
    paths = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    label = max((len(name) for name, _ in rows + paths), default=7)
    number = max([len("cases"), *(len(f"{c:,}") for _, c in rows + paths)])
    total = summary.rows
    lines = [
        f"{total:,} cases assessed in {summary.seconds:.1f}s "
        f"({summary.rows_read:,} rows read, {summary.rows_refused:,} refused)",
        f"{summary.provisional:,} provisional ({_share(summary.provisional, total)}): their level "
        "rests on missing information (see the status and known_level columns)",
        "",
    ]
    for title, group in (("level", rows), ("pathway", paths)):
        lines.append(f"{title:<{label}}  {'cases':>{number}}  share")
        for name, count in group:
            lines.append(f"{name:<{label}}  {count:>{number},}  {_share(count, total):>6}")
        lines.append("")
    lines.append(
        f"{summary.rows_unread:,} rows record a measure that changes nothing for them (see "
        f"the unread_measures column); in {summary.rows_implied:,} a recorded measure added a "
        "concern that was not selected."
    )
    lines.append("")
    if summary.ruleset_status:
        lines.append(f"Ruleset status: {summary.ruleset_status}")
    lines.append(
        "Framework levels support professional judgement and never replace it: review any "
        "case where you know more than the table holds."
    )
    return "\n".join(lines).rstrip()


# -- charts ----------------------------------------------------------------------------------


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        from rhrt.errors import MissingExtraError

        raise MissingExtraError("charts", "analysis") from None
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _png(fig: Any) -> bytes:
    plt = _pyplot()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def level_bars(series: dict[str, Sequence[int]], title: str) -> bytes:
    """Grouped bars of cases per level, one group per named series (e.g. framework, recorded)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    width = 0.8 / max(len(series), 1)
    for k, (name, counts) in enumerate(series.items()):
        xs = [i + (k - (len(series) - 1) / 2) * width for i in range(len(counts))]
        ax.bar(xs, counts, width=width, label=name)
    ax.set_xticks(range(len(LEVEL_LABELS)), [f"Level {lv}" for lv in LEVEL_LABELS])
    ax.set_ylabel("cases")
    ax.set_title(title)
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def heatmap(matrix: Any, title: str, ylabel: str, xlabel: str) -> bytes:
    """A 4×4 count matrix with counts written in the cells."""
    import numpy as np

    plt = _pyplot()
    data = np.asarray(matrix, dtype=float)
    fig, ax = plt.subplots(figsize=(4.8, 4.0))
    shown = np.log1p(data)
    ax.imshow(shown, cmap="Blues")
    top = shown.max() if shown.size else 0
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            dark = top and shown[i, j] > top * 0.6
            ax.text(j, i, f"{int(data[i, j]):,}", ha="center", va="center",
                    color="white" if dark else "black", fontsize=9)
    ax.set_xticks(range(data.shape[1]), LEVEL_LABELS[: data.shape[1]])
    ax.set_yticks(range(data.shape[0]), LEVEL_LABELS[: data.shape[0]])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return _png(fig)


def matrix_frame(matrix: Any, row_name: str, col_name: str) -> Any:
    """A 4×4 matrix as a pandas DataFrame with level labels."""
    import pandas as pd

    frame = pd.DataFrame(
        matrix,
        index=pd.Index([int(x) for x in LEVEL_LABELS], name=row_name),
        columns=pd.Index([int(x) for x in LEVEL_LABELS], name=col_name),
    )
    return frame


def matrix_table(frame: Any) -> Any:
    """A matrix frame flattened for report tables (first column = row label)."""
    out = frame.copy()
    out.columns = [f"{frame.columns.name} {c}" for c in frame.columns]
    out.insert(0, str(frame.index.name), list(frame.index))
    return out.reset_index(drop=True)
