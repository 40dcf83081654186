"""The :class:`Notify` port (GOV.UK Notify's e-mail API, as the worker uses it) and the template ids.

Notify keeps each template's words under an id (a UUID) made in Notify's own admin pages, per service. The
register names its templates (``bng.register.core.outbox.TEMPLATES``) and maps each name to an id:

- with ``NOTIFY_API_KEY`` set, from the CSV file ``NOTIFY_TEMPLATE_IDS`` names (``template,template_id,source``:
  one row per template, ``source`` saying where the id came from, e.g. the Notify service and the date it
  was copied); a message whose template has no id fails with a clear error (``bng notify templates`` lists
  them, with the words to paste into Notify);
- without a key, every template has its stand-in id (a UUID made from its name), which the local stand-in
  (``bng.register.notify.stand_in``) knows.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bng.register.core.outbox import TEMPLATES

PRODUCTION = "https://api.notifications.service.gov.uk"
STAND_IN_NAMESPACE = uuid.UUID("6d3a1f0c-8f1e-4b7e-9b6a-0b9d4c2e7a51")


class NotifyError(Exception):
    """Notify refused or could not be reached: ``retry`` says whether trying later may help."""

    def __init__(self, message: str, status: int = 0, retry: bool = True) -> None:
        super().__init__(message)
        self.status = status
        self.retry = retry


def retryable(status: int) -> bool:
    """Notify's answers worth trying again: rate limits (429), its own failures (5xx) and no answer (0).

    A 400 (bad request: a missing personalisation, a bad address, an unknown template) or 403 (the key) will not mend
    itself: the message fails at once, for a person to look at.
    """
    return status == 0 or status == 429 or status >= 500


class Notify(Protocol):
    """GOV.UK Notify's e-mail API, as the worker uses it: answered by the adapter and by the local stand-in."""

    def send_email(self, to: str, template_id: str, personalisation: Mapping[str, str], reference: str) -> str:
        """Send one e-mail; Notify's id of the notification. Raises :class:`NotifyError`."""
        ...

    def status(self, notification_id: str) -> str:
        """Notify's status of a notification (created, sending, delivered, permanent-failure, …)."""
        ...


def stand_in_template_id(template: str) -> str:
    """A template's id in the stand-in: a UUID made from its name, the same on every machine."""
    return str(uuid.uuid5(STAND_IN_NAMESPACE, template))


@dataclass(frozen=True)
class TemplateIds:
    """Notify's template id of each of the register's templates, and where the ids came from."""

    ids: Mapping[str, str]
    where: str  # where the ids came from, for the error of a missing one

    def of(self, template: str) -> str:
        """The template's id; a NotifyError not worth retrying if it has none (the message fails for a person)."""
        found = self.ids.get(template)
        if not found:
            raise NotifyError(f"No GOV.UK Notify template id for {template!r} in {self.where}", 0, retry=False)
        return found

    @classmethod
    def stand_in(cls) -> TemplateIds:
        """The stand-in's ids of every template (the service run without a Notify key)."""
        return cls({name: stand_in_template_id(name) for name in TEMPLATES}, "the stand-in's templates")

    @classmethod
    def from_csv(cls, path: Path) -> TemplateIds:
        """Read ``template,template_id[,source]`` rows from ``NOTIFY_TEMPLATE_IDS``'s file.

        An unknown template or an id that is not a UUID is an error naming the file and row.
        """
        ids: dict[str, str] = {}
        with path.open(newline="", encoding="utf-8") as fh:
            for n, row in enumerate(csv.DictReader(fh), start=2):
                name, value = (row.get("template") or "").strip(), (row.get("template_id") or "").strip()
                if name not in TEMPLATES:
                    raise ValueError(f"{path}, row {n}: there is no e-mail template {name!r}")
                try:
                    ids[name] = str(uuid.UUID(value))
                except ValueError:
                    raise ValueError(f"{path}, row {n}: template_id {value!r} is not a UUID") from None
        return cls(ids, str(path))
