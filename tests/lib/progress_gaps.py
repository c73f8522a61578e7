"""test_multipath.sh's stall measure over conns_sampler.py's samples.

    progress_gaps.py FILE TOTAL

Prints "samples=N progressed=M maxgap=S last=BYTES" over the samples while
the transfer ran (from the first recv > 0 until TOTAL arrived). A gap is
what the samples saw: from the last sample with progress to a later one
without. Two samples far apart because the sampler itself was late (a
loaded machine) show no stall unless the later one saw no progress.
"""
import sys
s = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
total = float(sys.argv[2] or "inf")
last_t, last_v, gap, n, prog = None, 0, 0.0, 0, 0
for t, v in s:
    if v <= 0:
        continue
    n += 1
    if last_t is None or v > last_v:
        if last_t is not None:
            prog += 1
        last_t, last_v = t, v
    else:
        gap = max(gap, t - last_t)   # no progress seen for this long
    if v >= total:
        break
print("samples=%d progressed=%d maxgap=%.2f last=%d" % (n, prog, gap, last_v))
