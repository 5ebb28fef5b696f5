# Distribution of single samples: empirical CDF per target and configuration.
# Caller sets (besides common.gp's): data, nseries.
# data: blocks of "LATENCY_US FRACTION" rows, each opened by its title.
load dir."/common.gp"
set logscale x
set xlabel "latency of one operation (µs, log scale)"
set ylabel "fraction of samples at or below"
set yrange [0:1]
plot for [i=0:nseries-1] data index i using 1:2 with lines lw 1.5 title columnheader(1)
