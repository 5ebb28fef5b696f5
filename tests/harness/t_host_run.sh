#!/bin/bash
# End-to-end: a tiny host run, its files and columns, plots, the report,
# comparisons (with a real regression) and an interrupted run.
. "$(dirname "$0")/lib.sh"

t_expect 0 'results: ' "quick host run" -- \
	"$FORKLAB" run --quick --targets host --bench fork,posix_spawn --rss 0,1M
grep -q 'hyperfine median' "$T_DIR/out" || t_fail "no hyperfine cross-check line"
t_ok "hyperfine cross-check printed"
RUN=$(readlink -f "$FORKLAB_RESULTS/latest")
[ -d "$RUN" ] || t_fail "results/latest does not point at a run"
ID=$(basename "$RUN")

t_nonempty "$RUN/summary.csv" "$RUN/samples.csv" "$RUN/phases.csv" "$RUN/meta.json" \
	"$RUN/boots.csv" "$RUN/boots/host-default.log" "$RUN/hyperfine-nop.json"
t_header "$RUN/summary.csv" "$SUMMARY_HDR"
t_header "$RUN/samples.csv" "$SAMPLES_HDR"
t_header "$RUN/phases.csv" "$PHASES_HDR"

# Every wanted row is there, with the host clock, and as many samples as n.
for key in fork,0 fork,1048576 posix_spawn,0 posix_spawn,1048576; do
	row=$(awk -F, -v b="${key%,*}" -v r="${key#*,}" '$1 == "host" && $3 == b && $4 == r' "$RUN/summary.csv")
	[ -n "$row" ] || t_fail "summary.csv has no host row for $key"
	[ "$(echo "$row" | cut -d, -f6)" = host ] || t_fail "row $key has clock $(echo "$row" | cut -d, -f6)"
	n=$(echo "$row" | cut -d, -f7)
	ns=$(awk -F, -v b="${key%,*}" -v r="${key#*,}" '$1 == "host" && $3 == b && $4 == r' "$RUN/samples.csv" | wc -l)
	[ "$n" = "$ns" ] || t_fail "$key: summary n=$n but $ns samples"
	awk -F, '{ if (!($8 <= $10 && $10 <= $14 && $17 <= $10 && $10 <= $18)) exit 1 }' <<<"$row" ||
		t_fail "$key: min <= median <= max or the CI does not hold: $row"
done
t_ok "summary rows, clocks and sample counts"
[ "$(awk -F, 'NR > 1 && NF != 19' "$RUN/summary.csv" | wc -l)" = 0 ] || t_fail "summary.csv rows without 19 fields"
t_ok "summary.csv column count"

grep -q '"state": "complete"' "$RUN/meta.json" || t_fail "meta.json: state not complete"
grep -q '"interrupted": false' "$RUN/meta.json" || t_fail "meta.json: interrupted not false"
grep -Eq '"pinning": "taskset -c [0-9]+"' "$RUN/meta.json" || t_fail "meta.json: no pinning method"
for k in date git_revision host_cpu qemu gnuplot hyperfine gcc accelerator accelerator_reason failures; do
	grep -q "\"$k\":" "$RUN/meta.json" || t_fail "meta.json: no $k"
done
if command -v python3 >/dev/null 2>&1; then
	python3 -m json.tool "$RUN/meta.json" >/dev/null || t_fail "meta.json is not valid JSON"
fi
t_ok "meta.json fields"

PL=$FORKLAB_PLOTS/$ID
for p in latency-fork-host latency-posix_spawn-host cdf-fork-host cdf-posix_spawn-host; do
	t_nonempty "$PL/$p.png" "$PL/$p.svg"
	t_png "$PL/$p.png"
	t_svg "$PL/$p.svg"
done
grep -q 'clock: host' "$PL/latency-fork-host.svg" || t_fail "plot title does not name the clock"
t_ok "plots are PNG and SVG and name the clock"

# A second run must be comparable with the first.
sleep 1
t_expect 0 'results: ' "second quick host run" -- \
	"$FORKLAB" run --quick --targets host --bench fork --rss 0
RUN2=$(readlink -f "$FORKLAB_RESULTS/latest")
t_expect 0 'B/A' "compare two runs" -- "$FORKLAB" compare "$ID" "$(basename "$RUN2")"
CMP=$RUN2/compare-$ID-$(basename "$RUN2").csv
t_nonempty "$CMP"
t_header "$CMP" "a_target,a_config,b_target,b_config,bench,rss_bytes,param,clock,a_n,b_n,a_median_ns,b_median_ns,ratio,ratio_ci95_lo,ratio_ci95_hi,p_value,verdict"
[ "$(awk -F, 'NR > 1 && $5 == "fork" && $6 == 0' "$CMP" | wc -l)" = 1 ] || t_fail "comparison lacks fork at rss 0"
awk -F, 'NR > 1 && $17 !~ /^(faster|slower|same)$/ { exit 1 }' "$CMP" || t_fail "bad verdict in $CMP"
t_ok "comparison CSV"

# A copy of the first run with every sample doubled is a regression.
SLOW=$FORKLAB_RESULTS/99991231-235959
cp -r "$RUN" "$SLOW"
awk -F, 'BEGIN { OFS = "," } NR > 1 { $8 = $8 * 2 } { print }' "$RUN/samples.csv" >"$SLOW/samples.csv"
t_expect 1 'slower' "doubled samples fail --fail-above 20" -- \
	"$FORKLAB" compare "$ID" 99991231-235959 --fail-above 20
t_expect 0 'slower' "doubled samples pass without --fail-above" -- \
	"$FORKLAB" compare "$ID" 99991231-235959
awk -F, 'NR > 1 && $5 == "fork" && $6 == 0 { if (!($13 > 1.8 && $13 < 2.2 && $14 > 1.5 && $15 < 2.5 && $17 == "slower")) exit 1 }' \
	"$SLOW/compare-$ID-99991231-235959.csv" || t_fail "ratio of doubled samples is not about 2 with a CI around it"
t_ok "ratio and CI of a doubled run"
t_expect 0 'plots' "plot with a comparison" -- "$FORKLAB" plot 99991231-235959
t_png "$FORKLAB_PLOTS/99991231-235959/compare-$ID-99991231-235959-host.png"
t_ok "ratio plot drawn"

t_expect 0 'report: ' "report" -- "$FORKLAB" report "$ID"
H=$FORKLAB_PLOTS/$ID/report.html
t_nonempty "$H"
grep -q 'data:image/png;base64,' "$H" || t_fail "report has no embedded image"
! grep -Eq '(src|href)="(http|file|/)' "$H" || t_fail "report refers to outside files"
grep -q 'host:default' "$H" || t_fail "report has no summary"
t_ok "report is self-contained"

# Ctrl-C: what finished stays, meta.json says interrupted, status 1.  Job
# control gives the background run its own process group, so it does not
# start with SIGINT ignored.
set -m
FORKLAB_FORKBENCH_ARGS="--ci-width 0 --max-time 3 --max-iter 1000000" \
	"$FORKLAB" run --quick --targets host --bench fork,vfork --rss 0 >"$T_DIR/int.out" 2>&1 &
pid=$!
set +m
for _ in $(seq 50); do
	[ -f "$(readlink -f "$FORKLAB_RESULTS/latest")/meta.json" ] &&
		[ "$(readlink -f "$FORKLAB_RESULTS/latest")" != "$RUN2" ] && break
	sleep 0.1
done
sleep 2
kill -INT "$pid"
st=0
wait "$pid" || st=$?
[ "$st" = 1 ] || { cat "$T_DIR/int.out" >&2; t_fail "interrupted run: status $st, expected 1"; }
RUN3=$(readlink -f "$FORKLAB_RESULTS/latest")
grep -q '"interrupted": true' "$RUN3/meta.json" || t_fail "meta.json of the interrupted run: $(cat "$RUN3/meta.json")"
t_header "$RUN3/summary.csv" "$SUMMARY_HDR"
t_ok "interrupted run marked and kept"
echo "all $T_CHECKS checks passed"
