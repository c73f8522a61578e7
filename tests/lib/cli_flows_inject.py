"""test_cli.sh's flows grouping check: injected observe entries.

    cli_flows_inject.py PINNED_XMP_OBSERVE XMPTCP NETNS_PATH

Writes entries straight into the pinned xmp_observe (no traffic): an
MP_CAPABLE subflow whose first 1000 c2s bytes rode in the MP_CAPABLE ACK
(no DSN seen for them), a client-opened join, a server-opened join (its
token is the client's, directions swapped) and a join naming no known
token; checks `xmptcp flows` groups them as computed here independently
(tokens are SHA-256 of the keys, RFC 8684 3.1), removes them and prints
"grouped". A failed check raises.
"""
import hashlib, json, socket, struct, subprocess, sys
mp, xmptcp, ns = sys.argv[1:4]
def sha(k):
    d = hashlib.sha256(struct.pack(">Q", k)).digest()
    return struct.unpack(">I", d[:4])[0], struct.unpack(">Q", d[-8:])[0]
kc, ks = 0x1122334455667788, 0x99aabbccddeeff01
tc, ic = sha(kc)
ts, is_ = sha(ks)
NONE = (1 << 64) - 1
def tup(sa, sp, da, dp):
    m = lambda a: b"\0" * 10 + b"\xff\xff" + socket.inet_aton(a)
    return m(sa) + m(da) + struct.pack(">HH", sp, dp) + b"\0" * 4
def val(kind, flags, aid, jtok, keys, pk, by, dmin, dend, t0):
    v = struct.pack("<QQBBBBI", t0, t0 + 5, kind, flags, aid, 0, jtok)
    v += struct.pack("<2Q2Q2Q2Q2Q2Q", *keys, *pk, *by, *dmin, *dend, 0, 0)
    return v + struct.pack("<H6x", 0b111)
ents = [
    (tup("10.231.9.2", 40000, "10.231.9.1", 5000),
     val(1, 0x05, 0, 0, (kc, ks), (10, 8), (3000, 1000), (ic + 1 + 1000, is_ + 1), (ic + 1 + 5000, is_ + 1 + 2001), 100)),
    (tup("10.231.8.2", 40001, "10.231.9.1", 5000),
     val(2, 0x41, 1, ts, (0, 0), (7, 3), (2000, 0), (ic + 1 + 3000, NONE), (ic + 1 + 5000, 0), 200)),
    (tup("10.231.9.1", 6000, "10.231.7.2", 7000),
     val(2, 0x01, 2, tc, (0, 0), (4, 9), (1500, 10), (is_ + 1 + 1500, NONE), (is_ + 1 + 3001, 0), 300)),
    (tup("10.231.6.2", 1, "10.231.9.1", 2),
     val(2, 0, 3, 0xdeadbeef, (0, 0), (1, 0), (0, 0), (NONE, NONE), (0, 0), 400)),
]
for k, v in ents:
    assert len(k) == 40 and len(v) == 128
    subprocess.run(["bpftool", "map", "update", "pinned", mp, "key", "hex"] + ["%02x" % b for b in k]
                   + ["value", "hex"] + ["%02x" % b for b in v], check=True)
f = json.loads(subprocess.run(["nsenter", "--net=" + ns, xmptcp, "flows", "-j"], check=True,
                              capture_output=True, text=True).stdout)
conns = [c for c in f["connections"] if c["client_key"] == kc]
assert len(conns) == 1, "one connection for the injected keys"
c = conns[0]
assert (c["client_token"], c["server_token"]) == (tc, ts), "tokens from keys"
sf = {s["sport"]: s for s in c["subflows"]}
assert sorted(sf) == [6000, 40000, 40001], "three subflows grouped: %s" % sorted(sf)
assert sf[40001]["initiator"] == "client" and sf[6000]["initiator"] == "server"
assert sf[6000]["packets_c2s"] == 9 and sf[6000]["packets_s2c"] == 4, "server-opened join swapped"
assert sf[40001]["backup"] and sf[40001]["addr_id"] == 1
assert c["data_bytes_c2s"] == 5000, "c2s %d (IDSN+1 start)" % c["data_bytes_c2s"]
assert c["data_bytes_s2c"] == 3001, "s2c %d (span over both orientations)" % c["data_bytes_s2c"]
assert "data_fin" in c["flags"] and "backup" in c["flags"]
un = [s for s in f["unmatched"] if s.get("join_token") == 0xdeadbeef]
assert len(un) == 1, "unmatched join listed"
txt = subprocess.run(["nsenter", "--net=" + ns, xmptcp, "flows"], check=True,
                     capture_output=True, text=True).stdout
assert ("0x%08x" % tc) in txt and ("0x%08x" % ts) in txt and "unmatched" in txt, txt
for k, _ in ents:
    subprocess.run(["bpftool", "map", "delete", "pinned", mp, "key", "hex"] + ["%02x" % b for b in k],
                   check=True)
print("grouped")
