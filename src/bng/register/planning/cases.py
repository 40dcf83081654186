"""Planning cases: an applicant's biodiversity gain plan submitted to an LPA, validated and decided.

A case is one submission (the documents as a .zip: application.json, the metric, the maps, the
plans and PDFs) for a planning reference in one LPA. On receipt bng validates it
(:func:`bng.submission.check.validate_submission`, the register's own records deciding
allocations and proofs of purchase) and keeps the report (JSON and PDF) and the gain plan's data
(``bng/gain-plan/1``, what monitoring reads later). The LPA's officer then marks it validated or
returns it as invalid, records findings on the gain hierarchy, and approves or refuses it with
reasons, within 8 weeks of receipt unless extended in writing; nothing is ever approved by
default. Decisions are public (the s.69 register): reference, LPA, development, dates, outcome and
reasons, never the applicant's details.

Roles: an applicant (developer) submits and sees their own cases; an LPA officer sees and decides
the cases of their LPA; every change is in the audit log, in the same transaction.
"""

from __future__ import annotations

import hashlib
import secrets
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from bng.planning import DECIDED, LABELS, PlanStatus, TransitionError, clock, move
from bng.planning import planning_tables as tables
from bng.register.core import audit, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, Invalid, NotFound, Problem
from bng.register.core.filetypes import MAX_UPLOAD_BYTES
from bng.register.core.model import Lpa, StoredFile
from bng.register.core.ports import Clock, FileStore, UnitOfWork, UnitOfWorkFactory
from bng.register.core.references import CROCKFORD
from bng.register.core.roles import Permission
from bng.register.core.service import Service, require
from bng.register.core.uploads import Upload

from .records import RegisterRecords

SUBMISSION_KIND = "planning_submission"
REPORT_KIND = "planning_report"
FINDINGS = ("", "accepted", "not accepted")


@dataclass(eq=False)
class PlanningCase:
    """An applicant's gain plan submission to an LPA (``status``: bng.planning.determination.PlanStatus)."""

    reference: str
    planning_reference: str
    lpa_id: int
    development_name: str
    submitted_by: int
    received_on: date
    received_at: datetime
    updated_at: datetime
    status: str = PlanStatus.RECEIVED
    phase: str = ""  # "" (one plan), "overall", or the phase's name
    overall_reference: str = ""  # a phase plan's overall plan (a case reference)
    submission_sha256: str = ""
    submission_file_id: int | None = None
    report_file_id: int | None = None
    valid: bool = False  # bng's validation verdict on receipt
    report: dict[str, Any] = field(default_factory=dict)
    gain_plan: dict[str, Any] | None = None
    findings: dict[str, Any] = field(default_factory=dict)  # the officer's finding per hierarchy step
    extended_to: date | None = None
    decided_on: date | None = None
    decision_reasons: str = ""
    invalid_reasons: str = ""
    version: int = 1
    id: int | None = None


@dataclass(eq=False)
class PlanningCaseEvent:
    """What happened to a case, in the words its applicant and officer see (the audit log has the detail)."""

    case_id: int
    at: datetime
    kind: str
    message: str = ""
    by_user_id: int | None = None
    id: int | None = None


class PlanningRecords(Protocol):
    """The port for planning cases and their events, implemented by bng.db."""

    def case(self, reference: str, *, for_update: bool = False) -> PlanningCase | None:
        """The case with this reference; ``for_update`` locks it for a decision."""

    def of_owner(self, user_id: int) -> Sequence[PlanningCase]:
        """The cases an applicant submitted."""

    def of_lpa(self, lpa_id: int) -> Sequence[PlanningCase]:
        """The cases submitted to an LPA, for its officers' queue."""

    def decided(self) -> Sequence[PlanningCase]:
        """The approved and refused cases, for the public (s.69) register."""

    def by_submission(self, user_id: int, sha256: str, planning_reference: str) -> PlanningCase | None:
        """The applicant's case for this file and planning reference, so that a resubmission is the same case."""

    def events(self, case_id: int) -> Sequence[PlanningCaseEvent]:
        """What happened to a case, oldest first."""


class PlanningUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that also holds the planning cases."""

    planning: PlanningRecords

    def __enter__(self) -> PlanningUnitOfWork: ...


@dataclass(frozen=True)
class CaseView:
    """A case as its applicant or LPA officer sees it: its LPA, its events and its 8-week clock on ``today``."""

    case: PlanningCase
    lpa: Lpa | None
    events: tuple[PlanningCaseEvent, ...]
    today: date

    @property
    def status_label(self) -> str:
        """The case's status in the words of the pages."""
        return LABELS[PlanStatus(self.case.status)]

    @property
    def clock_text(self) -> str:
        """Where the case stands against its determination period (8 weeks unless extended in writing)."""
        c = self.case
        return clock(c.received_on, self.today, c.decided_on, c.extended_to).text()

    @property
    def overdue(self) -> bool:
        """Whether the determination period has passed without a decision."""
        c = self.case
        return clock(c.received_on, self.today, c.decided_on, c.extended_to).overdue

    @property
    def due_on(self) -> date:
        """The last day of the determination period, extension included."""
        c = self.case
        return clock(c.received_on, self.today, c.decided_on, c.extended_to).due_on


def case_reference() -> str:
    """A new case reference, ``PLN-XXXX-XXXX`` in Crockford's base 32 (no look-alike letters)."""
    chars = "".join(secrets.choice(CROCKFORD) for _ in range(8))
    return f"PLN-{chars[:4]}-{chars[4:]}"


def _trim_report(doc: dict[str, Any]) -> dict[str, Any]:
    """The parts of the validation report a case keeps (the PDF keeps the rest)."""
    keep = (
        "valid",
        "verdict",
        "checked_on",
        "lpa",
        "application",
        "applicability",
        "metric",
        "maps",
        "reconciliation",
        "register",
        "items",
        "problems",
        "letter",
        "significance",
        "hierarchy",
        "seconds",
    )
    out = {k: doc.get(k) for k in keep}
    if applicability := out.get("applicability"):
        out["applicability"] = {k: applicability.get(k) for k in ("condition_applies", "verdict", "missing")}
    return out


class PlanningCases(Service):
    """Gain plan cases: an applicant submits, the LPA's officers validate and decide, the public sees decisions."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, store: FileStore) -> None:
        super().__init__(uow, clock)
        self._store = store

    def _puow(self, write: bool = False) -> PlanningUnitOfWork:
        found: PlanningUnitOfWork = self._uow(write=write)  # type: ignore[assignment]
        return found

    # -- the applicant ------------------------------------------------------------------------------
    def submit(
        self,
        actor: Actor | None,
        *,
        planning_reference: str,
        lpa_id: int | None,
        development_name: str,
        upload: Upload | None,
        phase: str = "",
        overall_reference: str = "",
        once: submissions.Once | None = None,
    ) -> PlanningCase:
        """Receive an applicant's gain plan submission: validate it, keep it, start the 8-week clock.

        Idempotent: the same file for the same planning reference by the same applicant is the same case.
        Refuses a missing reference, LPA, name or .zip, a file over the upload limit, a phase plan without
        an overall plan of the applicant's, and documents made for another planning reference.
        """
        actor = require(actor, Permission.SUBMIT_GAIN_PLAN)
        problems = []
        ref = planning_reference.strip()
        if not ref:
            problems.append(("planning_reference", "Enter the planning application reference"))
        if lpa_id is None:
            problems.append(("lpa_id", "Select the local planning authority"))
        if not development_name.strip():
            problems.append(("development_name", "Enter the development's name"))
        if upload is None or not upload.data:
            problems.append(("submission_file", "Upload the documents as a .zip file"))
        elif len(upload.data) > MAX_UPLOAD_BYTES:
            problems.append(("submission_file", f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"))
        elif not upload.filename.lower().endswith(".zip") or not upload.data.startswith(b"PK"):
            problems.append(("submission_file", "The documents must be one .zip file"))
        if phase not in ("", "overall") and not overall_reference.strip():
            problems.append(("overall_reference", "A phase plan names the overall plan it belongs to"))
        if problems:
            raise Invalid("Check the submission", [Problem(f, m) for f, m in problems])
        assert upload is not None and lpa_id is not None
        digest = hashlib.sha256(upload.data).hexdigest()
        with self._puow() as uow:
            lpa = uow.lpas.get(lpa_id)
            if lpa is None:
                raise Invalid.one("lpa_id", "Select the local planning authority")
            same = uow.planning.by_submission(actor.user_id, digest, ref)
            if same is not None:
                return same
            if overall_reference.strip():
                overall = uow.planning.case(overall_reference.strip().upper())
                if overall is None or overall.submitted_by != actor.user_id or overall.phase != "overall":
                    raise Invalid.one("overall_reference", "No overall plan of yours has this reference")
        report, gain_plan, pdf = self._validate(upload, lpa, ref)
        now = self.now()
        with self._puow(write=True) as uow:
            submissions.claim(uow, actor, once, now)
            same = uow.planning.by_submission(actor.user_id, digest, ref)
            if same is not None:  # an identical file that won the race
                return same
            zip_file = self._put(uow, actor, SUBMISSION_KIND, upload.filename[-200:], "application/zip", upload.data)
            pdf_file = self._put(
                uow, actor, REPORT_KIND, f"validation-{ref.replace('/', '-')}.pdf", "application/pdf", pdf
            )
            case = PlanningCase(
                reference=case_reference(),
                planning_reference=ref,
                lpa_id=lpa_id,
                development_name=development_name.strip()[:200],
                submitted_by=actor.user_id,
                received_on=now.date(),
                received_at=now,
                updated_at=now,
                phase=phase,
                overall_reference=overall_reference.strip().upper(),
                submission_sha256=digest,
                submission_file_id=zip_file.id,
                report_file_id=pdf_file.id,
                valid=bool(report.get("valid")),
                report=report,
                gain_plan=gain_plan,
            )
            uow.add(case)
            uow.flush()
            assert case.id is not None
            submissions.settle(uow, once, case.reference)
            verdict = "valid" if case.valid else "not valid"
            self._event(uow, case, "received", f"Received; bng's check on receipt: {verdict}", actor)
            audit.record(
                uow,
                now,
                actor,
                "planning_case.received",
                "planning_case",
                case.reference,
                None,
                audit.snapshot(
                    case, ("reference", "planning_reference", "lpa_id", "status", "valid", "phase", "submission_sha256")
                ),
            )
            uow.commit()
            return case

    def _validate(
        self, upload: Upload, lpa: Lpa, planning_reference: str
    ) -> tuple[dict[str, Any], dict[str, Any] | None, bytes]:
        """Validate the zip as bng planning validate does, with the register's own records."""
        from bng.submission import (
            BundleError,
            DocumentInputError,
            case_from_submission,
            gain_plan,
            validate_submission,
            write_report,
        )

        records = RegisterRecords(self._uow)
        profile = tables().lpa(lpa.ons_code or "") or tables().lpa(lpa.name.removesuffix(" LPA"))
        with tempfile.TemporaryDirectory(prefix="bng-planning-") as tmp:
            path = Path(tmp) / "submission.zip"
            path.write_bytes(upload.data)
            try:
                report = validate_submission(
                    path, lpa=profile.code if profile else None, records=records, today=self.today()
                )
            except BundleError as err:
                raise Invalid.one("submission_file", str(err)) from None
            if report.application.reference and report.application.reference.strip() != planning_reference:
                raise Invalid.one(
                    "planning_reference",
                    f"The documents are for planning application {report.application.reference!r}, "
                    f"not {planning_reference!r}",
                )
            out = Path(tmp) / "report.pdf"
            write_report(report, out, created=self.now())
            plan = None
            try:
                case, _notes = case_from_submission(path, lpa=report.lpa.code, records=records, today=self.today())
                plan = gain_plan(case, "final").to_dict()
            except (DocumentInputError, BundleError):
                plan = None
            return _trim_report(report.to_dict()), plan, out.read_bytes()

    def _put(self, uow: UnitOfWork, actor: Actor, kind: str, name: str, media: str, data: bytes) -> StoredFile:
        key = self._store.put(data)
        uow.on_rollback(lambda: self._store.delete(key))
        stored = StoredFile(
            key=key,
            kind=kind,
            name=name,
            media_type=media,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_at=self.now(),
            uploaded_by=actor.user_id,
        )
        uow.add(stored)
        uow.flush()
        return stored

    def _event(self, uow: UnitOfWork, case: PlanningCase, kind: str, message: str, actor: Actor | None) -> None:
        assert case.id is not None
        uow.add(PlanningCaseEvent(case.id, self.now(), kind, message, actor.user_id if actor else None))

    def mine(self, actor: Actor | None) -> list[CaseView]:
        """The cases the applicant submitted."""
        actor = require(actor, Permission.SUBMIT_GAIN_PLAN)
        with self._puow() as uow:
            return [self._view(uow, c) for c in uow.planning.of_owner(actor.user_id)]

    # -- seeing a case --------------------------------------------------------------------------------
    def _view(self, uow: PlanningUnitOfWork, case: PlanningCase) -> CaseView:
        assert case.id is not None
        return CaseView(case, uow.lpas.get(case.lpa_id), tuple(uow.planning.events(case.id)), self.today())

    def _visible(self, actor: Actor, case: PlanningCase | None) -> PlanningCase:
        if case is None:
            raise NotFound("No such case")
        if actor.role == "lpa_officer" and actor.lpa_id == case.lpa_id:
            return case
        if case.submitted_by == actor.user_id:
            return case
        raise NotFound("No such case")

    def view(self, actor: Actor | None, reference: str) -> CaseView:
        """The case for its applicant or an officer of its LPA (anyone else: NotFound)."""
        if actor is None:
            raise NotFound("No such case")
        with self._puow() as uow:
            return self._view(uow, self._visible(actor, uow.planning.case(reference.strip().upper())))

    def report_pdf(self, actor: Actor | None, reference: str) -> tuple[str, bytes]:
        """The validation report made on receipt, as (file name, PDF), for the applicant or the LPA's officers."""
        if actor is None:
            raise NotFound("No such case")
        with self._puow() as uow:
            case = self._visible(actor, uow.planning.case(reference.strip().upper()))
            stored = uow.files.get(case.report_file_id) if case.report_file_id else None
            if stored is None:
                raise NotFound("No report")
            return stored.name, self._store.get(stored.key)

    def document_pdf(self, actor: Actor | None, reference: str, kind: str) -> tuple[str, bytes]:
        """A document generated from the case's submission (statement, gain plan, HMMP skeleton) as PDF."""
        from bng.submission import KINDS, DocumentInputError, case_from_submission, render

        if actor is None or kind not in KINDS:
            raise NotFound("No such document")
        with self._puow() as uow:
            case = self._visible(actor, uow.planning.case(reference.strip().upper()))
            stored = uow.files.get(case.submission_file_id) if case.submission_file_id else None
            lpa = uow.lpas.get(case.lpa_id)
        if stored is None:
            raise NotFound("No submission")
        profile = tables().lpa(lpa.ons_code or "") if lpa else None
        with tempfile.TemporaryDirectory(prefix="bng-planning-") as tmp:
            path = Path(tmp) / "submission.zip"
            path.write_bytes(self._store.get(stored.key))
            try:
                built, _notes = case_from_submission(
                    path, lpa=profile.code if profile else None, records=RegisterRecords(self._uow), today=self.today()
                )
            except DocumentInputError as err:
                raise NotFound(str(err)) from None
            _ctx, _html, pdf, _data = render(built, kind)
        return f"{kind}-{case.planning_reference.replace('/', '-')}.pdf", pdf

    def check_only(self, actor: Actor | None, upload: Upload | None, lpa_code: str = "") -> tuple[dict[str, Any], str]:
        """An officer's check of an application's documents, kept nowhere: the report and its text."""
        from bng.submission import BundleError, UnknownLpa, render_text, validate_submission

        actor = require(actor, Permission.DETERMINE_GAIN_PLANS)
        if upload is None or not upload.data:
            raise Invalid.one("submission_file", "Upload the application's documents as a .zip file")
        if len(upload.data) > MAX_UPLOAD_BYTES or not upload.filename.lower().endswith(".zip"):
            raise Invalid.one("submission_file", "The documents must be one .zip file, up to the upload limit")
        if not lpa_code and actor.lpa_id is not None:
            with self._puow() as uow:
                lpa = uow.lpas.get(actor.lpa_id)
            found = tables().lpa(lpa.ons_code or "") if lpa else None
            lpa_code = found.code if found else ""
        with tempfile.TemporaryDirectory(prefix="bng-planning-") as tmp:
            path = Path(tmp) / "submission.zip"
            path.write_bytes(upload.data)
            try:
                report = validate_submission(
                    path, lpa=lpa_code or None, records=RegisterRecords(self._uow), today=self.today()
                )
            except (BundleError, UnknownLpa) as err:
                raise Invalid.one("submission_file", str(err)) from None
            return report.to_dict(), render_text(report)

    # -- the LPA officer ------------------------------------------------------------------------------
    def queue(self, actor: Actor | None) -> tuple[Lpa | None, list[CaseView]]:
        """An LPA officer's LPA and its cases to determine (none for an officer without an LPA)."""
        actor = require(actor, Permission.DETERMINE_GAIN_PLANS)
        if actor.lpa_id is None:
            return None, []
        with self._puow() as uow:
            return uow.lpas.get(actor.lpa_id), [self._view(uow, c) for c in uow.planning.of_lpa(actor.lpa_id)]

    def _officers_case(self, uow: PlanningUnitOfWork, actor: Actor, reference: str) -> PlanningCase:
        case = uow.planning.case(reference.strip().upper(), for_update=True)
        if case is None or actor.lpa_id is None or case.lpa_id != actor.lpa_id:
            raise NotFound("No such case")
        return case

    def _move(
        self,
        actor: Actor | None,
        reference: str,
        to: PlanStatus,
        reasons: str = "",
        once: submissions.Once | None = None,
    ) -> PlanningCase:
        actor = require(actor, Permission.DETERMINE_GAIN_PLANS)
        now = self.now()
        with self._puow(write=True) as uow:
            submissions.claim(uow, actor, once, now)
            case = self._officers_case(uow, actor, reference)
            if case.status == to:  # the same decision posted again: nothing more to do
                return case
            try:
                move(case.status, to, reasons)
            except TransitionError as err:
                raise Conflict(str(err)) from None
            before = audit.snapshot(case, ("status", "decided_on", "decision_reasons", "invalid_reasons"))
            if to == PlanStatus.APPROVED:
                problems = self._approval_problems(uow, case)
                if problems:
                    raise Invalid("The plan cannot be approved", [Problem("decision", p) for p in problems])
            case.status = to
            case.updated_at = now
            if to in DECIDED:
                case.decided_on = now.date()
                case.decision_reasons = reasons.strip()
            if to == PlanStatus.INVALID:
                case.invalid_reasons = reasons.strip()
            words = {
                PlanStatus.VALIDATED: "Validated: the plan is being determined",
                PlanStatus.INVALID: f"Returned as invalid: {reasons.strip()}",
                PlanStatus.APPROVED: "Approved" + (f": {reasons.strip()}" if reasons.strip() else ""),
                PlanStatus.REFUSED: f"Refused: {reasons.strip()}",
            }[to]
            self._event(uow, case, to.value, words, actor)
            after = audit.snapshot(case, ("status", "decided_on", "decision_reasons", "invalid_reasons"))
            audit.record(uow, now, actor, f"planning_case.{to.value}", "planning_case", case.reference, before, after)
            submissions.settle(uow, once, case.reference)
            uow.commit()
            return case

    def _approval_problems(self, uow: PlanningUnitOfWork, case: PlanningCase) -> list[str]:
        plan = case.gain_plan
        if not plan:
            return ["the submission holds no gain plan bng could read (no metric)"]
        problems = []
        objective = plan.get("objective", {})
        for m in objective.get("modules", []):
            if (m.get("pre_development") or m.get("post_development_onsite")) and not m.get("objective_met"):
                problems.append(
                    f"{m['module']}: the plan's figures do not meet the biodiversity gain objective "
                    f"({(m.get('net_change') or 0):.4f} units gained at {m.get('target_percent')} %)"
                )
        for x in plan.get("offsite", []) + plan.get("credits", []):
            if x.get("verified") is False:
                problems.append(f"{x['reference']}: {x.get('note') or 'not confirmed on the register'}")
        if case.phase not in ("", "overall"):
            overall = uow.planning.case(case.overall_reference) if case.overall_reference else None
            if overall is None or overall.status != PlanStatus.APPROVED:
                problems.append("a phase plan is decided after its overall plan is approved")
            else:
                wanted = {p["phase"]: p["post_development"] for p in (overall.gain_plan or {}).get("phases", [])}
                given = (plan.get("post_development") or {}).get("values", {})
                for module, value in (wanted.get(case.phase) or {}).items():
                    if given.get(module, 0.0) < value - 1e-9:
                        problems.append(f"phase {case.phase}: {module} value below the overall plan's {value:.4f}")
        return problems

    def validated(self, actor: Actor | None, reference: str, *, once: submissions.Once | None = None) -> PlanningCase:
        """An officer marks the case valid, so that its determination starts."""
        return self._move(actor, reference, PlanStatus.VALIDATED, once=once)

    def invalid(
        self, actor: Actor | None, reference: str, reasons: str, *, once: submissions.Once | None = None
    ) -> PlanningCase:
        """An officer returns the case as invalid; refused without the reasons (what is missing or wrong)."""
        if not reasons.strip():
            raise Invalid.one("reasons", "Say what is missing or wrong")
        return self._move(actor, reference, PlanStatus.INVALID, reasons, once)

    def decide(
        self, actor: Actor | None, reference: str, outcome: str, reasons: str, *, once: submissions.Once | None = None
    ) -> PlanningCase:
        """An officer approves or refuses the plan; refusing needs reasons, approving a plan that meets its objective.

        Approval is refused while the figures miss the biodiversity gain objective, an allocation or credit
        purchase is not confirmed on the register, or a phase plan falls short of its approved overall plan.
        """
        if outcome not in ("approved", "refused"):
            raise Invalid.one("outcome", "Select approve or refuse")
        if outcome == "refused" and not reasons.strip():
            raise Invalid.one("reasons", "Give the reasons for refusing the plan")
        return self._move(actor, reference, PlanStatus(outcome), reasons, once)

    def record_findings(
        self,
        actor: Actor | None,
        reference: str,
        findings: dict[str, tuple[str, str]],
        *,
        once: submissions.Once | None = None,
    ) -> PlanningCase:
        """The officer's finding on each step of the gain hierarchy: accepted / not accepted, with a note."""
        actor = require(actor, Permission.DETERMINE_GAIN_PLANS)
        steps = {h.code for h in tables().hierarchy_steps}
        clean: dict[str, Any] = {}
        for step, (finding, note) in findings.items():
            if step not in steps:
                raise Invalid.one(step, f"No hierarchy step {step!r}")
            if finding not in FINDINGS:
                raise Invalid.one(step, "Select accepted or not accepted")
            clean[step] = {"finding": finding, "note": note.strip()[:2000]}
        now = self.now()
        with self._puow(write=True) as uow:
            submissions.claim(uow, actor, once, now)
            case = self._officers_case(uow, actor, reference)
            if case.status in {s.value for s in DECIDED}:
                raise Conflict("The plan is decided: its findings cannot change")
            if case.findings == clean:
                return case
            before = {"findings": case.findings}
            case.findings = clean
            case.updated_at = now
            self._event(uow, case, "findings", "Findings on the gain hierarchy recorded", actor)
            audit.record(
                uow, now, actor, "planning_case.findings", "planning_case", case.reference, before, {"findings": clean}
            )
            submissions.settle(uow, once, case.reference)
            uow.commit()
            return case

    # -- the public (s.69 register) -------------------------------------------------------------------
    def decisions(self) -> list[dict[str, Any]]:
        """The public register of decided plans (s.69), without the applicants' details."""
        with self._puow() as uow:
            out = []
            for c in uow.planning.decided():
                lpa = uow.lpas.get(c.lpa_id)
                out.append(public_entry(c, lpa))
            return out

    def decision(self, reference: str) -> dict[str, Any]:
        """One decided plan as the public sees it; an undecided case is not found."""
        with self._puow() as uow:
            c = uow.planning.case(reference.strip().upper())
            if c is None or c.status not in {s.value for s in DECIDED}:
                raise NotFound("No such decision")
            return public_entry(c, uow.lpas.get(c.lpa_id))


def public_entry(c: PlanningCase, lpa: Lpa | None) -> dict[str, Any]:
    """What the public register shows of a decided plan: nothing about the applicant."""
    plan = c.gain_plan or {}
    significant = [
        {
            "ref": p.get("ref"),
            "habitat": p.get("habitat"),
            "size": p.get("size"),
            "unit": p.get("unit"),
            "tier": p.get("tier"),
        }
        for p in plan.get("significant_parcels", [])
    ]
    return {
        "reference": c.reference,
        "planning_reference": c.planning_reference,
        "lpa": lpa.name if lpa else "",
        "development": c.development_name,
        "phase": c.phase,
        "received_on": c.received_on,
        "decided_on": c.decided_on,
        "decision": c.status,
        "reasons": c.decision_reasons,
        "objective": plan.get("objective", {}).get("modules", []),
        "significant": significant,
    }
