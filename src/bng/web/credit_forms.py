"""The forms of the statutory biodiversity credit pages (parsing only: the credit services judge the answers)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField, StringField

from bng.register.credits.amounts import TIER_LABELS, TIERS
from bng.register.credits.fulfilment import MAX_NOTE
from bng.register.credits.orders import MAX_TEXT

from .forms import GovDateField, area, opts, submit, text, upload
from .once import OnceForm
from .widgets import GovCheckboxesInput, GovRadioInput, GovSelect, GovTextInput


def _quantity(tier: str) -> StringField:
    return StringField(TIER_LABELS[tier], widget=GovTextInput())


class _Quantities(FlaskForm):
    """A text box per tier (A1 to A5, H, W): credits with up to 2 decimal places."""

    quantity_A1 = _quantity("A1")
    quantity_A2 = _quantity("A2")
    quantity_A3 = _quantity("A3")
    quantity_A4 = _quantity("A4")
    quantity_A5 = _quantity("A5")
    quantity_H = _quantity("H")
    quantity_W = _quantity("W")

    def quantity_fields(self) -> list[StringField]:
        return [getattr(self, f"quantity_{t}") for t in TIERS]


class EstimateForm(_Quantities):
    """The public credits estimate: the development's metric, or the number of credits typed in each tier."""

    method = RadioField(
        "How do you want to estimate the credits?",
        choices=opts(
            [
                ("metric", "Upload the development's statutory biodiversity metric"),
                ("typed", "Type the number of credits in each tier"),
            ]
        ),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    metric_file = upload(
        "Statutory biodiversity metric",
        "The metric workbook (.xlsm or .xlsx) or a site file (.json), up to 50 MB. Nothing you upload is kept",
    )
    on = GovDateField("Date of the prices", description="Prices in force on this date. For example, 22 11 2026")
    submit = submit("Estimate the cost")


class StartOrderForm(OnceForm):
    """A developer's confirmation that starts a new statutory biodiversity credit order."""

    submit = submit("Start a new order")


class DevelopmentForm(FlaskForm):
    """The development a credit order is for: its LPA, planning application reference and name."""

    lpa_id = SelectField("Local planning authority (LPA)", choices=[], widget=GovSelect(), validate_choice=False)
    planning_reference = text("Planning application reference", "As the LPA gives it, for example 24/01234/FUL")
    development_name = text("Name of the development", "For example, Mill Lane, Histon: 40 homes")
    submit = submit()


class MetricForm(FlaskForm):
    """The development's statutory biodiversity metric, from which the credits it needs are read."""

    metric_file = upload(
        "The development's statutory biodiversity metric",
        "The metric workbook (.xlsm or .xlsx) or a site file (.json), up to 50 MB",
    )
    submit = submit()


class QuantitiesForm(_Quantities):
    """The number of credits of each tier a developer orders, typed."""

    submit = submit()


class HierarchyForm(FlaskForm):
    """Why on-site and registered off-site gains cannot deliver the units (credits are the last resort)."""

    onsite_reason = area(
        "Why can on-site gains not deliver the remaining units?",
        "For example, what habitat the development creates or enhances on-site, and why it cannot do more",
        MAX_TEXT,
    )
    offsite_reason = area(
        "Why can registered off-site gains not deliver them?",
        "Say why the gain sites found on the register, or others you approached, cannot be used",
        MAX_TEXT,
    )
    submit = submit()


class PurchaseOrderForm(FlaskForm):
    """The buyer's purchase order number, printed on the credit order's invoice."""

    purchase_order = text("Purchase order number (optional)", "It will be shown on the invoice")
    submit = submit()


class DueDiligenceForm(FlaskForm):
    """The customer due diligence details of the buyer of statutory biodiversity credits."""

    customer_type = RadioField(
        "Are you buying as an individual or for an organisation?",
        choices=opts([("individual", "As an individual"), ("organisation", "For an organisation")]),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    full_name = text("Full name")
    date_of_birth = GovDateField("Date of birth", description="For example, 27 3 1980")
    nationality = text("Nationality")
    organisation_name = text("Organisation name")
    organisation_number = text(
        "Organisation registration number", "The Companies House number, for example 01234567 or SC123456"
    )
    submit = submit()


class TermsForm(FlaskForm):
    """The developer's acceptance of the terms and conditions of sale of statutory biodiversity credits."""

    confirm = SelectMultipleField(
        "Terms and conditions",
        choices=opts(
            [
                ("terms", "I have read and accept the terms and conditions of sale of statutory biodiversity credits"),
                (
                    "own_development",
                    "I am buying the credits for my own development, not as an agent or representative of someone else",
                ),
            ]
        ),
        widget=GovCheckboxesInput(),
        validate_choice=False,
    )
    submit = submit()


class SubmitOrderForm(OnceForm):
    """The developer's confirmation that submits a credit order."""

    submit = submit("Submit order")


class WithdrawForm(OnceForm):
    """The developer's withdrawal of a credit order, with an optional reason."""

    reason = area("Why are you withdrawing the order? (optional)", maxlength=MAX_TEXT)
    submit = submit("Withdraw order")


class DueDiligenceDecisionForm(OnceForm):
    """The register team's outcome of a buyer's customer due diligence checks."""

    outcome = RadioField(
        "Customer due diligence checks",
        choices=opts([("passed", "Passed"), ("failed", "Failed")]),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    note = area("Note (required if the checks failed: the developer sees it)", maxlength=MAX_NOTE)
    submit = submit("Record the checks")


class ActionForm(OnceForm):
    """A button that moves the order on (issue the invoice, allocate, send to the LPA)."""

    submit = submit("Continue")


class PaymentForm(OnceForm):
    """The register team's record of a credit order's payment: the date and amount received."""

    received_on = GovDateField("Date the payment was received")
    amount = text("Amount received, in pounds", "The invoice total, for example 3199120")
    submit = submit("Record payment")


class ReasonForm(OnceForm):
    """A case worker's reason for a credit order step, shown to the developer."""

    reason = area("Reason (the developer sees it)", maxlength=MAX_NOTE)
    submit = submit("Continue")


class PriceForm(OnceForm):
    """A new price per credit of a tier, and the date from which it applies."""

    tier = SelectField(
        "Tier",
        choices=opts([("", "Select a tier"), *[(t, TIER_LABELS[t]) for t in TIERS]]),
        widget=GovSelect(),
        validate_choice=False,
    )
    price = text("Price per credit, in pounds, excluding VAT", "For example, 42000")
    valid_from = GovDateField("Applies from", description="Today or later, for example 1 4 2027")
    source = text("Source", "For example, the GOV.UK page and the date it was published")
    submit = submit("Add price")


class VatForm(OnceForm):
    """A new VAT rate on statutory biodiversity credits, the date it applies from and its source."""

    rate = text("VAT rate, per cent", "For example, 20, or 0 where VAT is not payable")
    vat_valid_from = GovDateField("Applies from", description="Today or later, for example 1 4 2027")
    source = text("Source", "For example, the GOV.UK page and the date it was published")
    submit = submit("Add VAT rate")


class RemoveForm(OnceForm):
    """The removal of a price or VAT rate not yet in force."""

    submit = submit("Remove")
