"""GOV.UK Frontend's form widgets (govuk-frontend-wtf), showing every error of a field.

The package's widgets show a field's first error only, so a metric with twenty problems, all on its
file field, showed one ("The metric has 2 problems", and not what they were). Here each widget shows
all of its field's errors, one to a line; the error summary lists each of them too (``error_list``).
"""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf import wtforms_widgets as gov
from markupsafe import Markup, escape


class AllErrors:
    """Mixed in before a GOV.UK widget: its error message holds every error of the field."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        """The widget's GOV.UK parameters, with every error of the field in its error message."""
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)  # type: ignore[misc]
        if len(field.errors) > 1:
            params["errorMessage"] = {"html": Markup("<br>").join(escape(str(e)) for e in field.errors)}
        return params


class GovTextInput(AllErrors, gov.GovTextInput):
    """GOV.UK text input, showing every error."""


class GovPasswordInput(AllErrors, gov.GovPasswordInput):
    """GOV.UK password input, showing every error."""


class GovTextArea(AllErrors, gov.GovTextArea):
    """GOV.UK textarea, showing every error."""


class GovCharacterCount(AllErrors, gov.GovCharacterCount):
    """A textarea with GOV.UK's character count: the limit is shown and counted down as people type.

    The service refuses longer text with a message; nothing is cut short.
    """

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        """The character count's parameters, with the field's ``maxlength``."""
        params = super().map_gov_params(field, **kwargs)
        params.setdefault("maxlength", getattr(field, "maxlength", None))
        return params


class GovFileInput(AllErrors, gov.GovFileInput):
    """GOV.UK file upload, showing every error."""


class GovSelect(AllErrors, gov.GovSelect):
    """GOV.UK select, showing every error."""


class GovRadioInput(AllErrors, gov.GovRadioInput):
    """GOV.UK radios, showing every error."""


class GovCheckboxesInput(AllErrors, gov.GovCheckboxesInput):
    """GOV.UK checkboxes, showing every error."""


class GovDateInput(AllErrors, gov.GovDateInput):
    """GOV.UK date input, showing every error."""


class GovSubmitInput(gov.GovSubmitInput):
    """GOV.UK button (a button has no errors to show)."""
