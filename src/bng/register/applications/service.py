"""Registration applications, from the first draft to submission (the landowner's or agent's side).

Each action is one transaction: saving a section stores its files and answers together, and a
section whose answers fail its checks is not saved at all (the files it stored are removed). The
uploads are read before that transaction opens (``bng.register.applications.reads``), so that reading a big or
hostile file never holds the database's write lock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from shapely.geometry.base import BaseGeometry

from bng.register.core import audit, notifications, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, Invalid, NotFound
from bng.register.core.fees import FeePurpose, fee, pounds
from bng.register.core.filetypes import DocumentKind, FileType, check_upload
from bng.register.core.geometries import geometry_in, ref_of
from bng.register.core.model import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Lpa,
    Payment,
    PaymentStatus,
    Refund,
    ResponsibleBody,
    StoredFile,
)
from bng.register.core.places import Places
from bng.register.core.ports import Clock, FileStore, UnitOfWork, UnitOfWorkFactory
from bng.register.core.references import application_reference, normalise, payment_reference
from bng.register.core.roles import Permission, can
from bng.register.core.service import Service, require, require_verified
from bng.register.core.uploads import Upload, store_bytes

from . import allocation_section
from .allocation_section import CombinedCase
from .answers import KEPT, AllocationAnswers, ApplicationAnswers, Row
from .checks import CheckResult, cross_section_problems, run_checks
from .reads import Reads
from .sections import SECTION_BY_KEY, SECTIONS, Handler, Section, file_ids, stored, text_problems, within_limits

T = TypeVar("T")

EDITABLE = (ApplicationStatus.DRAFT, ApplicationStatus.INFORMATION_REQUESTED)
"""A section's files kept from a save that failed (field -> file id), used by its next save."""
FILE_FIELDS: dict[str, dict[str, DocumentKind]] = {
    "applicant": {"authorisation_file": DocumentKind.AUTHORISATION},
    "ownership": {"ownership_file": DocumentKind.OWNERSHIP},
    "boundary": {"boundary_file": DocumentKind.BOUNDARY_MAP},
    "habitats": {
        "metric_file": DocumentKind.METRIC,
        "habitat_baseline_map": DocumentKind.HABITAT_MAP,
        "habitat_post_map": DocumentKind.HABITAT_MAP,
    },
    "legal-agreement": {"agreement_file": DocumentKind.LEGAL_AGREEMENT},
    "land-charge": {"land_charge_file": DocumentKind.LAND_CHARGE},
    "hmmp": {"hmmp_file": DocumentKind.HMMP},
    "allocation": {"development_metric_file": DocumentKind.METRIC},
    "declarations": {},
}
NEVER_PUBLISHED = frozenset(
    {DocumentKind.OWNERSHIP, DocumentKind.AUTHORISATION, DocumentKind.LAND_CHARGE, DocumentKind.CONSENT}
)
"""Documents full of personal data: the register never publishes them."""


@dataclass
class ApplicationView:
    """An application with what a page about it needs."""

    application: Application
    files: dict[int, StoredFile] = field(default_factory=dict)
    events: list[ApplicationEvent] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    refunds: dict[int, Refund] = field(default_factory=dict)
    """The refunds recorded of its payments, by payment id."""
    lpas: dict[int, Lpa] = field(default_factory=dict)
    bodies: dict[int, ResponsibleBody] = field(default_factory=dict)
    owner_email: str = ""
    checks: CheckResult | None = None
    gain_site_reference: str = ""
    today: date | None = None
    allocation: Any = None  # the allocations area's ``combined.Preview``, through the port
    """For the case worker, of a submitted application that also allocates: the spatial risk and the
    metric's flags, as the allocation journey derives them."""
    boundary: BaseGeometry | None = None
    """For the case worker: the boundary given (EPSG:27700), for the case page's map."""

    @property
    def answers(self) -> ApplicationAnswers:
        """The application's answers, typed, section by section."""
        return ApplicationAnswers.from_json(self.application.answers)

    def summary(self) -> list[tuple[Section, list[Row]]]:
        """Each section with its summary list rows, in the task list's order.

        For check your answers, the submitted application and the case page.
        """
        answers = self.answers
        return [(s, answers.rows(s.key, self)) for s in SECTIONS]

    def fee_standing(self, payment: Payment) -> FeeStanding:
        """Where one of the application's fees stands against its answers now."""
        return fee_standing(payment, self.application.answers, self.refund(payment))

    def refund(self, payment: Payment) -> Refund | None:
        """The refund recorded of one of the application's payments, if any."""
        return self.refunds.get(payment.id) if payment.id is not None else None

    def fees(self) -> list[FeeLine]:
        """Each fee the application's answers make owed, and each no longer owed, as it stands.

        For the check-your-answers page before a first submission or a resubmission.
        """
        return fee_lines(self.application.answers, self.payments, self.refunds, self.today)


class _Context:
    """What a section handler may touch while saving (a SectionContext).

    Without a unit of work (``uow`` None) it is the first pass of a save (``bng.register.applications.reads``):
    nothing is written, uploads are only checked and given provisional ids (below zero), and what
    the handler reads from the database it reads in short read-only units of work of its own, so
    that no transaction is open while the uploads are read.
    """

    def __init__(
        self,
        uow: UnitOfWork | None,
        store: FileStore,
        app: Application,
        actor: Actor,
        places: Places,
        now: Any,
        reads: Reads | None = None,
        reader: UnitOfWorkFactory | None = None,
    ) -> None:
        self.uow, self._store, self.app, self.actor, self.places = uow, store, app, actor, places
        self._now = now
        self.today: date = now.date()
        self._bytes: dict[int, bytes] = {}
        self._names: dict[int, str] = {}  # the first pass's files, not yet stored: their names as uploaded
        self.reads = reads if reads is not None else Reads()
        self._reader = reader
        self._kept: set[str] = set()

    def _read_only(self) -> UnitOfWork:
        assert self._reader is not None
        return self._reader()

    def parsed(self, read: Callable[..., T], *args: Any) -> T:
        return self.reads(read, *args)

    def store(self, kind: DocumentKind, upload: Upload) -> tuple[StoredFile, FileType]:
        if upload.file_id is not None:  # kept from a save that failed: stored already, checked again
            kept = self.stored_file(upload.file_id)
            if kept is None or kept.kind != kind:
                raise NotFound("No such file")
            return kept, self.parsed(check_upload, kind, kept.name, upload.data, upload.field).file_type
        checked = self.parsed(check_upload, kind, upload.filename, upload.data, upload.field)
        stored = StoredFile(
            key="",
            kind=kind,
            name=checked.name,
            media_type=checked.media_type,
            size=len(upload.data),
            sha256=hashlib.sha256(upload.data).hexdigest(),
            uploaded_at=self._now,
            uploaded_by=self.actor.user_id,
            application_id=self.app.id,
        )
        if self.uow is None:
            stored.id = -1 - len(self._bytes)
            self._bytes[stored.id] = upload.data
            self._names[stored.id] = stored.name
            return stored, checked.file_type
        stored.key = store_bytes(self.uow, self._store, upload.data)
        self.uow.add(stored)
        self.uow.flush()
        assert stored.id is not None
        self._bytes[stored.id] = upload.data
        audit.record(self.uow, self._now, self.actor, "file.uploaded", "file", stored.id, None, audit.snapshot(stored))
        return stored, checked.file_type

    def file_bytes(self, file_id: int) -> bytes:
        if file_id in self._bytes:
            return self._bytes[file_id]
        if self.uow is None:
            with self._read_only() as uow:
                stored = uow.files.get(file_id)
        else:
            stored = self.uow.files.get(file_id)
        if stored is None or stored.application_id != self.app.id:
            raise NotFound("No such file")
        return self._store.get(stored.key)

    def stored_file(self, file_id: int) -> StoredFile | None:
        """The application's own stored file (None if it is not one of its files)."""
        if self.uow is None:
            with self._read_only() as uow:
                stored = uow.files.get(file_id)
        else:
            stored = self.uow.files.get(file_id)
        return stored if stored is not None and stored.application_id == self.app.id else None

    def file_name(self, file_id: int) -> str:
        if file_id in self._names:  # the first pass's: the same name the second pass finds stored
            return self._names[file_id]
        stored = self.stored_file(file_id)
        return stored.name if stored is not None else ""

    def keep_geometry(self, geom: Any) -> dict[str, Any]:
        ref = ref_of(geom)
        self.reads.geometries[ref.sha256] = geom
        if self.uow is not None and ref.sha256 not in self._kept:
            self.uow.geometries.keep(geom)
            self._kept.add(ref.sha256)
        return ref.to_dict()

    def keep_pending(self) -> None:
        """Store the geometries the first pass kept apart (its reads are reused, not repeated)."""
        assert self.uow is not None
        for sha, geom in self.reads.geometries.items():
            if sha not in self._kept:
                self.uow.geometries.keep(geom)
                self._kept.add(sha)

    @property
    def answers(self) -> Mapping[str, Any]:
        return self.app.answers

    @property
    def reference(self) -> str:
        return self.app.reference

    def lpa(self, lpa_id: int) -> Lpa | None:
        if self.uow is None:
            with self._read_only() as uow:
                return uow.lpas.get(lpa_id)
        return self.uow.lpas.get(lpa_id)

    def body(self, body_id: int) -> ResponsibleBody | None:
        if self.uow is None:
            with self._read_only() as uow:
                return uow.bodies.get(body_id)
        return self.uow.bodies.get(body_id)


class Applications(Service):
    """A landowner's or agent's applications to register a gain site: drafts, sections, submission, files."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        store: FileStore,
        places: Callable[[], Places],
        combined: CombinedCase,
    ) -> None:
        super().__init__(uow, clock)
        self._store = store
        self._places = places
        self._combined = combined

    def handler(self, key: str) -> Handler:
        """A section's handler: its own, or the combined case's for the allocation section (the port)."""
        h = SECTION_BY_KEY[key].handler
        return h if h is not None else stored(AllocationAnswers, self._combined.section)

    # -- reading -------------------------------------------------------------------------------------

    def mine(self, actor: Actor | None) -> list[Application]:
        """The applicant's own applications, withdrawn drafts left out."""
        actor = require(actor, Permission.APPLY_TO_REGISTER)
        with self._uow() as uow:
            return [a for a in uow.applications.for_owner(actor.user_id) if a.withdrawn_at is None]

    def _get(self, uow: UnitOfWork, actor: Actor | None, reference: str) -> Application:
        """The application, if the actor owns it or reviews applications; NotFound otherwise.

        NotFound, so that others cannot even learn it exists.
        """
        app = uow.applications.by_reference(normalise(reference))
        if app is None or actor is None:
            raise NotFound("No such application")
        if app.owner_id != actor.user_id and not can(actor.role, Permission.REVIEW_APPLICATIONS):
            raise NotFound("No such application")
        return app

    def view(self, actor: Actor | None, reference: str, with_checks: bool = False) -> ApplicationView:
        """An application for its owner or a case worker (NotFound for others).

        ``with_checks``: a submitted application with its checks run again and its allocation's preview,
        and the boundary for the case page's map.
        """
        with self._uow() as uow:
            app = self._get(uow, actor, reference)
            return self._view(uow, app, with_checks)

    def _view(self, uow: UnitOfWork, app: Application, with_checks: bool) -> ApplicationView:
        assert app.id is not None
        view = ApplicationView(app, today=self.today())
        view.files = {f.id: f for f in uow.files.for_application(app.id) if f.id is not None}
        view.events = list(uow.applications.events(app.id))
        view.payments = list(uow.payments.for_application(app.id))
        view.refunds = uow.payments.refunds([p.id for p in view.payments if p.id is not None])
        view.lpas = {lpa.id: lpa for lpa in uow.lpas.all() if lpa.id is not None}
        view.bodies = {b.id: b for b in uow.bodies.all() if b.id is not None}
        owner = uow.users.get(app.owner_id)
        view.owner_email = owner.email if owner else ""
        if app.gain_site_id is not None:
            site = uow.sites.get(app.gain_site_id)
            view.gain_site_reference = site.reference if site else ""
        if with_checks and app.status == ApplicationStatus.SUBMITTED:
            view.checks = self._checks(uow, app)
            view.allocation = self._combined.preview(uow, self._places(), app, self._store)
        given = view.answers.boundary
        if with_checks and given is not None and given.completed:
            with suppress(LookupError):
                view.boundary = geometry_in(given.to_json(), uow.geometries)
        return view

    def _checks(self, uow: UnitOfWork, app: Application, exclude_site_id: int | None = None) -> CheckResult:
        return run_checks(uow, app.answers, self._places(), self.today(), _agreement_sha(uow, app), exclude_site_id)

    # -- changing -------------------------------------------------------------------------------------

    def start(self, actor: Actor | None, *, once: submissions.Once | None = None) -> Application:
        """Start a new draft application for a landowner or agent (once, however often the form is posted)."""
        actor = require(actor, Permission.APPLY_TO_REGISTER)
        now = self.now()
        with self._uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            app = Application(reference=application_reference(), owner_id=actor.user_id, created_at=now, updated_at=now)
            uow.add(app)
            uow.flush()
            audit.record(
                uow, now, actor, "application.started", "application", app.reference, None, audit.snapshot(app)
            )
            submissions.settle(uow, once, app.reference)
            uow.commit()
            return app

    def _editable(self, uow: UnitOfWork, actor: Actor | None, reference: str) -> tuple[Actor, Application]:
        actor = require(actor, Permission.APPLY_TO_REGISTER)
        app = self._get(uow, actor, reference)
        if app.owner_id != actor.user_id:
            raise NotFound("No such application")
        if app.status not in EDITABLE:
            raise Conflict("This application has been submitted and cannot be changed now")
        if app.withdrawn_at is not None:
            raise Conflict("This draft has been withdrawn and cannot be changed")
        return actor, app

    def withdraw_draft(self, actor: Actor | None, reference: str, *, once: submissions.Once | None = None) -> None:
        """Withdraw a draft never submitted: it can no longer be changed or submitted, and leaves the list.

        It is kept, with its files unpublished, for the audit trail; the account page lists it. Refused
        for an application ever submitted.
        """
        now = self.now()
        with self._uow(write=True) as uow:
            actor = require(actor, Permission.APPLY_TO_REGISTER)
            submissions.claim(uow, actor, once, now)
            actor, app = self._editable(uow, actor, reference)
            if app.status != ApplicationStatus.DRAFT or app.submitted_at is not None:
                raise Conflict("Only a draft that was never submitted can be withdrawn")
            app.withdrawn_at = now
            app.updated_at = now
            audit.record(
                uow, now, actor, "application.withdrawn", "application", app.reference, None, {"withdrawn": True}
            )
            submissions.settle(uow, once, app.reference)
            uow.commit()

    def save_section(
        self,
        actor: Actor | None,
        reference: str,
        key: str,
        values: Mapping[str, Any],
        uploads: Mapping[str, Upload] | None = None,
        *,
        dry_run: bool = False,
    ) -> ApplicationView:
        """Check and save a section's answers; raises Invalid when they fail, and keeps only the good files.

        The files uploaded with failing answers that passed their own checks are kept (``_keep_uploads``:
        nobody should have to find a file again because a date was wrong).

        ``dry_run`` checks without keeping anything but those files, for a form whose own fields failed
        to parse: the page can then show every problem at once.
        """
        section = SECTION_BY_KEY.get(key)
        if section is None:
            raise NotFound("No such section")
        try:
            view = self._save_section(actor, reference, section, values, uploads or {}, dry_run)
        except Invalid as err:
            self._keep_uploads(actor, reference, key, uploads or {}, {p.field for p in err.problems})
            raise
        if dry_run:
            self._keep_uploads(actor, reference, key, uploads or {}, set())
        return view

    def _save_section(
        self,
        actor: Actor | None,
        reference: str,
        section: Any,
        values: Mapping[str, Any],
        uploads: Mapping[str, Upload],
        dry_run: bool,
    ) -> ApplicationView:
        key = section.key
        now = self.now()
        reads = self._read_first(actor, reference, key, values, uploads, now)
        with self._uow(write=True) as uow:
            actor, app = self._editable(uow, actor, reference)
            before = dict(app.answers.get(key) or {})
            ctx = _Context(uow, self._store, app, actor, self._places(), now, reads)
            too_long = text_problems(key, values)
            try:
                after = self.handler(key)(
                    before, within_limits(values), self._with_kept(ctx, key, before, uploads), ctx
                )
            except Invalid as err:
                raise Invalid(err.message, [*too_long, *err.problems]) from None
            if too_long:
                raise Invalid(too_long[0].message if len(too_long) == 1 else "There is a problem", too_long)
            ctx.keep_pending()
            answers = dict(app.answers)
            answers[key] = after
            before_answers, app.answers = app.answers, answers
            app.updated_at = now
            audit.record(
                uow, now, actor, "application.section_saved", "application", app.reference, {key: before}, {key: after}
            )
            _fees_follow(uow, now, actor, app, before_answers)
            uow.flush()
            view = self._view(uow, app, False)
            if not dry_run:
                uow.commit()
            return view

    @staticmethod
    def _with_kept(
        ctx: _Context, key: str, answers: Mapping[str, Any], uploads: Mapping[str, Upload]
    ) -> dict[str, Upload]:
        """The uploads, and for each file field without one, the file kept from a save that failed."""
        out = dict(uploads)
        for name, file_id in (answers.get(KEPT) or {}).items():
            if name in FILE_FIELDS[key] and not (name in out and out[name].data) and isinstance(file_id, int):
                stored = ctx.stored_file(file_id)
                if stored is not None:
                    out[name] = Upload(name, stored.name, ctx.file_bytes(file_id), file_id=file_id)
        return out

    def _keep_uploads(
        self, actor: Actor | None, reference: str, key: str, uploads: Mapping[str, Upload], refused: set[str]
    ) -> None:
        """After a save that failed, keep each new upload whose own field has no problem.

        Each is stored and kept in the section as uploaded (shown "Uploaded: name", used by the next save),
        in a transaction of its own. A file with a problem of its own (the wrong type, a metric that cannot
        be read) is not kept.
        """
        wanted = {
            name: u
            for name, u in uploads.items()
            if name in FILE_FIELDS[key] and u.data and u.file_id is None and name not in refused
        }
        if not wanted:
            return
        now = self.now()
        reads = Reads()  # checked before the transaction opens, as a section's save does
        for name, upload in wanted.items():
            with suppress(Invalid):
                reads(check_upload, FILE_FIELDS[key][name], upload.filename, upload.data, upload.field)
        with self._uow(write=True) as uow:
            try:
                actor, app = self._editable(uow, actor, reference)
            except (Conflict, NotFound):
                return
            ctx = _Context(uow, self._store, app, actor, self._places(), now, reads)
            before = dict(app.answers.get(key) or {})
            kept = dict(before.get(KEPT) or {})
            for name, upload in wanted.items():
                try:
                    stored, _ = ctx.store(FILE_FIELDS[key][name], upload)
                except Invalid:
                    continue
                kept[name] = stored.id
            if kept == (before.get(KEPT) or {}):
                return
            answers = dict(app.answers)
            answers[key] = before | {KEPT: kept}
            app.answers = answers
            app.updated_at = now
            audit.record(
                uow, now, actor, "application.upload_kept", "application", app.reference,
                {key: {KEPT: before.get(KEPT) or {}}}, {key: {KEPT: kept}},
            )  # fmt: skip
            uow.commit()

    def _read_first(
        self,
        actor: Actor | None,
        reference: str,
        key: str,
        values: Mapping[str, Any],
        uploads: Mapping[str, Upload] | None,
        now: datetime,
    ) -> Reads:
        """The first pass of a save: the section's handler with no transaction open.

        Reading its uploads (seconds, for a big map or workbook) then never holds the database's write
        lock. Its answers are thrown away; what it read is kept for the second pass, in the transaction.
        """
        with self._uow() as uow:
            actor, app = self._editable(uow, actor, reference)
        reads = Reads()
        ctx = _Context(None, self._store, app, actor, self._places(), now, reads, self._uow)
        before = dict(app.answers.get(key) or {})
        with suppress(Invalid):  # the second pass meets the same problems, and reports them
            self.handler(key)(before, within_limits(values), self._with_kept(ctx, key, before, uploads or {}), ctx)
        return reads

    def save_for_later(
        self,
        actor: Actor | None,
        reference: str,
        key: str,
        values: Mapping[str, Any],
        uploads: Mapping[str, Upload] | None = None,
    ) -> Application:
        """Keep what has been typed so far, unchecked, and mark the section in progress ("save and come back later").

        Files are still checked before they are kept; text over its limit is refused, not cut short.
        """
        if key not in SECTION_BY_KEY:
            raise NotFound("No such section")
        too_long = text_problems(key, values)
        if too_long:  # kept as typed, or not at all: never cut short
            raise Invalid(too_long[0].message if len(too_long) == 1 else "There is a problem", too_long)
        now = self.now()
        reads = Reads()  # the uploads are checked before the transaction opens (a PDF's structure, a zip's members)
        for name, kind in FILE_FIELDS[key].items():
            upload = (uploads or {}).get(name)
            if upload is not None and upload.data:
                with suppress(Invalid):  # refused again below, in the transaction, as before
                    reads(check_upload, kind, upload.filename, upload.data, upload.field)
        with self._uow(write=True) as uow:
            actor, app = self._editable(uow, actor, reference)
            before = dict(app.answers.get(key) or {})
            after = dict(before)
            for name, v in values.items():
                if name in FILE_FIELDS[key]:
                    continue
                if isinstance(v, str):
                    v = v.replace("\r\n", "\n")
                after[name] = v.isoformat() if isinstance(v, date) else v
            ctx = _Context(uow, self._store, app, actor, self._places(), now, reads)
            for name, kind in FILE_FIELDS[key].items():
                upload = (uploads or {}).get(name)
                if upload is not None and upload.data:
                    stored, _ = ctx.store(kind, upload)
                    after[name] = stored.id
                elif isinstance((before.get(KEPT) or {}).get(name), int):
                    after[name] = before[KEPT][name]  # kept from a save that failed
            after.pop(KEPT, None)
            after["completed"] = False
            answers = dict(app.answers)
            answers[key] = after
            before_answers, app.answers = app.answers, answers
            app.updated_at = now
            audit.record(
                uow,
                now,
                actor,
                "application.section_saved_for_later",
                "application",
                app.reference,
                {key: before},
                {key: after},
            )
            _fees_follow(uow, now, actor, app, before_answers)
            uow.commit()
            return app

    def submit(self, actor: Actor | None, reference: str, *, once: submissions.Once | None = None) -> ApplicationView:
        """Run every check; if all pass, submit the application and record the fee as due."""
        actor = require(actor, Permission.APPLY_TO_REGISTER)  # before the claim, which needs the actor's id
        now = self.now()
        with self._uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            actor, app = self._editable(uow, actor, reference)
            require_verified(uow, actor)
            result = self._checks(uow, app)
            if not result.ok:
                raise Invalid("The application cannot be submitted yet", result.errors)
            before = audit.snapshot(app, ("status", "submitted_at"))
            resubmission = app.status == ApplicationStatus.INFORMATION_REQUESTED
            app.status = ApplicationStatus.SUBMITTED
            app.submitted_at = now
            app.updated_at = now
            assert app.id is not None
            made_due = uow.payments.for_application(app.id)
            refunded = uow.payments.refunds([p.id for p in made_due if p.id is not None])
            # a fee refunded is settled: owed again, it falls due again as a new payment
            for purpose in fees_due(app.answers, {p.purpose for p in made_due if p.id not in refunded}):
                payment = Payment(
                    reference=payment_reference(),
                    purpose=purpose,
                    amount_pence=fee(purpose, now.date()),
                    created_at=now,
                    payer_id=actor.user_id,
                    application_id=app.id,
                )
                uow.add(payment)
                uow.flush()
                audit.record(
                    uow, now, actor, "payment.due", "payment", payment.reference, None, audit.snapshot(payment)
                )
            kind, message = (
                ("resubmitted", "Further information given and application resubmitted")
                if resubmission
                else ("submitted", "Application submitted")
            )
            uow.add(ApplicationEvent(app.id, now, kind, message, actor.user_id))
            notifications.application_event(uow, now, app, "application_submitted")
            audit.record(
                uow,
                now,
                actor,
                "application.submitted",
                "application",
                app.reference,
                before,
                audit.snapshot(app, ("status", "submitted_at")),
            )
            uow.flush()
            view = self._view(uow, app, False)
            uow.commit()
            return view

    def preview_problems(self, actor: Actor | None, reference: str) -> CheckResult:
        """The submission checks as they stand, for the check-your-answers page."""
        with self._uow() as uow:
            app = self._get(uow, actor, reference)
            return self._checks(uow, app)

    def cross_checks(self, answers: Mapping[str, Any]) -> list[Any]:
        """The checks between sections, as soon as both are answered (the task list shows them early)."""
        with self._uow() as uow:
            return cross_section_problems(answers, uow.geometries)

    # -- files -------------------------------------------------------------------------------------

    def file(self, actor: Actor | None, file_id: int) -> tuple[StoredFile, bytes]:
        """A stored document for someone allowed to see it: the public only when published."""
        with self._uow() as uow:
            stored = uow.files.get(file_id)
            if stored is None:
                raise NotFound("No such file")
            allowed = stored.published and stored.kind not in NEVER_PUBLISHED
            if not allowed and actor is not None:
                if can(actor.role, Permission.VIEW_ALL_FILES) or stored.uploaded_by == actor.user_id:
                    allowed = True  # the register team, or whoever uploaded it (an allocation's documents)
                elif stored.application_id is not None:
                    app = uow.applications.get(stored.application_id)
                    allowed = app is not None and app.owner_id == actor.user_id
            if not allowed:
                raise NotFound("No such file")
            return stored, self._store.get(stored.key)


def fees_due(answers: Mapping[str, Any], already: Collection[str] = ()) -> list[FeePurpose]:
    """The fees an application's submission makes due, less those already due or paid.

    Registration, and the allocation fee when the application also allocates units (the combined case).
    """
    wanted = [FeePurpose.REGISTRATION] + ([FeePurpose.ALLOCATION] if allocation_section.wanted(answers) else [])
    return [p for p in wanted if p not in already]


class FeeStanding(StrEnum):
    """Where a fee made due by a submission stands against the application's answers as they are now.

    An answer changed after submission (the allocation dropped when further information was asked
    for) can leave a fee no longer owed: not yet received, it is withdrawn (no longer due and no
    longer in the way of acceptance); received, it is to be refunded. The payment row keeps what
    happened (due, or received on a date); its standing follows the answers, and each change of
    standing is in the audit log and the case history. Answers changed back make it owed again.
    """

    DUE = "due"
    RECEIVED = "received"
    WITHDRAWN = "withdrawn"
    TO_REFUND = "to_refund"
    REFUNDED = "refunded"
    """Paid back, and the refund recorded: settled for good, whatever the answers say later."""


def fee_standing(payment: Payment, answers: Mapping[str, Any], refund: Refund | None = None) -> FeeStanding:
    """Where a fee stands against the answers: refunded, due or received if owed, else withdrawn or to refund."""
    if refund is not None:
        return FeeStanding.REFUNDED
    owed = payment.allocation_id is not None or payment.purpose in fees_due(answers)
    if payment.status == PaymentStatus.RECEIVED:
        return FeeStanding.RECEIVED if owed else FeeStanding.TO_REFUND
    return FeeStanding.DUE if owed else FeeStanding.WITHDRAWN


FEE_NAMES = {FeePurpose.REGISTRATION: "Registration fee", FeePurpose.ALLOCATION: "Allocation fee"}
STANDING_CHANGES = {
    FeeStanding.WITHDRAWN: ("payment.withdrawn", "no longer due: the application no longer allocates units"),
    FeeStanding.TO_REFUND: (
        "payment.to_refund",
        "received, and to be refunded: the application no longer allocates units",
    ),
    FeeStanding.DUE: ("payment.owed_again", "due again: the application allocates units again"),
    FeeStanding.RECEIVED: ("payment.owed_again", "received, and owed again: the application allocates units again"),
}


def _fees_follow(uow: UnitOfWork, now: datetime, actor: Actor, app: Application, before: Mapping[str, Any]) -> None:
    """After a section is saved, record each fee already due whose standing the new answers change.

    It goes in the audit log and the case history (nothing before the first submission: no fee is due yet).
    """
    if app.id is None:
        return
    made_due = uow.payments.for_application(app.id)
    refunded = uow.payments.refunds([p.id for p in made_due if p.id is not None])
    for payment in made_due:
        if payment.id in refunded:
            continue  # settled
        was, now_is = fee_standing(payment, before), fee_standing(payment, app.answers)
        if was == now_is:
            continue
        action, why = STANDING_CHANGES[now_is]
        shown = audit.snapshot(payment, ("purpose", "amount_pence", "status"))
        audit.record(
            uow,
            now,
            actor,
            action,
            "payment",
            payment.reference,
            shown | {"standing": str(was)},
            shown | {"standing": str(now_is)},
        )
        name = FEE_NAMES.get(FeePurpose(payment.purpose), "Fee")
        message = f"{name} of {pounds(payment.amount_pence)} (payment reference {payment.reference}) {why}"
        uow.add(ApplicationEvent(app.id, now, f"fee_{now_is}", message, actor.user_id))


@dataclass(frozen=True, slots=True)
class FeeLine:
    """A fee as the applicant should read it before submitting.

    ``standing`` is a FeeStanding, or "new" for a fee the submission will make due (no payment reference
    yet).
    """

    purpose: str
    amount_pence: int
    standing: str
    payment: Payment | None = None
    refund: Refund | None = None


def fee_lines(
    answers: Mapping[str, Any], payments: Collection[Payment], refunds: Mapping[int, Refund], on: date | None = None
) -> list[FeeLine]:
    """Each fee owed by the answers as they are, then those no longer owed (withdrawn, to refund, refunded).

    An owed fee is already due or received, or new: what submitting makes due, at the fee in force ``on``.
    """
    lines: list[FeeLine] = []
    settled: list[FeeLine] = []
    open_by_purpose: dict[str, Payment] = {}
    for p in payments:
        refund = refunds.get(p.id) if p.id is not None else None
        standing = fee_standing(p, answers, refund)
        if standing in (FeeStanding.DUE, FeeStanding.RECEIVED):
            open_by_purpose.setdefault(p.purpose, p)
        else:
            settled.append(FeeLine(p.purpose, p.amount_pence, str(standing), p, refund))
    for purpose in fees_due(answers):
        made = open_by_purpose.get(purpose)
        if made is not None:
            lines.append(FeeLine(made.purpose, made.amount_pence, str(fee_standing(made, answers)), made))
        else:
            lines.append(FeeLine(str(purpose), fee(purpose, on or date.today()), "new"))
    return lines + settled


def _agreement_sha(uow: UnitOfWork, app: Application) -> str | None:
    agreement = ApplicationAnswers.from_json(app.answers).legal_agreement
    file_id = agreement.agreement_file if agreement is not None else None
    document = uow.files.get(file_id) if file_id is not None else None
    return document.sha256 if document else None


def sections_in_order() -> tuple[Any, ...]:
    """The application's sections in the task list's order."""
    return SECTIONS


def referenced_files(app: Application) -> list[int]:
    """The ids of the files the application's answers name."""
    return list(file_ids(app.answers))
