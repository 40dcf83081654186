"""Determining a biodiversity gain plan: its states, the 8-week clock, and what approval needs.

received → validated → approved or refused (with reasons); a submission missing what the LPA
needs is returned as invalid and comes back as a new receipt. The LPA has 8 weeks from
receipt (``parameters.csv``), or longer if agreed in writing. There is no deemed discharge
(s.74A does not apply to the biodiversity gain condition): when the 8 weeks pass the plan
stays undetermined, development still may not begin, and the applicant's remedy is an appeal
(s.78, as extended by SI 2024/49 Part 4). The LPA must approve "if, and only if," satisfied
on the para 15 matters: a plan whose figures do not meet the objective cannot be approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .errors import TransitionError
from .gainplan import GainPlan, phase_problems
from .tables import tables


class PlanStatus(StrEnum):
    """Where a submitted gain plan stands with the LPA."""

    RECEIVED = "received"
    INVALID = "invalid"
    VALIDATED = "validated"
    APPROVED = "approved"
    REFUSED = "refused"


S = PlanStatus
TRANSITIONS: dict[PlanStatus, frozenset[PlanStatus]] = {
    S.RECEIVED: frozenset({S.VALIDATED, S.INVALID}),
    S.INVALID: frozenset({S.RECEIVED}),
    S.VALIDATED: frozenset({S.APPROVED, S.REFUSED}),
    S.APPROVED: frozenset(),
    S.REFUSED: frozenset(),
}
LABELS: dict[PlanStatus, str] = {
    S.RECEIVED: "Received",
    S.INVALID: "Returned: information missing",
    S.VALIDATED: "Validated: being determined",
    S.APPROVED: "Approved",
    S.REFUSED: "Refused",
}
DECIDED = frozenset({S.APPROVED, S.REFUSED})


def move(current: PlanStatus | str, to: PlanStatus | str, reasons: str = "") -> PlanStatus:
    """The new status, or TransitionError: a refusal and a return as invalid need reasons."""
    a, b = PlanStatus(current), PlanStatus(to)
    if b not in TRANSITIONS[a]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[a])) or "none (the plan is decided)"
        raise TransitionError(f"a plan that is {a.value} cannot become {b.value}; allowed: {allowed}")
    if b in (S.REFUSED, S.INVALID) and not reasons.strip():
        raise TransitionError(f"a plan is {b.value} only with reasons")
    return b


@dataclass(frozen=True, slots=True)
class Clock:
    """The determination period of a gain plan: received, due, and decided if it has been."""

    received_on: date
    due_on: date
    today: date
    decided_on: date | None = None

    @property
    def days_left(self) -> int:
        """Days until the decision is due (negative once overdue)."""
        return (self.due_on - self.today).days

    @property
    def overdue(self) -> bool:
        """Whether the decision is late and not yet made."""
        return self.decided_on is None and self.today > self.due_on

    def text(self) -> str:
        """The period in words, for the LPA's case page."""
        if self.decided_on is not None:
            late = (self.decided_on - self.due_on).days
            when = "on time" if late <= 0 else f"{late} day{'s' if late != 1 else ''} after the date due"
            return f"decided on {self.decided_on.isoformat()}, {when} ({self.due_on.isoformat()})"
        if self.overdue:
            return (
                f"overdue since {self.due_on.isoformat()}: the plan is NOT approved by default (no deemed discharge); "
                "development may not begin, and the applicant may appeal against non-determination"
            )
        n = self.days_left
        return f"decision due by {self.due_on.isoformat()} ({n} day{'s' if n != 1 else ''} left)"


def due_date(received_on: date, agreed_extension_to: date | None = None) -> date:
    """8 weeks from receipt, or a later date agreed in writing with the applicant."""
    due = received_on + timedelta(weeks=int(tables().number("bgp_determination_weeks")))
    if agreed_extension_to is not None and agreed_extension_to > due:
        return agreed_extension_to
    return due


def clock(received_on: date, today: date, decided_on: date | None = None, extended_to: date | None = None) -> Clock:
    """The determination clock of a plan received on a day (with an agreed extension, if any)."""
    return Clock(received_on, due_date(received_on, extended_to), today, decided_on)


def approval_problems(plan: GainPlan, overall: GainPlan | None = None) -> list[str]:
    """What stands in the way of approving a plan (an empty list: it may be approved)."""
    problems = []
    for v in plan.values:
        if (v.pre_development > 0 or v.post_development > 0) and not v.objective_met:
            problems.append(
                f"{v.module}: the plan's figures do not meet the biodiversity gain objective "
                f"({v.achieved:.4f} units gained, {v.gain_needed:.4f} needed at {v.target_percent:g} %)"
            )
    for a in plan.allocations:
        if a.verified is False:
            problems.append(f"allocation {a.reference}: {a.note or 'not confirmed on the register'}")
    for p in plan.purchases:
        if p.verified is False:
            problems.append(f"credits {p.reference}: {p.note or 'no matching proof of purchase'}")
    if plan.phase and plan.phase != "overall":
        if overall is None:
            problems.append("a phase plan is decided against the approved overall plan, which is missing")
        else:
            problems += phase_problems(overall, plan)
    return problems
