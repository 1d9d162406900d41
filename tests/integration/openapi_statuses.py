#!/usr/bin/env python3
"""Checks that every status an integration test saw a route answer is documented.

Usage: openapi_statuses.py OPENAPI.json SEEN
SEEN has one line per request a test made: "METHOD /path?query STATUS". Each /api/ path is
matched to its OpenAPI path template ({x} is one segment); the status must be among that
operation's responses (a path no template matches must have answered 404, a method
its template lacks 405). Prints one line per status missing (and per path no template
matches) and exits 1 if there is any; else prints how many pairs it checked and exits 0.
"""
import json
import re
import sys


def templates(doc):
    out = []
    for tpl, ops in doc["paths"].items():
        rx = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(tpl)) + "$")
        out.append((tpl, rx, ops))
    return out


def main():
    doc = json.load(open(sys.argv[1]))
    tpls = templates(doc)
    missing, checked = set(), set()
    for line in open(sys.argv[2]):
        method, url, status = line.split()
        path = url.split("?")[0]
        if not path.startswith("/api/") or status == "000":
            continue
        paths = [(t, ops) for t, rx, ops in tpls if rx.match(path)]
        found = [(t, ops) for t, ops in paths if method.lower() in ops]
        if (not paths and status == "404") or (paths and not found and status == "405"):
            continue  # a path no route has, a method it does not take: the dispatcher's 404, 405
        if not found:
            missing.add("%s %s: no OpenAPI path matches" % (method, path))
            continue
        tpl, ops = found[0]
        checked.add((method, tpl, status))
        if status not in ops[method.lower()].get("responses", {}):
            missing.add("%s %s answers %s (e.g. for %s); the OpenAPI document does not list it" %
                        (method, tpl, status, path))
    for m in sorted(missing):
        print("undocumented: " + m)
    print("%d (route, status) pairs seen, %d undocumented" % (len(checked), len(missing)))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
