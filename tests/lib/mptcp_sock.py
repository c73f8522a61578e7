# Socket helpers shared by the namespace tests' python3 kernel peers
# (tests/lib/net.sh's xfer.py, tests/lib/kpeer.py):
# seeded pseudo-random sends, hashed reads to EOF, and MPTCP_INFO.
import hashlib, os, random, socket, struct, time

IPPROTO_MPTCP, SOL_MPTCP, MPTCP_INFO = 262, 284, 1

def mptcp_info(s):
    """(subflows, flags, token) from struct mptcp_info (include/uapi/linux/
    mptcp.h): u8 subflows at 0, u32 flags at 8 (bit 0: fallback), u32 token
    at 12. Raises OSError when the kernel refuses, ValueError when short."""
    b = s.getsockopt(SOL_MPTCP, MPTCP_INFO, 64)
    if len(b) < 16:
        raise ValueError("short")
    flags, token = struct.unpack_from("=II", b, 8)
    return b[0], flags, token

def send_all(s, n, seed, chunk=1 << 16):
    """Sends n seeded pseudo-random bytes, half-closes, returns their sha256."""
    rnd, h, left = random.Random(seed), hashlib.sha256(), n
    while left:
        blk = rnd.randbytes(min(chunk, left))
        s.sendall(blk)
        h.update(blk)
        left -= len(blk)
    s.shutdown(socket.SHUT_WR)
    return h.hexdigest()

def send_for(s, secs, seed, stop=None, chunk=1 << 16):
    """Sends seeded pseudo-random bytes for secs seconds, or until the file
    stop exists, half-closes, returns (bytes, sha256): a transfer sized by
    time, as long on a fast machine as on a slow one."""
    rnd, h, n = random.Random(seed), hashlib.sha256(), 0
    end = time.monotonic() + secs
    while time.monotonic() < end and not (stop and os.path.exists(stop)):
        blk = rnd.randbytes(chunk)
        s.sendall(blk)
        h.update(blk)
        n += len(blk)
    s.shutdown(socket.SHUT_WR)
    return n, h.hexdigest()

def recv_all(s):
    """Reads to EOF; returns (bytes, sha256)."""
    h, n = hashlib.sha256(), 0
    while True:
        b = s.recv(1 << 18)
        if not b:
            return n, h.hexdigest()
        h.update(b)
        n += len(b)
