"""The statuses each operation can answer, derived from the REST adapter's
code, against the statuses openapi.json documents for it: every status an
operation can answer must be documented, and no other.

What an operation can answer, as read from adapters/rest/src:
- its route's stages (the STAGES table of api.c: a stage runs for the
  routes whose flags hold its flag, or for all with flag 0);
- its handler and every function of the adapter the handler calls or
  passes on (a callback counts as called);
- 500, which ord_rest_api_handle() answers for any route that ran out of
  memory.
A status is a literal: the `status` argument of a function that takes one
(ord_rest_problem(c, 404, ...)), or what `c->status = ...` assigns. Anything
else stops the check, except a replay (`replay_status`), which repeats an
answer the same operation gave before.

An ord_error decides a status only through a switch on it. The errors a
variable may hold are those of the use case it was assigned from (the
ORD_E... names in the @return of its declaration in the application's
headers, following "as ord_x()"), or of the literal or variable passed for
it; a switch on it counts the cases it may reach, and its default for the
rest. An error of unknown origin may be any. (Each case is read as
ending where the next label begins: the adapter's cases end in break or
return, and a case falling into the next would be missed.)

Usage: openapi_statuses.py <repository root> [--drop METHOD PATH STATUS]
       [--add METHOD PATH STATUS]
--drop and --add change the loaded document first, so that a test can
show the check fails on a gap either way. Exit 0 when they agree, 1 when
they do not, 2 when the code holds something the check cannot read.
"""
import json
import os
import re
import sys


class Unreadable(Exception):
    """Code this check does not understand: it must be told, not guessed."""


# ---- C text --------------------------------------------------------------

def strip_c(text):
    """Comments removed and string/char literals emptied, lines kept."""
    out = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif ch in "\"'":
            j = i + 1
            while j < n and text[j] != ch:
                j += 2 if text[j] == "\\" else 1
            out.append(ch + ch)
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def matching(text, start, open_ch, close_ch):
    """Index of the bracket closing the one at start."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == open_ch:
            depth += 1
        elif text[i] == close_ch:
            depth -= 1
            if depth == 0:
                return i
    raise Unreadable("unbalanced %s" % open_ch)


def split_top(text, sep=","):
    """Split at sep outside brackets."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


IDENT = re.compile(r"[A-Za-z_]\w*")


class Function:
    def __init__(self, name, params, body, where):
        self.name = name
        self.params = params  # [(type, name)]
        self.body = body
        self.where = where

    def param_index(self, name):
        for i, (_, pname) in enumerate(self.params):
            if pname == name:
                return i
        return None


def functions_of(path):
    """Every function defined at the top level of a C file."""
    text = strip_c(open(path, encoding="utf-8").read())
    found = {}
    depth = 0
    start = 0  # where the current top-level declaration began
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "{" and depth == 0:
            head = text[start:i].rstrip()
            end = matching(text, i, "{", "}")
            if head.endswith(")") and "=" not in head:
                open_paren = head.find("(")
                m = re.search(r"(\w+)\s*$", head[:open_paren])
                if m:
                    close = matching(head, open_paren, "(", ")")
                    params = []
                    for p in split_top(head[open_paren + 1:close]):
                        names = IDENT.findall(p)
                        if names and p != "void":
                            params.append((" ".join(names[:-1]), names[-1]))
                    where = "%s:%d" % (path, text.count("\n", 0, i) + 1)
                    found[m.group(1)] = Function(m.group(1), params, text[i + 1:end], where)
            i = end + 1
            start = i
            continue
        if ch == ";" and depth == 0:
            start = i + 1
        i += 1
    return found, text


# ---- What the application says its use cases return ----------------------

def error_names(root):
    text = strip_c(open(os.path.join(root, "domain/include/orders/domain/error.h")).read())
    enum = text[text.index("typedef enum ord_error"):]
    return set(re.findall(r"\b(ORD_(?:OK|E[A-Z]+))\s*=", enum[:enum.index("}")]))


def use_case_errors(root, all_errors):
    """ord_x -> the errors its @return names (as ord_y() followed)."""
    raw, refs = {}, {}
    include = os.path.join(root, "application/include/orders/application")
    for name in sorted(os.listdir(include)):
        text = open(os.path.join(include, name), encoding="utf-8").read()
        for m in re.finditer(r"/\*\*(.*?)\*/\s*ord_error\s+(ord_\w+)\s*\(", text, re.S):
            doc, fn = m.group(1), m.group(2)
            ret = re.search(r"@return(.*?)(?=@(?:param|return|brief|note|see|code|warning)\b|$)", doc, re.S)
            if ret is None:
                raw[fn] = set(all_errors)
                continue
            raw[fn] = set(re.findall(r"\bORD_(?:OK|E[A-Z]+)\b", ret.group(1))) & all_errors
            refs[fn] = re.findall(r"\bas (ord_\w+)\(\)", ret.group(1))
    changed = True
    while changed:
        changed = False
        for fn, targets in refs.items():
            for t in targets:
                extra = raw.get(t, set(all_errors)) - raw[fn]
                if extra:
                    raw[fn] |= extra
                    changed = True
    return raw


# ---- The analysis ---------------------------------------------------------

CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
STATUS_SET = re.compile(r"\bc->status\s*=(?!=)\s*([^;]+);")
ERR_ASSIGN = re.compile(r"\b(\w+)\s*=(?!=)\s*([^;]+);")
SWITCH = re.compile(r"\bswitch\s*\(\s*(\w+)\s*\)\s*\{")
LABEL = re.compile(r"\b(?:case\s+(ORD_\w+)|default)\s*:")
KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof", "defined"}


class Analysis:
    def __init__(self, root):
        self.root = root
        self.all_errors = error_names(root)
        self.use_cases = use_case_errors(root, self.all_errors)
        self.functions = {}
        src = os.path.join(root, "adapters/rest/src")
        self.texts = {}
        for name in sorted(os.listdir(src)):
            if name.endswith(".c"):
                funcs, text = functions_of(os.path.join(src, name))
                self.functions.update(funcs)
                self.texts[name] = text
        self.memo = {}
        self.active = set()

    def literal_statuses(self, expr, where):
        found = {int(x) for x in re.findall(r"\b([1-5]\d\d)\b", expr)}
        if not found:
            raise Unreadable("%s: cannot tell the status of '%s'" % (where, expr.strip()))
        return found

    def arg_errors(self, arg, env, fn):
        arg = arg.strip()
        if arg in self.all_errors:
            return frozenset([arg])
        if re.fullmatch(r"\w+", arg) and arg in env:
            return env[arg]
        return frozenset(self.all_errors)

    def local_errors(self, fn, env):
        """Sets of the function's ord_error locals, from their assignments."""
        declared = set(re.findall(r"\bord_error\s+(\w+)\s*[=;]", fn.body))
        sets = {}
        for var in declared:
            acc = set()
            for m in ERR_ASSIGN.finditer(fn.body):
                if m.group(1) != var:
                    continue
                rhs = m.group(2).strip()
                call = re.match(r"(\w+)\s*\(", rhs)
                if rhs in self.all_errors:
                    acc.add(rhs)
                elif call and call.group(1) in self.use_cases:
                    acc |= self.use_cases[call.group(1)]
                elif re.fullmatch(r"\w+", rhs) and rhs in env:
                    acc |= env[rhs]
                else:
                    acc |= self.all_errors  # a callback, a port: anything
            sets[var] = frozenset(acc)
        return sets

    def statuses(self, name, env):
        key = (name, tuple(sorted(env.items())))
        if key in self.memo:
            return self.memo[key]
        if key in self.active:
            return set()
        self.active.add(key)
        fn = self.functions[name]
        scope = dict(env)
        scope.update(self.local_errors(fn, env))
        result = self.block(fn, fn.body, scope)
        self.active.discard(key)
        self.memo[key] = result
        return result

    def block(self, fn, body, scope):
        """Statuses of a piece of fn's body, switches on errors narrowed."""
        found = set()
        while True:
            m = next((m for m in SWITCH.finditer(body) if m.group(1) in scope), None)
            if m is None:
                break
            open_brace = m.end() - 1
            close = matching(body, open_brace, "{", "}")
            found |= self.switch(fn, m.group(1), body[open_brace + 1:close], scope)
            body = body[:m.start()] + body[close + 1:]
        found |= self.plain(fn, body, scope)
        return found

    def switch(self, fn, var, body, scope):
        labels = list(LABEL.finditer(body))
        named = {m.group(1) for m in labels if m.group(1)}
        may = scope[var]
        found = set()
        for k, m in enumerate(labels):
            seg_end = labels[k + 1].start() if k + 1 < len(labels) else len(body)
            segment = body[m.end():seg_end]
            # Labels stacked on one segment share it.
            j = k
            while not segment.strip() and j + 1 < len(labels):
                j += 1
                seg_end = labels[j + 1].start() if j + 1 < len(labels) else len(body)
                segment = body[labels[j].end():seg_end]
            if not segment.strip():
                continue
            reached = frozenset(may & {m.group(1)}) if m.group(1) else frozenset(may - named)
            if not reached:
                continue
            narrowed = dict(scope)
            narrowed[var] = reached
            found |= self.block(fn, segment, narrowed)
        return found

    def plain(self, fn, body, scope):
        found = set()
        where = fn.where
        for m in STATUS_SET.finditer(body):
            expr = m.group(1)
            if expr.strip() == "status" and fn.param_index("status") is not None:
                continue  # the caller's status, counted there
            if "replay_status" in expr:
                continue  # a replay repeats an earlier answer of the operation
            found |= self.literal_statuses(expr, where)
        for m in CALL.finditer(body):
            callee = m.group(1)
            if callee in KEYWORDS or callee not in self.functions:
                continue
            target = self.functions[callee]
            close = matching(body, m.end() - 1, "(", ")")
            args = split_top(body[m.end():close])
            env = {}
            for i, (ptype, pname) in enumerate(target.params):
                arg = args[i] if i < len(args) else ""
                if pname == "status" and "int" in ptype:
                    if arg == "status" and fn.param_index("status") is not None:
                        continue
                    found |= self.literal_statuses(arg, where)
                elif ptype.endswith("ord_error"):
                    env[pname] = self.arg_errors(arg, scope, fn)
            found |= self.statuses(callee, env)
        # A function handed on (a callback) may be called with anything.
        for ref in set(re.findall(r"\b([A-Za-z_]\w*)\b(?!\s*\()", body)):
            if ref in self.functions and ref != fn.name:
                target = self.functions[ref]
                env = {p: frozenset(self.all_errors) for t, p in target.params
                       if t.endswith("ord_error")}
                found |= self.statuses(ref, env)
        return found

    # ---- routes and stages ----

    def routes(self):
        raw = open(os.path.join(self.root, "adapters/rest/src/router.c")).read()
        defines = dict(re.findall(r"#define\s+(\w+)\s+\(([^)]*)\)", raw))
        routes = []
        for m in re.finditer(r'X\("(\w+)",\s*"([^"]+)",\s*(\w+),\s*(\w+)\)', raw):
            method, path, flags, handler = m.groups()
            expr = defines.get(flags, flags)
            names = set(re.findall(r"REST_NEEDS_\w+", expr))
            if not names and expr.strip() != "0":
                raise Unreadable("router.c: flags '%s' of %s %s" % (flags, method, path))
            routes.append((method, path, names, handler))
        if not routes:
            raise Unreadable("router.c: no REST_ROUTES entry found")
        return routes

    def stages(self):
        text = self.texts["api.c"]
        m = re.search(r"\}\s*STAGES\[\]\s*=\s*\{", text)
        if m is None:
            raise Unreadable("api.c: no STAGES table")
        close = matching(text, m.end() - 1, "{", "}")
        table = []
        for entry in re.findall(r"\{\s*(\w+)\s*,\s*(\w+)\s*\}", text[m.end():close]):
            flag, fn = entry
            if fn not in self.functions:
                raise Unreadable("api.c: stage %s is not a function of the adapter" % fn)
            table.append((None if flag == "0" else flag, fn))
        return table

    def pipeline(self):
        body = self.functions["ord_rest_api_handle"].body
        return {int(x) for x in re.findall(r"\bstatus\s*=\s*([1-5]\d\d)\s*;", body)}

    def operations(self):
        everywhere = self.pipeline()
        stages = self.stages()
        ops = {}
        for method, path, flags, handler in self.routes():
            if handler not in self.functions:
                raise Unreadable("router.c: handler %s is not defined" % handler)
            found = set(everywhere)
            for flag, fn in stages:
                if flag is None or flag in flags:
                    found |= self.statuses(fn, {})
            found |= self.statuses(handler, {})
            ops[(method.lower(), path)] = found
        return ops


def documented(doc):
    ops = {}
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if isinstance(op, dict) and "responses" in op:
                ops[(method, path)] = {int(k) for k in op["responses"] if k.isdigit()}
    return ops


def main(argv):
    root = argv[1]
    with open(os.path.join(root, "adapters/rest/openapi/openapi.json"), encoding="utf-8") as f:
        doc = documented(json.load(f))
    rest = argv[2:]
    while rest:
        if rest[0] not in ("--drop", "--add") or len(rest) < 4:
            print("usage: openapi_statuses.py ROOT [--drop|--add METHOD PATH STATUS]...")
            return 2
        op, key, status = rest[0], (rest[1].lower(), rest[2]), int(rest[3])
        if op == "--drop":
            doc.setdefault(key, set()).discard(status)
        else:
            doc.setdefault(key, set()).add(status)
        rest = rest[4:]
    try:
        code = Analysis(root).operations()
    except Unreadable as e:
        print("cannot read the REST adapter's statuses:", e)
        return 2
    failed = False
    for key in sorted(code):
        method, path = key
        can, says = code[key], doc.get(key, set())
        for status in sorted(can - says):
            print("%s %s can answer %d, which openapi.json does not document"
                  % (method.upper(), path, status))
            failed = True
        for status in sorted(says - can):
            print("%s %s documents %d, which the code cannot answer"
                  % (method.upper(), path, status))
            failed = True
    for key in sorted(set(doc) - set(code)):
        print("%s %s is documented but not routed" % (key[0].upper(), key[1]))
        failed = True
    if failed:
        return 1
    for key in sorted(code):
        print("%-6s %-40s %s" % (key[0].upper(), key[1], " ".join(map(str, sorted(code[key])))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
