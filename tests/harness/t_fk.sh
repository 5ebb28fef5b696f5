#!/bin/bash
# End-to-end with the forklab kernel: boot statuses, a configuration, a
# forced hang and a forced panic (panic_at=boot), a run that records both
# failures and goes on, and the phase breakdown of trace=1.
. "$(dirname "$0")/lib.sh"

[ -f "$FORKLAB_BUILD/kernel/forklab" ] || t_fail "no forklab kernel at $FORKLAB_BUILD/kernel/forklab"
A="--accel icount"

t_expect 0 '' "fk: boot nop" -- "$FORKLAB" boot $A -- nop
t_expect 2 "fkcalib: iterations 'abc' is not a positive integer" "fk: init's status and stderr" -- \
	"$FORKLAB" boot $A -- fkcalib abc
t_expect 0 '' "fk: boot with cow=odf,uarea=alloc" -- "$FORKLAB" boot $A --config cow=odf,uarea=alloc -- nop
t_expect 124 "timed out" "fk: a hanging program times out" -- "$FORKLAB" boot $A --timeout 10 -- spin
t_expect 125 "panic" "fk: a panic is reported" -- "$FORKLAB" boot $A --config panic_at=boot -- nop
grep -q 'forklab: bt: \|0x' "$T_DIR/out" || t_fail "no backtrace after the panic"
t_ok "panic backtrace printed"

t_expect 1 'fk:panic_at=boot: kernel panic' "fk: run records a panic and goes on" -- \
	"$FORKLAB" run --quick $A --configs 'fk:panic_at=boot fk:trace=1' --bench fork --rss 0,1M
RUN=$(readlink -f "$FORKLAB_RESULTS/latest")
grep -q '^fk,trace=1,fork,0,.*,icount,' "$RUN/summary.csv" || t_fail "no fk trace=1 row after the panic"
t_nonempty "$RUN/boots/fk-panic_at=boot.log" "$RUN/boots/fk-trace=1.log"
[ "$(tail -n +2 "$RUN/phases.csv" | wc -l)" -gt 0 ] || t_fail "phases.csv is empty after a trace=1 boot"
t_ok "phases recorded with trace=1"
t_nonempty "$FORKLAB_PLOTS/$(basename "$RUN")/phases-icount.png"

t_expect 1 'fk:default: timed out' "fk: a hang is recorded and the run goes on" -- \
	env FORKLAB_GUEST_FORKBENCH=spin "$FORKLAB" run --quick $A --targets fk,host \
	--configs 'fk:default host' --bench fork --rss 0 --timeout 10
RUN=$(readlink -f "$FORKLAB_RESULTS/latest")
grep -q 'host,default,fork,0,' "$RUN/summary.csv" || t_fail "the host entry after the hang did not run"
t_ok "host ran after the fk hang"
echo "all $T_CHECKS checks passed"
