#!/usr/bin/env python3
# Makes a small fuzz seed from a real snapshot: the first N nodes in breadth-first
# order from the root (edges to other nodes dropped, strings renumbered), so the seed
# keeps real node/edge types, names and meta but is a few KB (libFuzzer mutates small
# inputs fast). Seeds for tests/fuzz/seeds/fuzz_analyze/ were made with:
#   python3 tests/gen/fuzz_seed_subgraph.py tests/fixtures/findings/linked-list.heapsnapshot.gz 60 OUT
# (also closure-chain, promise-poll, bun-async with 40-80 nodes). Not a finding fixture.
import gzip, json, lzma, sys

src, limit, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
opener = gzip.open if src.endswith('.gz') else lzma.open if src.endswith('.xz') else open
snap = json.load(opener(src, 'rt'))
meta = snap['snapshot']['meta']
nf, ef = len(meta['node_fields']), len(meta['edge_fields'])
ec_at, to_at = meta['node_fields'].index('edge_count'), meta['edge_fields'].index('to_node')
nodes, edges = snap['nodes'], snap['edges']
first_edge, at = [], 0
for i in range(len(nodes) // nf):
    first_edge.append(at)
    at += nodes[i * nf + ec_at] * ef
order, seen = [0], {0: 0}
for n in order:
    if len(order) >= limit:
        break
    for e in range(first_edge[n], first_edge[n] + nodes[n * nf + ec_at] * ef, ef):
        t = edges[e + to_at] // nf
        if t not in seen and len(order) < limit:
            seen[t] = len(order)
            order.append(t)
strings, smap = [], {}
def s(i):
    if i not in smap:
        smap[i] = len(strings)
        strings.append(snap['strings'][i][:200])
    return smap[i]
string_node = [i for i, t in enumerate(meta['node_fields']) if t == 'name']
edge_types = meta['edge_types'][meta['edge_fields'].index('type')]
name_at = meta['edge_fields'].index('name_or_index')
new_nodes, new_edges = [], []
for n in order:
    row = nodes[n * nf:(n + 1) * nf]
    kept = []
    for e in range(first_edge[n], first_edge[n] + row[ec_at] * ef, ef):
        er = edges[e:e + ef]
        if er[to_at] // nf in seen:
            er[to_at] = seen[er[to_at] // nf] * nf
            if edge_types[er[0]] not in ('element', 'hidden'):
                er[name_at] = s(er[name_at])
            kept.append(er)
    for i in string_node:
        row[i] = s(row[i])
    row[ec_at] = len(kept)
    new_nodes += row
    for er in kept:
        new_edges += er
head = dict(snap['snapshot'], node_count=len(order), edge_count=len(new_edges) // ef)
head.pop('trace_function_count', None)
doc = {'snapshot': head, 'nodes': new_nodes, 'edges': new_edges, 'strings': strings}
json.dump(doc, open(out, 'w'), separators=(',', ':'))
