"""About you: who is applying, the landowner or an agent for the landowner."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from bng.register.core.filetypes import DocumentKind
from bng.register.core.outbox import EMAIL
from bng.register.core.summary import Row
from bng.register.core.uploads import Upload

from ..fields import Form, SectionContext
from .rows import RowContext
from .stored import SectionAnswers, id_of, text_of


@dataclass(frozen=True)
class ApplicantAnswers(SectionAnswers):
    """Who is applying: the landowner, or an agent with the landowner's written authorisation."""

    KEY: ClassVar[str] = "applicant"

    acting_as: str = ""
    """"landowner", or "agent" for the landowner."""
    name: str = ""
    organisation: str = ""
    email: str = ""
    phone: str = ""
    client_name: str = ""
    """An agent's: the landowner's name."""
    authorisation_file: int | None = None
    """An agent's: the landowner's written authorisation."""

    @property
    def agent(self) -> bool:
        """Whether the applicant acts for the landowner."""
        return self.acting_as == "agent"

    @classmethod
    def parse(
        cls, current: ApplicantAnswers, values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
    ) -> ApplicantAnswers:
        """The applicant's role and contact details; an agent's client and authorisation."""
        form = Form(cls.KEY, values, uploads, ctx)
        role = form.text("acting_as")
        if role not in ("landowner", "agent"):
            form.problem("acting_as", "Select whether you are the landowner or an agent acting for the landowner")
        name = form.required("name", "your full name")
        organisation = form.text("organisation")
        email = form.required("email", "your email address")
        phone = form.required("phone", "your telephone number")
        if email and not EMAIL.match(email):
            form.problem("email", "Enter an email address in the correct format, like name@example.com")
        client, authorisation = "", None
        if role == "agent":
            client = form.required("client_name", "the name of the landowner you act for")
            authorisation, _ = form.file(
                "authorisation_file", current.authorisation_file, DocumentKind.AUTHORISATION,
                "written authorisation from the landowner",
            )  # fmt: skip
        answers = cls(
            acting_as=role, name=name, organisation=organisation, email=email, phone=phone,
            client_name=client, authorisation_file=authorisation,
        )  # fmt: skip
        return answers.checked(form)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> ApplicantAnswers:
        """The applicant as the section holds it."""
        return cls(
            **cls._common_of(doc),
            acting_as=text_of(doc, "acting_as"),
            name=text_of(doc, "name"),
            organisation=text_of(doc, "organisation"),
            email=text_of(doc, "email"),
            phone=text_of(doc, "phone"),
            client_name=text_of(doc, "client_name"),
            authorisation_file=id_of(doc, "authorisation_file"),
        )

    def to_json(self) -> dict[str, Any]:
        """The role and contact details; an agent's client and authorisation when given."""
        doc: dict[str, Any] = {
            "acting_as": self.acting_as,
            "name": self.name,
            "organisation": self.organisation,
            "email": self.email,
            "phone": self.phone,
        }
        if self.agent or self.client_name or self.authorisation_file is not None:
            doc |= {"client_name": self.client_name, "authorisation_file": self.authorisation_file}
        return doc | self._common()

    def rows(self, ctx: RowContext) -> list[Row]:
        """The role, an agent's client and authorisation, and the contact details."""
        rows = [Row("Applying as", "An agent for the landowner" if self.agent else "The landowner")]
        if self.agent:
            rows += [Row("Landowner", self.client_name), ctx.document("Written authorisation", self.authorisation_file)]
        return [
            *rows,
            Row("Name", self.name),
            Row("Organisation", self.organisation or "None given"),
            Row("Email address", self.email),
            Row("Telephone number", self.phone),
        ]
