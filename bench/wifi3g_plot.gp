# Plots of bench/wifi3g.sh from the .dat files its report leaves in DIR:
#   gnuplot -e "dir='build/bench'" bench/wifi3g_plot.gp
# wifi3g_rcvbuf.png  goodput vs receive buffer (rcvbuf.dat)
# wifi3g_outage.png  goodput per 250 ms and bytes received across the WiFi outage
#                    (outage_*.dat, outage_times.gp)
# wifi3g_short.png   median FCT per scheduler and size (short.dat)
if (!exists("dir")) dir = "build/bench"
set terminal pngcairo size 900,540 font ",10"
set grid
set key outside right top

f = dir."/rcvbuf.dat"
if (system("test -s ".f." && echo y") eq "y") {
	ncols = int(system("head -1 ".f." | grep -o '\"[^\"]*\"' | wc -l"))
	set output dir."/wifi3g_rcvbuf.png"
	set title "WiFi 8 Mbit/s 20 ms + 3G 2 Mbit/s 150 ms: goodput vs receive buffer"
	set xlabel "receive buffer (KB)"
	set ylabel "goodput (Mbit/s)"
	set logscale x 2
	set yrange [0:11]
	set arrow 1 from graph 0, first 9.5 to graph 1, first 9.5 nohead dt 2 lc rgb "gray40"
	set label 1 "95% of 10 Mbit/s" at graph 0.02, first 9.75 tc rgb "gray40"
	plot for [i=2:ncols+1] f using 1:i with linespoints lw 2 pt 7 title columnheader(i)
	unset arrow 1
	unset label 1
	unset logscale x
	set yrange [*:*]
}

g1 = dir."/outage_kmptcp.dat"
g2 = dir."/outage_ours.dat"
if (system("test -s ".g1." -o -s ".g2." && echo y") eq "y") {
	t_down = 3
	t_up = 8
	tf = dir."/outage_times.gp"
	if (system("test -s ".tf." && echo y") eq "y") { load tf }
	set output dir."/wifi3g_outage.png"
	set terminal pngcairo size 900,760 font ",10"
	set multiplot layout 2,1
	set object 1 rect from t_down, graph 0 to t_up, graph 1 fc rgb "#ffdddd" fs solid 0.5 behind
	set title sprintf("goodput across a WiFi outage (WiFi link down %.1f s .. %.1f s), 250 ms samples", t_down, t_up)
	set xlabel ""
	set ylabel "goodput (Mbit/s)"
	set yrange [0:*]
	plot g1 using 1:2 with steps lw 2 title "kernel MPTCP", \
	     g2 using 1:2 with steps lw 2 title "xmptcp"
	set title "bytes delivered to the receiving application"
	set xlabel "time since the connection started at the receiver (s)"
	set ylabel "received (MB)"
	plot g1 using 1:3 with lines lw 2 title "kernel MPTCP", \
	     g2 using 1:3 with lines lw 2 title "xmptcp"
	unset multiplot
	unset object 1
	set yrange [*:*]
	set terminal pngcairo size 900,540 font ",10"
}

h = dir."/short.dat"
if (system("test -s ".h." && echo y") eq "y") {
	ncol = int(system("head -1 ".h." | wc -w")) - 1
	set output dir."/wifi3g_short.png"
	set title "short flows: median flow completion time per scheduler (log scale)"
	set xlabel ""
	set ylabel "FCT (ms)"
	set logscale y
	set style data histogram
	set style histogram clustered gap 1
	set style fill solid 0.8 border -1
	set boxwidth 0.9
	set xtics rotate by -20
	plot for [i=2:ncol+1] h using i:xtic(1) title columnheader(i)
}
