# forklab harness: `forklab plot` and `forklab report`.
#
# Plot data is derived from the run's CSV files (checked by fkstat first)
# into plots/<run-id>/data/, then drawn by the templates in
# scripts/gnuplot/ as PNG and SVG.  No plot mixes clocks: every plot is for
# one clock, and its title names it.

# awk helper: a size label (0, 1M, 16M, 1G) from bytes.
FL_AWK_SIZE='function size_label(b) {
	if (b == 0) return "0";
	if (b % 1073741824 == 0) return (b / 1073741824) "G";
	if (b % 1048576 == 0) return (b / 1048576) "M";
	if (b % 1024 == 0) return (b / 1024) "K";
	return b;
}'

# fl_gnuplot TEMPLATE OUTBASE TITLE VARS: draws OUTBASE.png and OUTBASE.svg.
fl_gnuplot() {
	local tpl=$1 base=$2 title=$3 vars=$4 fmt tmp
	for fmt in png svg; do
		tmp=$(dirname "$base")/.tmp.$(basename "$base").$fmt
		if ! gnuplot -e "dir='$FL_GNUPLOT_DIR'; fmt='$fmt'; out='$tmp'; ttl='$title'; $vars" \
			"$FL_GNUPLOT_DIR/$tpl.gp" 2>"$FL_TMP/gnuplot.err"; then
			rm -f "$tmp"
			cat "$FL_TMP/gnuplot.err" >&2
			fl_die "gnuplot failed on $tpl.gp for $base.$fmt"
		fi
		[ -s "$tmp" ] || fl_die "gnuplot wrote an empty $base.$fmt"
		mv -f "$tmp" "$base.$fmt"
	done
	FL_NPLOTS=$((FL_NPLOTS + 1))
}

# fl_plot_series SUMMARY BENCH CLOCK OUT: latency data blocks; prints the
# number of series.
fl_plot_series() {
	local summary=$1 bench=$2 clock=$3 out=$4
	tail -n +2 "$summary" | awk -F, -v b="$bench" -v k="$clock" '$3 == b && $6 == k' |
		sort -t, -k1,1 -k2,2 -k5,5 -k4,4n |
		awk -F, "$FL_AWK_SIZE"'
		{
			name = $1 ":" $2 (($5 != "-" && $5 != "" && $3 != "cow_touch") ? " " $5 : "");
			if (name != last) {
				if (n > 0) printf "\n\n";
				print name; last = name; n++;
			}
			x = $4 == 0 ? 0.0625 : $4 / 1048576;
			scale = $3 == "cow_touch" ? 1 : 1000;
			printf "%s %.6g %.6g %.6g %.6g\n", size_label($4), x, $10 / scale, $17 / scale, $18 / scale;
		}
		END { print n > "/dev/stderr" }' >"$out" 2>"$out.n"
	cat "$out.n"
	rm -f "$out.n"
}

# fl_plot_run RUNDIR: every plot of a run into plots/<run-id>/.
fl_plot_run() {
	local run=$1 id out data summary clocks benches clock bench n rss ncols f label
	id=$(basename "$run")
	summary=$run/summary.csv
	fl_need gnuplot
	fl_tmpdir
	[ -f "$summary" ] || fl_usage_error "$run has no summary.csv"
	n=$(fl_fkstat check summary "$summary") || exit 2
	[ "$n" -gt 0 ] || fl_usage_error "no data to plot: $summary has no rows"
	fl_fkstat check samples "$run/samples.csv" >/dev/null || exit 2
	fl_fkstat check phases "$run/phases.csv" >/dev/null || exit 2
	out=$FL_PLOTS/$id
	data=$out/data
	mkdir -p "$data"
	FL_NPLOTS=0
	clocks=$(tail -n +2 "$summary" | cut -d, -f6 | sort -u)
	benches=$(tail -n +2 "$summary" | cut -d, -f3 | grep -v '^timer_overhead$' | sort -u)
	for clock in $clocks; do
		for bench in $benches; do
			f=$data/latency-$bench-$clock.dat
			n=$(fl_plot_series "$summary" "$bench" "$clock" "$f")
			[ "$n" -gt 0 ] || { rm -f "$f"; continue; }
			if [ "$bench" = cow_touch ]; then
				fl_gnuplot cowpage "$out/cowpage-$clock" \
					"copy-on-write cost per page (cow_touch), clock: $clock" \
					"data='$f'; nseries=$n"
			else
				fl_gnuplot latency "$out/latency-$bench-$clock" \
					"$bench: median latency vs parent size, clock: $clock" \
					"data='$f'; nseries=$n; ylabel_text='median latency (µs, log scale)'"
			fi
			# Distribution at the smallest size measured.
			rss=$(tail -n +2 "$run/samples.csv" | awk -F, -v b="$bench" -v k="$clock" \
				'$3 == b && $6 == k { print $4 }' | sort -n | head -n 1)
			[ -n "$rss" ] || continue
			f=$data/cdf-$bench-$clock.dat
			fl_fkstat cdf --bench "$bench" --clock "$clock" --rss "$rss" "$run/samples.csv" >"$f" || exit 2
			n=$(grep -c '^[^0-9]' "$f")
			label=$(awk "$FL_AWK_SIZE"' BEGIN { print size_label('"$rss"') }')
			fl_gnuplot cdf "$out/cdf-$bench-$clock" \
				"$bench: distribution of samples at parent size $label, clock: $clock" \
				"data='$f'; nseries=$n"
		done
	done

	# fork1 phases: one bar per fk configuration and size, per clock.
	if [ "$(fl_fkstat check phases "$run/phases.csv")" -gt 0 ]; then
		for clock in $(tail -n +2 "$run/phases.csv" | cut -d, -f5 | sort -u); do
			f=$data/phases-$clock.dat
			tail -n +2 "$run/phases.csv" | awk -F, -v k="$clock" "$FL_AWK_SIZE"'
				$5 == k {
					bar = $1 ":" $2 "@" size_label($3);
					if (!(bar in seen)) { seen[bar] = 1; bars[nb++] = bar; }
					if (!($6 in pseen)) { pseen[$6] = 1; ph[np++] = $6; }
					v[bar, $6] = $7 / 1000;
				}
				END {
					printf "config";
					for (j = 0; j < np; j++) printf " %s", ph[j];
					printf "\n";
					for (i = 0; i < nb; i++) {
						printf "%s", bars[i];
						for (j = 0; j < np; j++) printf " %.6g", v[bars[i], ph[j]] + 0;
						printf "\n";
					}
				}' >"$f"
			ncols=$(head -n 1 "$f" | wc -w)
			fl_gnuplot phases "$out/phases-$clock" "fork1 phase breakdown (trace=1), clock: $clock" \
				"data='$f'; ncols=$ncols"
		done
	else
		fl_msg "plot: no phase rows (phases.csv is empty: no fk entry ran with trace=1); phase plot skipped"
	fi

	# Ratio bars of every comparison stored with the run.
	for f in "$run"/compare-*.csv; do
		[ -f "$f" ] || continue
		local name
		name=$(basename "$f" .csv)
		for clock in $(tail -n +2 "$f" | cut -d, -f8 | sort -u); do
			tail -n +2 "$f" | awk -F, -v k="$clock" "$FL_AWK_SIZE"'
				BEGIN { print "label ratio lo hi" }
				$8 == k && $13 != "nan" && $14 != "nan" {
					p = ($7 == "-" || $7 == "") ? "" : "/" $7;
					printf "%s@%s%s:%s:%s %s %s %s\n", $5, size_label($6), p, $3, $4, $13, $14, $15;
				}' >"$data/$name-$clock.dat"
			[ "$(wc -l <"$data/$name-$clock.dat")" -gt 1 ] || continue
			fl_gnuplot ratio "$out/$name-$clock" "$name: ratio of medians B/A, clock: $clock" \
				"data='$data/$name-$clock.dat'; subtitle='benchmark@size:B target:B config (A: see the CSV)'"
		done
	done
	[ "$FL_NPLOTS" -gt 0 ] || fl_usage_error "no data to plot in $run"
	fl_msg "plot: $FL_NPLOTS plots (PNG and SVG) in $out"
}

fl_cmd_plot() {
	local run
	[ $# -le 1 ] || fl_usage_error "plot: unexpected argument '$2' (usage: forklab plot [RUN])"
	run=$(fl_resolve_run "${1:-latest}")
	fl_build fkstat
	fl_plot_run "$run"
}

# fl_html_escape: HTML-escapes stdin.
fl_html_escape() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'; }

fl_cmd_report() {
	local run id out html img
	[ $# -le 1 ] || fl_usage_error "report: unexpected argument '$2' (usage: forklab report [RUN])"
	run=$(fl_resolve_run "${1:-latest}")
	id=$(basename "$run")
	fl_build fkstat
	out=$FL_PLOTS/$id
	# The plots are redrawn, so the report always matches the results.
	fl_plot_run "$run"
	html=$out/report.html
	{
		cat <<EOF
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>forklab run $id</title>
<style>
body { font-family: sans-serif; margin: 2em; max-width: 1100px; }
table { border-collapse: collapse; font-size: 0.85em; }
td, th { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
td:nth-child(-n+6), th { text-align: left; }
pre { background: #f6f6f6; padding: 1em; overflow-x: auto; font-size: 0.8em; }
img { max-width: 100%; border: 1px solid #eee; margin: 0.5em 0; }
</style></head><body>
<h1>forklab run $id</h1>
<p>Times are medians with the distribution-free 95% confidence interval of the
median.  Each row names its clock (icount: QEMU virtual time, one guest
instruction per ns; tcg: emulation wall time; kvm: guest real time; host:
native); rows of different clocks are never compared.</p>
<h2>Metadata</h2>
<pre>
EOF
		fl_html_escape <"$run/meta.json"
		echo "</pre>"
		if [ -f "$run/hyperfine-nop.json" ]; then
			echo "<p>hyperfine, spawning nop on the host: median $(awk -F': *' '/"median"/ { gsub(/[ ,]/, "", $2); printf "%.1f", $2 * 1e6; exit }' "$run/hyperfine-nop.json") µs.</p>"
		fi
		echo "<h2>Summary</h2><pre>"
		fl_fkstat table "$run/summary.csv" | fl_html_escape
		echo "</pre><h2>All rows</h2><table><tr><th>target</th><th>config</th><th>bench</th><th>rss</th><th>param</th><th>clock</th><th>n</th><th>median µs</th><th>95% CI µs</th><th>p99 µs</th></tr>"
		tail -n +2 "$run/summary.csv" | fl_html_escape | awk -F, "$FL_AWK_SIZE"'
			{ printf "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%.3f</td><td>%.3f – %.3f</td><td>%.3f</td></tr>\n",
				$1, $2, $3, size_label($4), $5, $6, $7, $10 / 1e3, $17 / 1e3, $18 / 1e3, $13 / 1e3 }'
		echo "</table>"
		if [ -s "$run/boots.csv" ]; then
			echo "<h2>Boots</h2><pre>"
			fl_html_escape <"$run/boots.csv"
			echo "</pre>"
		fi
		echo "<h2>Plots</h2>"
		for img in "$out"/*.png; do
			[ -f "$img" ] || continue
			printf '<h3>%s</h3>\n<img alt="%s" src="data:image/png;base64,' "$(basename "$img" .png)" "$(basename "$img" .png)"
			base64 -w 0 "$img"
			printf '">\n'
		done
		echo "</body></html>"
	} | fl_atomic_write "$html"
	echo "report: $html"
}
