"""Lazy package faces: a package's public names imported from their modules on first use.

``bng.gis``, ``bng.workbook``, ``bng.submission`` and ``bng.audit`` are faces of this kind, so that
importing one (as the command line does at start) loads none of its heavy libraries until a name
is used. Their names' types come from each face's ``TYPE_CHECKING`` imports.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from importlib import import_module
from typing import Any


def lazy_face(
    package: str, where: Mapping[str, str], names: Sequence[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of a face.

    ``where`` maps each name to its module (``"module"``, or ``"module:attribute"`` when the face
    renames it). A name once imported is kept in the package's namespace, so it is looked up once.
    """
    namespace = sys.modules[package].__dict__

    def get(name: str) -> Any:
        try:
            module, _, attribute = where[name].partition(":")
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(import_module(f".{module}", package), attribute or name)
        namespace[name] = value
        return value

    def listed() -> list[str]:
        return sorted([*namespace, *names])

    return get, listed
