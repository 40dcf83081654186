"""Uploads are judged by their bytes, bounded in size, unpacked safely and named safely."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from bng.register import samples
from bng.register.core.errors import Invalid
from bng.register.core.filetypes import (
    DocumentKind,
    FileType,
    check_upload,
    safe_name,
    sanitise_name,
    sniff,
    zip_members,
)
from tests.register import files


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (samples.pdf("x"), FileType.PDF),
        (files.PNG, FileType.PNG),
        (files.JPEG, FileType.JPEG),
        (files.docx(), FileType.DOCX),
        (files.xlsx(), FileType.XLSX),
        (files.xlsx(macros=True), FileType.XLSM),
        (samples.boundary_geojson(samples.square(545_000, 258_000, 1)), FileType.GEOJSON),
        (samples.gain_site_metric("A", 2), FileType.SITE_JSON),
        (b"MZ\x90\x00 an executable", None),
        (b"<html><script>alert(1)</script></html>", None),
        (b'{"not": "a map"}', None),
        (b"SQLite format 3\x00" + b"\x00" * 100, None),  # a SQLite file that is not a GeoPackage
        (files.zipped({"notes.txt": b"hello"}), None),
    ],
)
def test_types_come_from_the_bytes(data: bytes, expected: FileType | None) -> None:
    assert sniff(data) == expected


def test_real_geopackage_and_shapefile_zip_are_recognised() -> None:
    assert sniff(files.geopackage(files.square())) == FileType.GEOPACKAGE
    assert sniff(files.shapefile_zip(files.square())) == FileType.SHAPEFILE_ZIP


def test_a_disguised_file_is_refused_naming_the_field_and_what_was_expected() -> None:
    with pytest.raises(Invalid) as err:
        check_upload(DocumentKind.LEGAL_AGREEMENT, "agreement.pdf", b"MZ\x90\x00 pretending", field="agreement_file")
    [problem] = err.value.problems
    assert problem.field == "agreement_file"
    assert "agreement.pdf" in problem.message and "not a type the register accepts" in problem.message
    assert "PDF, Word document (.docx)" in problem.message


def test_a_real_file_of_the_wrong_kind_is_refused() -> None:
    with pytest.raises(Invalid, match=r"is a PNG image; the legal agreement must be a PDF"):
        check_upload(DocumentKind.LEGAL_AGREEMENT, "scan.png", files.PNG)


def test_empty_and_oversized_files() -> None:
    with pytest.raises(Invalid, match="is empty"):
        check_upload(DocumentKind.HMMP, "hmmp.pdf", b"")
    big = samples.pdf("x") + b"\x00" * (20 * 1024 * 1024)
    with pytest.raises(Invalid, match="must be smaller than 20 MB"):
        check_upload(DocumentKind.LAND_CHARGE, "search.pdf", big)


def test_zip_bombs_encryption_and_unsafe_paths_are_refused() -> None:
    bomb = files.zipped({"word/document.xml": b"\x00" * (50 * 1024 * 1024), "[Content_Types].xml": b"x"})
    assert len(bomb) < 200_000
    with pytest.raises(Invalid, match="zip bomb"):
        zip_members(bomb)
    with pytest.raises(Invalid, match="unsafe path"):
        zip_members(files.zipped({"../../etc/cron.d/x": b"x"}))
    encrypted = bytearray(files.zipped({"a.txt": b"secret"}, zipfile.ZIP_STORED))
    encrypted[6] |= 0x1  # the local header's "encrypted" flag
    central = encrypted.rfind(b"PK\x01\x02")
    encrypted[central + 8] |= 0x1  # and the central directory's
    with pytest.raises(Invalid, match="encrypted"):
        zip_members(bytes(encrypted))
    with pytest.raises(Invalid, match="damaged"):
        zip_members(b"PK\x03\x04 not really a zip")


def test_a_bomb_passed_as_a_document_names_the_file() -> None:
    bomb = files.zipped({"word/document.xml": b"\x00" * (50 * 1024 * 1024)})
    with pytest.raises(Invalid, match=r"report\.docx: .*zip bomb"):
        check_upload(DocumentKind.HMMP, "report.docx", bomb)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\Desktop\\Agreement (signed).pdf", "Agreement (signed).pdf"),
        ("café plan<script>.pdf", "cafe plan_script_.pdf"),
        ("\x00\x1b[31mevil.pdf", "31mevil.pdf"),
        ("...", ""),
    ],
)
def test_names_are_sanitised(given: str, expected: str) -> None:
    assert sanitise_name(given) == expected


def test_the_extension_follows_the_type_found() -> None:
    assert safe_name("agreement.exe", FileType.PDF) == "agreement.pdf"
    assert safe_name("", FileType.DOCX) == "document.docx"
    assert safe_name("a" * 300 + ".pdf", FileType.PDF) == "a" * 100 + ".pdf"


@pytest.mark.parametrize(
    "name",
    [
        "/tmp/site.shp",
        "\\tmp\\site.shp",
        "C:/Users/me/site.shp",
        "C:\\Users\\me\\site.shp",
        "c:site.shp",
        "//host/site.shp",
    ],
)
def test_a_shapefile_zip_with_an_absolute_path_is_refused_like_a_climbing_one(name: str) -> None:
    stem = name[: -len(".shp")]
    data = files.zipped({name: b"x", f"{stem}.shx": b"x", f"{stem}.dbf": b"x", f"{stem}.prj": b"x"})
    with pytest.raises(Invalid) as err:
        check_upload(DocumentKind.BOUNDARY_MAP, "site.zip", data, field="boundary_file")
    [problem] = err.value.problems
    assert problem.field == "boundary_file" and "unsafe path" in problem.message and repr(name) in problem.message


def test_a_zip_with_ordinary_folders_is_still_a_shapefile() -> None:
    data = files.zipped({f"maps/site{ext}": b"x" for ext in (".shp", ".shx", ".dbf", ".prj")})
    assert sniff(data) == FileType.SHAPEFILE_ZIP


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n", "web page markup"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n<!DOCTYPE html><title>x</title>\n%%EOF\n", "web page markup"),
        (b"%PDF-1.4\n" + b"1 0 obj << >> endobj\n" * 1000, "does not end as a PDF ends"),
        (b"%PDF-1.4\n" + b"junk " * 200 + b"\n%%EOF\n", "its structure cannot be read"),
    ],
)
def test_a_file_that_only_starts_like_a_pdf_is_refused(data: bytes, why: str) -> None:
    """A polyglot (%PDF, then a web page) used to pass: only the first five bytes were looked at."""
    assert sniff(data) == FileType.PDF
    with pytest.raises(Invalid) as err:
        check_upload(DocumentKind.LEGAL_AGREEMENT, "agreement.pdf", data, field="agreement_file")
    [problem] = err.value.problems
    assert problem.field == "agreement_file" and "starts like a PDF but" in problem.message and why in problem.message


def test_a_pdf_with_html_after_its_first_kilobyte_is_judged_by_its_structure() -> None:
    """Markup deep inside a real PDF (a page's text, say) is not a polyglot: a browser does not sniff there."""
    lines = tuple(f"Clause {n}: the landowner shall maintain the habitat." for n in range(30))
    real = samples.pdf("Legal agreement", (*lines, "<html> is how a web page starts"))
    assert real.index(b"<html>") > 1024
    assert check_upload(DocumentKind.LEGAL_AGREEMENT, "agreement.pdf", real).file_type == FileType.PDF


def test_real_pdfs_of_other_programs_pass(tmp_path: Path) -> None:
    """A PDF made by another program than ours (matplotlib's PDF backend, as bng's plans use) passes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig = plt.figure()
    fig.text(0.5, 0.5, "A legal agreement")
    path = tmp_path / "made.pdf"
    fig.savefig(path)
    plt.close(fig)
    assert check_upload(DocumentKind.LEGAL_AGREEMENT, "agreement.pdf", path.read_bytes()).file_type == FileType.PDF
