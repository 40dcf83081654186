"""Open a workbook file safely: size, format, encryption and zip-bomb checks before anything inflates.

An .xlsx/.xlsm file is a zip package of XML parts. Before python-calamine reads a part, this
module has checked, from the zip's central directory, the number of parts, their declared
sizes and compression ratios, and then inflated each part calamine will read, with a cap, to
prove the declared size true. A sheet's XML is also scanned for the largest row and column
it addresses, because calamine holds a sheet as a dense rectangle: one cell at XFD1048576
would ask for terabytes. Every refusal is a :class:`~bng.workbook.errors.UnsafeFileError`
naming the file and the bound it broke; the bounds are stated in ``docs/workbook.md``.
"""

from __future__ import annotations

import os
import re
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from .errors import UnsafeFileError

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds a workbook must keep (the official Feb-2024 workbook, for scale, in comments)."""

    max_file_bytes: int = 30 * MIB  # 3.7 MB
    max_members: int = 2000  # 261 parts
    max_total_uncompressed: int = 256 * MIB  # 27 MB
    max_part_uncompressed: int = 32 * MIB  # 3 MB (calcChain.xml)
    max_ratio: float = 200.0  # 44 (an .emf picture); XML parts 10-25
    ratio_floor: int = 256 * KIB  # parts smaller than this are not ratio-tested


LIMITS = Limits()

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAX_SHEET_ROWS = 9_999  # 749 in the official workbook (Off-site gain site summary)
MAX_SHEET_COLUMNS = 256  # column IV; 61 (BI) in the official workbook
# One pass over a sheet finds either a cell that does not start with its own r="A1" (to be measured the
# slow way) or a cell holding something (not self-closing) beyond row 9,999 or column IV.
_SUSPECT = re.compile(
    rb'<c(?![\w.:-])(?! r="[A-Z]{1,3}[0-9]{1,7}")'
    rb'|<c r="((?:[A-Z]{3}|I[W-Z]|[J-Z][A-Z])[0-9]{1,7}|[A-Z]{1,3}[0-9]{5,7})"[^>/]*>'
)
_REF = re.compile(rb"([A-Z]{1,3})([0-9]{1,7})")
_ERROR_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*?\st="e"[^>]*>(.*?)</c>', re.S)
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
_OTHER_PACKAGES = (
    ("word/document.xml", "a Word document (.docx)"),
    ("ppt/presentation.xml", "a PowerPoint presentation (.pptx)"),
    ("content.xml", "an OpenDocument file (.ods or .odt)"),
)
"""Zip packages that are documents of another kind, by a part only they have."""


def column_number(letters: str) -> int:
    """``"A"`` → 1, ``"AB"`` → 28."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


@dataclass(frozen=True, slots=True)
class SheetScan:
    """What a sheet's XML holds that calamine does not say, learnt before it builds its dense grid."""

    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    """Cells holding an error value (``#VALUE!``…), which python-calamine reads as empty."""


def _describe_start(head: bytes) -> str:
    if not head.strip(b"\0"):
        return "a file of zero bytes only (nothing was saved in it)"
    text = head.lstrip()[:64].lower()
    if text.startswith(b"%pdf"):
        return "a PDF document"
    if text.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    if text.startswith(b"<?xml"):
        return "an XML file (perhaps an Excel 2003 XML spreadsheet)"
    if text.startswith(b"{") or text.startswith(b"["):
        return "a JSON document"
    if b"\0" in head:
        return "an unknown binary format"
    try:
        head.decode("utf-8")
        return "a text file (perhaps CSV)"
    except UnicodeDecodeError:
        return "an unknown binary format"


class Package:
    """A checked workbook zip: its sheets by name and bounded access to its parts."""

    def __init__(self, path: Path, limits: Limits = LIMITS) -> None:
        """Open and check the zip at ``path`` within ``limits`` (size, parts, compression ratio)."""
        self.path = path
        self.limits = limits
        self._verified: dict[str, bytes] = {}
        self._check_file()
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
            raise UnsafeFileError(
                path, f"not a readable zip package ({err}); .xlsx/.xlsm files are zip packages"
            ) from None
        self.infos = {i.filename: i for i in self.zip.infolist()}
        self._check_directory()
        self.sheets = self._sheet_parts()

    # -- the file as a whole -----------------------------------------------------------
    def _check_file(self) -> None:
        path, lim = self.path, self.limits
        try:
            size = path.stat().st_size
        except OSError as err:
            raise UnsafeFileError(path, f"cannot read the file ({err.strerror})") from None
        if not path.is_file():
            raise UnsafeFileError(path, "not a file")
        if size > lim.max_file_bytes:
            raise UnsafeFileError(
                path,
                f"the file is {size:,} bytes, larger than the {lim.max_file_bytes:,} bytes a metric workbook may be "
                "(the official workbook is about 3.7 MB)",
            )
        with path.open("rb") as fh:
            head = fh.read(4096)
            if head.startswith(CFB_MAGIC):
                fh.seek(0)
                whole = fh.read()
                if "EncryptedPackage".encode("utf-16-le") in whole:
                    raise UnsafeFileError(
                        path,
                        "the workbook is encrypted (password to open); save it without a password and try again",
                    )
                raise UnsafeFileError(
                    path,
                    "a legacy Excel 97-2003 (.xls) or other OLE file, not an .xlsx/.xlsm workbook; "
                    "the statutory metric is an .xlsm (or .xlsx) file",
                )
        if not head.startswith(ZIP_MAGIC):
            what = "an empty file" if not head else _describe_start(head)
            raise UnsafeFileError(path, f"not a zip package but {what}; .xlsx/.xlsm workbooks are zip packages")

    # -- the central directory ---------------------------------------------------------
    def _check_directory(self) -> None:
        path, lim = self.path, self.limits
        infos = list(self.infos.values())
        if len(infos) > lim.max_members:
            raise UnsafeFileError(
                path, f"the zip holds {len(infos):,} parts, more than the {lim.max_members:,} allowed"
            )
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise UnsafeFileError(
                    path, f"part {info.filename!r} is encrypted; save the workbook without a password and try again"
                )
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise UnsafeFileError(
                    path, f"part {info.filename!r} uses compression method {info.compress_type}, not deflate"
                )
            if info.file_size > lim.max_part_uncompressed:
                raise UnsafeFileError(
                    path,
                    f"part {info.filename!r} inflates to {info.file_size:,} bytes, more than the "
                    f"{lim.max_part_uncompressed:,} allowed (zip bomb?)",
                )
            if info.file_size > lim.ratio_floor and info.file_size > lim.max_ratio * max(info.compress_size, 1):
                ratio = info.file_size / max(info.compress_size, 1)
                raise UnsafeFileError(
                    path,
                    f"part {info.filename!r} is compressed {ratio:,.0f}:1, more than the {lim.max_ratio:.0f}:1 "
                    "a workbook part may be (zip bomb?)",
                )
            total += info.file_size
        if total > lim.max_total_uncompressed:
            raise UnsafeFileError(
                path,
                f"the parts inflate to {total:,} bytes in all, more than the {lim.max_total_uncompressed:,} allowed "
                "(zip bomb?)",
            )
        if "xl/workbook.xml" not in self.infos:
            what = next((w for part, w in _OTHER_PACKAGES if part in self.infos), "")
            if what:
                raise UnsafeFileError(path, f"{what} with the name of a workbook, not an Excel workbook")
        for required in ("[Content_Types].xml", "xl/workbook.xml"):
            if required not in self.infos:
                raise UnsafeFileError(path, f"the zip has no {required!r}: not an Excel workbook")

    # -- parts -------------------------------------------------------------------------
    def read(self, name: str) -> bytes:
        """A part's bytes, inflated with a cap at its declared size, its CRC checked."""
        cached = self._verified.get(name)
        if cached is not None:
            return cached
        info = self.infos.get(name)
        if info is None:
            raise UnsafeFileError(self.path, f"the zip has no part {name!r}")
        with self.path.open("rb") as fh:
            fh.seek(info.header_offset)
            local = fh.read(30)
            if len(local) < 30 or not local.startswith(ZIP_MAGIC):
                raise UnsafeFileError(self.path, f"part {name!r}: broken zip entry")
            name_len, extra_len = struct.unpack("<HH", local[26:30])
            fh.seek(info.header_offset + 30 + name_len + extra_len)
            raw = fh.read(info.compress_size)
        if info.compress_type == zipfile.ZIP_STORED:
            data = raw
        else:
            inflater = zlib.decompressobj(-15)
            try:
                data = inflater.decompress(raw, info.file_size + 1)
            except zlib.error as err:
                raise UnsafeFileError(self.path, f"part {name!r} is corrupt ({err})") from None
        if len(data) != info.file_size:
            raise UnsafeFileError(
                self.path,
                f"part {name!r} inflates to more or fewer bytes than its declared {info.file_size:,} (zip bomb?)",
            )
        if zlib.crc32(data) != info.CRC:
            raise UnsafeFileError(self.path, f"part {name!r} fails its checksum: the file is damaged")
        self._verified[name] = data
        return data

    def refuse_dtd(self, name: str, data: bytes) -> None:
        """Refuse a part that declares a DTD or an entity anywhere in it (workbooks never do).

        The whole part is searched, not its head: a DOCTYPE may follow any amount of comment or
        whitespace, and an entity declared there would be expanded by an XML parser.
        """
        if _DTD.search(data) is not None:
            raise UnsafeFileError(self.path, f"part {name!r} declares a DTD, which workbooks never do")

    def xml(self, name: str) -> ElementTree.Element:
        """A part parsed as XML, refused if it declares a DTD (entity expansion)."""
        data = self.read(name)
        self.refuse_dtd(name, data)
        try:
            return ElementTree.fromstring(data)
        except ElementTree.ParseError as err:
            raise UnsafeFileError(self.path, f"part {name!r} is not well-formed XML ({err})") from None

    def application(self) -> str:
        """The program that last saved the package (docProps/app.xml ``Application``), or ""."""
        name = "docProps/app.xml"
        if name not in self.infos:
            return ""
        for el in self.xml(name).iter():
            if el.tag.rsplit("}", 1)[-1] == "Application":
                return (el.text or "").strip()[:200]
        return ""

    def _sheet_parts(self) -> dict[str, str]:
        """Sheet name → its part in the zip (from xl/workbook.xml and its relationships)."""
        book = self.xml("xl/workbook.xml")
        rels_name = "xl/_rels/workbook.xml.rels"
        targets: dict[str, str] = {}
        if rels_name in self.infos:
            for rel in self.xml(rels_name).iter(f"{PKG_REL_NS}Relationship"):
                target = rel.get("Target", "")
                if target.startswith("/"):
                    part = target.lstrip("/")
                else:
                    part = str(PurePosixPath("xl") / target)
                targets[rel.get("Id", "")] = part
        out: dict[str, str] = {}
        for sheet in book.iter(f"{MAIN_NS}sheet"):
            name = sheet.get("name")
            rid = sheet.get(f"{REL_NS}id")
            if name and rid in targets:
                out[name] = targets[rid]
        return out

    COMMON_PARTS = (
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/sharedStrings.xml",
        "xl/styles.xml",
    )

    def verify_common_parts(self) -> None:
        """Inflate, with caps, the parts calamine reads when it opens the workbook."""
        for name in self.COMMON_PARTS:
            if name in self.infos:
                self.read(name)

    def checked_copy(self, sheet_parts: list[str]) -> Path:
        """A temporary uncompressed zip of the common parts and the given sheets, each checked by :meth:`read`.

        The caller removes it. (python-calamine opens a path several times faster than a file object.)
        """
        fd, name = tempfile.mkstemp(prefix="bng-checked-", suffix=".xlsx")
        try:
            with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as z:
                for part in (*self.COMMON_PARTS, *sheet_parts):
                    if part in self.infos:
                        data = self.read(part)
                        self.refuse_dtd(part, data)
                        z.writestr(part, data)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        return Path(name)

    def scan_sheet(self, sheet: str) -> SheetScan:
        """Check that a sheet's cells stay within 9,999 rows and 256 columns; find its error cells.

        calamine's grid spans the cells that hold something (``<c …>…</c>``); styled empty cells
        (``<c r="XFD11" s="5"/>``, which the official sheets have) do not count.
        """
        part = self.sheets.get(sheet)
        if part is None:
            raise UnsafeFileError(self.path, f"sheet {sheet!r} has no part in the zip")
        data = self.read(part)
        suspect = _SUSPECT.search(data) if b"<worksheet" in data[:2048] else None
        if b"<worksheet" not in data[:2048] or (suspect is not None and suspect.group(1) is None):
            # cells without a leading r attribute, or prefixed elements: measured the slow way
            max_row, max_col = _scan_slowly(data, self.path, sheet)
            where = f"cells down to row {max_row:,} and out to column {max_col:,}"
        elif suspect is not None:
            m = _REF.fullmatch(suspect.group(1))
            assert m is not None
            max_row, max_col = int(m.group(2)), column_number(m.group(1).decode())
            where = f"a cell at {suspect.group(1).decode()} (row {max_row:,}, column {max_col:,})"
        else:
            max_row = max_col = 0
        if max_row > MAX_SHEET_ROWS or max_col > MAX_SHEET_COLUMNS:
            raise UnsafeFileError(
                self.path,
                f"sheet {sheet!r} has {where}, beyond the {MAX_SHEET_ROWS:,} rows and {MAX_SHEET_COLUMNS} columns "
                "a metric sheet may have (the statutory input sheets have fewer than 300 rows)",
            )
        errors: dict[tuple[int, int], str] = {}
        if b't="e"' in data:
            for m in _ERROR_CELL.finditer(data):
                v = _VALUE.search(m.group(3))
                errors[(int(m.group(2)), column_number(m.group(1).decode()))] = (
                    v.group(1).decode("utf-8", "replace") if v else "#VALUE!"
                )
        return SheetScan(errors)


def _scan_slowly(data: bytes, path: Path, sheet: str) -> tuple[int, int]:
    """Rows and columns addressed by a sheet written unusually (no ``r`` attributes, prefixes)."""
    from xml.parsers import expat

    state = {"row": 0, "col": 0, "cell_row": 0, "valued": 0, "max_row": 0, "max_col": 0}

    def local(name: str) -> str:
        return name.rsplit(":", 1)[-1].rsplit("}", 1)[-1]

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = local(name)
        if tag == "row":
            r = attrs.get("r")
            state["row"] = int(r) if r and r.isdigit() else state["row"] + 1
            state["col"] = 0
        elif tag == "c":
            m = re.fullmatch(r"([A-Z]{1,3})([0-9]{1,7})", attrs.get("r") or "")
            state["col"] = column_number(m.group(1)) if m else state["col"] + 1
            state["cell_row"] = int(m.group(2)) if m else state["row"]
            state["valued"] = 0
        elif tag in ("v", "f", "is"):
            state["valued"] = 1

    def end(name: str) -> None:
        if local(name) == "c" and state["valued"]:
            state["max_row"] = max(state["max_row"], state["cell_row"])
            state["max_col"] = max(state["max_col"], state["col"])

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end

    def no_entities(*_: object) -> None:
        raise UnsafeFileError(path, f"sheet {sheet!r} declares XML entities, which workbooks never do")

    parser.EntityDeclHandler = no_entities
    try:
        parser.Parse(data, True)
    except expat.ExpatError as err:
        raise UnsafeFileError(path, f"sheet {sheet!r} is not well-formed XML ({err})") from None
    return state["max_row"], state["max_col"]


def open_package(path: Path | str, limits: Limits = LIMITS) -> Package:
    """Check a workbook file and open its zip (raises UnsafeFileError naming the problem)."""
    return Package(Path(path), limits)
