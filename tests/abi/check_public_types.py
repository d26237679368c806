"""Checks that the public prototypes use only types with one size on every compiler and host
language: fixed-width integers, size_t, miow_socket_t, const char * (and char * / void *
parameters for caller buffers), void, and pointers to the opaque handles, miow_event or
miow_buffer, and the two wepoll types of miow/epoll.h. No int, long, bool,
enum, unsigned or struct.

Usage: check_public_types.py INCLUDE_DIR"""

import re
import sys

from abi_common import fail_if, parse_headers, run_check

FIXED_WIDTH = {f"{s}int{n}_t" for s in ("", "u") for n in (8, 16, 32, 64)}
# Named so the failure says why; any other type not allowed below fails too.
BANNED = {"int", "long", "short", "signed", "unsigned", "bool", "_Bool", "enum", "struct", "union",
          "float", "double"}
HANDLES = {"miow_selector", "miow_source", "miow_waker"}
# Type name -> how many '*' it may carry: values and out-parameters.
POINTER_DEPTHS = {
    **{t: (0, 1) for t in FIXED_WIDTH | {"size_t", "miow_socket_t"}},
    **{t: (1, 2) for t in HANDLES},   # a handle, or an out-parameter receiving one
    "miow_event": (1,),
    # miow/io.h: { void *data; uint64_t length; }, 16 bytes on 64-bit targets.
    "miow_buffer": (1,),
    # miow/epoll.h: wepoll's HANDLE (an opaque void *, so that C++ code holding it in a HANDLE
    # compiles unchanged) and struct epoll_event, whose layout Linux and wepoll fix, not miowin:
    # 12 bytes on Linux x86-64 and i386, 16 elsewhere, static-asserted in the header.
    "miow_epoll_t": (0,),
    "miow_epoll_event": (1,),
}


def type_problem(text, role):
    """Returns why `text` (a return type or one parameter) is not allowed, or None."""
    tokens = re.findall(r"\w+|\*|\S", text)
    words = [t for t in tokens if t not in ("const", "*")]
    stars = tokens.count("*")
    if any(not re.fullmatch(r"\w+|\*", t) for t in tokens):
        return f"{role} '{text}' is not a plain type"
    banned = [w for w in words if w in BANNED]
    if banned:
        return f"{role} '{text}' uses '{banned[0]}', whose size or meaning varies"
    if role == "return type" and len(words) != 1 or len(words) not in (1, 2):
        return f"{role} '{text}' uses a multi-word type"
    base = words[0]
    if base == "void":
        # void alone, or a parameter pointing at bytes (a buffer with its size beside it).
        ok = stars == 0 or (stars == 1 and role != "return type")
        return None if ok else f"{role} '{text}': only void or a void * byte buffer"
    if base == "char":
        # Text in ('const char *'), or a parameter receiving text (with its size beside it).
        ok = stars == 1 and (tokens[0] == "const" or role != "return type")
        return None if ok else f"{role} '{text}': char only as 'const char *' or a 'char *' buffer"
    if base not in POINTER_DEPTHS:
        return f"{role} '{text}': type {base} is not fixed-width or an opaque handle"
    if stars not in POINTER_DEPTHS[base]:
        return f"{role} '{text}': {base} with {stars} '*' is not allowed"
    return None


def check(include_dir):
    headers, decls = parse_headers(include_dir)
    functions = [d for d in decls if not d.is_typedef]
    print(f"{include_dir}: {len(headers)} headers, {len(functions)} functions")
    problems = []
    for decl in decls:
        if decl.return_type is None:
            problems.append(f"{decl.where}: cannot read its prototype (run abi_header_matches_def)")
            continue
        params = [p.strip() for p in decl.params.split(",")]
        if params == ["void"]:
            params = []
        found = [type_problem(decl.return_type, "return type")]
        found += [type_problem(p, "parameter") for p in params]
        found = [f"{decl.where}: {p}" for p in found if p]
        problems += found
        if not found:
            print(f"  ok {decl.name}({', '.join(params) or 'void'}) -> {decl.return_type}")
    fail_if(problems, "public prototypes use types whose size or meaning varies")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    run_check(lambda: check(*sys.argv[1:]))
