"""The forms of the planning pages (parsing only: bng.planning and the planning service judge the answers)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovSelect
from wtforms import RadioField, SelectField, SelectMultipleField

from bng.planning import APPLICATION_TYPES
from bng.planning import planning_tables as tables

from .forms import GovDateField, area, opts, submit, text, upload
from .once import OnceForm

YES_NO_UNKNOWN = opts([("yes", "Yes"), ("no", "No"), ("unknown", "Not known")])
FLAGS = opts(
    [
        ("self_build_custom_build", "It consists exclusively of self-build or custom housebuilding"),
        ("gain_site_development", "It is solely or mainly to provide biodiversity gains for another development"),
        ("hs2", "It forms part of, or is ancillary to, the high speed railway (HS2)"),
        ("minerals", "It is minerals development"),
        ("waste", "It is waste development"),
    ]
)


class ApplicabilityForm(FlaskForm):
    """A planning application whose biodiversity gain condition is in question: its type, date, size and impact."""

    application_type = SelectField(
        "Type of application",
        choices=opts(list(APPLICATION_TYPES.items())),
        widget=GovSelect(),
        validate_choice=False,
    )
    application_date = GovDateField("Date the application was made", description="For example, 3 3 2025")
    permission_date = GovDateField("Date the permission has effect, if granted", description="Leave blank if not yet")
    original_application_date = GovDateField(
        "Section 73: date the original application was made",
        description="The first permission of the chain of section 73 permissions",
    )
    residential = RadioField(
        "Does the development provide dwellings?", choices=YES_NO_UNKNOWN, widget=GovRadioInput(), validate_choice=False
    )
    dwellings = text("Number of dwellings", "Leave blank if not yet known (outline applications)")
    floorspace_m2 = text("Floorspace created, in square metres", "For example, 850")
    site_area_ha = text("Site area within the red line, in hectares", "For example, 0.45")
    impacted_area_m2 = text(
        "Onsite habitat impacted (lost or degraded), in square metres",
        "Leave out sealed and other zero-value surfaces; leave blank if not known",
    )
    impacted_length_m = text("Onsite hedgerow or watercourse impacted, in metres", "Leave blank if not known")
    priority_habitat_impacted = RadioField(
        "Is any onsite priority habitat impacted?",
        choices=YES_NO_UNKNOWN,
        widget=GovRadioInput(),
        validate_choice=False,
    )
    temporary_years = text("If the whole development is temporary: for how many years", "Leave blank if not")
    flags = SelectMultipleField(
        "Does any of these describe the development?", choices=FLAGS, widget=GovCheckboxesInput(), validate_choice=False
    )
    submit = submit("Check")


class SubmitPlanForm(OnceForm):
    """An applicant's biodiversity gain plan for the LPA: the development, its phasing and its documents."""

    lpa_id = SelectField("Local planning authority (LPA)", choices=[], widget=GovSelect(), validate_choice=False)
    planning_reference = text("Planning application reference", "As on the decision notice, for example 24/03964/FUL")
    development_name = text("Name of the development", "For example, Mill Road Depot, 40 homes")
    phase = RadioField(
        "Is the development phased?",
        choices=opts(
            [
                ("", "No: one plan for the whole development"),
                ("overall", "Yes: this is the overall plan"),
                ("phase", "Yes: this is the plan for one phase"),
            ]
        ),
        widget=GovRadioInput(),
        validate_choice=False,
        default="",
    )
    phase_name = text("Name of the phase", "As the overall plan names it, for example 1")
    overall_reference = text("Reference of the approved overall plan", "For example, PLN-7K2M-Q9XD")
    submission_file = upload(
        "The gain plan's documents, as one .zip file",
        "application.json, the statutory metric workbook, the habitat maps (GeoPackage, Shapefile or GeoJSON), "
        "the habitat plans and other PDFs (see docs/planning.md)",
    )
    submit = submit("Submit the biodiversity gain plan")


class ReasonsForm(OnceForm):
    """An LPA officer's reasons for returning a gain plan as invalid."""

    reasons = area("Reasons", "What the applicant must put right, or why the plan is refused")
    submit = submit("Return as invalid")


class DecisionForm(OnceForm):
    """An LPA officer's decision on a biodiversity gain plan: approve, or refuse with reasons."""

    outcome = RadioField(
        "Decision",
        choices=opts([("approved", "Approve the biodiversity gain plan"), ("refused", "Refuse it")]),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    reasons = area("Reasons", "Needed for a refusal; published on the register of decisions")
    submit = submit("Record the decision")


class ValidatedForm(OnceForm):
    """An LPA officer's confirmation that a gain plan is valid and can be determined."""

    submit = submit("Mark as validated")


def findings_form() -> type[OnceForm]:
    """One finding and a note per step of the gain hierarchy (hierarchy_steps.csv)."""

    class FindingsForm(OnceForm):
        pass

    for step in tables().hierarchy_steps:
        setattr(
            FindingsForm,
            f"finding_{step.code}",
            RadioField(
                step.title,
                choices=opts([("accepted", "Accepted"), ("not accepted", "Not accepted")]),
                widget=GovRadioInput(),
                validate_choice=False,
            ),
        )
        setattr(FindingsForm, f"note_{step.code}", area("Note", ""))
    FindingsForm.submit = submit("Save the findings")
    return FindingsForm


class CheckForm(FlaskForm):
    """An application's biodiversity documents as one zip, checked and reported on, never kept."""

    submission_file = upload(
        "The application's biodiversity documents, as one .zip file",
        "Nothing you upload is kept: the report is shown here only",
    )
    submit = submit("Check the documents")
