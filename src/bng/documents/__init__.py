"""Documents: HTML written with Jinja, printed to PDF with WeasyPrint.

One base layout (A4, the document's title and reference on every page, page numbers) and one
function, :func:`render_pdf`, for every document bng issues: the statutory biodiversity credits'
pro forma invoice and proof of purchase now, the gain plan and metric reports next. Templates
receive values already worded and formatted by the caller; this package knows layout, not rules.
Nothing is fetched while rendering: a document is made of its HTML and the fonts on the machine.
Every PDF bng makes is printed here (:func:`print_pdf`), the workbook check's report included.

This is the package's face: code outside ``bng.documents`` imports from here, never from a
submodule (an import-linter contract in pyproject.toml).
"""

from .render import DocumentError, print_pdf, render_html, render_pdf

__all__ = ["DocumentError", "print_pdf", "render_html", "render_pdf"]
