# Median latency against parent size, log-log, one line per target and
# configuration, error bars from the median's 95% CI.
# Caller sets (besides common.gp's): data, nseries, ylabel_text.
# data: one block per series (two blank lines apart); each block opens with
# its title, then rows "SIZE_LABEL SIZE_MIB MEDIAN LOW HIGH".  A size of 0 is
# drawn at 1/16 MiB and labelled 0, since a log axis has no 0.
load dir."/common.gp"
set logscale xy
set xlabel "parent size (bytes, K/M/G binary; anonymous memory touched before the fork)"
set ylabel ylabel_text
set format y "%g"
set offsets graph 0.02, graph 0.02, 0, 0
plot for [i=0:nseries-1] data index i using 2:3:4:5:xtic(1) with yerrorlines \
	lw 1.5 pt 7 ps 0.8 title columnheader(1)
