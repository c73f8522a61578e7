#!/usr/bin/env python3
"""Copies per byte of one xmptcpd connection, from its JSON summary line.

The counters (include/xmptcp/mib.h) count the payload bytes each layer
copies. Two figures per direction, in copies per application byte:
  tx  send buffer -> frame: out of the data-level send buffer, into and out
      of the subflows' send rings, into the frames (OutDataBytes counts the
      one copy of each payload byte into its frame; retransmissions count);
  rx  frame -> reassembly: into and out of the subflows' receive rings and
      into the data-level reassembly buffer.
The copies at the application's end (into the send buffer, out of the
reassembly) are printed apart.

  copies.py SUMMARY [--max-tx X] [--max-rx Y]
Prints one line; exits 1 when a figure exceeds its limit, 4 when the
connection moved no MPTCP data that way (nothing to judge).
"""
import argparse
import json
import sys


def load(path):
    with open(path) as f:
        return json.JSONDecoder().raw_decode(f.read().lstrip())[0]


def figures(d):
    m = d.get("mptcp", {})
    sfs = d.get("subflows", [])

    def sf(key):
        return sum(s.get(key, 0) for s in sfs)

    sent, recv = d.get("sent", 0), d.get("recv", 0)
    tx = (m.get("DataSndCopyBytes", 0) + sf("SndBufBytes") + sf("SndLinearBytes") +
          sf("OutDataBytes"))
    rx = sf("RcvBufBytes") + sf("RcvBufReadBytes") + m.get("DataRcvBufBytes", 0)
    return {
        "sent": sent,
        "recv": recv,
        "tx": tx / sent if sent else None,
        "rx": rx / recv if recv else None,
        "app_in": m.get("DataSndBufBytes", 0) / sent if sent else None,
        "app_out": m.get("DataReadBytes", 0) / recv if recv else None,
        "rx_ring": sf("RcvBufBytes") / recv if recv else None,
        "direct": sf("RcvDirectBytes") / recv if recv else None,
    }


def fmt(v):
    return "-" if v is None else "%.3f" % v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("summary")
    ap.add_argument("--max-tx", type=float)
    ap.add_argument("--max-rx", type=float)
    a = ap.parse_args()
    d = load(a.summary)
    if "DataSndBufBytes" not in d.get("mptcp", {}) and "DataRcvBufBytes" not in d.get("mptcp", {}):
        print("no MPTCP data moved")
        return 4
    f = figures(d)
    print("tx send buffer->frame %s copies/byte (%d B; app->send buffer %s), "
          "rx frame->reassembly %s copies/byte (%d B; via subflow rings %s, taken from the "
          "frame %s; reassembly->app %s)" %
          (fmt(f["tx"]), f["sent"], fmt(f["app_in"]), fmt(f["rx"]), f["recv"],
           fmt(f["rx_ring"]), fmt(f["direct"]), fmt(f["app_out"])))
    bad = []
    if a.max_tx is not None and f["tx"] is not None and f["tx"] > a.max_tx:
        bad.append("tx %.3f > %.3f" % (f["tx"], a.max_tx))
    if a.max_rx is not None and f["rx"] is not None and f["rx"] > a.max_rx:
        bad.append("rx %.3f > %.3f" % (f["rx"], a.max_rx))
    if bad:
        print("; ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
