"""Rows -> table / json / csv / tsv (W3C SPARQL results are pyoxigraph's: :mod:`mscgraph.views.sparql`)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import textwrap
import unicodedata
from collections.abc import Sequence
from typing import Any

ROW_FORMATS = ("table", "json", "csv", "tsv")


def render(rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None) -> str:
    """Render lookup rows. ``columns`` picks the table's columns; json/csv/tsv carry every key."""
    if fmt == "json":
        return json.dumps(list(rows), ensure_ascii=False, indent=2) + "\n"
    keys = list(rows[0]) if rows else list(columns or [])
    if fmt in ("csv", "tsv"):
        return _delimited(rows, keys, "," if fmt == "csv" else "\t")
    if fmt == "table":
        return table(rows, list(columns or keys))
    raise ValueError(f"unknown format {fmt!r}")


def _cell(value: Any) -> str:
    """A value as text: lists joined with "; ", nothing for null."""
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    return "" if value is None else str(value)


def _delimited(rows: Sequence[dict[str, Any]], keys: list[str], sep: str) -> str:
    out = io.StringIO()
    if sep == "\t":  # TSV has no quoting: tabs and newlines inside values become spaces
        out.write("\t".join(keys) + "\n")
        for row in rows:
            out.write("\t".join(" ".join(_cell(row.get(k)).split()) for k in keys) + "\n")
        return out.getvalue()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(keys)
    for row in rows:
        writer.writerow([_cell(row.get(k)) for k in keys])
    return out.getvalue()


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        if display_width(paragraph) <= width:
            lines.append(paragraph)
            continue
        if paragraph.isascii():
            lines.extend(textwrap.wrap(paragraph, width) or [""])
            continue
        line = ""  # wide characters: break by display width, at a space in the line's last two thirds
        for char in paragraph:
            if display_width(line + char) > width:
                if char == " ":  # the line is full: break here, the space is not carried over
                    lines.append(line)
                    line = ""
                    continue
                cut = line.rfind(" ")
                if cut > 0 and cut >= len(line) // 3:
                    lines.append(line[:cut])
                    line = line[cut + 1 :]
                else:
                    lines.append(line)
                    line = ""
            line += char
        lines.append(line)
    return lines


def _fit(natural: list[int], minimum: list[int], budget: int) -> list[int]:
    """Column widths, as browsers lay out auto tables: if everything does not fit, each column gets
    its minimum (its longest word) and the rest of the budget is shared in proportion to how much
    wider each column would like to be, so long sentences get the room and short codes stay whole."""
    if sum(natural) <= budget:
        return list(natural)
    spare = budget - sum(minimum)
    wants = [n - m for n, m in zip(natural, minimum, strict=True)]
    if spare <= 0 or not sum(wants):
        return list(minimum)
    return [m + spare * w // sum(wants) for m, w in zip(minimum, wants, strict=True)]


def _longest_word(text: str, cap: int = 24) -> int:
    """A column's narrowest useful width: its longest word (Chinese text breaks anywhere; a no-break
    space, as in "↓\u00a0decreased", joins two words into one)."""
    words = (  # a word of wide (CJK) characters may break anywhere: it asks for 10 columns at most
        display_width(w) if display_width(w) == len(w) else min(display_width(w), 10)
        for w in re.split(r"[ \t\n]+", text)
    )
    return min(max(words, default=0), cap)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """Control characters (terminal escape sequences in a label) shown as ``\\x1b``, never sent raw."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def table(rows: Sequence[dict[str, Any]], columns: list[str], width: int | None = None) -> str:
    """A plain-text table that fits the terminal, wrapping long cells."""
    if not rows or not columns:
        return ""
    width = width or shutil.get_terminal_size((120, 24)).columns
    cells = [[visible(_cell(r.get(c))) for c in columns] for r in rows]
    by_column = [(h, [row[i] for row in cells]) for i, h in enumerate(columns)]
    natural = [max(display_width(t) for t in (h, *texts)) for h, texts in by_column]
    minimum = [max(_longest_word(t) for t in (h, *texts)) for h, texts in by_column]
    budget = width - 3 * (len(columns) - 1)
    if sum(minimum) > budget:  # too narrow for columns: one block of "key  value" lines per row
        return _records(columns, cells, width)
    sizes = _fit(natural, minimum, budget)
    out = _wrapped_row(columns, sizes)  # a header wider than its column wraps like a cell
    out.append("─┼─".join("─" * s for s in sizes))
    for row in cells:
        out += _wrapped_row(row, sizes)
    return "\n".join(out) + "\n"


def _wrapped_row(texts: Sequence[str], sizes: list[int]) -> list[str]:
    wrapped = [_wrap(text, sizes[i]) for i, text in enumerate(texts)]
    lines = []
    for n in range(max(len(w) for w in wrapped)):
        parts = []
        for i, column in enumerate(wrapped):
            text = column[n] if n < len(column) else ""
            parts.append(text + " " * (sizes[i] - display_width(text)))
        lines.append(" │ ".join(parts).rstrip())
    return lines


def _records(columns: list[str], cells: list[list[str]], width: int) -> str:
    """The expanded layout (like psql's ``\\x``) for terminals too narrow for the table."""
    key_width = max(display_width(c) for c in columns)
    out = []
    for n, row in enumerate(cells):
        if n:
            out.append("")
        for key, text in zip(columns, row, strict=True):
            for i, line in enumerate(_wrap(text, max(width - key_width - 2, 10))):
                out.append(f"{(key if i == 0 else '').ljust(key_width)}  {line}".rstrip())
    return "\n".join(out) + "\n"
