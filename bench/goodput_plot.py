#!/usr/bin/env python3
# Plots a goodput CSV of bench/goodput_mp.sh (one path or two): the
# median Mbit/s of each row's good runs as a bar, labelled with its ratio
# to the reference row, and the CPU seconds per GB beside it; gnuplot
# draws the PNG (its script is written next to it, for reuse).
#   goodput_plot.py CSV PNG REF_ROW TITLE
import csv
import os
import statistics
import subprocess
import sys


def medians(path):
    rows, by = [], {}
    for r in csv.DictReader(open(path)):
        if r.get("status") != "ok" or not r.get("mbps"):
            continue
        if r["row"] not in by:
            rows.append(r["row"])
            by[r["row"]] = ([], [])
        by[r["row"]][0].append(float(r["mbps"]))
        if r.get("cpu_s_per_gb"):
            by[r["row"]][1].append(float(r["cpu_s_per_gb"]))
    return [(row, statistics.median(by[row][0]),
             statistics.median(by[row][1]) if by[row][1] else 0.0) for row in rows]


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: goodput_plot.py CSV PNG REF_ROW TITLE")
    csv_path, png, ref, title = sys.argv[1:]
    m = medians(csv_path)
    if not m:
        sys.exit("goodput_plot: no good runs in %s" % csv_path)
    refv = dict((r, v) for r, v, _ in m).get(ref) or m[0][1]
    base = os.path.splitext(png)[0]
    with open(base + ".dat", "w") as f:
        for i, (row, mbps, cpu) in enumerate(m):
            f.write('%d "%s" %.1f %.2f "x%.2f"\n' % (i, row, mbps, cpu, mbps / refv))
    gp = base + ".gp"
    with open(gp, "w") as f:
        f.write("""set terminal pngcairo size 1000,520 noenhanced
set output '%s'
set title "%s"
set style fill solid 0.7 border -1
set boxwidth 0.6
set ylabel 'goodput (Mbit/s, median)'
set y2label 'CPU s/GB (both ends)'
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set xtics rotate by -30
set grid ytics
set key outside top center horizontal
set offsets 0, 0, graph 0.12, 0
plot '%s' using 1:3:xtic(2) with boxes title 'goodput', \\
     '' using 1:3:5 with labels offset 0,0.8 notitle, \\
     '' using 1:4 axes x1y2 with points pt 7 ps 1.5 title 'CPU s/GB'
""" % (png, title.replace('"', "'"), base + ".dat"))
    subprocess.run(["gnuplot", gp], check=True)
    print("plot: %s" % png)


if __name__ == "__main__":
    main()
