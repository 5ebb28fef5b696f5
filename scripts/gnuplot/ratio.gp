# Ratio of medians B/A per benchmark with its bootstrap 95% CI; 1 means no
# change, below 1 B is faster.
# Caller sets (besides common.gp's): data, subtitle.
# data: header, then rows "LABEL RATIO LOW HIGH".
load dir."/common.gp"
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.6 border -1
set xlabel subtitle
set ylabel "ratio of medians B/A (1 = same)"
set xtics rotate by -40 font ",8"
set yrange [0:*]
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "black"
plot data using 2:3:4:xtic(1) title "B/A with 95% CI"
