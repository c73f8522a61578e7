#!/usr/bin/env python3
"""Many concurrent kernel TCP connections, every byte checked (stdlib only).

  scale_app.py server ADDR PORT
      Accepts connections; each starts with the client's connection index
      I and byte count N (8 bytes each), then the server checks the N bytes
      that follow against pattern(I, "c2s") while it sends N bytes of
      pattern(I, "s2c"), then waits for the client's EOF and closes. On SIGTERM it prints one JSON line:
      accepted, ok, bad (first errors), peak (connections open at once).

  scale_app.py client ADDR PORT N BYTES READY_FILE GO_FILE TIMEOUT
      Opens N connections and sends nothing until every one is connected;
      then writes READY_FILE and waits for GO_FILE to exist, so the caller
      can look at the proxies while all N are open. Then every connection
      sends its index, BYTES and pattern(I, "c2s") while it checks
      pattern(I, "s2c") coming back, half-closes, and waits for the
      server's EOF. Prints one JSON line: opened, ok, bad (the first few),
      nbad, kinds (bad ones by kind: reset, timeout, other), seconds.

Two independent patterns, one per direction and connection, so a byte
delivered to the wrong connection or direction is caught, not echoed back.
"""
import asyncio
import hashlib
import json
import os
import signal
import struct
import sys
import time

CHUNK = 16384


def pattern(idx, direction, n):
    # shake is an XOF: any length, deterministic, C speed
    return hashlib.shake_128(b"%s %d" % (direction.encode(), idx)).digest(n)


async def check_stream(reader, want):
    """Reads len(want) bytes and compares; returns None or an error."""
    got = 0
    while got < len(want):
        b = await reader.read(min(CHUNK, len(want) - got))
        if not b:
            return "EOF after %d of %d bytes" % (got, len(want))
        if b != want[got:got + len(b)]:
            return "bytes %d..%d differ" % (got, got + len(b))
        got += len(b)
    return None


async def send_stream(writer, data):
    for off in range(0, len(data), CHUNK):
        writer.write(data[off:off + CHUNK])
        await writer.drain()


class Server:
    def __init__(self):
        self.open = self.peak = self.accepted = self.ok = 0
        self.bad = []

    async def handle(self, reader, writer):
        self.accepted += 1
        self.open += 1
        self.peak = max(self.peak, self.open)
        err = None
        try:
            hdr = await reader.readexactly(16)
            idx, n = struct.unpack("!QQ", hdr)
            res = await asyncio.gather(check_stream(reader, pattern(idx, "c2s", n)),
                                       send_stream(writer, pattern(idx, "s2c", n)))
            err = res[0]
            if not err and await reader.read(1):
                err = "data after the pattern"
            if err:
                err = "conn %d: %s" % (idx, err)
            else:
                self.ok += 1
            writer.close()
            await writer.wait_closed()
        except (OSError, asyncio.IncompleteReadError) as e:
            err = "server: %r" % e
        finally:
            self.open -= 1
        if err and len(self.bad) < 10:
            self.bad.append(err)

    async def run(self, addr, port):
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        srv = await asyncio.start_server(self.handle, addr, port, backlog=4096)
        await stop.wait()
        srv.close()
        print(json.dumps({"accepted": self.accepted, "ok": self.ok, "bad": self.bad,
                          "peak": self.peak}), flush=True)


async def transfer(idx, reader, writer, nbytes):
    writer.write(struct.pack("!QQ", idx, nbytes))
    res = await asyncio.gather(send_stream(writer, pattern(idx, "c2s", nbytes)),
                               check_stream(reader, pattern(idx, "s2c", nbytes)))
    if res[1]:
        return "conn %d: %s" % (idx, res[1])
    writer.write_eof()
    if await reader.read(1):
        return "conn %d: data after the pattern" % idx
    return None


async def one_transfer(idx, reader, writer, nbytes, tmo):
    """None when every byte came back right, else "KIND: what" with KIND
    reset (the proxy refused it), timeout (it hung) or other."""
    try:
        err = await asyncio.wait_for(transfer(idx, reader, writer, nbytes), tmo)
        return err and "other: " + err
    except (ConnectionResetError, BrokenPipeError) as e:
        return "reset: conn %d: %r" % (idx, e)
    except asyncio.TimeoutError:
        return "timeout: conn %d after %g s" % (idx, tmo)
    except OSError as e:
        return "other: conn %d: %r" % (idx, e)
    finally:
        writer.close()


async def client(addr, port, n, nbytes, ready, go, tmo):
    t0 = time.monotonic()
    conns = await asyncio.gather(*[asyncio.open_connection(addr, port) for _ in range(n)],
                                 return_exceptions=True)
    opened = [c for c in conns if not isinstance(c, BaseException)]
    errs = [("reset: " if isinstance(c, ConnectionResetError) else "other: ") + "connect: %r" % c
            for c in conns if isinstance(c, BaseException)]
    t_open = time.monotonic() - t0
    with open(ready, "w") as f:
        f.write("%d\n" % len(opened))
    while not os.path.exists(go):
        await asyncio.sleep(0.05)
    t1 = time.monotonic()
    res = await asyncio.gather(*[one_transfer(i, r, w, nbytes, tmo)
                                 for i, (r, w) in enumerate(opened)])
    bad = errs + [r for r in res if r]
    kinds = {k: sum(1 for b in bad if b.startswith(k + ":")) for k in ("reset", "timeout", "other")}
    return {"opened": len(opened), "ok": sum(1 for r in res if not r), "bad": bad[:10],
            "nbad": len(bad), "kinds": kinds, "open_s": round(t_open, 2),
            "xfer_s": round(time.monotonic() - t1, 2)}


def main():
    if sys.argv[1] == "server":
        asyncio.run(Server().run(sys.argv[2], int(sys.argv[3])))
        return
    addr, port, n, nbytes = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    ready, go, tmo = sys.argv[6], sys.argv[7], float(sys.argv[8])
    try:
        # each transfer gets TIMEOUT less a margin: one that hangs is
        # reported as such, with the others'
        out = asyncio.run(asyncio.wait_for(client(addr, port, n, nbytes, ready, go,
                                                  max(1.0, tmo - 10)), tmo))
    except asyncio.TimeoutError:
        out = {"opened": -1, "ok": 0, "bad": ["timed out after %g s" % tmo], "nbad": n}
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
