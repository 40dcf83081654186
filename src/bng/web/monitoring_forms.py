"""The forms of monitoring's pages (parsing only: the monitoring services judge the answers).

A form that confirms a change (a report, a remedial action, an excess sale) carries a one-time token
(``submission_token``, drawn beside its CSRF token): the services keep it unique, so the same post sent
twice makes one record.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import Field, HiddenField, RadioField, SelectField, SelectMultipleField

from bng.register.monitoring import Mechanism, Monitor

from .forms import GovDateField, area, opts, submit, text, upload
from .widgets import GovCheckboxesInput, GovRadioInput, GovSelect


def new_token() -> str:
    return secrets.token_urlsafe(24)


class _WithToken:
    """The CSRF field's widget, drawing the form's one-time token after it."""

    def __init__(self, token: Field) -> None:
        self.token = token

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        def hidden(f: Field) -> str:
            return f'<input type="hidden" name="{escape(f.name)}" value="{escape(f._value())}">'

        return Markup(hidden(field) + "\n" + hidden(self.token))


class OnceForm(FlaskForm):
    """A form that confirms a change, with its one-time token."""

    submission_token = HiddenField(default=new_token)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        csrf = getattr(self, "csrf_token", None)
        if csrf is not None:
            csrf.widget = _WithToken(self.submission_token)

    @property
    def token(self) -> str:
        return str(self.submission_token.data or "")

    @property
    def sent(self) -> bool:
        """Whether the post carried its token (a post without one did not come from this service's page)."""
        raw = self.submission_token.raw_data
        return bool(raw and raw[0])


class StartForm(FlaskForm):
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


class SiteStartForm(FlaskForm):
    submit = submit("Start monitoring the gain site")


class FeeForm(FlaskForm):
    received_on = GovDateField("Date the fee was received")
    amount = text("Amount received, in pounds", "For example, 13043.93")
    submit = submit("Record the fee")


class AcceptForm(FlaskForm):
    note = area("Note (optional)", "For example, what the inspection found")
    submit = submit("Accept the report")


class ActionForm(OnceForm):
    description = area("What must be done", "The remedial action, for the provider")
    deadline = GovDateField("Done by", description="For example, 1 9 2037")
    parcel_keys = SelectMultipleField(
        "Parcels", choices=[], widget=GovCheckboxesInput(), validate_choice=False, description="Those off track if none"
    )
    submit = submit("Ask for remedial action")


class DoneForm(FlaskForm):
    note = area("What was done", "For example, scrub cleared and re-seeded in March")
    submit = submit("Record as done")


class ReportForm(OnceForm):
    year = SelectField("Year of monitoring", choices=[], widget=GovSelect(), validate_choice=False)
    narrative = area("What the monitoring found", "The survey: when, by whom, how")
    changes = area("Changes since the last report")
    recommendations = area("Recommended changes to the biodiversity gain plan")
    photos = upload("Photos", "PNG or JPEG, up to 20 of them, 20 MB each")
    metric_file = upload("Updated statutory metric (optional)", "The workbook (.xlsx or .xlsm) or a site file (.json)")
    map_file = upload("Updated habitat map (optional)", "A GeoPackage (.gpkg)")
    submit = submit("Submit the monitoring report")


class SaleForm(OnceForm):
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
    submit = submit("Make a new calendar link")
