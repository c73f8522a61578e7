# Throughput over time of a scripts/demo.sh run: one line per subflow, the
# total thick, each path's sum dashed, the 10 Mbit/s sum of both paths and the best single path
# (WiFi, 8 Mbit/s) as references. The CSV (demo_monitor.py) has columns
# t_s, total_mbps, one per path (npaths of them), then one per subflow.
# Usage: gnuplot -e "csv='F.csv'; png='F.png'; npaths=2" scripts/demo_plot.gp
if (!exists("npaths")) npaths = 2
# legend titles: the column names without their "_mbps"
name(i) = substr(columnhead(i), 1, strlen(columnhead(i)) - 5)
set datafile separator ","
stats csv using 1 nooutput
ncol = STATS_columns
tmax = STATS_max
# distinct colours, none black (the total's): 3, 4 the paths, 5.. the subflows
cols = "#999999 #999999 #1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #17becf #bcbd22 #7f7f7f"
do for [k=1:12] { set linetype k lc rgb word(cols, k) }
set terminal pngcairo size 960,540 noenhanced font "sans,11"
set output png
set title "xmptcp: curl <- python3 http.server over MPTCP, WiFi (8 Mbit/s, 20 ms) + 3G (2 Mbit/s, 150 ms)"
set xlabel "time since curl started (s)"
set ylabel "throughput (Mbit/s, 1 s intervals)"
set key outside right top vertical
set grid
set xrange [0:(tmax > 0 ? tmax : 1)]
set yrange [0:*]
plot 10 with lines dashtype 2 lc rgb "gray40" title "sum of paths (10)", \
     8 with lines dashtype 3 lc rgb "gray60" title "best path (8)", \
     for [i=3:2+npaths] csv using 1:i with lines dashtype 4 lw 1.5 lc i title "path ".name(i), \
     for [i=3+npaths:ncol] csv using 1:i with linespoints pt 7 ps 0.5 lw 1.5 lc i title name(i), \
     csv using 1:2 with linespoints pt 5 ps 0.7 lw 3 lc rgb "black" title name(2)
