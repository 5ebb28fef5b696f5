#!/bin/bash
# End-to-end with the linux target: boot statuses, a run, and a forced hang
# recorded while the run goes on.  Uses icount so that it does not depend
# on the machine's KVM.
. "$(dirname "$0")/lib.sh"

t_expect 0 '' "linux: boot nop" -- "$FORKLAB" boot --target linux --accel icount -- nop
t_expect 2 "fkcalib: iterations 'abc' is not a positive integer" "linux: init's status and output" -- \
	"$FORKLAB" boot --target linux --accel icount -- fkcalib abc
t_expect 124 "timed out" "linux: a hanging program times out" -- \
	"$FORKLAB" boot --target linux --accel icount --timeout 15 -- spin

t_expect 0 'results: ' "linux: quick run" -- "$FORKLAB" run --quick --targets linux --accel icount \
	--bench fork,vfork,cow_touch --rss 0,1M
RUN=$(readlink -f "$FORKLAB_RESULTS/latest")
t_header "$RUN/summary.csv" "$SUMMARY_HDR"
for key in fork,0 vfork,0 fork,1048576 cow_touch,1048576; do
	awk -F, -v b="${key%,*}" -v r="${key#*,}" '$1 == "linux" && $2 == "default" && $3 == b && $4 == r && $6 == "icount" { f = 1 } END { exit !f }' \
		"$RUN/summary.csv" || t_fail "no linux icount row for $key"
done
t_ok "linux rows with the icount clock"
grep -q '"accelerator": "icount"' "$RUN/meta.json" || t_fail "meta.json: accelerator not icount"
grep -q '"linux_guest": "default=linux-image-' "$RUN/meta.json" || t_fail "meta.json: no linux package"
t_nonempty "$RUN/boots/linux-default.log" "$FORKLAB_PLOTS/$(basename "$RUN")/latency-fork-icount.png" \
	"$FORKLAB_PLOTS/$(basename "$RUN")/cowpage-icount.svg"

# A guest that hangs: the run records it with its console and goes on.
t_expect 1 'linux:default: timed out' "linux: a hang is recorded and the run goes on" -- \
	env FORKLAB_GUEST_FORKBENCH=spin "$FORKLAB" run --quick --targets linux,host --accel icount \
	--bench fork --rss 0 --timeout 15
RUN=$(readlink -f "$FORKLAB_RESULTS/latest")
grep -q 'host,default,fork,0,' "$RUN/summary.csv" || t_fail "the host entry after the hang did not run"
grep -q '"entry": "linux:default", "why": "timed out' "$RUN/meta.json" || t_fail "meta.json does not list the hang"
grep -q 'status=124' "$RUN/boots/linux-default.log" || t_fail "boot log does not record status 124"
t_ok "hang recorded in meta.json and the boot log"
echo "all $T_CHECKS checks passed"
