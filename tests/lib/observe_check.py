"""test_observe.sh's pycheck: a python expression over `xmptcp flows -j`.

    observe_check.py FLOWS_JSON CLIENT_JSON SERVER_JSON C2S S2C EXPR

EXPR sees f (the flows), conns, conn (the single connection or None), subs,
mpc and join (its subflows, all / MP_CAPABLE / MP_JOIN), cl and sv (the
endpoints' reports, {} if unreadable), c2s and s2c (bytes sent). Exit 0
when EXPR is true, else the flows JSON (first 3000 characters) and exit 1.
"""
import json, sys
f = json.load(open(sys.argv[1]))
try:
    cl, sv = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
except Exception:
    cl = sv = {}
c2s, s2c = int(sys.argv[4]), int(sys.argv[5])
conns = f["connections"]
conn = conns[0] if len(conns) == 1 else None
subs = conn["subflows"] if conn else []
mpc = [s for s in subs if s["kind"] == "mp_capable"]
join = [s for s in subs if s["kind"] == "mp_join"]
ok = eval(sys.argv[6])
if not ok:
    print(json.dumps(f, indent=1)[:3000])
    sys.exit(1)
