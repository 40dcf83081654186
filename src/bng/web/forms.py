"""The forms of the service, rendered with GOV.UK Frontend's macros (govuk-frontend-wtf).

Forms only parse what the browser sent (text, dates, files); the register's services check the
answers and say what is wrong, and the views put those messages on the fields.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup
from wtforms import (
    Field,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # in wtforms 3.2, not in its stubs

from bng.register.applications.answers import DECLARATIONS
from bng.register.applications.review import MAX_REASON
from bng.register.applications.sections import text_limit
from bng.register.core.reference_data import BODY_TYPES
from bng.register.core.roles import ROLE_LABELS, SELF_SERVICE_ROLES, Role

from .once import OnceForm
from .widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovDateInput,
    GovFileInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)


class CachedGovSelect(GovSelect):
    """GOV.UK Frontend's select, its HTML kept per application and reused for the same parameters.

    The search page's selects list every LPA, National Character Area and LNRS area (about 550
    options); rendering each option through GOV.UK Frontend's macros was most of the page's time.
    The macro's HTML depends only on its parameters (options, the one selected, label, hint, error),
    so the same parameters give the same HTML; ``repr`` tells a plain string from ``Markup``.
    """

    MAX_KEPT = 256

    def render(self, params: dict[str, Any]) -> Markup:
        """The select's HTML, drawn once for the same parameters and then reused."""
        kept: dict[tuple[str, str], Markup] = current_app.extensions.setdefault("bng.rendered_selects", {})
        key = (self.template, repr(params))
        html = kept.get(key)
        if html is None:
            html = super().render(params)
            if len(kept) >= self.MAX_KEPT:
                kept.clear()
            kept[key] = html
        return html


def opts(pairs: list[tuple[Any, str]]) -> list[SelectChoice]:
    """WTForms' choices from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def choices(items: list[tuple[Any, str]], blank: str = "Select") -> list[SelectChoice]:
    """A select's options, with a first empty option saying what to do."""
    return opts([("", blank), *[(str(v), label) for v, label in items]])


class GovDateField(Field):
    """Day, month and year boxes; empty gives None (the service says it is needed), nonsense an error."""

    widget = GovDateInput()

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Read the day, month and year boxes; a date that is not a real one is the field's error."""
        parts = [v.strip() for v in valuelist]
        self.raw_data = parts if len(parts) == 3 else None
        self.data = None
        if not parts or not any(parts):
            return
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            raise ValueError(f"{self.label.text} must be a real date, like 27 3 2026")
        try:
            self.data = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise ValueError(f"{self.label.text} must be a real date, like 27 3 2026") from None
        if self.data.year < 1900:
            raise ValueError(f"{self.label.text} must have a four-digit year, like 2026")


def text(label: str, description: str = "") -> StringField:
    """A GOV.UK text input."""
    return StringField(label, description=description, widget=GovTextInput())


class LimitedTextArea(TextAreaField):
    """A textarea whose answer has a limit in characters, shown with GOV.UK's character count."""

    def __init__(self, label: str, maxlength: int, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.maxlength = maxlength


def area(label: str, description: str = "", maxlength: int | None = None) -> TextAreaField:
    """A GOV.UK textarea, with a character count when the answer has a ``maxlength``."""
    if maxlength:
        return LimitedTextArea(label, maxlength, description=description, widget=GovCharacterCount())
    return TextAreaField(label, description=description, widget=GovTextArea())


def upload(label: str, description: str = "") -> FileField:
    """A GOV.UK file upload."""
    return FileField(label, description=description, widget=GovFileInput())


def submit(label: str = "Save and continue") -> SubmitField:
    """A GOV.UK button."""
    return SubmitField(label, widget=GovSubmitInput())


class SignInForm(FlaskForm):
    """Signing in with an email address and password."""

    email = text("Email address")
    password = PasswordField("Password", widget=GovPasswordInput())
    submit = submit("Sign in")


class CodeForm(FlaskForm):
    """The code from the account's authenticator app (the second factor at sign-in)."""

    code = text("Code from your authenticator app", "The 6-digit code the app shows for this account now")
    submit = submit("Continue")


class VerifyEmailForm(FlaskForm):
    """Asks for a link confirming the account's email address (sent again: the newest link works)."""

    submit = submit("Send a link to confirm my email address")


class LinkForm(FlaskForm):
    """The page an emailed link opens: a button, so that a mail scanner opening the link uses nothing."""

    submit = submit("Continue")


class CreateAccountForm(FlaskForm):
    """Creating one's own account: name, email address, organisation, role and password."""

    name = text("Full name")
    email = text("Email address", "We will use this to tell you about your applications")
    organisation = text("Organisation (optional)")
    role = RadioField(
        "What will you use the register for?",
        choices=opts([(r.value, ROLE_LABELS[r]) for r in SELF_SERVICE_ROLES]),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    password = PasswordField(
        "Create a password", description="At least 10 characters. A few unrelated words make a strong password.",
        widget=GovPasswordInput(),
    )  # fmt: skip
    submit = submit("Create account")


class StaffAccountForm(OnceForm):
    """A case worker's new account for someone else: its role, LPA and a temporary password."""

    name = text("Full name")
    email = text("Email address")
    role = SelectField(
        "Role", choices=opts([(r.value, ROLE_LABELS[r]) for r in Role]), widget=GovSelect(), validate_choice=False
    )
    lpa_id = SelectField("LPA (for LPA officers)", choices=[], widget=GovSelect(), validate_choice=False)
    password = PasswordField("Temporary password", widget=GovPasswordInput())
    submit = submit("Create account")


class ApplicantForm(FlaskForm):
    """The registration application's applicant: the landowner, or an agent acting for them."""

    acting_as = RadioField(
        "Are you the landowner, or an agent acting for the landowner?",
        choices=opts([("landowner", "I am the landowner"), ("agent", "I am an agent acting for the landowner")]),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    client_name = text("Name of the landowner you act for")
    authorisation_file = upload(
        "Written authorisation from the landowner", "A PDF, Word document or image, smaller than 20 MB"
    )
    name = text("Your full name")
    organisation = text("Organisation (optional)")
    email = text("Email address")
    phone = text("Telephone number")
    submit = submit()


class OwnershipForm(FlaskForm):
    """Who owns the gain site's land, with its title numbers and proof of ownership."""

    landowners = area(
        "Who owns the land?",
        "Give the name of every owner, and anyone else with an interest in it",
        text_limit("landowners")[1],
    )
    title_numbers = text("HM Land Registry title numbers (optional)", "For example, CB123456")
    ownership_file = upload(
        "Proof of land ownership", "For example, the register of title. A PDF, Word document or image, under 20 MB"
    )
    submit = submit()


class BoundaryForm(FlaskForm):
    """The gain site's name and boundary: a map file, or a plan with a grid reference and the area."""

    site_name = text("Name of the gain site", "For example, Meadow Farm")
    method = RadioField(
        "How will you give the gain site's boundary?",
        choices=opts(
            [
                ("map", "Upload a map file: GeoPackage, GeoJSON or a zipped Shapefile"),
                ("document", "Upload a plan (PDF or image) and give a grid reference and the area"),
            ]
        ),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    boundary_file = upload("Boundary file", "A map file up to 50 MB, or a plan up to 20 MB")
    grid_reference = text("Grid reference of the centre of the gain site", "For example, TL 4500 5800")
    area_ha = text("Area of the gain site in hectares", "For example, 12.5")
    submit = submit()


class HabitatsForm(FlaskForm):
    """The statutory biodiversity metric that gives the gain site's baseline and post-intervention habitats."""

    gain_site_label = text(
        "Gain site reference in the metric (only if it names more than one gain site)",
        "The reference the metric's off-site sheets give this gain site's rows, for example 1",
    )
    metric_file = upload(
        "Statutory biodiversity metric",
        "The metric workbook (.xlsm or .xlsx) with the gain site's habitats on its off-site sheets, "
        "or a site file (.json). Up to 50 MB",
    )
    habitat_baseline_map = upload("Baseline habitat map", "A GeoPackage of DEFRA's digital statutory metric")
    habitat_post_map = upload("Post-intervention habitat map", "A GeoPackage of DEFRA's digital statutory metric")
    submit = submit()


class AgreementForm(FlaskForm):
    """The legal agreement securing the habitat: a section 106 agreement or a conservation covenant."""

    agreement_type = RadioField(
        "What type of legal agreement secures the habitat?",
        choices=opts(
            [
                ("s106", "Planning obligation (section 106 agreement) with the LPA"),
                ("conservation_covenant", "Conservation covenant with a responsible body"),
            ]
        ),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    lpa_1 = SelectField("LPA party to the agreement", choices=[], widget=GovSelect(), validate_choice=False)
    lpa_2 = SelectField("Second LPA (if there is one)", choices=[], widget=GovSelect(), validate_choice=False)
    lpa_3 = SelectField("Third LPA (if there is one)", choices=[], widget=GovSelect(), validate_choice=False)
    responsible_body_id = SelectField("Responsible body", choices=[], widget=GovSelect(), validate_choice=False)
    agreement_date = GovDateField("Date the agreement was signed")
    works_completion_date = GovDateField(
        "Date the habitat creation and enhancement works complete",
        description="If the works are not complete yet, the date the agreement says they will be",
    )
    secured_until = GovDateField(
        "Date the agreement secures the habitat until",
        description="At least 30 years after the works complete",
    )
    agreement_file = upload("The legal agreement", "A PDF or Word document, smaller than 50 MB")
    submit = submit()


class LandChargeForm(FlaskForm):
    """The local land charge search certificate and its date."""

    certificate_date = GovDateField(
        "Date of the local land charge search certificate", description="It must be dated within the last 2 months"
    )
    land_charge_file = upload("Local land charge search certificate", "A PDF or image, smaller than 20 MB")
    submit = submit()


class HmmpForm(FlaskForm):
    """The habitat management and monitoring plan (HMMP), in the legal agreement or uploaded on its own."""

    hmmp_in_agreement = RadioField(
        "Is the habitat management and monitoring plan (HMMP) included in the legal agreement?",
        choices=opts([("yes", "Yes"), ("no", "No, I will upload it separately")]),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    hmmp_file = upload("HMMP", "A PDF, Word document or Excel workbook, smaller than 50 MB")
    submit = submit()


class DeclarationsForm(FlaskForm):
    """The applicant's declarations before submitting a gain site registration."""

    confirm = SelectMultipleField(
        "I confirm that:", choices=opts(list(DECLARATIONS)), widget=GovCheckboxesInput(), validate_choice=False
    )
    submit = submit()


class SubmitForm(OnceForm):
    """The applicant's acceptance that sends a gain site registration application."""

    submit = submit("Accept and send")


class StartForm(OnceForm):
    """A landowner's confirmation that starts a new registration application."""

    submit = submit("Start a new application")


class WithdrawDraftForm(OnceForm):
    """The withdrawal of a draft registration application."""

    submit = submit("Withdraw the draft")


class SignOutForm(FlaskForm):
    """Signing out (a post, so that no link or image can sign anyone out)."""

    submit = submit("Sign out")


class MessageForm(OnceForm):
    """A case worker's request for further information from the applicant."""

    message = area("What further information do you need?", "The applicant sees exactly this", MAX_REASON)
    submit = submit("Send request")


class RejectForm(OnceForm):
    """A case worker's reasons for rejecting a registration application."""

    reasons = area("Reasons for rejecting the application", "The applicant sees exactly this", MAX_REASON)
    submit = submit("Reject application")


class AcceptForm(OnceForm):
    """A case worker's acceptance of a registration application, and which documents the register publishes."""

    publish = SelectMultipleField(
        "Publish these documents on the register",
        choices=opts(
            [
                ("legal_agreement", "Legal agreement"),
                ("hmmp", "HMMP"),
                ("metric", "Statutory biodiversity metric"),
                ("habitat_map", "Habitat maps"),
                ("boundary_map", "Boundary map file"),
                ("boundary_document", "Boundary plan"),
            ]
        ),
        description="Proof of ownership, the authorisation and the land charge certificate are never published",
        widget=GovCheckboxesInput(),
        validate_choice=False,
    )
    submit = submit("Accept and register the gain site")


class PaymentForm(OnceForm):
    """The register team's record of a fee received: the date and how it was paid."""

    payment = HiddenField()  # the payment reference of the fee received (each fee is recorded on its own)
    received_on = GovDateField("Date the fee was received")
    method = RadioField(
        "How was the fee paid?",
        choices=opts([("bank transfer", "Bank transfer"), ("card", "Card")]),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    submit = submit("Record payment")


class PayByCardForm(OnceForm):
    """Pay a fee by card through GOV.UK Pay (the fee is named by the address)."""

    submit = submit("Pay by card")


class CardRefundForm(OnceForm):
    """Pay a fee paid by card back through GOV.UK Pay: the payment it refunds is named by its reference."""

    payment = HiddenField()
    submit = submit("Refund through GOV.UK Pay")


class RefundForm(OnceForm):
    """A fee received and no longer owed, paid back: the payment it refunds is named by its reference."""

    payment = HiddenField()
    refunded_on = GovDateField("Date the fee was refunded")
    refund_method = RadioField(
        "How was the fee paid back?",
        choices=opts([("bank transfer", "Bank transfer"), ("card", "Card")]),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    refund_reference = text("Refund reference", "The reference of the bank transfer or card refund")
    submit = submit("Record refund")


class SiteChangeForm(OnceForm):
    """A change recorded against a registered gain site: its date and description."""

    on = GovDateField("Date")
    description = area("Description", maxlength=MAX_REASON)
    submit = submit("Record")


class BodyForm(OnceForm):
    """A responsible body designated for conservation covenants, as the designation list gives it."""

    name = text("Name, as the designation list gives it")
    body_type = SelectField(
        "Type of organisation",
        choices=opts([(t, t.capitalize()) for t in BODY_TYPES]),
        widget=GovSelect(),
        validate_choice=False,
    )
    designated_on = GovDateField("Date designated")
    source = text("Source", "For example, the GOV.UK list and the date it was checked")
    submit = submit("Add responsible body")


class WithdrawForm(OnceForm):
    """The withdrawal of a responsible body's designation, and its date."""

    withdrawn_on = GovDateField("Date the designation was withdrawn")
    submit = submit("Withdraw designation")


class SearchForm(FlaskForm):
    """The public register's search for gain sites: by reference, name, place, habitat and units available."""

    class Meta:
        """No CSRF token: the search is a GET that changes nothing."""

        csrf = False  # a GET search changes nothing

    reference = text("Gain site reference", "For example, BGS-221126001")
    name = text("Gain site name", "Words of its name, for example, Mill meadow")
    lpa = SelectField("Local planning authority", choices=[], widget=CachedGovSelect(), validate_choice=False)
    nca = SelectField("National Character Area", choices=[], widget=CachedGovSelect(), validate_choice=False)
    lnrs = SelectField(
        "Local Nature Recovery Strategy area", choices=[], widget=CachedGovSelect(), validate_choice=False
    )
    habitat = text("Habitat created or enhanced", "For example, grassland")
    responsible_body = SelectField("Responsible body", choices=[], widget=CachedGovSelect(), validate_choice=False)
    min_units = text("At least this many units still available", "For example, 2.5")
    module = SelectField(
        "Units of",
        choices=opts([("area", "Habitat (area)"), ("hedgerow", "Hedgerow"), ("watercourse", "Watercourse")]),
        widget=CachedGovSelect(),
        validate_choice=False,
    )
    near = text("Near a grid reference", "For example, TL 4600 5900, or an easting and northing like 546000, 259000")
    distance_km = text("Within (kilometres)", "Leave blank for 5 kilometres; at most 100")
    bbox = text(
        "Or in a bounding box",
        "British National Grid metres: min easting, min northing, max easting, max northing, "
        "for example 540000, 250000, 560000, 270000",
    )
    submit = submit("Search")


class ProviderMessageForm(OnceForm):
    """A message to a gain site's provider, sent through the service (the site is named by the address)."""

    message = area(
        "Your message",
        "Say which development it is about and what you would like to know. We send it with your name, "
        "organisation and email address so that the provider can reply to you.",
        maxlength=2000,
    )
    submit = submit("Send message")


class MoneyAdjustmentForm(OnceForm):
    """An overpayment received or a part refund paid (the fee or order is named by the address)."""

    kind = RadioField(
        "What happened?",
        choices=opts(
            [
                ("overpayment", "More was received than was due (an overpayment)"),
                ("part_refund", "Part of the money was paid back (a part refund)"),
            ]
        ),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    amount = text("Amount, in pounds", "For example, 12.50")
    on = GovDateField("Date the money was received or paid back")
    method = RadioField(
        "How?",
        choices=opts([("bank transfer", "Bank transfer"), ("card", "Card")]),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    reference = text("Reference", "The reference of the bank transfer or card payment")
    submit = submit("Record")


class RemittanceForm(OnceForm):
    """The register's bank details for transfers, from a date (printed on invoices issued from then)."""

    valid_from = GovDateField("Date these details apply from")
    account_name = text("Account name")
    bank_name = text("Bank")
    sort_code = text("Sort code", "6 digits, like 60-70-80")
    account_number = text("Account number", "8 digits")
    iban = text("IBAN (optional)", "For payers abroad")
    bic = text("BIC or SWIFT code (optional)")
    source = text("Who gave these details", "For example, Natural England finance team, letter of 1 December 2026")
    submit = submit("Save bank details")
