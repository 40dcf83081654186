"""The legal agreement that secures the gain site, its local land charge, and the HMMP.

The habitat management and monitoring plan (HMMP) is in the agreement or a document of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, ClassVar

from bng.register.core.filetypes import DocumentKind
from bng.register.core.lpas import not_current
from bng.register.core.model import AGREEMENT_LABELS, AgreementType
from bng.register.core.rules import land_charge_rule, thirty_year_rule
from bng.register.core.summary import Row
from bng.register.core.uploads import Upload

from ..fields import Form, SectionContext
from .rows import RowContext, long_date
from .stored import SectionAnswers, date_of, id_of, ids_of, iso, text_of, yes_of


@dataclass(frozen=True)
class LegalAgreementAnswers(SectionAnswers):
    """The legal agreement that secures the gain site for at least 30 years, its dates and the document.

    A section 106 agreement (with the LPAs party to it) or a conservation covenant (with its responsible body).
    """

    KEY: ClassVar[str] = "legal-agreement"

    agreement_type: str = ""
    """An ``AgreementType``'s value; "" (or what was typed, when saved for later) until one is chosen."""
    lpa_ids: tuple[int, ...] = ()
    responsible_body_id: int | None = None
    agreement_date: date | None = None
    works_completion_date: date | None = None
    secured_until: date | None = None
    agreement_file: int | None = None

    @property
    def kind(self) -> AgreementType | None:
        """The agreement's type, once one is chosen (a section 106 agreement or a conservation covenant)."""
        return AgreementType(self.agreement_type) if self.agreement_type in set(AgreementType) else None

    @classmethod
    def parse(
        cls,
        current: LegalAgreementAnswers,
        values: Mapping[str, Any],
        uploads: Mapping[str, Upload],
        ctx: SectionContext,
    ) -> LegalAgreementAnswers:
        """The agreement's type, its parties, its dates and the document.

        The LPAs must be current on the day, a responsible body designated when the agreement was signed.
        """
        form = Form(cls.KEY, values, uploads, ctx)
        kind = form.text("agreement_type")
        answers = cls(agreement_type=kind)
        if kind == AgreementType.S106:
            raw = values.get("lpa_ids") or []
            ids = [int(x) for x in (raw if isinstance(raw, list | tuple) else [raw]) if str(x).strip().isdigit()]
            ids = list(dict.fromkeys(ids))
            if not ids:
                form.problem(
                    "lpa_ids", "Select the local planning authority (LPA) or authorities party to the agreement"
                )
            for lpa_id in ids:
                lpa = ctx.lpa(lpa_id)
                if lpa is None:
                    form.problem("lpa_ids", "Select an LPA from the list")
                elif why := not_current(lpa, ctx.today):
                    form.problem("lpa_ids", why)
            answers = replace(answers, lpa_ids=tuple(ids))
        elif kind == AgreementType.CONSERVATION_COVENANT:
            raw_body = form.text("responsible_body_id")
            body = ctx.body(int(raw_body)) if raw_body.isdigit() else None
            if body is None:
                form.problem("responsible_body_id", "Select the responsible body from the list of designated bodies")
            else:
                answers = replace(answers, responsible_body_id=body.id)
        else:
            form.problem("agreement_type", "Select the type of legal agreement")
        signed = form.date("agreement_date", "The date the agreement was signed")
        works = form.date("works_completion_date", "The date the habitat works complete")
        until = form.date("secured_until", "The date the agreement secures the habitat until")
        if signed and signed > ctx.today:
            form.problem("agreement_date", "The date the agreement was signed must be today or in the past")
        if kind == AgreementType.CONSERVATION_COVENANT and signed and answers.responsible_body_id is not None:
            body = ctx.body(answers.responsible_body_id)
            if body is not None and not body.designated_at(signed):
                form.problem(
                    "responsible_body_id",
                    f"{body.name} was not a designated responsible body on the date the agreement was signed",
                )
        if works and until:
            form.problems.extend(thirty_year_rule(works, until, cls.KEY))
        document, _ = form.file(
            "agreement_file", current.agreement_file, DocumentKind.LEGAL_AGREEMENT, "legal agreement"
        )
        answers = replace(
            answers, agreement_date=signed, works_completion_date=works, secured_until=until, agreement_file=document
        )
        return answers.checked(form)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> LegalAgreementAnswers:
        """The agreement as the section holds it."""
        return cls(
            **cls._common_of(doc),
            agreement_type=text_of(doc, "agreement_type"),
            lpa_ids=ids_of(doc, "lpa_ids"),
            responsible_body_id=id_of(doc, "responsible_body_id"),
            agreement_date=date_of(doc, "agreement_date"),
            works_completion_date=date_of(doc, "works_completion_date"),
            secured_until=date_of(doc, "secured_until"),
            agreement_file=id_of(doc, "agreement_file"),
        )

    def to_json(self) -> dict[str, Any]:
        """The type, the parties, the dates as ISO dates and the document's file id."""
        doc: dict[str, Any] = {"agreement_type": self.agreement_type}
        if self.lpa_ids or self.kind == AgreementType.S106:
            doc["lpa_ids"] = list(self.lpa_ids)
        if self.responsible_body_id is not None:
            doc["responsible_body_id"] = self.responsible_body_id
        doc |= {
            "agreement_date": iso(self.agreement_date),
            "works_completion_date": iso(self.works_completion_date),
            "secured_until": iso(self.secured_until),
            "agreement_file": self.agreement_file,
        }
        return doc | self._common()

    def rows(self, ctx: RowContext) -> list[Row]:
        """The type and its parties by name, the dates as the guidance writes them, the agreement linked."""
        kind = self.kind
        rows = [Row("Type of agreement", AGREEMENT_LABELS[kind] if kind is not None else "")]
        if kind == AgreementType.S106:
            lpas = ctx.names.lpas
            rows.append(Row("LPAs", ", ".join(lpas[i].name for i in self.lpa_ids if i in lpas)))
        elif kind == AgreementType.CONSERVATION_COVENANT:
            body = ctx.names.bodies.get(self.responsible_body_id) if self.responsible_body_id is not None else None
            rows.append(Row("Responsible body", body.name if body else ""))
        return [
            *rows,
            Row("Date signed", long_date(self.agreement_date)),
            Row("Habitat works complete", long_date(self.works_completion_date)),
            Row("Habitat secured until", long_date(self.secured_until)),
            ctx.document("Legal agreement", self.agreement_file),
        ]


@dataclass(frozen=True)
class LandChargeAnswers(SectionAnswers):
    """The local land charge search certificate."""

    KEY: ClassVar[str] = "land-charge"

    certificate_date: date | None = None
    land_charge_file: int | None = None

    @classmethod
    def parse(
        cls, current: LandChargeAnswers, values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
    ) -> LandChargeAnswers:
        """The search certificate's date (recent enough, by the land charge rule) and the certificate itself."""
        form = Form(cls.KEY, values, uploads, ctx)
        when = form.date("certificate_date", "The date of the search certificate")
        if when:
            form.problems.extend(land_charge_rule(when, ctx.today, cls.KEY))
        certificate, _ = form.file(
            "land_charge_file", current.land_charge_file, DocumentKind.LAND_CHARGE,
            "local land charge search certificate",
        )  # fmt: skip
        return cls(certificate_date=when, land_charge_file=certificate).checked(form)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> LandChargeAnswers:
        """The certificate as the section holds it."""
        return cls(
            **cls._common_of(doc),
            certificate_date=date_of(doc, "certificate_date"),
            land_charge_file=id_of(doc, "land_charge_file"),
        )

    def to_json(self) -> dict[str, Any]:
        """The certificate's date as an ISO date, and its file id."""
        doc = {"certificate_date": iso(self.certificate_date), "land_charge_file": self.land_charge_file}
        return doc | self._common()

    def rows(self, ctx: RowContext) -> list[Row]:
        """The certificate's date and the certificate, linked."""
        return [
            Row("Date of certificate", long_date(self.certificate_date)),
            ctx.document("Certificate", self.land_charge_file),
        ]


@dataclass(frozen=True)
class HmmpAnswers(SectionAnswers):
    """The habitat management and monitoring plan: in the legal agreement, or a document of its own."""

    KEY: ClassVar[str] = "hmmp"

    hmmp_in_agreement: bool | None = None
    hmmp_file: int | None = None

    @classmethod
    def parse(
        cls, current: HmmpAnswers, values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
    ) -> HmmpAnswers:
        """Whether the HMMP is in the legal agreement; if not, the plan itself."""
        form = Form(cls.KEY, values, uploads, ctx)
        where = form.text("hmmp_in_agreement")
        if where not in ("yes", "no"):
            form.problem("hmmp_in_agreement", "Select whether the HMMP is included in the legal agreement")
        plan = None
        if where == "no":
            plan, _ = form.file(
                "hmmp_file", current.hmmp_file, DocumentKind.HMMP, "habitat management and monitoring plan (HMMP)"
            )
        return cls(hmmp_in_agreement=where == "yes", hmmp_file=plan).checked(form)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> HmmpAnswers:
        """The HMMP's answers as the section holds them."""
        return cls(
            **cls._common_of(doc), hmmp_in_agreement=yes_of(doc, "hmmp_in_agreement"), hmmp_file=id_of(doc, "hmmp_file")
        )

    def to_json(self) -> dict[str, Any]:
        """Whether the HMMP is in the agreement, and the plan's file id when it is apart."""
        doc: dict[str, Any] = {"hmmp_in_agreement": self.hmmp_in_agreement}
        if self.hmmp_file is not None or self.hmmp_in_agreement is False:
            doc["hmmp_file"] = self.hmmp_file
        return doc | self._common()

    def rows(self, ctx: RowContext) -> list[Row]:
        """Whether the HMMP is in the agreement, and the plan, linked, when it is not."""
        rows = [Row("In the legal agreement", "Yes" if self.hmmp_in_agreement else "No")]
        if not self.hmmp_in_agreement:
            rows.append(ctx.document("HMMP", self.hmmp_file))
        return rows
