"""Recalculate workbooks in LibreOffice (headless), for the round-trip test only.

One ``soffice`` process per batch runs a Basic macro from a throw-away profile: for each
workbook it loads it (document macros never run), forces ``calculateAll()`` until two passes
give the same values on every result sheet, and saves it as .xlsx. Loading calculates every
formula (the written workbook caches no results) and counts as the first pass. Loading the
42-sheet workbook is what costs (about 30 s); the batch pays LibreOffice's start-up once.

LibreOffice 7.4 has no ``UNIQUE``, ``FILTER`` or ``XLOOKUP``, which only the "Off-site gain
site summary" uses. :func:`libreoffice_copy` makes the test's own copy with equivalent
formulas (gain sites in order of first appearance; exact-match lookup); what users get is
never changed.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import zipfile
from pathlib import Path

from bng.workbook.package import open_package
from bng.workbook.template import copy_info

SUMMARY = "Off-site gain site summary"
# the three gain-site lists: (column, source column, last source row) of =UNIQUE(FILTER(src7:srcN, src<>0))
UNIQUE_LISTS = (("B", "A", 747), ("O", "N", 745), ("AB", "AA", 748))
FIRST_ROW, LAST_ROW = 7, 107
RESULT_SHEETS = (
    "Headline Results",
    SUMMARY,
    "Unit shortfall summary",
    "Trading Summary Area Habitats",
    "Trading Summary Hedgerows",
    "Trading Summary WaterC's",
)

MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Recalc" script:language="StarBasic">
Function Prop(name As String, value) As Object
    Dim p As New com.sun.star.beans.PropertyValue
    p.Name = name
    p.Value = value
    Prop = p
End Function

Function Snapshot(doc) As Variant
    Dim names : names = Array(SHEETS)
    Dim out(UBound(names))
    Dim i As Integer
    For i = 0 To UBound(names)
        Dim sheet : sheet = doc.Sheets.getByName(names(i))
        Dim cursor : cursor = sheet.createCursor()
        cursor.gotoEndOfUsedArea(False)
        Dim last : last = cursor.RangeAddress
        out(i) = sheet.getCellRangeByPosition(0, 0, last.EndColumn, last.EndRow).getDataArray()
    Next i
    Snapshot = out
End Function

Global Difference As String

Function Same(a, b) As Boolean
    Dim i As Integer, r As Long, c As Long
    Same = False
    For i = 0 To UBound(a)
        Difference = i &amp; " size"
        If UBound(a(i)) &lt;&gt; UBound(b(i)) Then Exit Function
        For r = 0 To UBound(a(i))
            For c = 0 To UBound(a(i)(r))
                Dim x, y
                x = a(i)(r)(c)
                y = b(i)(r)(c)
                Difference = i &amp; " R" &amp; (r + 1) &amp; "C" &amp; (c + 1) &amp; " " &amp; x &amp; " / " &amp; y
                If VarType(x) = V_DOUBLE Or VarType(y) = V_DOUBLE Then
                    If VarType(x) &lt;&gt; VarType(y) Then Exit Function
                    If x &lt;&gt; y Then Exit Function
                ElseIf CStr(x) &lt;&gt; CStr(y) Then
                    Exit Function
                End If
            Next c
        Next r
    Next i
    Difference = ""
    Same = True
End Function

Sub Run(listPath As String)
    On Error Goto Failed
    Dim inNo As Integer, logNo As Integer, line As String
    inNo = FreeFile
    Open listPath For Input As #inNo
    logNo = FreeFile
    Open listPath &amp; ".log" For Output As #logNo
    Do While Not EOF(inNo)
        Line Input #inNo, line
        If Len(line) &gt; 0 Then
            Dim parts : parts = Split(line, Chr(9))
            Dim args(1) As Object
            args(0) = Prop("Hidden", True)
            args(1) = Prop("MacroExecutionMode", 0)
            Dim doc : doc = StarDesktop.loadComponentFromURL(ConvertToURL(parts(0)), "_blank", 0, args)
            Dim passes As Integer, before, after
            before = Snapshot(doc)
            passes = 0
            Do
                doc.calculateAll()
                passes = passes + 1
                after = Snapshot(doc)
                If Same(before, after) Or passes &gt;= 6 Then Exit Do
                before = after
            Loop
            Dim save(0) As Object
            save(0) = Prop("FilterName", "Calc MS Excel 2007 XML")
            doc.storeToURL(ConvertToURL(parts(1)), save)
            doc.close(True)
            Dim agreed As Boolean : agreed = Same(before, after)
            Print #logNo, parts(1) &amp; Chr(9) &amp; passes &amp; Chr(9) &amp; agreed &amp; Chr(9) &amp; Difference
        End If
    Loop
    Close #inNo
    Close #logNo
    StarDesktop.terminate()
    Exit Sub
Failed:
    Dim errNo As Integer : errNo = FreeFile
    Open listPath &amp; ".error" For Output As #errNo
    Print #errNo, "line " &amp; Erl &amp; ": " &amp; Error$
    Close #errNo
    StarDesktop.terminate()
End Sub
</script:module>
"""
LIBRARY = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard" library:readonly="false"
 library:passwordprotected="false">
 <library:element library:name="Recalc"/>
</library:library>
"""
CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:libraries PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "libraries.dtd">
<library:libraries xmlns:library="http://openoffice.org/2000/library" xmlns:xlink="http://www.w3.org/1999/xlink">
 <library:library library:name="Standard" xlink:href="$(USER)/basic/Standard/{name}.xlb/" xlink:type="simple"
  library:link="false"/>
</library:libraries>
"""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _profile(exe: str, root: Path, timeout: float) -> Path:
    """A fresh LibreOffice profile holding the macro (LibreOffice fills a new profile on first start)."""
    if not (root / "user" / "registrymodifications.xcu").exists():
        subprocess.run(
            [exe, f"-env:UserInstallation={root.as_uri()}", "--headless", "--terminate_after_init"],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    basic = root / "user" / "basic"
    (basic / "Standard").mkdir(parents=True, exist_ok=True)
    sheets = ", ".join(f'"{s}"' for s in RESULT_SHEETS).replace("'", "'")
    (basic / "Standard" / "Recalc.xba").write_text(MACRO.replace("SHEETS", sheets), encoding="utf-8")
    (basic / "Standard" / "script.xlb").write_text(LIBRARY, encoding="utf-8")
    (basic / "Standard" / "dialog.xlb").write_text(
        LIBRARY.replace('<library:element library:name="Recalc"/>\n', ""), encoding="utf-8"
    )
    (basic / "script.xlc").write_text(CONTAINER.format(name="script"), encoding="utf-8")
    (basic / "dialog.xlc").write_text(CONTAINER.format(name="dialog"), encoding="utf-8")
    return root


def _run(call: str, workdir: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed; test.sh installs Debian's libreoffice-calc")
    profile = _profile(exe, workdir / "profile", timeout)
    cmd = [
        exe,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--invisible",
        "--norestore",
        "--nologo",
        f"macro:///Standard.Recalc.{call}",
    ]
    # soffice starts soffice.bin as a child: run it in its own session so a timeout kills both
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)


def recalculate(pairs: list[tuple[Path, Path]], workdir: Path, timeout: float) -> dict[Path, tuple[int, bool]]:
    """Recalculate each (input, output .xlsx) pair in one LibreOffice run; the passes each took, and if they agreed."""
    listing = workdir / "files.txt"
    listing.write_text("".join(f"{a}\t{b}\n" for a, b in pairs), encoding="utf-8")
    done = _run(f'Run("{listing}")', workdir, timeout)
    log = Path(f"{listing}.log")
    error = Path(f"{listing}.error")
    if error.exists():
        raise RuntimeError(f"LibreOffice macro failed: {error.read_text()}")
    if not log.exists():
        raise RuntimeError(f"LibreOffice ran no macro (exit {done.returncode}): {done.stderr[-2000:]}")
    out: dict[Path, tuple[int, bool]] = {}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        name, passes, same, *_ = line.split("\t")
        out[Path(name)] = (int(passes), same.strip().lower() == "true")
    return out


# -- the test's own copy: LibreOffice 7.4 equivalents of UNIQUE/FILTER and XLOOKUP ----------------


def _unique_formula(col: str, src: str, last: int, row: int) -> str:
    """Row ``row`` of UNIQUE(FILTER(src, src<>0)): the first source value not listed above it."""
    rng = f"${src}${FIRST_ROW}:${src}${last}"
    above = f"{col}${FIRST_ROW - 1}:{col}{row - 1}"
    return f'IFERROR(INDEX({rng},MATCH(0,IF(({rng}&lt;&gt;0)*({rng}&lt;&gt;""),COUNTIF({above},{rng}),1),0)),"")'


def _split_args(text: str) -> list[str]:
    """The top-level, comma-separated arguments of a formula call (quotes and parentheses respected)."""
    args, depth, quote, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch == "'" and depth >= 0:
            quote = not quote
        elif not quote and ch == "(":
            depth += 1
        elif not quote and ch == ")":
            depth -= 1
        elif not quote and ch == "," and depth == 0:
            args.append(text[start:i])
            start = i + 1
    args.append(text[start:])
    return args


def _xlookup_to_index_match(formula: str) -> str:
    """Every ``_xlfn.XLOOKUP(key, keys, values)`` as ``INDEX(values, MATCH(key, keys, 0))``."""
    token = "_xlfn.XLOOKUP("
    while token in formula:
        start = formula.index(token)
        i, depth = start + len(token), 1
        while depth:
            depth += {"(": 1, ")": -1}.get(formula[i], 0)
            i += 1
        key, keys, values = _split_args(formula[start + len(token) : i - 1])
        formula = formula[:start] + f"INDEX({values},MATCH({key},{keys},0))" + formula[i:]
    return formula


def _replace_formula_cells(xml: str) -> str:
    for col, src, last in UNIQUE_LISTS:
        for row in range(FIRST_ROW, LAST_ROW + 1):
            pattern = re.compile(rf'<c r="{col}{row}"([^>]*?)(/>|>.*?</c>)', re.S)
            m = pattern.search(xml)
            style = re.search(r'\ss="[0-9]+"', m.group(1)) if m else None
            cell = (
                f'<c r="{col}{row}"{style.group(0) if style else ""}><f t="array" ref="{col}{row}">'
                f"{_unique_formula(col, src, last, row)}</f></c>"
            )
            if m is None:
                raise ValueError(f"{SUMMARY}: no cell {col}{row}")
            xml = xml[: m.start()] + cell + xml[m.end() :]

    def fix(m: re.Match[str]) -> str:
        return m.group(1) + _xlookup_to_index_match(m.group(2)) + m.group(3)

    return re.sub(r"(<f[^>]*>)([^<]*_xlfn\.XLOOKUP[^<]*)(</f>)", fix, xml)


def libreoffice_copy(workbook: Path, out: Path) -> None:
    """The test's copy of a workbook with the gain-site summary's Excel-365 functions replaced."""
    part = open_package(workbook).sheets[SUMMARY]
    with zipfile.ZipFile(workbook) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                text = _replace_formula_cells(data.decode("utf-8"))
                if "_xlfn." in text:
                    raise ValueError(
                        f"{SUMMARY}: a function LibreOffice 7.4 lacks is left: {text[text.index('_xlfn.') :][:80]}"
                    )
                data = text.encode("utf-8")
            dst.writestr(copy_info(info), data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
