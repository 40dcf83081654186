"""Reading a section's form as posted: its typed fields and its uploads, every problem gathered.

Each section's answer class (``answers``) parses its form with a :class:`Form`: the problems it
finds are kept, worded for the person who typed the answers, and reported all at once when the
section is checked (``Form.check``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Protocol, TypeVar

from bng.register.core.errors import Invalid, Problem
from bng.register.core.filetypes import DocumentKind, FileType
from bng.register.core.model import Lpa, ResponsibleBody, StoredFile
from bng.register.core.places import Places
from bng.register.core.uploads import Upload

T = TypeVar("T")


class SectionContext(Protocol):
    """What a section needs while saving: storing files, reference lists, where places are."""

    places: Places
    today: date

    @property
    def answers(self) -> Mapping[str, Any]:
        """The application's answers as saved (the allocation section reads the habitats)."""

    @property
    def reference(self) -> str:
        """The application's reference (a development's metric names it before registration)."""

    def store(self, kind: DocumentKind, upload: Upload) -> tuple[StoredFile, FileType]:
        """Check an upload and store it with the application; Invalid when it is not a ``kind`` file."""

    def file_bytes(self, file_id: int) -> bytes:
        """A stored file's contents."""

    def file_name(self, file_id: int) -> str:
        """A stored file's name: the upload's own, in safe characters."""

    def parsed(self, read: Callable[..., T], *args: Any) -> T:
        """``read(*args)``: reading an upload, done once, before any database transaction opens."""
        ...

    def keep_geometry(self, geom: Any) -> dict[str, Any]:
        """Keep a geometry apart from the answers; what the answers hold of it (its digest and size)."""
        ...

    def lpa(self, lpa_id: int) -> Lpa | None:
        """An LPA from the register's list."""

    def body(self, body_id: int) -> ResponsibleBody | None:
        """A responsible body from the register's list of designated bodies."""


class Form:
    """One section's form as posted, read field by field; ``problems`` holds what is wrong with it."""

    def __init__(
        self, section: str, values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
    ) -> None:
        self.section = section
        self.values = values
        self.uploads = uploads
        self.ctx = ctx
        self.problems: list[Problem] = []

    def problem(self, field: str, message: str) -> None:
        """Note a problem with a field of this section."""
        self.problems.append(Problem(field, message, self.section))

    def text(self, name: str) -> str:
        """A typed answer as given, line breaks kept (a browser's CR LF read as one line break)."""
        v = self.values.get(name)
        return str(v).replace("\r\n", "\n").strip() if v is not None else ""

    def required(self, name: str, label: str) -> str:
        """A typed answer that must be given ("Enter ``label``" when it is not)."""
        v = self.text(name)
        if not v:
            self.problem(name, f"Enter {label}")
        return v

    def date(self, name: str, label: str) -> date | None:
        """A date answer (ISO, as the date inputs send it); None, with a problem, when missing or not a date."""
        v = self.values.get(name)
        if isinstance(v, date):
            return v
        if isinstance(v, str) and v:
            try:
                return date.fromisoformat(v)
            except ValueError:
                self.problem(name, f"{label} must be a real date")
                return None
        self.problem(name, f"Enter {label.lower()}")
        return None

    def number(self, name: str, label: str) -> float | None:
        """A number answer (commas allowed); None, with a problem, when missing or not a number."""
        v = self.values.get(name)
        if isinstance(v, int | float):
            return float(v)
        text = self.text(name).replace(",", "")
        if not text:
            self.problem(name, f"Enter {label}")
            return None
        try:
            return float(text)
        except ValueError:
            self.problem(name, f"{label[0].upper()}{label[1:]} must be a number, like 12.5")
            return None

    def file(
        self, name: str, earlier: int | None, kind: DocumentKind, label: str, required: bool = True
    ) -> tuple[int | None, FileType | None]:
        """Store a new upload for ``name`` (replacing the ``earlier`` one), or keep the earlier one.

        Returns the file's id, and its type when it is new.
        """
        upload = self.uploads.get(name)
        if upload is not None and upload.data:
            try:
                stored, found = self.ctx.store(kind, upload)
            except Invalid as err:
                self.problems.extend(Problem(name, p.message, self.section) for p in err.problems)
                return None, None
            return stored.id, found
        if earlier is None and required:
            self.problem(name, f"Upload the {label}")
        return earlier, None

    def check(self) -> None:
        """Invalid with every problem found, when there are any."""
        if self.problems:
            raise Invalid("There is a problem with your answers", self.problems)
