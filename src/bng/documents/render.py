"""Rendering a document: Jinja HTML from this package's templates, then a PDF with WeasyPrint."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup


class DocumentError(Exception):
    """A document could not be rendered (a template or a value it needs is missing)."""


def css_string(value: object) -> Markup:
    """A value made safe inside a CSS string (the page header and footer are CSS ``content``)."""
    out = []
    for ch in str(value):
        out.append(f"\\{ord(ch):X} " if ch in "\\\"<>&'" or ord(ch) < 32 else ch)
    return Markup("".join(out))


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("bng.documents", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,  # a missing value is an error, never a blank on an issued document
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    return env


def render_html(template: str, context: Mapping[str, Any]) -> str:
    """The document as HTML (what the PDF is printed from; also handy to read in tests)."""
    try:
        return _environment().get_template(template).render(**context)
    except Exception as err:  # jinja2 raises several kinds; the caller needs to know which document failed
        raise DocumentError(f"document {template}: {err}") from err


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint's URL fetcher: a document is self-contained, so any fetch is refused."""
    raise DocumentError(f"a document may not fetch {url[:80]!r}")


def render_pdf(template: str, context: Mapping[str, Any], *, title: str = "", created: datetime | None = None) -> bytes:
    """The document as a PDF (bytes), with its title and creation time in the PDF's metadata."""
    return print_pdf(render_html(template, context), title=title, created=created)


def print_pdf(html: str, *, title: str = "", created: datetime | None = None) -> bytes:
    """HTML printed to PDF: bng's one way to make a PDF (documents here, the workbook check's report).

    The HTML must be self-contained (styles inline, no images or fonts fetched): any fetch is refused.
    """
    from weasyprint import HTML  # type: ignore[import-untyped]  # slow to import: only when a PDF is made

    document = HTML(string=html, url_fetcher=_no_fetching).render()
    if title:
        document.metadata.title = title
    if created is not None:
        document.metadata.created = created.strftime("%Y-%m-%dT%H:%M:%SZ")
        document.metadata.modified = document.metadata.created
    pdf: bytes = document.write_pdf()
    return pdf
