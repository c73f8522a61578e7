"""test_engine_kernel.sh's many-connections verdict.

    many_check.py N OURS_JSONL KERNEL_JSONL

Prints "ok" when each side reported N connections, every one of ours
closed cleanly over MPTCP, the bytes each side sent are the bytes the
other received and the kernel never fell back; else what was wrong.
"""
import json, sys
n = int(sys.argv[1])
ours = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")]
kern = [json.loads(l) for l in open(sys.argv[3]) if l.startswith("{")]
bad = []
if len(ours) != n or len(kern) != n:
    bad.append("lines: ours %d kernel %d, want %d" % (len(ours), len(kern), n))
for o in ours:
    m = o.get("mptcp", {})
    if o["error"] or not o["mp_capable"] or not m.get("data_fin_acked") or not m.get("data_fin_rcvd"):
        bad.append("ours unclean: %s" % json.dumps(o)[:300])
        break
if {(o["sent"], o["sent_sha256"]) for o in ours} != {(k["recv"], k["recv_sha256"]) for k in kern}:
    bad.append("ours->kernel bytes differ")
if {(k["sent"], k["sent_sha256"]) for k in kern} != {(o["recv"], o["recv_sha256"]) for o in ours}:
    bad.append("kernel->ours bytes differ")
if any(k["fallback"] for k in kern):
    bad.append("kernel fell back")
print("; ".join(bad) if bad else "ok")
