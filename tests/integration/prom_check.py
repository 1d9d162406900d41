#!/usr/bin/env python3
"""A strict checker of Prometheus' text exposition format (version 0.0.4), for ops.sh.

Usage: prom_check.py METRICS.txt  -> prints one line per sample, "SERIES VALUE", where
SERIES is the name and its labels sorted ("name{a=\"x\",b=\"y\"}"), and exits 0; or prints
what is wrong and exits 1. Checked: every line is a HELP, a TYPE or a sample; names and
label names are valid; label values use only the escapes \\\\, \\" and \\n; each family has
at most one HELP and one TYPE, given before its samples; a sample belongs to a declared
family (a histogram's through _bucket, _sum, _count); no series twice; values are numbers;
counters are named *_total and never negative; each histogram series has buckets in rising
le order, cumulative (never decreasing), a +Inf bucket equal to _count, and a _sum.
"""
import math
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
SAMPLE = re.compile(r"^(" + NAME + r")(?:\{(.*)\})? (\S+)(?: (-?\d+))?$")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def fail(n, line, why):
    print(f"line {n}: {why}: {line!r}")
    sys.exit(1)


def parse_labels(text, n, line):
    labels, rest = {}, text or ""
    while rest:
        m = re.match(LABEL + r"(,|$)", rest)
        if not m:
            fail(n, line, "bad label list")
        if m.group(1) in labels:
            fail(n, line, "label given twice")
        labels[m.group(1)] = m.group(2)
        rest = rest[m.end():]
    return labels


def family_of(name, types):
    if name in types:
        return name
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and types.get(base) in ("histogram", "summary"):
            return base
    return None


def value_of(text, n, line):
    try:
        return float(text.replace("+Inf", "inf").replace("-Inf", "-inf"))
    except ValueError:
        fail(n, line, "value is not a number")


def check_histograms(samples, types):
    series = {}
    for (name, labels), value in samples.items():
        fam = family_of(name, types)
        if types.get(fam) != "histogram":
            continue
        d = dict(labels)
        le = d.pop("le", None)
        entry = series.setdefault((fam, tuple(sorted(d.items()))), {"buckets": [], "sum": None, "count": None})
        if name.endswith("_bucket"):
            entry["buckets"].append((value_of(le, 0, le) if le is not None else None, value))
        else:
            entry["sum" if name.endswith("_sum") else "count"] = value
    for (fam, labels), e in series.items():
        bounds = [b for b, _ in e["buckets"]]
        if None in bounds or not bounds or bounds != sorted(bounds) or bounds[-1] != math.inf:
            fail(0, fam, "buckets not in rising le order ending with +Inf")
        counts = [c for _, c in e["buckets"]]
        if counts != sorted(counts):
            fail(0, fam, "buckets are not cumulative")
        if e["count"] is None or e["sum"] is None or e["count"] != counts[-1]:
            fail(0, fam, "_count missing or not the +Inf bucket, or _sum missing")


def main():
    types, helps, seen_samples, samples, order = {}, set(), set(), {}, []
    for n, line in enumerate(open(sys.argv[1], encoding="utf-8").read().split("\n"), 1):
        if line == "":
            continue
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            parts = line.split(" ", 3)
            if len(parts) < 4 or not re.fullmatch(NAME, parts[2]):
                fail(n, line, "bad HELP/TYPE line")
            kind, name = parts[1], parts[2]
            if name in seen_samples:
                fail(n, line, "HELP/TYPE after the family's samples")
            if kind == "HELP":
                if name in helps:
                    fail(n, line, "second HELP")
                helps.add(name)
            else:
                if name in types or parts[3] not in TYPES:
                    fail(n, line, "second or unknown TYPE")
                if parts[3] == "counter" and not name.endswith("_total"):
                    fail(n, line, "a counter not named *_total")
                types[name] = parts[3]
            continue
        if line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            fail(n, line, "not a sample")
        name, labels, value = m.group(1), parse_labels(m.group(2), n, line), value_of(m.group(3), n, line)
        fam = family_of(name, types)
        if fam is None:
            fail(n, line, "sample of no declared family")
        if types[fam] == "counter" and value < 0:
            fail(n, line, "negative counter")
        seen_samples.add(fam)
        key = (name, tuple(sorted(labels.items())))
        if key in samples:
            fail(n, line, "series given twice")
        samples[key] = value
        order.append(key)
    check_histograms(samples, types)
    for name, labels in order:
        text = ",".join(f'{k}="{v}"' for k, v in labels)
        value = samples[(name, labels)]
        print(f"{name}{{{text}}} {value:.6f}" if labels else f"{name} {value:.6f}")


if __name__ == "__main__":
    main()
