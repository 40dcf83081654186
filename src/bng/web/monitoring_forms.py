"""The forms of monitoring's pages (parsing only: the monitoring services judge the answers).

A form that confirms a change (starting monitoring, a fee received, a report, the officer's acceptance or
remedial action, an action done, an excess sale) is a :class:`~bng.web.once.OnceForm`: the same post sent
twice makes one record.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField

from bng.register.monitoring.records import Mechanism, Monitor

from .forms import GovDateField, area, opts, submit, text, upload
from .once import OnceForm
from .widgets import GovCheckboxesInput, GovRadioInput, GovSelect


class StartForm(OnceForm):
    """An LPA officer's start of monitoring of an approved gain plan: the start date and how the gains are secured."""

    start_date = GovDateField(
        "Date monitoring starts",
        description="When the habitat works were completed (or development commenced), for example 1 3 2027",
    )
    mechanism = RadioField(
        "How are the gains secured?",
        choices=opts([(m.value, m.value[0].upper() + m.value[1:]) for m in Mechanism]),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    monitor = RadioField(
        "Who monitors?",
        choices=opts([(Monitor.LPA.value, "The local planning authority"), (Monitor.BODY.value, "A responsible body")]),
        widget=GovRadioInput(),
        validate_choice=False,
        default=Monitor.LPA.value,
    )
    responsible_body_id = SelectField(
        "Responsible body (conservation covenant)", choices=[], widget=GovSelect(), validate_choice=False
    )
    submit = submit("Start monitoring")


class SiteStartForm(OnceForm):
    """An LPA officer's start of monitoring of a registered gain site."""

    submit = submit("Start monitoring the gain site")


class FeeForm(OnceForm):
    """An LPA officer's record of a monitoring fee received."""

    received_on = GovDateField("Date the fee was received")
    amount = text("Amount received, in pounds", "For example, 13043.93")
    submit = submit("Record the fee")


class AcceptForm(OnceForm):
    """An LPA officer's acceptance of a monitoring report."""

    note = area("Note (optional)", "For example, what the inspection found")
    submit = submit("Accept the report")


class ActionForm(OnceForm):
    """An LPA officer's request for remedial action on the parcels that are off track."""

    description = area("What must be done", "The remedial action, for the provider")
    deadline = GovDateField("Done by", description="For example, 1 9 2037")
    parcel_keys = SelectMultipleField(
        "Parcels", choices=[], widget=GovCheckboxesInput(), validate_choice=False, description="Those off track if none"
    )
    submit = submit("Ask for remedial action")


class DoneForm(OnceForm):
    """The provider's record of a remedial action done."""

    note = area("What was done", "For example, scrub cleared and re-seeded in March")
    submit = submit("Record as done")


class ReportForm(OnceForm):
    """The provider's monitoring report for a year: findings, photos, and an updated metric and habitat map."""

    year = SelectField("Year of monitoring", choices=[], widget=GovSelect(), validate_choice=False)
    narrative = area("What the monitoring found", "The survey: when, by whom, how")
    changes = area("Changes since the last report")
    recommendations = area("Recommended changes to the biodiversity gain plan")
    photos = upload("Photos", "PNG or JPEG, up to 20 of them, 20 MB each")
    metric_file = upload("Updated statutory metric (optional)", "The workbook (.xlsx or .xlsm) or a site file (.json)")
    map_file = upload("Updated habitat map (optional)", "A GeoPackage (.gpkg)")
    submit = submit("Submit the monitoring report")


class SaleForm(OnceForm):
    """A developer's sale of excess on-site gains to another development."""

    buyer_planning_reference = text("The buying development's planning reference")
    buyer_lpa_id = SelectField("The buying development's LPA", choices=[], widget=GovSelect(), validate_choice=False)
    units_area = text("Habitat units sold", "Leave blank for none")
    units_hedgerow = text("Hedgerow units sold", "Leave blank for none")
    units_watercourse = text("Watercourse units sold", "Leave blank for none")
    gain_site_reference = text(
        "Gain site reference (optional)", "Once the parcels are registered as a gain site, for example BGS-7K2M-Q9XD"
    )
    submit = submit("Record the sale")


class PeriodForm(FlaskForm):
    """The period of the LPA's biodiversity report and the format to download it in."""

    from_date = GovDateField("From", description="The first day of the period, for example 1 1 2025")
    to_date = GovDateField("To", description="The last day of the period, for example 31 12 2025")
    format = RadioField(
        "Download as",
        choices=opts([("xlsx", "Spreadsheet (.xlsx)"), ("pdf", "PDF")]),
        widget=GovRadioInput(),
        validate_choice=False,
        default="xlsx",
    )
    submit = submit("Make the report")


class CalendarLinkForm(FlaskForm):
    """A new secret link to one's monitoring calendar (the old link stops working)."""

    submit = submit("Make a new calendar link")
