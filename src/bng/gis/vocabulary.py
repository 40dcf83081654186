"""The metric's words, as the attribute columns of a habitat map may write them.

Each lookup takes the text of a cell and gives the metric's own wording, or the reason it
cannot. The standard's readers are lenient in known ways (a leading list number such as
"3. Moderate" is dropped, "N/A", "Null" and blanks are blank, case does not matter, the
broad habitat may be given apart from or inside the habitat type); so are these. Lookups are
cached: a map of 100,000 parcels has only a few hundred distinct cells.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from bng.metric import CONDITIONS, AreaHabitat, Release

from .standard import BLANKS, MAX_YEARS, RETENTION, TO_BE_CREATED, TREE_HABITATS, TREE_SIZES

LIST_PREFIX = re.compile(r"^\s*\d+\s*[.)]\s*")


def text(value: Any) -> str | None:
    """A cell as trimmed text, or None when blank ("", "N/A", "Null", NaN, …)."""
    if value is None:
        return None
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if not isinstance(value, str):
        s = str(value)
        return None if s in ("NaT", "nan", "None") else s.strip() or None
    s = value.strip()
    return None if s.lower() in BLANKS else s


def _key(s: str) -> str:
    return " ".join(s.replace("/ ", "/").replace(" /", "/").split()).lower()


def strip_prefix(s: str) -> str:
    """A value without the list's numbering prefix ("1 - Good" is "Good")."""
    return LIST_PREFIX.sub("", s)


@dataclass(frozen=True, slots=True)
class Lookup:
    """A cell read: the metric's wording, or a problem (code, message) and maybe still a value."""

    value: str | None
    code: str | None = None
    message: str = ""


def _unknown(what: str, value: str, expected: str, code: str = "UNKNOWN_VALUE") -> Lookup:
    """A cell none of the column's values matched, said one way: what it read and what the column takes."""
    return Lookup(None, code, f"unknown {what} {value!r}; expected {expected}")


def _one_of(values: Iterable[str]) -> str:
    return "one of " + ", ".join(map(repr, values))


class Vocabulary:
    """The values of one metric release, looked up as the map writes them."""

    def __init__(self, rel: Release) -> None:
        """Index the release's habitats, types and conditions by the words maps use."""
        self.rel = rel
        by_type: dict[str, list[str]] = {}
        for h in rel.area_habitats.values():
            by_type.setdefault(h.type.lower(), []).append(h.label)
        self._by_type = by_type
        self._hedges = {_key(n): n for n in rel.hedgerow_types}
        self._rivers = {_key(n): n for n in rel.watercourse_types}
        self._ss = {_key(n): n for n in rel.strategic_significance}
        self._ss.update({_key(k): v for k, v in rel.strategic_significance_aliases.items()})
        self._srm = {_key(n): n for n in rel.spatial_risk}
        self._srm_water = {_key(n): n for n in rel.spatial_risk_watercourse}
        self._enc = {_key(n): n for n in rel.watercourse_encroachment}
        self._rip = {_key(n): n for n in rel.riparian_encroachment}
        self._conditions = {c.lower(): c for c in CONDITIONS}
        self.area_habitat = cache(self._area_habitat)
        self.hedge_type = cache(self._hedge_type)
        self.river_type = cache(self._river_type)
        self.condition = cache(self._condition)
        self.strategic_significance = cache(self._strategic_significance)
        self.spatial_risk = cache(self._spatial_risk)
        self.encroachment = cache(self._encroachment)
        self.riparian = cache(self._riparian)

    def habitat(self, label: str) -> AreaHabitat | None:
        """The release's area habitat of that label, or None."""
        return self.rel.area_habitat(label)

    def _area_habitat(self, broad: str | None, htype: str | None) -> Lookup:
        if htype is None:
            return Lookup(None)
        if broad:
            hab = self.rel.area_habitat(f"{broad} - {htype}")
            if hab is not None:
                return Lookup(hab.label)
        hab = self.rel.area_habitat(htype)  # the full label in the type column
        if hab is not None:
            return Lookup(hab.label)
        labels = self._by_type.get(htype.lower(), [])
        if len(labels) == 1:
            if broad:
                return Lookup(
                    labels[0],
                    "BROAD_HABITAT_MISMATCH",
                    f"broad habitat {broad!r} does not go with habitat type {htype!r}; read as {labels[0]!r}",
                )
            return Lookup(labels[0])
        shown = f"{broad} - {htype}" if broad else htype
        hint = f" (the type belongs to {', '.join(map(repr, labels))})" if labels else ""
        return Lookup(
            None,
            "UNKNOWN_HABITAT",
            f"unknown area habitat {shown!r}{hint}; expected a habitat of the statutory metric such as "
            "'Grassland' + 'Modified grassland'",
        )

    def _named(self, table: dict[str, str], value: str | None, what: str) -> Lookup:
        if value is None:
            return Lookup(None)
        got = table.get(_key(strip_prefix(value)))
        if got is not None:
            return Lookup(got)
        return _unknown(what, value, _one_of(dict.fromkeys(table.values())), "UNKNOWN_HABITAT")

    def _hedge_type(self, value: str | None) -> Lookup:
        if value is not None and value.lower() == TO_BE_CREATED:
            return Lookup(None)
        return self._named(self._hedges, value, "hedgerow type")

    def _river_type(self, value: str | None) -> Lookup:
        if value is not None and value.lower() == TO_BE_CREATED:
            return Lookup(None)
        return self._named(self._rivers, value, "watercourse type")

    def _condition(self, value: str | None, allowed: tuple[str, ...], habitat: str) -> Lookup:
        if value is None:
            return Lookup(None)
        cond = self._conditions.get(" ".join(strip_prefix(value).split()).lower())
        if cond is None:
            return _unknown("condition", value, _one_of(allowed))
        if cond not in allowed:
            return Lookup(
                cond,
                "CONDITION_NOT_ALLOWED",
                f"condition {cond!r} is not possible for {habitat!r}; expected {_one_of(allowed)}",
            )
        return Lookup(cond)

    def _strategic_significance(self, value: str | None) -> Lookup:
        if value is None:
            return Lookup(None)
        got = self._ss.get(_key(strip_prefix(value)))
        if got is not None:
            return Lookup(got)
        return _unknown("strategic significance", value, _one_of(self.rel.strategic_significance))

    def _spatial_risk(self, value: str | None, watercourse: bool) -> Lookup:
        if value is None:
            return Lookup(None)
        table = self._srm_water if watercourse else self._srm
        got = table.get(_key(value))
        if got is not None:
            return Lookup(got)
        return _unknown("spatial risk category", value, _one_of(table.values()))

    def _encroachment(self, value: str | None) -> Lookup:
        return self._choice(self._enc, value, "encroachment into the watercourse")

    def _riparian(self, value: str | None) -> Lookup:
        return self._choice(self._rip, value, "encroachment into the riparian zone")

    def _choice(self, table: dict[str, str], value: str | None, what: str) -> Lookup:
        if value is None:
            return Lookup(None)
        got = table.get(_key(strip_prefix(value)))
        if got is not None:
            return Lookup(got)
        return _unknown(what, value, _one_of(table.values()))

    @staticmethod
    def retention(value: str | None) -> Lookup:
        """The retention category a map's value names."""
        if value is None:
            return Lookup(None)
        v = strip_prefix(value).strip().lower()
        for r in RETENTION:
            if r.lower() == v:
                return Lookup(r)
        return _unknown("retention category", value, f"one of {', '.join(RETENTION)}")

    @staticmethod
    def tree_size(value: str | None) -> Lookup:
        """The tree size a map's value names."""
        if value is None:
            return Lookup(None)
        for s in TREE_SIZES:
            if s.lower() == " ".join(value.split()).lower():
                return Lookup(s)
        return _unknown("tree size", value, f"one of {', '.join(TREE_SIZES)}")

    @staticmethod
    def tree_habitat(value: str | None) -> Lookup:
        """The tree habitat (urban or rural) a map's value names."""
        if value is None:
            return Lookup(None)
        got = TREE_HABITATS.get(value.strip().lower().removesuffix(" tree"))
        if got is not None:
            return Lookup(got)
        return _unknown("tree kind", value, "'Urban' or 'Rural'")

    @staticmethod
    def years(value: Any) -> Lookup:
        """Advance or delay: whole years 0-30 or "30+"; blank and "N/A" are 0."""
        s = text(value)
        if s is None:
            return Lookup("0")
        if s.replace(" ", "") == "30+":
            return Lookup("30+")
        try:
            n = float(s)
        except ValueError:
            n = math.nan
        if not n.is_integer() or not 0 <= n <= MAX_YEARS:
            return Lookup("0", "BAD_YEARS", f"{s!r} is not a number of whole years from 0 to {MAX_YEARS}, or '30+'")
        return Lookup(str(int(n)))
