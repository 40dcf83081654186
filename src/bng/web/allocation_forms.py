"""The allocation journey's forms.

Like the registration's, they only parse what the browser sent; the allocation service checks the answers and
says what is wrong.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField

from .forms import opts, submit, text, upload
from .once import OnceForm
from .widgets import GovRadioInput, GovSelect

METHODS = (
    ("parcels", "Choose habitat parcels and how much of each"),
    ("metric", "Upload the development's statutory biodiversity metric"),
)


class FindSiteForm(FlaskForm):
    """The gain site reference a developer starts an allocation from."""

    class Meta:
        """No CSRF token: the form is a GET that only finds a page."""

        csrf = False  # a GET that only finds a page

    reference = text("Gain site reference", "The register's reference, for example BGS-221126001")
    submit = submit("Continue")


def development_lpa() -> SelectField:
    """The development's LPA, asked alike by the allocation journey and the application's allocation section."""
    return SelectField(
        "Local planning authority (LPA)",
        description="The LPA the development's planning application is made to",
        choices=[],
        widget=GovSelect(),
        validate_choice=False,
    )


class AllocationForm(FlaskForm):
    """The development an allocation is for (its LPA, planning reference and name) and how its units are given."""

    lpa_id = development_lpa()
    planning_reference = text("Planning application reference", "For example, 26/01234/FUL")
    development_name = text("Name of the development", "For example, Mill Road homes")
    grid_reference = text(
        "Grid reference of the development",
        "The middle of the development site, like TL 4600 5900 or 546000, 259000. The register works out the "
        "spatial risk category from where the development and the gain site are",
    )
    method = RadioField(
        "How do you want to say what the development uses from this gain site?",
        choices=opts(list(METHODS)),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    metric_file = upload(
        "The development's statutory biodiversity metric",
        "The metric workbook (.xlsm or .xlsx) or a site file (.json), with this gain site's register reference "
        "in the off-site reference column of its off-site sheets. Up to 50 MB",
    )
    metric_file_id = HiddenField()  # a metric already uploaded (and kept), when the answers come back to be changed
    submit = submit("Continue")


class ConfirmAllocationForm(OnceForm, AllocationForm):
    """The checked answers come back as hidden fields; the landowner's consent is uploaded here."""

    consent_file = upload(
        "Written consent of the gain site's landowner",
        "The landowner's signed consent to allocate these units to the development. A PDF, Word document or image, "
        "smaller than 20 MB",
    )
    submit = submit("Record the allocation")


class AllocationSectionForm(FlaskForm):
    """The registration application's optional allocation section (register and allocate together).

    The quantities are one input per parcel of the application's habitats, read from the request.
    """

    allocate = RadioField(
        "Will a development use units from this gain site?",
        description="If you already know the development, you can record its allocation with this application. "
        "It is recorded when the gain site goes on the register. The allocation fee is £45",
        choices=opts([("yes", "Yes, allocate units to a development with this application"), ("no", "No")]),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    lpa_id = development_lpa()
    planning_reference = text("Planning application reference", "For example, 26/01234/FUL")
    development_name = text("Name of the development", "For example, Mill Road homes")
    grid_reference = text(
        "Grid reference of the development",
        "The middle of the development site, like TL 4600 5900 or 546000, 259000. The register works out the "
        "spatial risk category when the gain site goes on the register",
    )
    method = RadioField(
        "How do you want to say what the development uses?",
        choices=opts(list(METHODS)),  # as the allocation journey asks
        widget=GovRadioInput(),
        validate_choice=False,
    )
    development_metric_file = upload(
        "The development's statutory biodiversity metric",
        "The metric workbook (.xlsm or .xlsx) or a site file (.json). The gain site has no register reference yet, so "
        "its off-site rows for this gain site name this application's reference in the off-site reference column. "
        "Up to 50 MB",
    )
    submit = submit()
