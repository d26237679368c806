"""Parsers shared by the ABI checks: the .def export list, the released baseline, the public
headers' function declarations and objdump's view of a PE DLL. Each raises AbiError on input it
does not understand, so a check never passes by reading nothing."""

import pathlib
import re
import subprocess
import sys


class AbiError(Exception):
    """A check failed; the message says why."""


def run_check(check):
    """Runs check(), printing FAIL and exiting 1 on AbiError, PASS otherwise."""
    try:
        check()
    except AbiError as err:
        print(f"FAIL: {err}", file=sys.stderr)
        sys.exit(1)
    print("PASS")


def fail_if(problems, what):
    """Raises AbiError listing every problem, if there are any."""
    if problems:
        raise AbiError(f"{what}:\n  " + "\n  ".join(problems))


# --- def/miowin.def -------------------------------------------------------------------------

_DEF_ENTRY = re.compile(r"([A-Za-z_]\w*)\s+@([1-9][0-9]*)")


def parse_def(path):
    """Returns (library name, [(name, ordinal)] in file order) from a .def file.

    Accepts only `LIBRARY name`, `EXPORTS` and entries `name @ordinal`: NONAME, DATA, PRIVATE,
    aliases and missing ordinals are errors, as are duplicate names or ordinals."""
    library, entries, problems = None, [], []
    in_exports = False
    for lineno, raw in enumerate(pathlib.Path(path).read_text().splitlines(), 1):
        line = raw.split(";", 1)[0].strip()
        if not line:
            continue
        where = f"{path}:{lineno}: {line!r}"
        words = line.split()
        if words[0].upper() == "LIBRARY" and not in_exports:
            library = words[1] if len(words) == 2 else None
            if library is None:
                problems.append(f"{where}: expected 'LIBRARY name'")
        elif line.upper() == "EXPORTS":
            in_exports = True
        elif not in_exports:
            problems.append(f"{where}: unexpected statement outside EXPORTS")
        elif "NONAME" in (w.upper() for w in words):
            problems.append(f"{where}: NONAME breaks lookup by name (ctypes, P/Invoke)")
        elif "@" not in line:
            problems.append(f"{where}: lacks an explicit ordinal '@N'")
        elif not _DEF_ENTRY.fullmatch(line):
            problems.append(f"{where}: not of the form 'name @N' (no aliases, DATA or PRIVATE)")
        else:
            m = _DEF_ENTRY.fullmatch(line)
            entries.append((m.group(1), int(m.group(2))))
    if library is None:
        problems.append(f"{path}: no LIBRARY line")
    if not entries:
        problems.append(f"{path}: no exports found")
    problems += _duplicates(entries, path)
    fail_if(problems, f"{path} is malformed")
    return library, entries


def _duplicates(entries, path):
    problems, by_name, by_ordinal = [], {}, {}
    for name, ordinal in entries:
        if name in by_name:
            problems.append(f"{path}: {name} is listed twice")
        if ordinal in by_ordinal:
            problems.append(f"{path}: ordinal {ordinal} is used by both "
                            f"{by_ordinal[ordinal]} and {name}")
        by_name[name] = ordinal
        by_ordinal.setdefault(ordinal, name)
    return problems


# --- def/miowin.abi -------------------------------------------------------------------------

def parse_baseline(path):
    """Returns [(ordinal, name)] from the released baseline: 'ordinal name' lines, '#' comments."""
    entries, problems = [], []
    for lineno, raw in enumerate(pathlib.Path(path).read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([1-9][0-9]*)\s+([A-Za-z_]\w*)", line)
        if m is None:
            problems.append(f"{path}:{lineno}: {line!r} is not 'ordinal name'")
        else:
            entries.append((int(m.group(1)), m.group(2)))
    if not entries and not problems:
        problems.append(f"{path}: no entries found")
    problems += _duplicates([(name, ordinal) for ordinal, name in entries], path)
    fail_if(problems, f"{path} is malformed")
    return entries


# --- include/**/*.h -------------------------------------------------------------------------

class Declaration:
    """One function declaration, or function-pointer typedef, found in a public header."""

    def __init__(self, path, line, name, text, is_typedef):
        self.path, self.line, self.name, self.text = path, line, name, text
        self.is_typedef = is_typedef
        if is_typedef:
            m = re.fullmatch(r"typedef\s+(.+?)\s*\(\s*MIOW_CALL\s*\*\s*(\w+)\s*\)\s*\((.*)\)",
                             text)
        else:
            m = re.fullmatch(r"MIOW_EXTERN\s+(.+?)\s*\bMIOW_CALL\s+(\w+)\s*\((.*)\)", text)
        # Only a declaration in the required form has its return type and parameters split out.
        self.return_type = m.group(1) if m else None
        self.params = m.group(3) if m else None

    @property
    def where(self):
        return f"{self.path}:{self.line}: {self.name}"


_TOKENS = re.compile(r'"(?:\\.|[^"\\\n])*"|/\*.*?\*/|//[^\n]*', re.S)


def _blank_keeping_lines(text):
    return re.sub(r"[^\n]", " ", text)


def _strip_header(text):
    """Blanks comments, preprocessor lines and brace bodies, keeping every newline in place."""
    text = _TOKENS.sub(lambda m: m.group(0) if m.group(0).startswith('"')
                       else _blank_keeping_lines(m.group(0)), text)
    text = re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*",
                  lambda m: _blank_keeping_lines(m.group(0)), text, flags=re.M)
    text = re.sub(r"\bMIOW_(?:BEGIN|END)_DECLS\b", lambda m: " " * len(m.group(0)), text)
    while True:
        collapsed = re.sub(r"\{([^{}]*)\}",
                           lambda m: "{" + re.sub(r"[^\n]", "", m.group(1)) + "}", text)
        if collapsed == text:
            break
        text = collapsed
    # A function body ends its statement as a ';' would.
    return re.sub(r"\)(\s*)\{(\s*)\}", r")\1{\2};", text)


def parse_headers(include_dir):
    """Returns every function declaration and function-pointer typedef in include_dir/**/*.h."""
    root = pathlib.Path(include_dir)
    headers = sorted(root.rglob("*.h"))
    if not headers:
        raise AbiError(f"no headers found under {root}")
    decls = []
    for header in headers:
        text = _strip_header(header.read_text())
        rel = header.relative_to(root.parent)
        for m in re.finditer(r"[^;]+", text):
            stmt = " ".join(m.group(0).split())
            if "(" not in stmt or re.match(r"(?:_Static_assert|static_assert)\b", stmt):
                continue
            start = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
            line = text.count("\n", 0, start) + 1
            if stmt.startswith("typedef"):
                ptr = re.search(r"\(\s*(?:\w+\s+)*\*\s*(\w+)\s*\)\s*\(", stmt)
                if ptr:
                    decls.append(Declaration(rel, line, ptr.group(1), stmt, True))
                continue
            name = re.search(r"(\w+)\s*\(", stmt)
            if name is None:
                raise AbiError(f"{rel}:{line}: cannot parse {stmt!r}")
            decls.append(Declaration(rel, line, name.group(1), stmt.removesuffix(" {}"), False))
    return headers, decls


# --- objdump -p -----------------------------------------------------------------------------

def objdump(objdump_path, dll):
    """Returns the text of `objdump -p dll`."""
    try:
        out = subprocess.run([objdump_path, "-p", str(dll)], check=True, capture_output=True,
                             text=True)
    except (OSError, subprocess.CalledProcessError) as err:
        raise AbiError(f"cannot run {objdump_path} -p {dll}: {err}") from err
    return out.stdout


def parse_exports(text):
    """Returns (DLL name, {name: ordinal}, {ordinal: 'Export' or 'Forwarder'}) from objdump -p."""
    start = text.find("The Export Tables")
    if start < 0:
        raise AbiError("the DLL has no export table")
    text = text[start:]
    base = re.search(r"^Ordinal Base\s+(\d+)", text, re.M)
    dll_name = re.search(r"^Name\s+[0-9a-fA-F]+\s+(\S+)", text, re.M)
    if base is None or dll_name is None:
        raise AbiError("cannot find 'Ordinal Base' and 'Name' in objdump's export table")
    base = int(base.group(1))

    address_table = {}
    eat = re.search(r"^Export Address Table -- Ordinal Base.*?\n\n", text, re.M | re.S)
    for m in re.finditer(r"^\s*\[\s*\d+\]\s+\+base\[\s*(\d+)\]\s+([0-9a-fA-F]+)\s+(\w+) RVA",
                         eat.group(0) if eat else "", re.M):
        if int(m.group(2), 16) != 0:
            address_table[int(m.group(1))] = m.group(3)

    names = {}
    npt = re.search(r"^\[Ordinal/Name Pointer\] Table.*?(?:\n\n|\Z)", text, re.M | re.S)
    # binutils 2.40 prints "[index] name"; other versions add "+base[ordinal]" and a hint.
    entry = re.compile(r"^\s*\[\s*(\d+)\]\s+(?:\+base\[\s*(\d+)\]\s+)?(?:[0-9a-fA-F]+\s+)?"
                       r"(\S+)\s*$")
    for line in (npt.group(0).splitlines()[1:] if npt else []):
        m = entry.match(line)
        if m is None:
            if line.strip():
                raise AbiError(f"cannot parse objdump name table line {line!r}")
            continue
        ordinal = int(m.group(2)) if m.group(2) else int(m.group(1)) + base
        names[m.group(3)] = ordinal
    if not address_table:
        raise AbiError("found no entries in objdump's Export Address Table")
    return dll_name.group(1), names, address_table


def parse_imports(text):
    """Returns {dll name: [imported symbols]} from objdump -p, in table order.

    Delay-loaded imports are not listed by objdump, so a DLL that has any is an error."""
    delay = re.search(r"^Entry d ([0-9a-fA-F]+) ([0-9a-fA-F]+) Delay Import Directory", text, re.M)
    if delay is None:
        raise AbiError("cannot find the Delay Import Directory entry in objdump's output")
    if int(delay.group(1), 16) or int(delay.group(2), 16):
        raise AbiError("the DLL has delay-loaded imports, which this check cannot list")
    section = re.search(r"^The Import Tables.*?(?=^The |^There |\Z)", text, re.M | re.S)
    imports, current = {}, None
    for line in section.group(0).splitlines() if section else []:
        m = re.match(r"\s*DLL Name:\s*(\S+)", line)
        if m:
            current = imports.setdefault(m.group(1), [])
            continue
        m = re.match(r"\t[0-9a-fA-F]+\t\s*\d+\s+(\S.*)$", line)
        if m and current is not None:
            current.append(m.group(1).strip())
    return imports
