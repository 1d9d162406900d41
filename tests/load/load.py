#!/usr/bin/env python3
# The client side of tests/load/run.sh (see there): each subcommand runs one phase against
# BASE with API keys from the environment (KEY_A, KEY_B) and prints one line of figures.
#   idle N BASE          N idle TCP connections from 127.0.0.2 and up, then the normal
#                        client's GET /api/v1/apps latency from 127.0.0.1
#   waits N BASE ID      N concurrent GET /analyses/ID?wait=20 (customer A) while customer B
#                        uploads FILE_SMALL and lists its apps: B's latencies, 5xx counts
#   mixed U R BASE FILE  U concurrent uploads (distinct bytes) + R concurrent reads: lost,
#                        5xx, p50/p99 latency
#   one BASE FILE APP KEY  one upload and its analysis (?wait until done): latency, state
#   queue N BASE FILE.gz   N uploads of distinct copies of FILE.gz (a gzip member of i blanks
#                        appended) by customer A; prints the last analysis id
import gzip, os, socket, sys, threading, time, json, http.client
from urllib.parse import urlparse


def request(base, method, path, key, body=None, timeout=120):
    u = urlparse(base)
    t0 = time.monotonic()
    try:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
        c.request(method, path, body=body, headers={'Authorization': 'Bearer ' + key})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, data, time.monotonic() - t0
    except Exception as e:
        return 0, str(e).encode(), time.monotonic() - t0


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float('nan')


def run_all(fns):
    out = [None] * len(fns)
    def go(i):
        out[i] = fns[i]()
    ts = [threading.Thread(target=go, args=(i,)) for i in range(len(fns))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def idle(n, base):
    u = urlparse(base)
    socks, failed = [], 0
    for i in range(n):
        src = '127.0.%d.%d' % (2 + i // 250, 2 + i % 250)
        try:
            s = socket.socket()
            s.bind((src, 0))
            s.settimeout(5)
            s.connect((u.hostname, u.port))
            socks.append(s)
        except OSError:
            failed += 1
    time.sleep(1)
    st, _, lat = request(base, 'GET', '/api/v1/apps', os.environ['KEY_A'], timeout=30)
    print(f'idle: {len(socks)} idle connections open ({failed} refused); normal client: status {st}, '
          f'latency {lat:.3f} s')
    for s in socks:
        s.close()


def waits(n, base, aid):
    key_a, key_b = os.environ['KEY_A'], os.environ['KEY_B']
    small = open(os.environ['FILE_SMALL'], 'rb').read()
    fns = [lambda: request(base, 'GET', f'/api/v1/analyses/{aid}?wait=20', key_a) for _ in range(n)]
    res = {}
    def other():
        time.sleep(2)
        res['upload'] = request(base, 'POST', '/api/v1/apps/other/snapshots', key_b, small + b' ' * int(time.time() % 97))
        res['list'] = request(base, 'GET', '/api/v1/apps', key_b)
    t = threading.Thread(target=other)
    t.start()
    out = run_all(fns)
    t.join()
    bad = sum(1 for s, _, _ in out if s >= 500 or s == 0)
    codes = sorted({s for s, _, _ in out})
    states = sorted({json.loads(b).get('state', '?') if s == 200 else '-' for s, b, _ in out})
    print(f'waits: {n} concurrent ?wait=20 (statuses {codes}, states {states}, p50 {pct([l for _, _, l in out], .5):.1f} s): '
          f'{bad} 5xx/failed; other customer: upload {res["upload"][0]} in '
          f'{res["upload"][2]:.3f} s, list {res["list"][0]} in {res["list"][2]:.3f} s')


def mixed(nu, nr, base, path):
    key = os.environ['KEY_A']
    data = open(path, 'rb').read()
    ups = [lambda i=i: request(base, 'POST', '/api/v1/apps/load/snapshots?version=%d' % i, key,
                               data + b' ' * (i + 1)) for i in range(nu)]
    reads = [lambda: request(base, 'GET', '/api/v1/apps', key) for _ in range(nr)]
    out = run_all(ups + reads)
    lost = sum(1 for s, _, _ in out if s == 0)
    five = sum(1 for s, _, _ in out if s >= 500)
    up_ok = sum(1 for s, _, _ in out[:nu] if s in (200, 202))
    lat = [l for _, _, l in out]
    print(f'mixed: {nu} uploads ({up_ok} accepted) + {nr} reads: {lost} lost, {five} 5xx, '
          f'p50 {pct(lat, .5):.3f} s, p99 {pct(lat, .99):.3f} s')


def one(base, path, app, key):
    t0 = time.monotonic()
    st, body, _ = request(base, 'POST', f'/api/v1/apps/{app}/snapshots', key, open(path, 'rb').read())
    try:
        aid = json.loads(body)['analysis_id']
    except Exception:
        print(f'one: upload answered {st}: {body[:200]!r}')
        return
    d = {}
    for _ in range(60):
        st, body, _ = request(base, 'GET', f'/api/v1/analyses/{aid}?wait=20', key, timeout=60)
        d = json.loads(body) if st == 200 else {}
        if d.get('state') in ('done', 'failed'):
            break
    msg = (d.get('error') or '')[:200]
    print(f'one: {app}: analysis {aid} {d.get("state")} after {time.monotonic() - t0:.2f} s, '
          f'attempts {d.get("attempts")}; {msg}')


def queue(n, base, path):
    data, last = open(path, 'rb').read(), None
    for i in range(n):
        st, body, _ = request(base, 'POST', '/api/v1/apps/queue/snapshots', os.environ['KEY_A'],
                              data + gzip.compress(b' ' * (i + 1)))
        last = json.loads(body)['analysis_id'] if st in (200, 202) else last
    print(last)


if __name__ == '__main__':
    cmd, args = sys.argv[1], sys.argv[2:]
    {'idle': lambda: idle(int(args[0]), args[1]), 'waits': lambda: waits(int(args[0]), args[1], args[2]),
     'mixed': lambda: mixed(int(args[0]), int(args[1]), args[2], args[3]),
     'one': lambda: one(*args), 'queue': lambda: queue(int(args[0]), args[1], args[2])}[cmd]()
