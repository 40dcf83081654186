"""Edit cells of a worksheet's XML in place, leaving every other byte of the workbook as it was.

openpyxl rewrites a whole workbook when it saves, and on the statutory workbook it drops what
it does not model: 63 drop-down lists (x14 data validations), 80 conditional formats, the
shapes that carry the macro buttons, charts and pictures (measured; ``docs/workbook.md``).
So the writer patches only the ``<c>`` elements of the input cells it fills, keeping each
cell's style (its protection and number format) and the rest of the sheet untouched.
Values are written as numbers or inline strings, so the shared-string table is not touched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from xml.sax.saxutils import escape

from .grid import cell_name, column_letters
from .package import column_number

CellWrite = float | str | None
"""A number, a text, or None to clear the cell (keeping its style)."""

CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"([^>]*?)(/>|>(.*?)</c>)', re.S)
_STYLE = re.compile(rb'\ss="([0-9]+)"')
_XF = re.compile(rb"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.S)


def number_text(v: float) -> str:
    """A float as the XML stores it: the shortest text that reads back to the same double."""
    if v != v or v in (float("inf"), float("-inf")):
        raise ValueError(f"cannot write {v!r} to a cell")
    text = repr(float(v))
    return text[:-2] if text.endswith(".0") else text


def cell_xml(ref: str, style: bytes | None, value: CellWrite) -> bytes:
    """A cell's XML for a value written into the sheet (blank, text or number), keeping its style."""
    s = b' s="' + style + b'"' if style is not None else b""
    head = b'<c r="' + ref.encode() + b'"' + s
    if value is None:
        return head + b"/>"
    if isinstance(value, str):
        text = escape(value).encode("utf-8")
        space = b' xml:space="preserve"' if value != value.strip() else b""
        return head + b' t="inlineStr"><is><t' + space + b">" + text + b"</t></is></c>"
    return head + b"><v>" + number_text(value).encode() + b"</v></c>"


def unlocked_styles(styles_xml: bytes) -> frozenset[int]:
    """Indices of the cell formats (cellXfs) whose cells are unlocked on a protected sheet."""
    m = re.search(rb"<cellXfs[^>]*>(.*?)</cellXfs>", styles_xml, re.S)
    if m is None:
        return frozenset()
    return frozenset(i for i, xf in enumerate(_XF.findall(m.group(1))) if re.search(rb'<protection[^>]*locked="0"', xf))


_ROW_START = re.compile(rb'<row r="([0-9]+)"')


def _row_spans(sheet_xml: bytes, rows: Iterable[int]) -> dict[int, tuple[int, int, int, int]]:
    """(start, end, content start, content end) of each named ``<row>`` present in the sheet (one pass)."""
    wanted = set(rows)
    out: dict[int, tuple[int, int, int, int]] = {}
    for m in _ROW_START.finditer(sheet_xml):
        r = int(m.group(1))
        if r not in wanted:
            continue
        close = sheet_xml.index(b">", m.end())
        if sheet_xml[close - 1 : close] == b"/":
            out[r] = (m.start(), close + 1, close, close)  # <row …/>: empty
        else:
            end = sheet_xml.index(b"</row>", close)
            out[r] = (m.start(), end + len(b"</row>"), close + 1, end)
    return out


def cell_styles(sheet_xml: bytes, cells: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int | None]:
    """The style index of each named cell (None: the cell is not in the sheet, or has the default style)."""
    wanted = set(cells)
    out: dict[tuple[int, int], int | None] = dict.fromkeys(wanted)
    for span in _row_spans(sheet_xml, {r for r, _ in wanted}).values():
        for cm in CELL.finditer(sheet_xml, span[2], span[3]):
            key = (int(cm.group(2)), _col(cm.group(1)))
            if key in wanted:
                sm = _STYLE.search(cm.group(3))
                out[key] = int(sm.group(1)) if sm else None
    return out


def formula_rows(sheet_xml: bytes, col: int) -> set[int]:
    """The rows whose cell in column ``col`` holds a formula."""
    letters = column_letters(col).encode()
    pattern = re.compile(rb'<c r="' + letters + rb'([0-9]+)"[^>]*?>(?:(?!</c>).)*?<f[ >/]', re.S)
    return {int(m.group(1)) for m in pattern.finditer(sheet_xml)}


@lru_cache(maxsize=4096)
def _col(letters: bytes) -> int:
    return column_number(letters.decode())


def _patch_row(row_xml: bytes, row: int, changes: Mapping[int, CellWrite]) -> bytes:
    """A row's content with the changed cells replaced (or inserted in column order)."""
    pending = sorted(changes.items())
    i, pos, out = 0, 0, []
    for cm in CELL.finditer(row_xml):
        if i == len(pending):
            break
        col = _col(cm.group(1))
        while i < len(pending) and pending[i][0] < col:  # a cell the row does not have yet
            out += [row_xml[pos : cm.start()], cell_xml(cell_name(row, pending[i][0]), None, pending[i][1])]
            pos, i = cm.start(), i + 1
        if i < len(pending) and pending[i][0] == col:
            sm = _STYLE.search(cm.group(3))
            out += [
                row_xml[pos : cm.start()],
                cell_xml(cell_name(row, col), sm.group(1) if sm else None, pending[i][1]),
            ]
            pos, i = cm.end(), i + 1
    out.append(row_xml[pos:])
    out += [cell_xml(cell_name(row, c), None, v) for c, v in pending[i:]]
    return b"".join(out)


def set_cells(sheet_xml: bytes, values: Mapping[tuple[int, int], CellWrite]) -> bytes:
    """The sheet XML with the given cells (row, column) set; rows not named are copied as they are."""
    by_row: dict[int, dict[int, CellWrite]] = {}
    for (r, c), v in values.items():
        by_row.setdefault(r, {})[c] = v
    found = _row_spans(sheet_xml, by_row)
    spans = []
    for r, changes in by_row.items():
        if r not in found:
            raise ValueError(f"the sheet has no row {r} for cell {column_letters(min(changes))}{r}")
        spans.append((found[r], r, changes))
    out: list[bytes] = []
    pos = 0
    for (start, end, c0, c1), r, changes in sorted(spans, key=lambda x: x[0][0]):
        open_tag = sheet_xml[start:c0].rstrip(b"/>").rstrip(b"/")
        out.append(sheet_xml[pos:start])
        out.append(open_tag + b">" + _patch_row(sheet_xml[c0:c1], r, changes) + b"</row>")
        pos = end
    out.append(sheet_xml[pos:])
    return b"".join(out)


_SHARED_MASTER = re.compile(rb'<f t="shared" ref="[^"]*"([^>]*?) si="([0-9]+)"([^>]*)>([^<]*)</f>')
_REF = re.compile(r"(\$?)([A-Z]{1,3})(\$?)([0-9]+)")


def _shift(formula: str, rows: int) -> str:
    """A formula of plain cell references moved down ``rows`` rows (absolute rows stay)."""
    if "!" in formula or "'" in formula or '"' in formula:
        raise ValueError(f"cannot move the shared formula {formula!r}")

    def move(m: re.Match[str]) -> str:
        row = int(m.group(4)) if m.group(3) else int(m.group(4)) + rows
        return f"{m.group(1)}{m.group(2)}{m.group(3)}{row}"

    return _REF.sub(move, formula)


_SHARED_MASTER_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"[^>]*>(<f t="shared" ref="[^"]*"[^>]*>[^<]*</f>)')


def unshare(sheet_xml: bytes, cells: Iterable[tuple[int, int]]) -> bytes:
    """Give every cell of a shared formula its own formula when the formula's master cell is overwritten.

    A-3!Q12 holds ``=A12`` shared down to Q76; writing a value into Q12 would leave Q13:Q76
    pointing at a master that no longer exists, which Excel reports as a damaged file.
    """
    targets = set(cells)
    masters = [
        m
        for m in _SHARED_MASTER_CELL.finditer(sheet_xml)
        if (int(m.group(2)), column_number(m.group(1).decode())) in targets
    ]
    out = sheet_xml
    for cm in masters:
        fm = _SHARED_MASTER.search(cm.group(3))
        assert fm is not None
        si, formula, master = fm.group(2), fm.group(4).decode(), int(cm.group(2))
        attrs = fm.group(1) + fm.group(3)
        child = re.compile(rb'(<c r="[A-Z]{1,3}([0-9]+)"[^>]*>)<f t="shared"[^>]*? si="' + si + rb'"[^>]*/>')

        def explicit(m: re.Match[bytes], formula: str = formula, master: int = master, attrs: bytes = attrs) -> bytes:
            moved = _shift(formula, int(m.group(2)) - master)
            return m.group(1) + b"<f" + attrs + b">" + moved.encode() + b"</f>"

        out = child.sub(explicit, out)
        out = out.replace(fm.group(0), b"<f" + attrs + b">" + fm.group(4) + b"</f>", 1)
    return out
