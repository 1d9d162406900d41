#!/usr/bin/env python3
"""Hostile and impatient HTTP clients for tests/integration/conn.sh (loopback only, bounded).

Usage (each prints one JSON line):
  conn_clients.py idle PORT KEY N        N idle connections from 127.0.0.2 and up (40 an
                                         address), then a normal GET /api/v1/apps from
                                         127.0.0.1: {"opened", "status", "latency"}
  conn_clients.py drip PORT              request headers at 1 byte/s: {"cut_after"}
  conn_clients.py slowbody PORT KEY      an upload body at 100 bytes/s: {"status", "after"}
  conn_clients.py waits PORT KEY ID N OTHERKEY FILE
                                         N concurrent GET /analyses/ID?wait=5 (from 127.0.1.1
                                         and up, 40 an address) and, meanwhile,
                                         another customer's upload of FILE and GET /api/v1/apps:
                                         {"statuses", "other_status", "other_latency",
                                          "upload_status", "upload_latency"}
"""
import http.client
import json
import resource
import socket
import sys
import threading
import time


def get(port, path, key, source="127.0.0.1"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    t = time.monotonic()
    c.request("GET", path, headers={"Authorization": "Bearer " + key})
    r = c.getresponse()
    r.read()
    c.close()
    return r.status, time.monotonic() - t


def post(port, path, key, body):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    t = time.monotonic()
    c.request("POST", path, body=body, headers={"Authorization": "Bearer " + key})
    r = c.getresponse()
    r.read()
    c.close()
    return r.status, time.monotonic() - t


def idle(port, key, n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    socks = []
    for i in range(n):
        s = socket.socket()
        s.bind(("127.0.0.%d" % (2 + i // 40), 0))
        s.connect(("127.0.0.1", port))
        socks.append(s)
    time.sleep(0.5)
    status, latency = get(port, "/api/v1/apps", key)
    print(json.dumps({"opened": len(socks), "status": status, "latency": round(latency, 3)}))


def drip(port):
    s = socket.create_connection(("127.0.0.1", port))
    t = time.monotonic()
    try:
        for b in b"GET /api/v1/apps HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 100:
            s.sendall(bytes([b]))
            s.settimeout(1.0)
            try:
                if s.recv(1) == b"":
                    break
            except socket.timeout:
                pass
    except OSError:
        pass
    print(json.dumps({"cut_after": round(time.monotonic() - t, 1)}))


def slowbody(port, key):
    s = socket.create_connection(("127.0.0.1", port))
    head = ("POST /api/v1/apps/slow/snapshots HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
            "Content-Length: 1000000\r\n\r\n" % key)
    s.sendall(head.encode())
    t = time.monotonic()
    answer = b""
    s.settimeout(1.0)
    piece = b"\x1f\x8b\x08" + b"x" * 97  # gzip's magic first: the upload sniffing lets it on
    while time.monotonic() - t < 45:
        try:
            s.sendall(piece)
            piece = b"x" * 100
        except OSError:
            pass
        try:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
        except socket.timeout:
            pass
        except OSError:
            break
    status = int(answer.split()[1]) if answer.startswith(b"HTTP/") else 0
    print(json.dumps({"status": status, "after": round(time.monotonic() - t, 1)}))


def waits(port, key, analysis, n, other_key, upload):
    statuses = []
    lock = threading.Lock()

    def one(i):
        try:
            st, _ = get(port, "/api/v1/analyses/%s?wait=5" % analysis, key, "127.0.1.%d" % (1 + i // 40))
        except Exception:
            st = 0
        with lock:
            statuses.append(st)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    time.sleep(2)
    with open(upload, "rb") as f:
        upload_status, upload_latency = post(port, "/api/v1/apps/other/snapshots", other_key, f.read())
    other_status, other_latency = get(port, "/api/v1/apps", other_key)
    for t in threads:
        t.join()
    counts = {str(s): statuses.count(s) for s in set(statuses)}
    print(json.dumps({"statuses": counts, "other_status": other_status, "other_latency": round(other_latency, 3),
                      "upload_status": upload_status, "upload_latency": round(upload_latency, 3)}))


if __name__ == "__main__":
    cmd, port = sys.argv[1], int(sys.argv[2])
    if cmd == "idle":
        idle(port, sys.argv[3], int(sys.argv[4]))
    elif cmd == "drip":
        drip(port)
    elif cmd == "slowbody":
        slowbody(port, sys.argv[3])
    elif cmd == "waits":
        waits(port, sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6], sys.argv[7])
