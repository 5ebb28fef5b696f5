# fork1 phase breakdown: one stacked bar per fk configuration and parent
# size, one colour per phase.
# Caller sets (besides common.gp's): data, ncols.
# data: header "config phase1 phase2 ...", then one row per bar with median
# µs per phase.
load dir."/common.gp"
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.7
set xlabel "fk configuration @ parent size"
set ylabel "median time per phase (µs)"
set xtics rotate by -30
set yrange [0:*]
plot for [c=2:ncols] data using c:xtic(1) title columnheader(c)
