"""Is a page valid HTML, and sound in the ways a GOV.UK page must be?

html5lib parses the page exactly as the HTML standard says browsers do and lists every parse
error (a stray end tag, a missing doctype, an attribute twice). On the tree it builds we then
check what a parser forgives but people do not: ids are unique, labels, ARIA references and
in-page links point at something, every field has a label, every POST form carries the CSRF
token, the page has a language and a title.
"""

from __future__ import annotations

import re

import html5lib
from html5lib.constants import E as MESSAGES

LABELLED_BY_MACRO = {"hidden", "submit", "button", "image", "reset"}


def _message(code: str, data: dict[str, str] | None) -> str:
    template = MESSAGES.get(code, code)
    try:
        return str(template % (data or {}))
    except (KeyError, TypeError, ValueError):
        return f"{code} {data}"


ESCAPED_MARKUP = re.compile(r"&lt;/?(a|p|span|strong|br|div|ul|li|h[1-6])[\s&/]")


def problems(text: str) -> list[str]:
    """Everything wrong with a page; an empty list if nothing is."""
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    root = parser.parse(text)
    out = []
    lines = text.splitlines()
    for (line, col), code, data in parser.errors:
        near = lines[line - 1][max(0, col - 60) : col + 20] if 0 < line <= len(lines) else ""
        out.append(f"line {line} col {col}: {_message(code, data)} (near {near.strip()!r})")
    for m in ESCAPED_MARKUP.finditer(text):
        out.append(f"markup escaped twice shows as text: {text[max(0, m.start() - 40) : m.end() + 40]!r}")
    if not text.lstrip().lower().startswith("<!doctype html>"):
        out.append("the page does not start with <!DOCTYPE html>")
    if not root.get("lang"):
        out.append("<html> has no lang attribute")
    title = root.find("head/title")
    if title is None or not "".join(title.itertext()).strip():
        out.append("the page has no <title>")
    elements = list(root.iter())
    ids: dict[str, int] = {}
    for el in elements:
        if el.get("id"):
            ids[el.get("id") or ""] = ids.get(el.get("id") or "", 0) + 1
    out += [f"id {i!r} is used {n} times" for i, n in ids.items() if n > 1]
    labelled = {x.get("for") for x in elements if x.tag == "label" and x.get("for")}
    for el in elements:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "label" and el.get("for") and el.get("for") not in ids:
            out.append(f"<label for={el.get('for')!r}> labels nothing")
        for attr in ("aria-describedby", "aria-labelledby", "aria-controls"):
            for ref in (el.get(attr) or "").split():
                if ref not in ids:
                    out.append(f"<{tag} {attr}={ref!r}> refers to no element")
        if tag == "a" and (el.get("href") or "").startswith("#") and len(el.get("href") or "") > 1:
            target = (el.get("href") or "")[1:]
            if target not in ids:
                out.append(f"the link to #{target} ({''.join(el.itertext()).strip()!r}) goes nowhere")
        field = tag in ("input", "select", "textarea") and (el.get("type") or "text") not in LABELLED_BY_MACRO
        if field and not (el.get("aria-label") or el.get("aria-labelledby")) and el.get("id") not in labelled:
            out.append(f"<{tag} name={el.get('name')!r}> has no label")
        posting = tag == "form" and (el.get("method") or "get").lower() == "post"
        if posting and not any(x.tag == "input" and (x.get("name") or "").endswith("csrf_token") for x in el.iter()):
            out.append(f"the POST form to {el.get('action') or 'this page'!r} has no CSRF token")
        if tag == "img" and el.get("alt") is None:
            out.append(f"<img src={el.get('src')!r}> has no alt text")
    return out


def assert_valid(text: str, where: str = "") -> None:
    found = problems(text)
    assert not found, f"invalid HTML{' on ' + where if where else ''}:\n  " + "\n  ".join(found[:30])
