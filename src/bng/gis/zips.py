"""Zip members a reader must never follow: one rule for every zip bng opens (maps, uploads)."""

from __future__ import annotations

import re

_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_member(name: str) -> bool:
    r"""A member whose path is absolute (``/x``, ``\x``, ``C:x``, ``//server``) or climbs out of the zip (``..``).

    Such a name means the zip was made to reach outside the folder it is unpacked in; a GIS or an
    office program never writes one, so the whole zip is refused, not just the member.
    """
    return name.startswith(("/", "\\")) or bool(_DRIVE.match(name)) or "\0" in name or ".." in re.split(r"[\\/]", name)
