#!/bin/sh
# Host checks of a built forkbench, run by ctest.
#
# usage: check_forkbench.sh smoke|bad-option FORKBENCH NOP
#   smoke       runs four benchmarks on an empty parent and checks the exit
#               status, the schema line, the CSV header, exactly one row per
#               benchmark, and `forkbench: exit 0` as the last stderr line.
#   bad-option  checks that an unknown benchmark exits with status 2 and a
#               one-line message that names it.
set -eu

if [ $# -ne 3 ]; then
	echo "usage: $0 smoke|bad-option FORKBENCH NOP" >&2
	exit 2
fi
mode=$1 forkbench=$2 nop=$3
for f in "$forkbench" "$nop"; do
	if [ ! -x "$f" ]; then
		echo "FAIL: $f is not an executable (build the forkbench and nop targets)" >&2
		exit 1
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*" >&2
	echo "--- stdout" >&2
	cat "$tmp/out" >&2
	echo "--- stderr" >&2
	cat "$tmp/err" >&2
	exit 1
}

header='bench,rss_bytes,param,clock,n,min_ns,p25_ns,median_ns,p75_ns,p90_ns,p99_ns,max_ns,mean_ns,stddev_ns,ci95_lo_ns,ci95_hi_ns'

case $mode in
smoke)
	benches='fork vfork thread posix_spawn'
	status=0
	"$forkbench" --quick --rss 0 --bench fork,vfork,thread,posix_spawn \
		--max-time 0.2 --exec "$nop" >"$tmp/out" 2>"$tmp/err" || status=$?
	[ "$status" -eq 0 ] || fail "exit status $status, expected 0"
	[ "$(sed -n 1p "$tmp/out")" = '# forkbench schema 1' ] ||
		fail "first line is not '# forkbench schema 1'"
	[ "$(sed -n 2p "$tmp/out")" = "$header" ] || fail "second line is not the CSV header"
	for b in $benches; do
		count=$(grep -c "^$b,0,-,monotonic,[1-9][0-9]*,\([0-9.]*,\)\{10\}[0-9.]*\$" \
			"$tmp/out" || true)
		[ "$count" -eq 1 ] || fail "$count well-formed rows for $b at rss 0, expected 1"
	done
	rows=$(grep -vc '^#' "$tmp/out" || true)
	# The header, timer_overhead and one row per benchmark.
	[ "$rows" -eq 6 ] || fail "$rows non-comment lines, expected 6"
	[ "$(tail -n 1 "$tmp/err")" = 'forkbench: exit 0' ] ||
		fail "last stderr line is not 'forkbench: exit 0'"
	echo "PASS: smoke ($(echo $benches | wc -w) benchmarks)"
	;;
bad-option)
	status=0
	"$forkbench" --bench fork,nosuchbench >"$tmp/out" 2>"$tmp/err" || status=$?
	[ "$status" -eq 2 ] || fail "exit status $status, expected 2"
	[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "expected a one-line message"
	grep -q "nosuchbench" "$tmp/err" || fail "the message does not name 'nosuchbench'"
	[ ! -s "$tmp/out" ] || fail "stdout is not empty"
	echo "PASS: bad-option"
	;;
*)
	echo "check_forkbench.sh: unknown mode '$mode' (accepted: smoke, bad-option)" >&2
	exit 2
	;;
esac
