"""What an uploaded file is, judged by its bytes (never by its name), and whether it may be used.

Each kind of document accepts a few types. A type is recognised from its magic bytes and, for
zip packages (Word and Excel files, zipped Shapefiles), from the members inside, read without
unpacking them: a package whose members would unpack to more than ``MAX_UNPACKED_BYTES``, or
that compresses suspiciously well, is refused as a possible zip bomb, and so is one with a member
whose path is absolute or climbs out of it. A PDF must be one throughout, not just in its first
bytes: it must end with ``%%EOF`` (in its last kilobyte, as readers allow), its structure is read
with pypdf (a page tree with at least one page), and markup a browser would take for a web page
(``<html``, ``<script`` …) in its first kilobyte refuses it (a polyglot).
Names are sanitised to a safe base name whose extension agrees with the type found.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from bng.gis import NotAGeoPackage, check_safe, unsafe_member

from .errors import Invalid

MB = 1024 * 1024
MAX_UNPACKED_BYTES = 200 * MB
MAX_RATIO = 200  # a member that unpacks to more than 200 times its packed size is not a document
MAX_MEMBERS = 10_000


class FileType(StrEnum):
    """A file type the register accepts, as its content shows it (never by its name alone)."""

    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    DOCX = "docx"
    XLSX = "xlsx"
    XLSM = "xlsm"
    GEOPACKAGE = "gpkg"
    GEOJSON = "geojson"
    SHAPEFILE_ZIP = "shapefile-zip"
    SITE_JSON = "site-json"


MEDIA_TYPES: dict[FileType, str] = {
    FileType.PDF: "application/pdf",
    FileType.PNG: "image/png",
    FileType.JPEG: "image/jpeg",
    FileType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileType.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileType.XLSM: "application/vnd.ms-excel.sheet.macroEnabled.12",
    FileType.GEOPACKAGE: "application/geopackage+sqlite3",
    FileType.GEOJSON: "application/geo+json",
    FileType.SHAPEFILE_ZIP: "application/zip",
    FileType.SITE_JSON: "application/json",
}
EXTENSIONS: dict[FileType, str] = {
    FileType.PDF: ".pdf",
    FileType.PNG: ".png",
    FileType.JPEG: ".jpg",
    FileType.DOCX: ".docx",
    FileType.XLSX: ".xlsx",
    FileType.XLSM: ".xlsm",
    FileType.GEOPACKAGE: ".gpkg",
    FileType.GEOJSON: ".geojson",
    FileType.SHAPEFILE_ZIP: ".zip",
    FileType.SITE_JSON: ".json",
}
TYPE_NAMES: dict[FileType, str] = {
    FileType.PDF: "PDF",
    FileType.PNG: "PNG image",
    FileType.JPEG: "JPEG image",
    FileType.DOCX: "Word document (.docx)",
    FileType.XLSX: "Excel workbook (.xlsx)",
    FileType.XLSM: "Excel workbook (.xlsm)",
    FileType.GEOPACKAGE: "GeoPackage (.gpkg)",
    FileType.GEOJSON: "GeoJSON file",
    FileType.SHAPEFILE_ZIP: "zipped Shapefile (.zip with .shp, .shx, .dbf and .prj)",
    FileType.SITE_JSON: "site file (.json)",
}

_DOCS = (FileType.PDF, FileType.DOCX)
_SCANS = (FileType.PDF, FileType.PNG, FileType.JPEG)


class DocumentKind(StrEnum):
    """What an uploaded document is for: each kind has its accepted types and size (:data:`KINDS`)."""

    AUTHORISATION = "authorisation"
    OWNERSHIP = "ownership"
    BOUNDARY_MAP = "boundary_map"
    BOUNDARY_DOCUMENT = "boundary_document"
    METRIC = "metric"
    HABITAT_MAP = "habitat_map"
    LEGAL_AGREEMENT = "legal_agreement"
    LAND_CHARGE = "land_charge"
    HMMP = "hmmp"
    CONSENT = "allocation_consent"  # the gain site landowner's written consent to an allocation


@dataclass(frozen=True, slots=True)
class KindRule:
    """A kind of document's name on the pages, the file types it may be and its largest size in bytes."""

    label: str
    types: tuple[FileType, ...]
    max_bytes: int


KINDS: dict[DocumentKind, KindRule] = {
    DocumentKind.AUTHORISATION: KindRule("written authorisation from the landowner", (*_SCANS, FileType.DOCX), 20 * MB),
    DocumentKind.OWNERSHIP: KindRule("proof of land ownership", (*_SCANS, FileType.DOCX), 20 * MB),
    DocumentKind.BOUNDARY_MAP: KindRule(
        "boundary map", (FileType.GEOPACKAGE, FileType.GEOJSON, FileType.SHAPEFILE_ZIP), 10 * MB
    ),
    DocumentKind.BOUNDARY_DOCUMENT: KindRule("boundary plan", _SCANS, 20 * MB),
    DocumentKind.METRIC: KindRule(
        "statutory biodiversity metric", (FileType.XLSM, FileType.XLSX, FileType.SITE_JSON), 50 * MB
    ),
    DocumentKind.HABITAT_MAP: KindRule("habitat map", (FileType.GEOPACKAGE,), 100 * MB),
    DocumentKind.LEGAL_AGREEMENT: KindRule("legal agreement", _DOCS, 50 * MB),
    DocumentKind.LAND_CHARGE: KindRule("local land charge search certificate", _SCANS, 20 * MB),
    DocumentKind.HMMP: KindRule("habitat management and monitoring plan (HMMP)", (*_DOCS, FileType.XLSX), 50 * MB),
    DocumentKind.CONSENT: KindRule("written consent of the gain site's landowner", (*_SCANS, FileType.DOCX), 20 * MB),
}
MAX_UPLOAD_BYTES = max(rule.max_bytes for rule in KINDS.values())


@dataclass(frozen=True, slots=True)
class Checked:
    """An upload that passed: its type, media type and safe name."""

    file_type: FileType
    media_type: str
    name: str


def sniff(data: bytes) -> FileType | None:
    """The type the bytes are, or None when they are none of the types the register takes."""
    if data.startswith(b"%PDF-"):
        return FileType.PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.PNG
    if data.startswith(b"\xff\xd8\xff"):
        return FileType.JPEG
    if data.startswith(b"SQLite format 3\x00"):
        return FileType.GEOPACKAGE if data[68:72] in (b"GPKG", b"GP10", b"GP11") else None
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    return _json_type(data)


def _zip_type(data: bytes) -> FileType | None:
    names = zip_members(data)
    lower = {n.lower() for n in names}
    if "word/document.xml" in lower:
        return FileType.DOCX
    if "xl/workbook.xml" in lower:
        return FileType.XLSM if "xl/vbaproject.bin" in lower else FileType.XLSX
    stems = {n.rsplit(".", 1)[0] for n in lower if n.endswith(".shp")}
    if stems and all(f"{s}.shx" in lower and f"{s}.dbf" in lower for s in stems):
        return FileType.SHAPEFILE_ZIP
    return None


def zip_members(data: bytes, max_unpacked: int = MAX_UNPACKED_BYTES) -> list[str]:
    """The member names of a zip, after checking it is safe to open (raises Invalid otherwise)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise Invalid.one("file", "The file is a damaged zip package and cannot be opened") from None
    if len(infos) > MAX_MEMBERS:
        raise Invalid.one("file", f"The zip package holds {len(infos):,} files; at most {MAX_MEMBERS:,} are allowed")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise Invalid.one("file", "The file is encrypted (password protected); upload it without a password")
        name = info.filename
        if unsafe_member(name):
            raise Invalid.one("file", f"The zip package holds a file with an unsafe path ({name!r})")
        total += info.file_size
        if info.file_size > MB and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise Invalid.one(
                "file",
                f"The zip package member {name!r} unpacks to {info.file_size:,} bytes from {info.compress_size:,}: "
                "too compressed to be a document (a possible zip bomb)",
            )
    if total > max_unpacked:
        raise Invalid.one(
            "file", f"The zip package unpacks to {total:,} bytes; at most {max_unpacked:,} bytes are allowed"
        )
    return [i.filename for i in infos]


JSON_PARSED_BYTES = MB
"""A JSON upload larger than this is told by its first bytes, not parsed whole: parsing 40 MB of
GeoJSON takes seconds and ten times its size in memory, and the reader that follows bounds it anyway."""
_GEOJSON_TYPES = ("FeatureCollection", "Feature", "Polygon", "MultiPolygon", "GeometryCollection")
_HEAD_TYPE = re.compile(rb'"type"\s*:\s*"(' + "|".join(_GEOJSON_TYPES).encode() + rb')"')
_HEAD_SITE = re.compile(rb'"(off_site|on_site)"\s*:')


def _json_type(data: bytes) -> FileType | None:
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"{"):
        return None
    if len(data) > JSON_PARSED_BYTES:
        start = data[: 64 * 1024]
        if _HEAD_TYPE.search(start):
            return FileType.GEOJSON
        return FileType.SITE_JSON if _HEAD_SITE.search(start) else None
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(doc, dict):
        return None
    if doc.get("type") in _GEOJSON_TYPES:
        return FileType.GEOJSON
    if "off_site" in doc or "on_site" in doc:
        return FileType.SITE_JSON
    return None


def check_upload(kind: DocumentKind | str, filename: str, data: bytes, field: str = "file") -> Checked:
    """Check an upload for a kind of document; raises Invalid naming the field and what was expected."""
    rule = KINDS[DocumentKind(kind)]
    shown = sanitise_name(filename) or "the file"
    expected = ", ".join(TYPE_NAMES[t] for t in rule.types)
    if not data:
        raise Invalid.one(field, f"The selected file {shown} is empty; upload the {rule.label}")
    if len(data) > rule.max_bytes:
        raise Invalid.one(
            field,
            f"The selected file {shown} is {len(data) / MB:,.1f} MB; the {rule.label} must be smaller than "
            f"{rule.max_bytes // MB} MB",
        )
    try:
        found = sniff(data)
    except Invalid as err:
        raise Invalid.one(field, f"{shown}: {err.message}") from None
    if found not in rule.types:
        what = f"a {TYPE_NAMES[found]}" if found else "not a type the register accepts"
        raise Invalid.one(field, f"The selected file {shown} is {what}; the {rule.label} must be a {expected}")
    if found == FileType.PDF:
        problem = pdf_problem(data)
        if problem:
            raise Invalid.one(
                field,
                f"The selected file {shown} starts like a PDF but {problem}; upload the {rule.label} as a PDF "
                "saved by the program that made it",
            )
    if found == FileType.GEOPACKAGE:
        problem = geopackage_problem(data)
        if problem:
            raise Invalid.one(field, f"The selected file {shown} cannot be used: {problem}")
    return Checked(found, MEDIA_TYPES[found], safe_name(filename, found))


def geopackage_problem(data: bytes) -> str | None:
    """Why a GeoPackage must not be kept (views, triggers, a structure that takes too long to read), or None.

    A file kept unread is still opened later (by bng or by the officer's GIS), so no upload skips the check.
    """
    with tempfile.TemporaryDirectory(prefix="bng-gpkg-") as tmp:
        path = Path(tmp) / "upload.gpkg"
        path.write_bytes(data)
        try:
            check_safe(path)
        except NotAGeoPackage as err:
            return err.finding.message
    return None


# tags a browser's content sniffing takes for a web page (WHATWG MIME Sniffing), looked for near the
# start of the file, where sniffers look; none can begin a PDF hex string (their second letter is not
# a hex digit), so a real PDF never matches
_MARKUP = re.compile(
    rb"<\s*(!doctype\s+html|html|head|body|script|iframe|title|style|svg|meta|img|object|embed|form)\b", re.IGNORECASE
)
SNIFFED_BYTES = 1024


def pdf_problem(data: bytes) -> str | None:
    """Why the bytes are not a whole PDF (None when they are).

    Unreadable by pypdf, no page, or markup near the start that would let a browser treat the file as a web page.
    """
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if _MARKUP.search(data[:SNIFFED_BYTES]):
        return "holds web page markup (HTML) at its start"
    if b"%%EOF" not in data[-SNIFFED_BYTES:]:  # pypdf would search the whole file for it, line by line
        return "does not end as a PDF ends (%%EOF)"
    quiet = logging.getLogger("pypdf")
    level, quiet.level = quiet.level, logging.CRITICAL  # pypdf logs every repair it makes
    try:
        pages = len(PdfReader(io.BytesIO(data), strict=False).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OverflowError):
        return "its structure cannot be read"
    finally:
        quiet.level = level
    return None if pages > 0 else "it has no pages"


_UNSAFE = re.compile(r"[^A-Za-z0-9._()\- ]+")


def sanitise_name(filename: str) -> str:
    """The base name of an upload, in safe characters only (no paths, no control characters)."""
    name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE.sub("_", name).strip(" ._")
    name = re.sub(r"_+", "_", re.sub(r" +", " ", name))
    return name[:120]


def safe_name(filename: str, file_type: FileType) -> str:
    """A sanitised name ending in the extension of the type actually found."""
    stem = sanitise_name(filename)
    ext = EXTENSIONS[file_type]
    if "." in stem:
        stem = stem.rsplit(".", 1)[0]
    stem = stem.strip(" ._")[:100] or "document"
    return stem + ext
