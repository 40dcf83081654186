"""What an audit is given: the workbooks and maps in folders, zips and single files, as work items.

A workbook (.xlsx, .xlsm, and the .xls/.xlsb a metric must not be) is one item. GeoPackages are
paired by name within a folder or zip: ``X-baseline.gpkg`` with ``X-post-intervention.gpkg``, or
``Baseline - X.gpkg`` with ``Post-intervention - X.gpkg``; a map with no partner is an item of its
own (its stage then comes from its name or contents). A zip in a folder is opened one level deep;
a zip inside a zip is an item that reports that it was not opened. Other files are counted, not
audited; Excel's lock files (``~$…``), hidden files and macOS's ``__MACOSX`` folders are left out.

Each item carries a fingerprint (size and modification time of a file; size and CRC of a zip
member): a resumed audit skips an item only when the journal holds it with the same fingerprint.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .errors import SourceError

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb"})
MAP_SUFFIXES = frozenset({".gpkg"})
ZIP_SUFFIXES = frozenset({".zip"})
MAX_ZIP_MEMBERS = 100_000
_POST = re.compile(r"post[\s_-]*intervention|proposed", re.IGNORECASE)
_BASELINE = re.compile(r"baseline", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s_.-]+")


@dataclass(frozen=True, slots=True)
class Item:
    """One thing to audit: a workbook, or one or two maps (baseline first)."""

    key: str  # what the report calls it: a path, or archive.zip!member
    kind: str  # "workbook", "maps", or "unopened" (a zip inside a zip, an unreadable zip)
    files: tuple[str, ...]  # paths on disk: the file itself, or the archive holding the member
    members: tuple[str, ...] = ()  # zip members, one per file, when the item is inside a zip
    fingerprint: str = ""
    note: str = ""  # for an unopened item: why


@dataclass
class Found:
    """The items found to audit, and how many files were neither workbooks, maps nor zips."""

    items: list[Item] = field(default_factory=list)
    skipped: int = 0  # files that are neither workbooks, maps nor zips


def _hidden(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return any(p.startswith((".", "~$")) or p == "__MACOSX" for p in parts)


def _stage(name: str) -> str | None:
    stem = PurePosixPath(name).stem
    if _POST.search(stem):
        return "post-intervention"
    if _BASELINE.search(stem):
        return "baseline"
    return None


def _pair_key(name: str) -> str:
    path = PurePosixPath(name)
    stem = _BASELINE.sub(" ", _POST.sub(" ", path.stem))
    return f"{path.parent}/{_SEPARATORS.sub(' ', stem).strip().lower()}"


def pair_maps(names: Iterable[str]) -> list[tuple[str, ...]]:
    """Baseline/post-intervention pairs (baseline first) and lone maps, in name order."""
    groups: dict[str, dict[str, list[str]]] = {}
    for name in sorted(names):
        stage = _stage(name) or "unknown"
        groups.setdefault(_pair_key(name), {}).setdefault(stage, []).append(name)
    out: list[tuple[str, ...]] = []
    for stages in groups.values():
        base, post = stages.get("baseline", []), stages.get("post-intervention", [])
        if len(base) == 1 and len(post) == 1:
            out.append((base[0], post[0]))
        else:
            out += [(n,) for n in (*base, *post)]
        out += [(n,) for n in stages.get("unknown", [])]
    return sorted(out)


def _file_fingerprint(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def _from_zip(archive: Path, found: Found) -> None:
    key = str(archive)
    try:
        with zipfile.ZipFile(archive) as z:
            infos = [i for i in z.infolist()[: MAX_ZIP_MEMBERS + 1] if not i.is_dir() and not _hidden(i.filename)]
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        found.items.append(
            Item(key, "unopened", (key,), fingerprint=_file_fingerprint(archive), note=f"not a readable zip ({err})")
        )
        return
    if len(infos) > MAX_ZIP_MEMBERS:
        note = f"more than {MAX_ZIP_MEMBERS:,} files in one zip"
        found.items.append(Item(key, "unopened", (key,), fingerprint=_file_fingerprint(archive), note=note))
        return
    by_name = {i.filename: i for i in infos}
    maps: list[str] = []
    for info in infos:
        suffix = PurePosixPath(info.filename).suffix.lower()
        member_key = f"{key}!{info.filename}"
        fingerprint = f"{info.file_size}:{info.CRC:08x}"
        if suffix in WORKBOOK_SUFFIXES:
            found.items.append(Item(member_key, "workbook", (key,), (info.filename,), fingerprint))
        elif suffix in MAP_SUFFIXES:
            maps.append(info.filename)
        elif suffix in ZIP_SUFFIXES:
            note = "a zip inside a zip is not opened: unzip it into the folder being audited"
            found.items.append(Item(member_key, "unopened", (key,), (info.filename,), fingerprint, note))
        else:
            found.skipped += 1
    for group in pair_maps(maps):
        infos_of = [by_name[n] for n in group]
        found.items.append(
            Item(
                f"{key}!{' + '.join(group)}",
                "maps",
                tuple(key for _ in group),
                group,
                ";".join(f"{i.file_size}:{i.CRC:08x}" for i in infos_of),
            )
        )


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not _hidden(d))
        for name in sorted(files):
            if not _hidden(name):
                yield Path(root, name)


def find_items(sources: Iterable[Path]) -> Found:
    """Every workbook and map in ``sources`` (folders, zips or files), in a stable order."""
    found = Found()
    for source in sources:
        if not source.exists():
            raise SourceError(f"{source}: no such file or folder")
        files = list(_walk(source)) if source.is_dir() else [source]
        maps: list[str] = []
        for path in files:
            suffix = path.suffix.lower()
            if suffix in WORKBOOK_SUFFIXES:
                found.items.append(Item(str(path), "workbook", (str(path),), fingerprint=_file_fingerprint(path)))
            elif suffix in MAP_SUFFIXES:
                maps.append(str(path))
            elif suffix in ZIP_SUFFIXES:
                _from_zip(path, found)
            else:
                found.skipped += 1
        for group in pair_maps(maps):
            found.items.append(
                Item(
                    " + ".join(group),
                    "maps",
                    group,
                    fingerprint=";".join(_file_fingerprint(Path(p)) for p in group),
                )
            )
    seen: set[str] = set()
    unique = []
    for item in found.items:  # the same file reached through two sources is audited once
        if item.key not in seen:
            seen.add(item.key)
            unique.append(item)
    found.items = unique
    return found
