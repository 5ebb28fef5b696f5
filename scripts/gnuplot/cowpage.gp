# Copy-on-write cost per page (the cow_touch benchmark) against parent size.
# Caller sets (besides common.gp's): data, nseries; data as in latency.gp
# with values in ns per page.
load dir."/common.gp"
set logscale x
set xlabel "parent size (bytes, K/M/G binary)"
set ylabel "first write to a parent page in the child (ns per page)"
set yrange [0:*]
set offsets graph 0.02, graph 0.02, 0, 0
plot for [i=0:nseries-1] data index i using 2:3:4:5:xtic(1) with yerrorlines \
	lw 1.5 pt 7 ps 0.8 title columnheader(1)
