"""Hostile and broken files for the reader: built here, byte by byte, to the formats' specifications."""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from pathlib import Path

from bng.workbook.package import open_package
from bng.workbook.template import copy_info

ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR = 512


def _dir_entry(name: str, kind: int, start: int, size: int, child: int = NOSTREAM, right: int = NOSTREAM) -> bytes:
    raw = (name + "\0").encode("utf-16-le")
    return (
        raw.ljust(64, b"\0")
        + struct.pack("<HBB", len(raw), kind, 1)  # name length, type (5 root, 2 stream), colour black
        + struct.pack("<III", NOSTREAM, right, child)  # left, right sibling, child
        + b"\0" * 16  # CLSID
        + b"\0" * 4  # state bits
        + b"\0" * 16  # created, modified
        + struct.pack("<IQ", start, size)
    )


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A version-3 OLE compound file (MS-CFB) holding the given streams (each stored in whole sectors)."""
    body = [s.ljust(max(4096, -(-len(s) // SECTOR) * SECTOR), b"\0") for s in streams.values()]
    fat = [FATSECT, ENDOFCHAIN]  # sector 0: the FAT; sector 1: the directory
    starts = []
    for data in body:
        n = len(data) // SECTOR
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(n - 1)] + [ENDOFCHAIN]
    assert len(fat) <= SECTOR // 4
    fat += [FREESECT] * (SECTOR // 4 - len(fat))
    names = list(streams)
    entries = [_dir_entry("Root Entry", 5, ENDOFCHAIN, 0, child=1)]
    for i, (name, start, data) in enumerate(zip(names, starts, streams.values(), strict=True)):
        right = i + 2 if i + 1 < len(names) else NOSTREAM
        entries.append(_dir_entry(name, 2, start, len(data), right=right))
    directory = b"".join(entries).ljust(SECTOR, b"\0")
    header = (
        bytes.fromhex("d0cf11e0a1b11ae1")
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 0x1000, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
        + struct.pack("<109I", 0, *([FREESECT] * 108))
    )
    assert len(header) == SECTOR
    return header + struct.pack(f"<{SECTOR // 4}I", *fat) + directory + b"".join(body)


def encrypted_workbook(path: Path) -> Path:
    """What Excel writes for a workbook with a password to open: an OLE file holding the encrypted package."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0"?><encryption/>'
    package = struct.pack("<Q", 4096) + os.urandom(4096)
    path.write_bytes(compound_file({"EncryptionInfo": info, "EncryptedPackage": package}))
    return path


def legacy_xls(path: Path) -> Path:
    path.write_bytes(compound_file({"Workbook": b"\x09\x08" + b"\0" * 100}))
    return path


def zip_bomb(path: Path, inflated: int = 300 * 1024 * 1024) -> Path:
    """A zip whose one part inflates, honestly declared, to ``inflated`` bytes of zeros."""
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z, z.open("xl/workbook.xml", "w") as f:
        for _ in range(inflated // len(chunk)):
            f.write(chunk)
    return path


def lying_zip_bomb(src: Path, dst: Path, sheet: str) -> Path:
    """A copy of a workbook whose sheet part inflates to far more than its directory entry declares."""
    part = open_package(src).sheets[sheet]
    huge = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload = huge.compress(b"<row/>" * (50 * 1024 * 1024 // 6)) + huge.flush()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                data = b"<worksheet/>"
            zout.writestr(copy_info(info), data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    # swap the small part's compressed bytes for the huge stream, keeping its declared size and CRC
    blob = bytearray(dst.read_bytes())
    with zipfile.ZipFile(dst) as z:
        info = z.getinfo(part)
    name_len, extra_len = struct.unpack("<HH", blob[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    head, tail = blob[:start], blob[start + info.compress_size :]
    new = bytes(head) + payload + bytes(tail)
    shift = len(payload) - info.compress_size
    out = bytearray(new)
    # patch the compressed size in the local header and the central directory, and shift later offsets
    struct.pack_into("<I", out, info.header_offset + 18, len(payload))
    with zipfile.ZipFile(dst) as z:
        infos = z.infolist()
    eocd = out.rfind(b"PK\x05\x06")
    cd_offset = struct.unpack("<I", out[eocd + 16 : eocd + 20])[0] + shift
    struct.pack_into("<I", out, eocd + 16, cd_offset)
    pos = cd_offset
    for entry in infos:
        assert out[pos : pos + 4] == b"PK\x01\x02"
        n, e, c = struct.unpack("<HHH", out[pos + 28 : pos + 34])
        if entry.filename == part:
            struct.pack_into("<I", out, pos + 20, len(payload))
        offset = struct.unpack("<I", out[pos + 42 : pos + 46])[0]
        if offset > info.header_offset:
            struct.pack_into("<I", out, pos + 42, offset + shift)
        pos += 46 + n + e + c
    dst.write_bytes(bytes(out))
    return dst


def hundred_thousand_rows(src: Path, dst: Path, sheet: str, rows: int = 100_000) -> Path:
    """A copy of a workbook whose input sheet runs to ``rows`` numbered rows."""
    part = open_package(src).sheets[sheet]

    def rows_xml() -> bytes:
        out = [b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>']
        out.append(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
        out.append(b'<row r="10"><c r="D10" t="inlineStr"><is><t>Ref</t></is></c></row>')
        for r in range(11, rows + 11):
            out.append(b'<row r="%d"><c r="D%d"><v>%d</v></c></row>' % (r, r, r - 10))
        out.append(b"</sheetData></worksheet>")
        return b"".join(out)

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = rows_xml() if info.filename == part else zin.read(info.filename)
            zout.writestr(copy_info(info), data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return dst


def large_file(path: Path, size: int = 50 * 1000 * 1000) -> Path:
    """A 50 MB zip (incompressible data stored), too large to be a metric workbook."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/media/image1.bin", os.urandom(size))
    return path
