"""test_netem.sh's 802.1Q check: a tagged frame through the xnetem relay.

    netem_vlan.py send IFACE          three raw frames, VID 10 PCP 5, type 0x88b5
    netem_vlan.py recv IFACE READY    prints the tag the kernel reports in
                                      PACKET_AUXDATA (or finds inline), else
                                      "nothing" after 3 s
"""
import socket, struct, sys, time
mode, ifname = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((ifname, 0))
if mode == "send":
    tci = 5 << 13 | 10
    f = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + struct.pack("!HHH", 0x8100, tci, 0x88b5) + b"xnetem-vlan".ljust(46, b".")
    for _ in range(3):
        s.send(f)
        time.sleep(0.05)
    sys.exit(0)
s.setsockopt(263, 8, 1)  # SOL_PACKET, PACKET_AUXDATA
open(sys.argv[3], "w").write("ready\n")
s.settimeout(3)
try:
    while True:
        data, anc, _, _ = s.recvmsg(2048, socket.CMSG_SPACE(20))
        if data[12:14] == b"\x88\xb5" and b"xnetem-vlan" in data:
            for lvl, typ, val in anc:
                if lvl == 263 and typ == 8:
                    st, _, _, _, _, tci, tpid = struct.unpack("=IIIHHHH", val[:20])
                    print("vlan_valid=%d tci=%d tpid=%#x" % (bool(st & 0x10), tci, tpid))
                    sys.exit(0)
        elif data[12:14] == b"\x81\x00" and data[16:18] == b"\x88\xb5":
            print("inline tci=%d" % struct.unpack("!H", data[14:16]))
            sys.exit(0)
except socket.timeout:
    print("nothing")
