"""The statuses each operation can answer, derived from the REST adapter's
code, against the statuses openapi.json documents for it: every status an
operation can answer must be documented, and no other; and for each status,
the problem types (RFC 9457 `type` URIs) it can carry must be exactly those
the document lists for it.

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
answer the same operation gave before. A problem's type is the literal
REST_PROBLEM_... argument beside the status (its URI is read from
problem.c and problem.h); an answer without one is not a problem.

HEAD is answered wherever GET is (the router's rule), with the same statuses
and no body: a documented HEAD operation is checked against its GET route's
statuses.

In the document, a response's problem types are the `type` enums of the
schemas its application/problem+json content names (a oneOf of them, or
one); a response without that content carries no problem.

An ord_error decides a status only through a switch on it. The errors a
variable may hold are those of the use case it was assigned from (the
ORD_E... names in the @return of its declaration in the application's
headers, following "as ord_x()"), or of the literal or variable passed for
it; a switch on it counts the cases it may reach, and its default for the
rest. An error of unknown origin may be any. (Each case is read as
ending where the next label begins: the adapter's cases end in break or
return, and a case falling into the next would be missed.)

Usage: openapi_statuses.py <repository root> [--drop METHOD PATH STATUS]
       [--add METHOD PATH STATUS] [--drop-type METHOD PATH STATUS NAME]
       [--add-type METHOD PATH STATUS NAME]
--drop and --add change the loaded document first, so that a test can
show the check fails on a gap either way; --drop-type and --add-type do the
same with one problem type (NAME: the last segment of its URI). Exit 0 when they agree, 1 when
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
        self.problem_uris = problem_uris(root)

    def literal_statuses(self, expr, where, problem=None):
        found = {int(x) for x in re.findall(r"\b([1-5]\d\d)\b", expr)}
        if not found:
            raise Unreadable("%s: cannot tell the status of '%s'" % (where, expr.strip()))
        return {(status, problem) for status in found}

    def problem_type(self, arg, where):
        arg = arg.strip()
        if arg not in self.problem_uris:
            raise Unreadable("%s: cannot tell the problem type '%s'" % (where, arg))
        return self.problem_uris[arg]

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
            problem = None
            for i, (ptype, pname) in enumerate(target.params):
                arg = args[i] if i < len(args) else ""
                if ptype == "rest_problem_type" and not (
                        arg == pname and fn.param_index(pname) is not None):
                    problem = self.problem_type(arg, where)
            for i, (ptype, pname) in enumerate(target.params):
                arg = args[i] if i < len(args) else ""
                if pname == "status" and "int" in ptype:
                    if arg == "status" and fn.param_index("status") is not None:
                        continue
                    found |= self.literal_statuses(arg, where, problem)
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
        return {(int(x), None) for x in re.findall(r"\bstatus\s*=\s*([1-5]\d\d)\s*;", body)}

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
            if method == "GET":
                ops[("head", path)] = {(status, None) for status, _ in found}
        return ops


def problem_uris(root):
    """REST_PROBLEM_X -> its type URI, from problem.h and problem.c."""
    header = open(os.path.join(root, "adapters/rest/src/problem.h"), encoding="utf-8").read()
    m = re.search(r'#define\s+REST_PROBLEM_TYPE_PREFIX\s+"([^"]+)"', header)
    if m is None:
        raise Unreadable("problem.h: no REST_PROBLEM_TYPE_PREFIX")
    source = open(os.path.join(root, "adapters/rest/src/problem.c"), encoding="utf-8").read()
    uris = {name: m.group(1) + slug
            for name, slug in re.findall(r'\[(REST_PROBLEM_\w+)\]\s*=\s*URI\("([^"]+)"\)', source)}
    if not uris:
        raise Unreadable("problem.c: no type URIs")
    return uris


def resolve(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        target = doc
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def schema_types(doc, schema):
    """The problem type URIs a schema admits (its type enum, through oneOf
    and allOf); None when it pins none."""
    schema = resolve(doc, schema)
    if "oneOf" in schema or "anyOf" in schema:
        found = set()
        for sub in schema.get("oneOf", []) + schema.get("anyOf", []):
            types = schema_types(doc, sub)
            if types is None:
                return None
            found |= types
        return found
    pinned = None
    for sub in schema.get("allOf", []):
        types = schema_types(doc, sub)
        if types is not None:
            pinned = types if pinned is None else pinned & types
    enum = resolve(doc, schema.get("properties", {}).get("type", {})).get("enum")
    if enum is not None:
        pinned = set(enum) if pinned is None else pinned & set(enum)
    return pinned


def documented(doc):
    """(method, path) -> {status: set of problem type URIs, or None when the
    answer is no problem or its types are not pinned}."""
    ops = {}
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if not (isinstance(op, dict) and "responses" in op):
                continue
            answers = {}
            for key, response in op["responses"].items():
                if not key.isdigit():
                    continue
                content = resolve(doc, response).get("content", {})
                problem = content.get("application/problem+json")
                answers[int(key)] = (schema_types(doc, problem["schema"])
                                     if problem is not None and "schema" in problem else set())
            ops[(method, path)] = answers
    return ops


def main(argv):
    root = argv[1]
    with open(os.path.join(root, "adapters/rest/openapi/openapi.json"), encoding="utf-8") as f:
        doc = documented(json.load(f))
    try:
        uris = problem_uris(root)
    except Unreadable as e:
        print("cannot read the REST adapter's problem types:", e)
        return 2
    prefix = os.path.commonprefix(list(uris.values()))
    rest = argv[2:]
    while rest:
        op = rest[0]
        size = 5 if op in ("--drop-type", "--add-type") else 4
        if op not in ("--drop", "--add", "--drop-type", "--add-type") or len(rest) < size:
            print("usage: openapi_statuses.py ROOT [--drop|--add METHOD PATH STATUS]..."
                  " [--drop-type|--add-type METHOD PATH STATUS NAME]...")
            return 2
        key, status = (rest[1].lower(), rest[2]), int(rest[3])
        answers = doc.setdefault(key, {})
        if op == "--drop":
            answers.pop(status, None)
        elif op == "--add":
            answers.setdefault(status, set())
        elif op == "--drop-type":
            answers.setdefault(status, set()).discard(prefix + rest[4])
        else:
            answers.setdefault(status, set()).add(prefix + rest[4])
        rest = rest[size:]
    try:
        code = Analysis(root).operations()
    except Unreadable as e:
        print("cannot read the REST adapter's statuses:", e)
        return 2
    failed = False
    for key in sorted(code):
        method, path = key
        can = {status for status, _ in code[key]}
        says = doc.get(key, {})
        for status in sorted(can - set(says)):
            print("%s %s can answer %d, which openapi.json does not document"
                  % (method.upper(), path, status))
            failed = True
        for status in sorted(set(says) - can):
            print("%s %s documents %d, which the code cannot answer"
                  % (method.upper(), path, status))
            failed = True
        if method == "head":
            continue  # no body: no problem type to compare
        for status in sorted(can & set(says)):
            types = {t for s, t in code[key] if s == status and t is not None}
            listed = says[status]
            if listed is None:
                print("%s %s %d: openapi.json does not pin the problem types"
                      % (method.upper(), path, status))
                failed = True
                continue
            for t in sorted(types - listed):
                print("%s %s can answer %d with type %s, which openapi.json does not document"
                      % (method.upper(), path, status, t))
                failed = True
            for t in sorted(listed - types):
                print("%s %s documents %d with type %s, which the code cannot answer"
                      % (method.upper(), path, status, t))
                failed = True
    for key in sorted(set(doc) - set(code)):
        print("%s %s is documented but not routed" % (key[0].upper(), key[1]))
        failed = True
    if failed:
        return 1
    for key in sorted(code):
        statuses = sorted({status for status, _ in code[key]})
        print("%-6s %-40s %s" % (key[0].upper(), key[1], " ".join(map(str, statuses))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
