"""An order's draft: its sections and what each answer must be, and the rules a metric meets to buy credits.

A metric buys credits once, for the development its Start sheet names.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bng.register.core.errors import Invalid, Problem
from bng.register.core.references import CROCKFORD

from .metric import MetricCredits

MAX_TEXT = 5_000
MINIMUM_AGE = 18


@dataclass(frozen=True, slots=True)
class Section:
    """One section of a credit order's task list: its key in the answers, its title and its hint."""

    key: str
    title: str
    hint: str


SECTIONS: tuple[Section, ...] = (
    Section("development", "Development details", "The LPA, planning reference and name of the development"),
    Section("metric", "Statutory biodiversity metric", "The development's metric, with its unit shortfall summary"),
    Section("quantities", "Credits to buy", "Per tier, from the metric; you may buy more, not fewer"),
    Section("gain-hierarchy", "Gain hierarchy", "Why on-site and registered off-site gains cannot deliver the units"),
    Section("purchase-order", "Purchase order number", "If your organisation needs one on the invoice"),
    Section("due-diligence", "Customer due diligence", "Who is buying the credits, for the required checks"),
    Section("terms", "Terms and conditions", "Accept the terms of sale"),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}


def credit_order_reference() -> str:
    """BNGCRD- and two groups of five characters of Crockford's base 32, drawn at random."""
    chars = "".join(secrets.choice(CROCKFORD) for _ in range(10))
    return f"BNGCRD-{chars[:5]}-{chars[5:]}"


def section_done(answers: Mapping[str, Any], key: str) -> bool:
    """Whether a section is answered; the quantities count only for the metric they were typed for."""
    if key not in answers:
        return False
    if key == "quantities":  # quantities belong to the metric they were typed for
        metric = answers.get("metric") or {}
        return bool(metric) and answers["quantities"].get("for_metric") == metric.get("sha256")
    return True


def all_done(answers: Mapping[str, Any]) -> bool:
    """Every section of the order is answered: the draft may be submitted."""
    return all(section_done(answers, s.key) for s in SECTIONS)


def _text(data: Mapping[str, Any], name: str, what: str, limit: int, required: bool = True) -> str:
    """A typed answer: one line (spaces tidied) up to 200 characters, else as typed with its line breaks.

    Longer than ``limit`` is refused, never cut short.
    """
    raw = str(data.get(name) or "").replace("\r\n", "\n")
    value = " ".join(raw.split()) if limit <= 200 else raw.strip()
    if required and not value:
        raise Invalid.one(name, f"Enter {what}")
    if len(value) > limit:
        raise Invalid.one(
            name, f"{what[0].upper()}{what[1:]} must be {limit:,} characters or fewer (it has {len(value):,})"
        )
    return value


def _texts(data: Mapping[str, Any], *fields: tuple[str, str, int]) -> dict[str, str]:
    """Several typed answers, every problem at once."""
    out: dict[str, str] = {}
    problems: list[Problem] = []
    for name, what, limit in fields:
        try:
            out[name] = _text(data, name, what, limit)
        except Invalid as err:
            problems += err.problems
    if problems:
        raise Invalid("There is a problem", problems)
    return out


NO_SHORTFALL = (
    "The metric shows no unit shortfall in any tier: the development does not need statutory biodiversity credits"
)


def _order_problems(credits: MetricCredits) -> list[Problem]:
    """Why an order cannot be made from this metric (none when it can), each problem listed.

    The page shows every one, after what matters most: a metric with no shortfall needs no credits.
    """
    out = []
    if credits.usable and not credits.any_needed:
        out.append(Problem("metric_file", NO_SHORTFALL))
    if credits.problems:
        n = len(credits.problems)
        shown = [Problem("metric_file", p) for p in credits.problems[:20]]
        more = n - len(shown)
        lead = (
            "The metric has 1 problem: correct it and upload the metric again"
            if n == 1
            else f"The metric has {n} problems: correct them and upload the metric again"
        )
        out += [Problem("metric_file", lead + (f" ({more} more are not listed)" if more > 0 else "")), *shown]
    elif not credits.usable:
        out.append(Problem("metric_file", credits.tier_error()))
    return out


def _plain(text: str) -> str:
    return "".join(text.lower().split())


COUNCIL_WORDS = frozenset({"lpa", "council", "district", "borough", "city", "county", "metropolitan", "the", "of"})


def _council(name: str) -> str:
    """An LPA's name without the words councils add to it; "" for none.

    "South Cambridgeshire District Council" and "South Cambridgeshire LPA" are the same.
    """
    words = re.sub(r"[^a-z0-9 ]", " ", name.lower().replace("&", " and ")).split()
    return " ".join(w for w in words if w not in COUNCIL_WORDS)


def _loggable(key: str, answer: dict[str, Any]) -> dict[str, Any]:
    """What the audit log keeps of a section: not the metric's whole credit table, nor a date of birth."""
    if key == "metric":
        return {k: v for k, v in answer.items() if k != "credits"} | {"needed": answer["credits"]["needed"]}
    if key == "due-diligence" and answer.get("date_of_birth"):
        return answer | {"date_of_birth": "[recorded]"}  # personal data stays in the order, not in the log
    return answer
