# Shared settings of every forklab plot.  The caller sets:
#   fmt    "png" or "svg"
#   out    output file
#   ttl    plot title (names the clock)
if (fmt eq "png") {
	set terminal pngcairo size 1000,640 font "sans,10" noenhanced
} else {
	set terminal svg size 1000,640 font "sans,10" noenhanced dynamic
}
set output out
set title ttl
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set key outside right top vertical Left reverse noenhanced
set border 3
set tics nomirror
# Sixteen distinguishable series: eight colours, then the same colours dashed
# with other point types.
array fk_colors[8] = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]
do for [i=1:8] {
	set linetype i lc rgb fk_colors[i] lw 1.5 pt (i + 3) dt 1
	set linetype (i + 8) lc rgb fk_colors[i] lw 1.5 pt (i + 3) dt 2
}
set linetype cycle 16
