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
