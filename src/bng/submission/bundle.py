"""Open what an applicant submits (a folder, or a .zip of one) and sort out which file is which.

A zip is unpacked into a temporary folder, bounded before anything is written: at most
:data:`MAX_FILES` members, :data:`MAX_TOTAL_BYTES` unpacked, :data:`MAX_RATIO` unpacked to
packed (a zip bomb stops there), no member outside the folder (``..``, absolute paths) and no
links. A folder is walked without following links. Every refusal is a :class:`BundleError`
naming the file and the limit.

Which file is which: ``application.json`` (the application's facts) may list the documents
with their types, as the planning application data specification lists supporting documents;
a file it does not list is recognised by its extension and its name (``baseline``, ``post``,
``statement``, ``hmmp``, …). Habitat maps are GeoPackages, or a subfolder or .zip of Shapefile
or GeoJSON layer files.
"""

from __future__ import annotations

import hashlib
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from bng.planning import DOCUMENT_TYPES

from .errors import BundleError

MAX_FILES = 500
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200
MAX_DEPTH = 4
APPLICATION_FILE = "application.json"
METRIC_SUFFIXES = (".xlsx", ".xlsm")
MAP_SUFFIXES = (".gpkg",)
LAYER_SUFFIXES = (".shp", ".geojson")

# words in a file's name that say what it is, in the order they are tried
NAME_HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("proof", "purchase", "bngcrd"), "proof-of-purchase"),
    (("hmmp", "management and monitoring", "management-and-monitoring", "management_and_monitoring"), "hmmp"),
    (
        ("draft gain plan", "draft-gain-plan", "draft_gain_plan", "draft bgp", "draft-bgp", "draft_bgp"),
        "draft-gain-plan",
    ),
    (("gain plan", "gain-plan", "gain_plan", "bgp"), "gain-plan"),
    (("statement",), "biodiversity-statement"),
    (
        ("condition assessment", "condition-assessment", "condition_assessment", "condition sheets"),
        "condition-assessment",
    ),
    (("morph", "river condition", "river-condition", "river_condition"), "river-condition-assessment"),
    (("irreplaceable",), "irreplaceable-habitat-plan"),
    (("off-site", "offsite", "off_site"), "off-site-plan"),
    (("agreement", "s106", "covenant"), "legal-agreement"),
    (("metric",), "metric-pdf"),
    (("baseline",), "baseline-plan"),
    (("post", "proposed"), "post-intervention-plan"),
)


@dataclass
class BundleFile:
    """One file of the submission, with its document type (guessed from its name, or as application.json lists it)."""

    name: str  # path relative to the submission, with / separators
    path: Path
    size: int
    type: str  # one of DOCUMENT_TYPES, or "application" for application.json
    declared: bool = False  # listed in application.json
    _sha256: str | None = field(default=None, repr=False)

    @property
    def suffix(self) -> str:
        """The extension, in lower case: what decides how the file is read."""
        return PurePosixPath(self.name).suffix.lower()

    def sha256(self) -> str:
        """The file's SHA-256, read once: a proof of purchase is recognised by it."""
        if self._sha256 is None:
            h = hashlib.sha256()
            with self.path.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            self._sha256 = h.hexdigest()
        return self._sha256


@dataclass
class Bundle:
    """A submission opened (a folder, or a zip unpacked under ``root``): its files and map folders."""

    source: Path
    root: Path
    files: list[BundleFile]
    map_sets: list[BundleFile]  # subfolders of Shapefile/GeoJSON layers (type baseline-map / post-intervention-map)

    def of_type(self, *types: str) -> list[BundleFile]:
        """The files (and map folders) of these document types."""
        return [f for f in self.files + self.map_sets if f.type in types]

    def named(self, name: str) -> BundleFile | None:
        """The file application.json lists as ``name`` (its path, or just its file name, in any case)."""
        want = name.strip().replace("\\", "/").lstrip("./").lower()
        for f in self.files + self.map_sets:
            if f.name.lower() == want or PurePosixPath(f.name).name.lower() == want:
                return f
        return None

    @property
    def application(self) -> BundleFile | None:
        """The submission's application.json, if it has one."""
        found = [f for f in self.files if f.type == "application"]
        return found[0] if found else None


def guess_type(name: str) -> str:
    """A file's document type from its extension and name (``other`` when nothing says)."""
    p = PurePosixPath(name)
    low = p.name.lower().replace("_", " ")
    if p.name.lower() == APPLICATION_FILE:
        return "application"
    if p.suffix.lower() in METRIC_SUFFIXES:
        return "metric"
    if p.suffix.lower() in (*MAP_SUFFIXES, ".zip"):
        return "post-intervention-map" if ("post" in low or "proposed" in low) else "baseline-map"
    if p.suffix.lower() != ".pdf":
        return "other"
    for words, kind in NAME_HINTS:
        if any(w.replace("_", " ") in low for w in words):
            return kind
    return "other"


def _is_layer_set(folder: Path) -> bool:
    return any(p.suffix.lower() in LAYER_SUFFIXES for p in folder.iterdir() if p.is_file())


def _walk(root: Path) -> tuple[list[BundleFile], list[BundleFile]]:
    files: list[BundleFile] = []
    sets: list[BundleFile] = []
    total = 0

    def visit(folder: Path, depth: int) -> None:
        nonlocal total
        for entry in sorted(folder.iterdir()):
            info = entry.lstat()
            if stat.S_ISLNK(info.st_mode) or entry.name.startswith(".") or entry.name == "__MACOSX":
                continue
            rel = entry.relative_to(root).as_posix()
            if stat.S_ISDIR(info.st_mode):
                if depth >= MAX_DEPTH:
                    raise BundleError(f"{rel}: folders nested more than {MAX_DEPTH} deep")
                if _is_layer_set(entry):
                    size = sum(p.stat().st_size for p in entry.iterdir() if p.is_file())
                    sets.append(BundleFile(rel, entry, size, guess_type(rel + ".zip")))
                    total += size
                else:
                    visit(entry, depth + 1)
                continue
            if not stat.S_ISREG(info.st_mode):
                continue
            if len(files) >= MAX_FILES:
                raise BundleError(f"more than {MAX_FILES} files in the submission")
            if info.st_size > MAX_FILE_BYTES:
                raise BundleError(f"{rel}: {info.st_size:,} bytes is more than the {MAX_FILE_BYTES:,} a file may be")
            total += info.st_size
            if total > MAX_TOTAL_BYTES:
                raise BundleError(f"the submission is more than {MAX_TOTAL_BYTES:,} bytes")
            files.append(BundleFile(rel, entry, info.st_size, guess_type(rel)))

    visit(root, 0)
    return files, sets


def _unzip(path: Path, into: Path) -> None:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise BundleError(f"{path.name}: not a readable .zip file ({err})") from None
    with zf:
        members = zf.infolist()
        if len(members) > MAX_FILES:
            raise BundleError(f"{path.name}: {len(members)} members, more than the {MAX_FILES} a submission may hold")
        total = sum(m.file_size for m in members)
        packed = max(1, sum(m.compress_size for m in members))
        if total > MAX_TOTAL_BYTES:
            raise BundleError(f"{path.name}: unpacks to {total:,} bytes, more than the {MAX_TOTAL_BYTES:,} allowed")
        if total > 10 * 1024 * 1024 and total / packed > MAX_RATIO:
            raise BundleError(f"{path.name}: unpacks to {total / packed:,.0f} times its size (a zip bomb?)")
        base = into.resolve()
        for m in members:
            name = m.filename.replace("\\", "/")
            parts = PurePosixPath(name).parts
            if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
                raise BundleError(f"{path.name}: member {m.filename!r} would be written outside the submission")
            if (m.external_attr >> 16) & 0o170000 == 0o120000:
                raise BundleError(f"{path.name}: member {m.filename!r} is a link")
            if m.file_size > MAX_FILE_BYTES:
                raise BundleError(f"{path.name}: member {m.filename!r} is larger than {MAX_FILE_BYTES:,} bytes")
            target = (base / name).resolve()
            if base not in target.parents and target != base:
                raise BundleError(f"{path.name}: member {m.filename!r} would be written outside the submission")
            if m.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            with zf.open(m) as src, target.open("wb") as dst:
                for chunk in iter(lambda: src.read(1 << 20), b""):
                    written += len(chunk)
                    if written > m.file_size or written > MAX_FILE_BYTES:
                        raise BundleError(f"{path.name}: member {m.filename!r} unpacks larger than it says")
                    dst.write(chunk)


def _single_folder(root: Path) -> Path:
    """A zip of a folder unpacks to that one folder: look inside it."""
    entries = [e for e in root.iterdir() if not e.name.startswith(".") and e.name != "__MACOSX"]
    if len(entries) == 1 and entries[0].is_dir() and not _is_layer_set(entries[0]):
        return entries[0]
    return root


@contextmanager
def open_bundle(path: Path) -> Iterator[Bundle]:
    """The submission's files (a zip unpacked into a temporary folder that is removed afterwards)."""
    if not path.exists():
        raise BundleError(f"{path}: no such file or folder")
    tmp: str | None = None
    try:
        if path.is_dir():
            root = path
        elif path.suffix.lower() == ".zip":
            tmp = tempfile.mkdtemp(prefix="bng-submission-")
            _unzip(path, Path(tmp))
            root = _single_folder(Path(tmp))
        else:
            raise BundleError(f"{path}: a submission is a folder or a .zip of one")
        files, sets = _walk(root)
        yield Bundle(path, root, files, sets)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def declare(bundle: Bundle, documents: list[tuple[str, str]]) -> list[str]:
    """Give the files listed in application.json their declared types; the names listed but absent."""
    missing = []
    for name, kind in documents:
        f = bundle.named(name)
        if f is None:
            missing.append(name)
            continue
        if kind in DOCUMENT_TYPES and kind != "other":
            f.type = kind
        f.declared = True
    return missing
