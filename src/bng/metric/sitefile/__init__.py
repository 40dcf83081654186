"""The JSON site file: parse it into a :class:`~bng.metric.model.Site` (checking every row) and write results back.

Parsing never raises on bad content: it returns the site it could build and a list of
:class:`~bng.metric.result.InputIssue`, each naming the place (``on_site.area.baseline``), the
row's ref, the field and what was expected. Rows with an unknown habitat cannot be placed in the
workbook and are left out of the calculation; every other problem is reported and the row is
still calculated the way the workbook would calculate it (often to an error text).

``fields`` reads the fields every row shares; ``area``, ``hedgerow`` and ``watercourse`` read each
module's rows; ``reading`` puts a site together; ``writing`` turns a site or a result back into the
file's format.
"""

from .reading import parse_site
from .writing import result_to_dict, site_to_dict

__all__ = ["parse_site", "result_to_dict", "site_to_dict"]
