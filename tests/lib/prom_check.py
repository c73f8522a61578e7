#!/usr/bin/env python3
"""Reads xmptcpd's Prometheus metrics and checks them (tests/net/test_metrics.sh).

  prom_check.py scrape URL OUT.json       GET URL: 200, Content-Type text/plain;
                                          version=0.0.4, the body parsed
  prom_check.py parse FILE OUT.json       a textfile (--metrics-file) parsed
  prom_check.py live A.json B.json        the live connection's series, A then B
  prom_check.py compare STATS.json S.json every number of `xmptcp stats -j` is
                                          its sample, and no other daemon family
  prom_check.py bad HOST PORT             malformed, oversized, wrong path/method,
                                          a silent client beside a scrape

Parsing is prometheus_client's text_string_to_metric_families (the reference
parser): any error it raises fails the check. OUT.json holds the families'
types and every sample as [name, labels, value]. Exit 0 ok, 1 a check failed
(the reason on stderr).
"""
import json
import socket
import sys
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

CT = "text/plain; version=0.0.4"


def fail(msg):
    print("prom_check: " + msg, file=sys.stderr)
    sys.exit(1)


def parse(text):
    """Families (name -> type) and samples; one family of a name at most."""
    fams, samples = {}, []
    try:
        for fam in text_string_to_metric_families(text):
            if fam.name in fams:
                fail("family %s twice (its samples must be one group)" % fam.name)
            fams[fam.name] = fam.type
            for s in fam.samples:
                samples.append([s.name, s.labels, s.value])
    except ValueError as e:
        fail("parse error: %s" % e)
    for name in fams:
        if not name.startswith("xmptcp_"):
            fail("family %s lacks the xmptcp_ prefix" % name)
    return {"families": fams, "samples": samples}


def save(d, out):
    with open(out, "w") as f:
        json.dump(d, f)


def scrape(url, out):
    with urllib.request.urlopen(url, timeout=5) as r:
        if r.status != 200:
            fail("%s: status %d" % (url, r.status))
        ct = r.headers.get("Content-Type", "")
        if not ct.startswith(CT):
            fail("%s: Content-Type %r" % (url, ct))
        save(parse(r.read().decode()), out)


def values(d, name, **labels):
    return [v for n, lb, v in d["samples"]
            if n == name and all(lb.get(k) == x for k, x in labels.items())]


def live(a_file, b_file):
    """One live connection: its info, subflows with cwnd and srtt above 0,
    and its bytes and the subflows' grown from scrape A to scrape B."""
    a, b = (json.load(open(f)) for f in (a_file, b_file))
    conns = [lb for n, lb, v in b["samples"] if n == "xmptcp_conn_info"]
    if len(conns) != 1:
        fail("want 1 xmptcp_conn_info sample, got %d" % len(conns))
    c = conns[0]
    for k in ("conn", "role", "local", "remote", "state", "token", "sched", "cc"):
        if not c.get(k):
            fail("xmptcp_conn_info lacks label %s: %s" % (k, c))
    if c["state"] != "ESTABLISHED" or c["role"] != "client":
        fail("connection not an established client: %s" % c)
    sfs = [lb for n, lb, v in b["samples"] if n == "xmptcp_subflow_info" and lb["conn"] == c["conn"]]
    if not sfs:
        fail("no xmptcp_subflow_info of conn %s" % c["conn"])
    est = [s for s in sfs if s["state"] == "ESTABLISHED"]
    if not est:
        fail("no established subflow: %s" % sfs)
    for s in est:
        ids = {"conn": c["conn"], "subflow": s["subflow"]}
        for name in ("xmptcp_subflow_cwnd_bytes", "xmptcp_subflow_srtt_seconds"):
            v = values(b, name, **ids)
            if len(v) != 1 or not v[0] > 0:
                fail("%s%s = %s, want one value above 0" % (name, ids, v))
    sent = [values(x, "xmptcp_conn_sent_bytes_total", conn=c["conn"]) for x in (a, b)]
    if len(sent[0]) != 1 or len(sent[1]) != 1 or not sent[1][0] > sent[0][0] > 0:
        fail("conn sent bytes did not grow between the scrapes: %s" % sent)
    sfa = sum(values(a, "xmptcp_subflow_sent_bytes_total", conn=c["conn"]))
    sfb = sum(values(b, "xmptcp_subflow_sent_bytes_total", conn=c["conn"]))
    if not sfb > sfa > 0:
        fail("subflows' sent bytes did not grow: %s -> %s" % (sfa, sfb))
    print("conn %s, %d subflow(s), sent %d -> %d" % (c["conn"], len(sfs), sent[0][0], sent[1][0]))


def flatten(stats):
    """stats -j's numbers as (metric name without _total, value)."""
    for k, v in stats.items():
        if isinstance(v, dict):
            for k2, v2 in v.items():
                yield "xmptcp_%s_%s" % (k, k2), v2
        elif isinstance(v, int) and not isinstance(v, bool) and k != "pid":
            yield "xmptcp_" + k, v


def compare(stats_file, scrape_file):
    stats, d = json.load(open(stats_file)), json.load(open(scrape_file))
    by = {n: v for n, lb, v in d["samples"] if not lb}
    want = dict(flatten(stats))
    for name, v in want.items():
        got = by.get(name + "_total", by.get(name))
        if got is None:
            fail("stats -j has %s = %d, the metrics do not" % (name, v))
        if got != v:
            fail("%s: stats -j %d, metrics %s" % (name, v, got))
    extra = [f for f in d["families"] if not f.startswith(("xmptcp_conn_", "xmptcp_subflow_"))
             and f not in want]
    if extra:
        fail("daemon families stats -j does not have: %s" % extra)
    print("%d numbers of stats -j equal their samples" % len(want))


def exchange(host, port, data, shut=True):
    """Sends data, reads the answer to EOF: (status line, whole answer)."""
    s = socket.create_connection((host, port), timeout=10)
    try:
        s.sendall(data)
        if shut:
            s.shutdown(socket.SHUT_WR)
        buf = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            buf += b
    finally:
        s.close()
    return buf.split(b"\r\n", 1)[0].decode(errors="replace"), buf


def bad(host, port):
    port = int(port)
    cases = [
        ("oversized", b"GET /metrics HTTP/1.1\r\nX: " + b"a" * 100000 + b"\r\n\r\n", "400"),
        ("no_version", b"GET /metrics\r\n\r\n", "400"),
        ("garbage", b"\x00\x01\x02 hello\r\n\r\n", "400"),
        ("http2_version", b"GET /metrics HTTP/2.0\r\n\r\n", "400"),
        ("other_path", b"GET /nothing HTTP/1.0\r\n\r\n", "404"),
        ("post", b"POST /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "405"),
        ("head", b"HEAD /metrics HTTP/1.0\r\n\r\n", "200"),
        ("http10_query", b"GET /metrics?x=1 HTTP/1.0\r\n\r\n", "200"),
    ]
    for name, req, want in cases:
        line, _ = exchange(host, port, req)
        if line.split(" ")[1:2] != [want]:
            fail("%s: answered %r, want %s" % (name, line, want))
    # a silent client holds its slot, not the loop: a scrape beside it works
    silent = socket.create_connection((host, port), timeout=10)
    t0 = time.monotonic()
    line, body = exchange(host, port, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", shut=False)
    if not line.endswith("200 OK") or b"xmptcp_conns_opened_total" not in body:
        fail("scrape beside a silent client: %r" % line)
    if time.monotonic() - t0 > 2:
        fail("scrape beside a silent client took %.1f s" % (time.monotonic() - t0))
    # ... and the daemon closes it after its idle deadline (5 s)
    silent.settimeout(15)
    try:
        if silent.recv(1) != b"":
            fail("the silent client got bytes")
    except socket.timeout:
        fail("the silent client was not closed within 15 s")
    except ConnectionResetError:
        pass
    print("%d bad or odd requests answered as they should; a silent client "
          "closed after %.1f s" % (len(cases), time.monotonic() - t0))


def main():
    cmds = {"scrape": (scrape, 2), "parse": (None, 2), "live": (live, 2),
            "compare": (compare, 2), "bad": (bad, 2)}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds or len(sys.argv) != 2 + cmds[sys.argv[1]][1]:
        fail("usage: see " + __file__)
    if sys.argv[1] == "parse":
        with open(sys.argv[2]) as f:
            save(parse(f.read()), sys.argv[3])
    else:
        cmds[sys.argv[1]][0](*sys.argv[2:])


if __name__ == "__main__":
    main()
