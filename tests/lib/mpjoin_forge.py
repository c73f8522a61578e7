# Forged TCP/MPTCP handshakes on a raw AF_PACKET socket, for the namespace
# tests (tests/net/test_multipath.sh): a peer that is not a real stack, so
# the tests can send what no well-behaved stack sends.
#
#   python3 mpjoin_forge.py MODE --iface IF --dmac MAC --src IP --dst IP --dport N
#                           [--token HEX] [--sport N] [--timeout S]
# MODE:
#   syn         plain SYN; reports the answer
#   join        MP_JOIN SYN (RFC 8684 3.2) naming --token; reports the answer
#   join-badack MP_JOIN SYN, then on a SYN-ACK with MP_JOIN a third ACK whose
#               MP_JOIN carries a wrong 160-bit HMAC; reports the answer to it
#   flood       --count N SYNs as fast as the socket takes them, each from a
#               random address of --src's /24 (hosts 10..250 but never
#               --src itself) and a random port, every other one with an
#               MP_CAPABLE (RFC 8684 3.1) so the listener derives keys for
#               it; never completed. Reports what it sent and how many
#               SYN-ACKs and RSTs came back while it did.
# A SYN-ACK the tool does not complete is aborted with a RST, so the
# listener keeps no half-open connection. Prints one JSON line: what came back to each step ("synack", "rst", "none",
# plus TCP flags and the MPTCP suboptions seen: MP_JOIN's fields, MP_TCPRST's
# reason). Exit 0 when the exchange could be run (the caller judges the
# answers), 2 on usage/socket errors.
#
# Why AF_PACKET on the client-side veth with a source address that is not
# configured in that namespace: the namespace's kernel never owns the
# 4-tuple, so it neither answers the SYN-ACK with its own RST nor drops what
# we send; the frames leave straight onto the wire (the peer veth), and the
# answer, whatever sent it (AF_XDP TX or the server's kernel), arrives at
# this veth where a packet socket sees it. Checksums are computed here:
# nothing offloads them for a packet socket. Python stdlib only.
import argparse, copy, json, os, random, select, socket, struct, sys, time

ETH_P_IP = 0x0800
ETH_P_ALL = 0x0003
TH_FIN, TH_SYN, TH_RST, TH_PSH, TH_ACK = 0x01, 0x02, 0x04, 0x08, 0x10
MPTCP_KIND = 30
MPTCPOPT_MP_JOIN, MPTCPOPT_MP_TCPRST = 1, 8


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def mac_bytes(m):
    return bytes(int(x, 16) for x in m.split(":"))


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def build(a, smac, seq, ack, flags, opts=b"", win=65535):
    """Ethernet + IPv4 + TCP frame from a.src:a.sport to a.dst:a.dport."""
    assert len(opts) % 4 == 0
    src, dst = socket.inet_aton(a.src), socket.inet_aton(a.dst)
    doff = (20 + len(opts)) // 4
    tcp = struct.pack("!HHIIBBHHH", a.sport, a.dport, seq, ack, doff << 4, flags, win, 0, 0) + opts
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), random.getrandbits(16), 0x4000, 64,
                     socket.IPPROTO_TCP, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return mac_bytes(a.dmac) + smac + struct.pack("!H", ETH_P_IP) + ip + tcp


def parse_opts(b):
    """TCP options -> dict of what the test cares about (MSS, MPTCP)."""
    out, i = {}, 0
    while i < len(b):
        k = b[i]
        if k == 0:
            break
        if k == 1:
            i += 1
            continue
        if i + 1 >= len(b) or b[i + 1] < 2:
            out["malformed"] = True
            break
        ln = b[i + 1]
        v = b[i + 2:i + ln]
        if k == 2 and ln == 4:
            out["mss"] = struct.unpack("!H", v)[0]
        elif k == MPTCP_KIND and v:
            sub = v[0] >> 4
            m = out.setdefault("mptcp", [])
            if sub == MPTCPOPT_MP_JOIN:
                j = {"sub": "MP_JOIN", "len": ln, "backup": bool(v[0] & 1)}
                if ln == 16:  # SYN-ACK: address id, truncated HMAC, nonce (3.2)
                    j["addr_id"] = v[1]
                    j["thmac"] = v[2:10].hex()
                    j["nonce"] = "%08x" % struct.unpack("!I", v[10:14])[0]
                elif ln == 12:
                    j["addr_id"] = v[1]
                    j["token"] = "%08x" % struct.unpack("!I", v[2:6])[0]
                m.append(j)
            elif sub == MPTCPOPT_MP_TCPRST:
                m.append({"sub": "MP_TCPRST", "len": ln, "flags": v[0] & 0xF,
                          "reason": v[1] if len(v) > 1 else None})
            else:
                m.append({"sub": sub, "len": ln})
        i += ln
    return out


def flag_str(f):
    return "".join(c for c, bit in (("F", TH_FIN), ("S", TH_SYN), ("R", TH_RST), ("P", TH_PSH),
                                     ("A", TH_ACK)) if f & bit)


def wait_reply(s, a, tmo, skip_synack=False):
    """First TCP segment from a.dst:a.dport to a.src:a.sport within tmo
    seconds (after the third ACK: SYN-ACK retransmissions skipped)."""
    end = time.time() + tmo
    src, dst = socket.inet_aton(a.src), socket.inet_aton(a.dst)
    while True:
        left = end - time.time()
        if left <= 0:
            return None
        r, _, _ = select.select([s], [], [], left)
        if not r:
            return None
        fr, addr = s.recvfrom(65535)
        if addr[2] == socket.PACKET_OUTGOING or len(fr) < 54:
            continue
        if struct.unpack("!H", fr[12:14])[0] != ETH_P_IP:
            continue
        ip = fr[14:]
        ihl = (ip[0] & 0xF) * 4
        if ip[9] != socket.IPPROTO_TCP or ip[12:16] != dst or ip[16:20] != src:
            continue
        tcp = ip[ihl:]
        sp, dp, seq, ack, off, flags = struct.unpack("!HHIIBB", tcp[:14])
        if sp != a.dport or dp != a.sport:
            continue
        doff = (off >> 4) * 4
        if skip_synack and flags & TH_SYN:
            continue
        return {"kind": "rst" if flags & TH_RST else "synack" if flags & TH_SYN and flags & TH_ACK
                else "other", "flags": flag_str(flags), "seq": seq, "ack": ack,
                "opts": parse_opts(tcp[20:doff]), "smac": mac_str(fr[6:12])}


def mpj(r):
    for m in (r or {}).get("opts", {}).get("mptcp", []):
        if m["sub"] == "MP_JOIN":
            return m
    return None


def flood(s, a, smac):
    """SYNs that never complete, from addresses nobody owns (the server
    answers the MAC they came from, so no neighbour entry is needed)."""
    base = a.src.rsplit(".", 1)[0]
    mss = struct.pack("!BBH", 2, 4, 1460)
    mpc = struct.pack("!BBBB", MPTCP_KIND, 4, 0x01, 0x01)  # MP_CAPABLE v1 SYN, HMAC-SHA256
    seen = {"synack": 0, "rst": 0}
    s.setblocking(False)
    t0 = time.time()
    for i in range(a.count):
        b = copy.copy(a)
        host = random.randint(10, 250)
        b.src = "%s.%d" % (base, host)
        if b.src == a.src:
            b.src = "%s.%d" % (base, 251)
        b.sport = random.randint(1024, 65535)
        s.send(build(b, smac, random.getrandbits(32), 0, TH_SYN, mss + (mpc if i % 2 else b"")))
        if i % 64 == 0:
            drain(s, a, seen)
    secs = time.time() - t0
    end = time.time() + 0.5
    while time.time() < end:
        drain(s, a, seen)
        time.sleep(0.01)
    return {"mode": "flood", "sent": a.count, "seconds": round(secs, 3),
            "pps": round(a.count / secs) if secs else None, "synacks_seen": seen["synack"],
            "rsts_seen": seen["rst"]}


def drain(s, a, seen):
    """Counts answers from --dst:--dport queued on the packet socket."""
    while True:
        try:
            f, addr = s.recvfrom(65535)
        except BlockingIOError:
            return
        if addr[2] == socket.PACKET_OUTGOING or len(f) < 54 or f[12:14] != b"\x08\x00":
            continue
        ihl = (f[14] & 15) * 4
        if f[23] != socket.IPPROTO_TCP or socket.inet_ntoa(f[26:30]) != a.dst:
            continue
        t = 14 + ihl
        if struct.unpack("!H", f[t:t + 2])[0] != a.dport:
            continue
        fl = f[t + 13]
        if fl & TH_RST:
            seen["rst"] += 1
        elif fl & TH_SYN and fl & TH_ACK:
            seen["synack"] += 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["syn", "join", "join-badack", "flood"])
    p.add_argument("--iface", required=True)
    p.add_argument("--dmac", required=True)
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--dport", type=int, required=True)
    p.add_argument("--sport", type=int, default=0)
    p.add_argument("--token", default=None, help="receiver token, hex (random if absent)")
    p.add_argument("--addr-id", type=int, default=7)
    p.add_argument("--timeout", type=float, default=3.0)
    p.add_argument("--count", type=int, default=10000, help="flood: SYNs to send")
    a = p.parse_args()
    if a.count < 1:
        p.error("--count wants at least 1")
    a.sport = a.sport or random.randint(20000, 60000)
    token = int(a.token, 16) if a.token else random.getrandbits(32)
    try:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((a.iface, 0))
        smac = s.getsockname()[4][:6]
    except OSError as e:
        print(json.dumps({"error": "packet socket on %s: %s" % (a.iface, e)}), flush=True)
        return 2
    if a.mode == "flood":
        print(json.dumps(flood(s, a, smac)), flush=True)
        return 0
    iss = random.getrandbits(32)
    mss = struct.pack("!BBH", 2, 4, 1460)
    res = {"mode": a.mode, "src": "%s:%d" % (a.src, a.sport), "dst": "%s:%d" % (a.dst, a.dport),
           "smac": mac_str(smac), "dmac": a.dmac, "token": "%08x" % token}
    if a.mode == "syn":
        syn_opts = mss
    else:
        # MP_JOIN SYN: kind, len 12, subtype<<4 | B, address id, token, nonce (RFC 8684 3.2)
        nonce = random.getrandbits(32)
        syn_opts = mss + struct.pack("!BBBBII", MPTCP_KIND, 12, MPTCPOPT_MP_JOIN << 4, a.addr_id,
                                     token, nonce)
        res["nonce"] = "%08x" % nonce
    s.send(build(a, smac, iss, 0, TH_SYN, syn_opts))
    r1 = wait_reply(s, a, a.timeout)
    res["syn_reply"] = r1["kind"] if r1 else "none"
    res["syn_reply_detail"] = r1
    if r1 and r1["kind"] == "synack":
        res["synack_acks_syn"] = r1["ack"] == (iss + 1) & 0xFFFFFFFF
        res["synack_mp_join"] = mpj(r1) is not None
    third_ack = a.mode == "join-badack" and r1 and r1["kind"] == "synack" and mpj(r1)
    if r1 and r1["kind"] == "synack" and not third_ack:
        # abort the half-open connection so the listener does not keep it
        s.send(build(a, smac, (iss + 1) & 0xFFFFFFFF, 0, TH_RST))
        res["reset_sent"] = True
    if third_ack:
        # third ACK: kind, len 24, subtype<<4, reserved, 160-bit HMAC (3.2), a wrong one
        bad = os.urandom(20)
        opts = struct.pack("!BBBB", MPTCP_KIND, 24, MPTCPOPT_MP_JOIN << 4, 0) + bad
        s.send(build(a, smac, (iss + 1) & 0xFFFFFFFF, (r1["seq"] + 1) & 0xFFFFFFFF, TH_ACK, opts))
        res["bad_hmac"] = bad.hex()
        r2 = wait_reply(s, a, a.timeout, skip_synack=True)
        res["ack_reply"] = r2["kind"] if r2 else "none"
        res["ack_reply_detail"] = r2
    print(json.dumps(res), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
