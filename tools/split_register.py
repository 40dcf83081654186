"""Split the flat ``bng.register`` into its areas (issue 15, item 1): move the modules, rewrite every reference.

    .venv/bin/python tools/split_register.py          # move and rewrite (git mv; the work tree must be a git checkout)
    .venv/bin/python tools/split_register.py --check  # say what would change, change nothing (exit 1 if anything would)

``TABLE`` maps every module of the flat register to its place. The script refuses to run, listing them, while a
module of ``src/bng/register`` is in no row: add it to ``TABLE`` (and to the area's ``AREAS`` entry if it makes a new
area) and run again. It is idempotent: run on a tree already split it changes nothing, but for references that still
use an old name (code merged from a branch made before the split), which it rewrites.

What it rewrites, in src/, tests/, benchmarks/, tools/, docs/, README.md and pyproject.toml:
- dotted names ``bng.register.OLD`` anywhere (imports, ``import ... as``, monkeypatch targets, docstrings, docs);
- ``from bng.register import OLD[, ...]``, one import per new package (``as OLD`` where the name changes);
- relative imports inside the register: to ``.name`` within the same new package, otherwise absolute;
- names that left their module when the circle was broken (``NAMES``: ``Upload``, ``EMAIL``, the allocation
  section's answers), imported from where they are now;
- file paths ``bng/register/OLD.py`` in prose.
``bng/register/data`` stays where it is (``importlib.resources.files("bng.register")`` reads it, and so do migrations).
Then ``ruff check --select I --fix`` and ``ruff format`` tidy the files it touched.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REGISTER = ROOT / "src" / "bng" / "register"
PACKAGE = "bng.register"

AREAS: dict[str, str] = {
    "core": "What every area shares: the records, the ports, errors, the audit log, references, roles, date rules,\n"
    "fees, files, geometries, places and LPAs, the capacity ledger, one-time submissions and the outbox.",
    "applications": "Registration applications: their sections, the checks at submission, boundaries and habitats,\n"
    "and the register team's review. The combined case's allocation reaches them through a port.",
    "allocations": "Allocations: a development uses units of a registered gain site (its spatial risk, its metric),\n"
    "and the combined case (register and allocate in one application).",
    "credits": "Statutory biodiversity credits: estimates, orders, pricing, fulfilment and proofs of purchase.",
    "accounts": "Accounts, passwords and API tokens. They use the core only, and only the wiring uses them.",
    "payments": "Fees paid by card through GOV.UK Pay (its adapter and its local stand-in).",
    "planning": "Planning cases: gain plans submitted to LPAs, validated against the register's records, decided.",
    "monitoring": "Monitoring over 30 years: obligations, reports, excess sales, calendars, the LPA's view.",
    "public": "The public register and its open data: read only, no personal data.",
    "access": "Who sees what beyond the public register: a landowner's allocations, an LPA's allocations and\n"
    "credit purchases, messages to a gain site's provider.",
    "money": "Money beyond due and received: overpayments and part refunds, the bank details, invoice PDFs.",
    "notify": "E-mails through GOV.UK Notify: the port, its adapter, its local stand-in and the worker that sends\n"
    "the queued outbox.",
}

TABLE: dict[str, str] = {
    # core
    "model": "core.model",
    "ports": "core.ports",
    "errors": "core.errors",
    "audit": "core.audit",
    "audit_log": "core.audit_log",
    "references": "core.references",
    "service": "core.service",
    "roles": "core.roles",
    "rules": "core.rules",
    "fees": "core.fees",
    "payments": "core.fee_payments",
    "filetypes": "core.filetypes",
    "geometries": "core.geometries",
    "places": "core.places",
    "lpas": "core.lpas",
    "ledger": "core.ledger",
    "uploads": "core.uploads",
    "submissions": "core.submissions",
    "outbox": "core.outbox",
    "reference_data": "core.reference_data",
    "adjustments": "core.adjustments",
    "notifications": "core.notifications",
    # applications
    "applications": "applications.service",
    "sections": "applications.sections",
    "allocation_section": "applications.allocation_section",
    "checks": "applications.checks",
    "boundary": "applications.boundary",
    "habitats": "applications.habitats",
    "metric_doors": "applications.metric_doors",
    "reads": "applications.reads",
    "review": "applications.review",
    # allocations
    "allocations": "allocations.service",
    "allocation_metric": "allocations.metric",
    "allocation_risk": "allocations.risk",
    "combined": "allocations.combined",
    # credits
    "credit_amounts": "credits.amounts",
    "credit_base": "credits.base",
    "credit_estimates": "credits.estimates",
    "credit_fulfilment": "credits.fulfilment",
    "credit_hierarchy": "credits.hierarchy",
    "credit_metric": "credits.metric",
    "credit_orders": "credits.orders",
    "credit_ports": "credits.ports",
    "credit_prices": "credits.prices",
    "credit_pricing": "credits.pricing",
    "credit_proof": "credits.proof",
    "credit_records": "credits.records",
    "credit_services": "credits.services",
    "credit_card": "credits.card",
    # access, money, notify
    "access": "access.service",
    "money": "money.service",
    "remittance": "money.remittance",
    "notify": "notify.port",
    "govuk_notify": "notify.govuk_notify",
    "notify_stand_in": "notify.stand_in",
    "notify_worker": "notify.worker",
    # accounts
    "accounts": "accounts.service",
    "passwords": "accounts.passwords",
    "api_tokens": "accounts.api_tokens",
    "account_settings": "accounts.settings",
    "second_factor": "accounts.second_factor",
    # payments
    "card_payments": "payments.card",
    "govuk_pay": "payments.govuk_pay",
    "pay_stand_in": "payments.stand_in",
    # planning
    "planning_cases": "planning.cases",
    "planning_records": "planning.records",
    # monitoring
    "monitoring": "monitoring.records",
    "monitoring_calendar": "monitoring.calendar",
    "monitoring_excess": "monitoring.excess",
    "monitoring_lpa": "monitoring.lpa",
    "monitoring_service": "monitoring.service",
    # public
    "public": "public.sites",
    "open_data": "public.open_data",
    # the register's own: the wiring, the demonstration and its sample documents
    "services": "services",
    "demo": "demo",
    "samples": "samples",
}

NAMES: dict[tuple[str, str], str] = {
    **{("applications.sections", n): "core.uploads" for n in ("Upload",)},
    **{("applications.sections", n): "core.outbox" for n in ("EMAIL",)},
    **{
        ("allocations.combined", n): "applications.allocation_section"
        for n in ("SECTION", "FIELD", "METRIC_FIELD", "parcel_key", "sellable", "wanted", "line_problems", "problems")
    },
    **{("allocations.combined", n): "applications.allocation_section" for n in ("uses_metric", "CombinedCase")},
}
"""Names that left their module when the circle was broken (issue 15): ``from OLD import NAME`` is written
``from NEW import NAME`` (module paths as after the split, without ``bng.register.``)."""

SCAN = ("src", "tests", "benchmarks", "tools", "docs", "README.md", "pyproject.toml")
TEXT_SUFFIXES = {".py", ".md", ".toml", ".html", ".j2", ".txt", ".cfg", ".ini", ".yml", ".yaml", ".json", ".mako"}
SELF = Path(__file__).resolve()


def fail(message: str) -> None:
    print(f"split_register: {message}", file=sys.stderr)
    sys.exit(2)


def check_table() -> None:
    """Every module of the flat register has a row, every row a known area; else stop, listing what is missing."""
    flat = sorted(p.stem for p in REGISTER.glob("*.py") if p.stem != "__init__")
    missing = [m for m in flat if m not in TABLE]
    folders = sorted(p.name for p in REGISTER.iterdir() if p.is_dir() and p.name not in {"data", "__pycache__"})
    unknown_folders = [f for f in folders if f not in AREAS]
    bad_rows = [f"{k} -> {v}" for k, v in TABLE.items() if "." in v and v.split(".")[0] not in AREAS]
    taken = [f"{k} -> {v}" for k, v in TABLE.items() if list(TABLE.values()).count(v) > 1]
    if missing or unknown_folders or bad_rows or taken:
        lines = []
        if missing:
            lines.append("modules of src/bng/register in no row of TABLE (add each with its new dotted path):")
            lines += [f"    {m}" for m in missing]
        if unknown_folders:
            lines.append(f"folders of src/bng/register that are no area of AREAS: {', '.join(unknown_folders)}")
        if bad_rows:
            lines.append(f"rows whose area is not in AREAS: {', '.join(bad_rows)}")
        if taken:
            lines.append(f"rows sharing one new path: {', '.join(taken)}")
        fail("\n".join(lines))


def new_module(old: str) -> str:
    return f"{PACKAGE}.{TABLE[old]}"


def is_new_module(dotted: str) -> bool:
    """Whether ``bng.register.X[.Y]`` names a module or package of the split register: in ``TABLE``, or made in
    an area since (``payments.fees``, whose area's name is also an old flat module's, ``payments``)."""
    rest = dotted.removeprefix(PACKAGE + ".")
    if rest in AREAS or rest in TABLE.values():
        return True
    path = REGISTER.joinpath(*rest.split("."))
    return rest.split(".")[0] in AREAS and (path.with_suffix(".py").is_file() or (path / "__init__.py").is_file())


class Tree:
    """What stands in the work tree when the script starts: which old modules are still flat files."""

    def __init__(self) -> None:
        self.flat = {p.stem for p in REGISTER.glob("*.py") if p.stem != "__init__"}

    def ambiguous(self, old: str) -> bool:
        """An old module whose name is also an area now (``allocations``): a bare mention is the old module
        only while its flat file stands; once moved, it names the area."""
        return old in AREAS

    def bare_is_old(self, old: str) -> bool:
        return not self.ambiguous(old) or old in self.flat


DOTTED = re.compile(r"(?<![\w.])bng\.register\.([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)*)")
PATH = re.compile(r"(?<![\w.])((?:src/)?bng/register/)([A-Za-z_]\w*)\.py\b")


def rewrite_dotted(text: str, tree: Tree, areas: bool = False) -> str:
    """``areas``: a bare ``bng.register.allocations`` is the area whatever the tree (the import contracts)."""

    def one(m: re.Match[str]) -> str:
        name, tail = m.group(1), m.group(2)
        if name not in TABLE or TABLE[name] == name:
            return m.group(0)
        first = tail.split(".")[1] if tail else ""
        if tree.ambiguous(name):
            if first and is_new_module(f"{PACKAGE}.{name}.{first}"):
                return m.group(0)  # already the area's module: bng.register.allocations.service
            if not first and (areas or not tree.bare_is_old(name)):
                return m.group(0)  # the area itself
        return new_module(name) + tail

    def path(m: re.Match[str]) -> str:
        name = m.group(2)
        if name not in TABLE:
            return m.group(0)
        return m.group(1) + TABLE[name].replace(".", "/") + ".py"

    return PATH.sub(path, DOTTED.sub(one, text))


def dotted_of(path: Path) -> str:
    rel = path.relative_to(ROOT / "src").with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def destination(path: Path) -> str:
    """The dotted name the file will have once split."""
    here = dotted_of(path)
    rest = here.removeprefix(PACKAGE + ".")
    if path.parent == REGISTER and rest in TABLE:
        return new_module(rest)
    return here


def package_of(dotted: str, path: Path) -> str:
    return dotted if path.name == "__init__.py" else dotted.rpartition(".")[0]


def resolve(node: ast.ImportFrom, here: str, path: Path) -> str:
    base = package_of(here, path)
    for _ in range(node.level - 1):
        base = base.rpartition(".")[0]
    return f"{base}.{node.module}" if node.module else base


def mapped(dotted: str, tree: Tree) -> str:
    """An absolute name of the register as it is after the split."""
    rest = dotted.removeprefix(PACKAGE + ".")
    head, _, tail = rest.partition(".")
    old = head in TABLE and TABLE[head] != head and not (tree.ambiguous(head) and not tree.bare_is_old(head))
    if old and not (tail and is_new_module(f"{PACKAGE}.{head}.{tail.split('.')[0]}")):
        return new_module(head) + (f".{tail}" if tail else "")
    return dotted


def spelled(target: str, dest_package: str) -> str:
    """``target`` as the importing file (in ``dest_package``) writes it: relative within its package."""
    if target.startswith(dest_package + ".") and target.count(".") == dest_package.count(".") + 1:
        return "." + target.rpartition(".")[2]
    return target


def alias_text(name: str, asname: str | None) -> str:
    return f"{name} as {asname}" if asname and asname != name else name


def import_lines(module: str, names: list[tuple[str, str | None]], indent: str) -> str:
    inner = ", ".join(alias_text(n, a) for n, a in names)
    return f"{indent}from {module} import {inner}\n"


def rewrite_imports(text: str, path: Path, tree: Tree) -> str:
    """Relative imports in the register, ``from bng.register import X`` and ``from bng.register.AREA import
    Name`` of an old module (a branch made before the split), as they are after it."""
    try:
        module = ast.parse(text)
    except SyntaxError:
        return text
    in_register = path.is_relative_to(REGISTER)
    here = dotted_of(path) if path.is_relative_to(ROOT / "src") else ""
    dest = destination(path) if in_register else here
    dest_package = package_of(dest, path) if in_register else ""
    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, int, str]] = []
    for node in ast.walk(module):
        if not isinstance(node, ast.ImportFrom):
            continue
        indent = " " * node.col_offset
        if node.level and in_register:
            absolute = resolve(node, here, path)
        elif not node.level and node.module and node.module.startswith(PACKAGE):
            absolute = node.module
        else:
            continue
        if not (absolute == PACKAGE or absolute.startswith(PACKAGE + ".")):
            continue
        groups: dict[str, list[tuple[str, str | None]]] = {}
        for a in node.names:
            full = f"{absolute}.{a.name}"
            rest = absolute.removeprefix(PACKAGE).lstrip(".")
            if absolute == PACKAGE and a.name in TABLE:
                # from bng.register import OLD: a module; its new home is a package's module
                if tree.ambiguous(a.name) and not tree.bare_is_old(a.name):
                    groups.setdefault(absolute, []).append((a.name, a.asname))
                    continue
                parent, _, leaf = new_module(a.name).rpartition(".")
                groups.setdefault(parent, []).append((leaf, a.asname or (a.name if leaf != a.name else None)))
            elif rest in TABLE and tree.ambiguous(rest) and not tree.bare_is_old(rest):
                # from bng.register.allocations import X, once split: X is a module of the area, or a name
                # of the old module (a branch made before the split)
                if is_new_module(full):
                    groups.setdefault(absolute, []).append((a.name, a.asname))
                else:
                    groups.setdefault(new_module(rest), []).append((a.name, a.asname))
            else:
                groups.setdefault(mapped(absolute, tree), []).append((a.name, a.asname))
        groups = moved_names(groups)
        out = ""
        for target, names in groups.items():
            written = spelled(target, dest_package) if in_register else target
            if in_register and target == dest_package:
                written = "."
            out += import_lines(written, names, indent)
        first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
        original = "".join(lines[first : last + 1])
        if _same(original, out):
            continue
        edits.append((first, last, out))
    for first, last, new in sorted(edits, reverse=True):
        lines[first : last + 1] = [new]
    return "".join(lines)


def moved_names(groups: dict[str, list[tuple[str, str | None]]]) -> dict[str, list[tuple[str, str | None]]]:
    """Each imported name from the module that holds it now (``NAMES``)."""
    out: dict[str, list[tuple[str, str | None]]] = {}
    for target, names in groups.items():
        for name, asname in names:
            home = NAMES.get((target.removeprefix(PACKAGE + "."), name))
            out.setdefault(f"{PACKAGE}.{home}" if home else target, []).append((name, asname))
    return out


def _same(original: str, new: str) -> bool:
    """Whether two import statements say the same (ruff may have wrapped the original)."""
    try:
        a, b = ast.parse(original.strip()), ast.parse(new.strip() or "pass")
    except SyntaxError:
        return False
    return ast.dump(a) == ast.dump(b)


def files() -> list[Path]:
    out = []
    for name in SCAN:
        p = ROOT / name
        if p.is_file():
            out.append(p)
        elif p.is_dir():
            out += [f for f in p.rglob("*") if f.is_file() and f.suffix in TEXT_SUFFIXES]
    skip = {".venv", "node_modules", "__pycache__", "test-output", "var"}
    return [f for f in sorted(out) if f.resolve() != SELF and not skip & set(f.relative_to(ROOT).parts)]


def moves(tree: Tree) -> list[tuple[Path, Path]]:
    out = []
    for old, new in TABLE.items():
        src = REGISTER / f"{old}.py"
        dst = REGISTER / (new.replace(".", "/") + ".py")
        if src.exists() and src != dst:
            if dst.exists():
                fail(f"both {src.relative_to(ROOT)} and {dst.relative_to(ROOT)} exist: merge them by hand first")
            out.append((src, dst))
    return out


def run(check: bool) -> int:
    check_table()
    tree = Tree()
    changed: list[Path] = []
    for f in files():
        try:
            text = f.read_text("utf-8")
        except UnicodeDecodeError:
            continue
        new = rewrite_dotted(text, tree, areas=f.name == "pyproject.toml")
        if f.suffix == ".py":
            new = rewrite_imports(new, f, tree)
        if new != text:
            changed.append(f)
            if not check:
                f.write_text(new, "utf-8")
    todo = moves(tree)
    inits = [REGISTER / area / "__init__.py" for area in AREAS if not (REGISTER / area / "__init__.py").exists()]
    for f in changed:
        print(f"rewrite {f.relative_to(ROOT)}")
    for src, dst in todo:
        print(f"move    {src.relative_to(ROOT)} -> {dst.relative_to(ROOT)}")
    for init in inits:
        print(f"create  {init.relative_to(ROOT)}")
    if check:
        return 1 if changed or todo or inits else 0
    for init in inits:
        init.parent.mkdir(exist_ok=True)
        area = init.parent.name
        init.write_text(f'"""{AREAS[area]}\n\nSee docs/architecture.md for the layers of the register."""\n', "utf-8")
        subprocess.run(["git", "add", str(init)], cwd=ROOT, check=True)
    for src, dst in todo:
        subprocess.run(["git", "mv", str(src), str(dst)], cwd=ROOT, check=True)
    moved = {src: dst for src, dst in todo}
    python = [str(moved.get(f, f)) for f in changed if f.suffix == ".py"] + [str(dst) for _, dst in todo]
    if python:
        ruff = ROOT / ".venv" / "bin" / "ruff"
        ruff_cmd = str(ruff) if ruff.exists() else "ruff"
        subprocess.run([ruff_cmd, "check", "--select", "I", "--fix", "-q", *sorted(set(python))], cwd=ROOT, check=False)
        subprocess.run([ruff_cmd, "format", "-q", *sorted(set(python))], cwd=ROOT, check=True)
    print(f"split_register: {len(changed)} files rewritten, {len(todo)} modules moved, {len(inits)} areas made")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="say what would change; change nothing")
    sys.exit(run(parser.parse_args().check))


if __name__ == "__main__":
    main()
