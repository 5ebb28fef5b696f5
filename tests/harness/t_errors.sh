#!/bin/bash
# Bad input everywhere: exit status 2 with one line naming the value, and
# nothing already written is damaged.
. "$(dirname "$0")/lib.sh"

t_expect 0 'results: ' "tiny host run to work on" -- \
	"$FORKLAB" run --quick --targets host --bench fork --rss 0
RUN=$(readlink -f "$FORKLAB_RESULTS/latest")
ID=$(basename "$RUN")
before=$(cd "$FORKLAB_RESULTS" && find . -type f | sort | xargs md5sum)

t_expect 2 "unknown command 'frob'" "unknown command" -- "$FORKLAB" frob
t_expect 2 "unknown target 'bsd'" "unknown target" -- "$FORKLAB" run --targets host,bsd
t_expect 2 "unknown target 'bsd'" "unknown target in a config" -- "$FORKLAB" run --configs bsd:default
t_expect 2 "unknown fk configuration key 'colour'.*cow" "unknown key" -- \
	"$FORKLAB" run --configs 'fk:colour=red'
t_expect 2 "bad value 'maybe' for cow \(accepted: copy, cow, odf\)" "bad value" -- \
	"$FORKLAB" run --configs 'fk:cow=maybe'
t_expect 2 "bad value '0' for uarea_pages" "bad integer value" -- \
	"$FORKLAB" run --configs 'fk:uarea_pages=0'
t_expect 2 "given twice" "repeated key" -- "$FORKLAB" run --configs 'fk:cow=odf,cow=copy'
t_expect 2 "not key=value" "word without =" -- "$FORKLAB" run --configs 'fk:odf'
t_expect 2 "target host takes no configuration" "host config" -- "$FORKLAB" run --configs host:cow=odf
t_expect 2 "bad value 'bsd' for flavour" "linux flavour" -- "$FORKLAB" run --configs linux:flavour=bsd
t_expect 2 "unknown linux configuration key 'cow'" "linux key" -- "$FORKLAB" run --configs linux:cow=odf
t_expect 2 "unknown benchmark 'frobnicate'" "unknown benchmark" -- \
	"$FORKLAB" run --targets host --bench fork,frobnicate
t_expect 2 "bad list '12X'" "bad size" -- "$FORKLAB" run --targets host --rss 12X
t_expect 2 "unknown accelerator 'fast'" "bad accelerator" -- "$FORKLAB" run --targets host --accel fast
t_expect 2 "bad value 'soon'" "bad timeout" -- "$FORKLAB" run --targets host --timeout soon
t_expect 2 "unknown option '--fast'" "unknown run option" -- "$FORKLAB" run --fast
t_expect 2 "bad value 'maybe' for cow" "boot: bad value" -- "$FORKLAB" boot --config cow=maybe -- nop
t_expect 2 "unknown target 'bsd'" "boot: bad target" -- "$FORKLAB" boot --target bsd -- nop
t_expect 2 "no PROGRAM" "boot: no program" -- "$FORKLAB" boot --target fk
t_expect 2 "bad size '4T'" "boot: bad memory" -- "$FORKLAB" boot --memory 4T -- nop
t_expect 2 "cannot go on a kernel command line" "boot: argument with a space" -- \
	"$FORKLAB" boot -- nop 'two words'
t_expect 2 "unknown option '--bogus'" "test: bad option" -- "$FORKLAB" test --bogus
t_expect 2 "unknown run 'nosuchrun'" "compare: unknown run" -- "$FORKLAB" compare nosuchrun "$ID"
t_expect 2 "unknown run 'nosuchrun'" "plot: unknown run" -- "$FORKLAB" plot nosuchrun
t_expect 2 "unknown run 'nosuchrun'" "report: unknown run" -- "$FORKLAB" report nosuchrun
t_expect 2 "bad value 'lots'" "compare: bad --fail-above" -- "$FORKLAB" compare "$ID" "$ID" --fail-above lots
t_expect 2 "no such target:config" "compare: base not in the run" -- "$FORKLAB" compare "$ID" --base linux:flavour=cloud
t_expect 2 "nothing to compare" "compare: base alone in its run" -- "$FORKLAB" compare "$ID" --base host:default

# Malformed and truncated CSV files in copies of the run.
BAD=$FORKLAB_RESULTS/20000101-000000
cp -r "$RUN" "$BAD"
sed -i '3s/,[0-9.]*$/,fast/' "$BAD/samples.csv"
t_expect 2 "samples.csv:3: .*'fast'" "compare: malformed samples" -- "$FORKLAB" compare 20000101-000000 "$ID"
t_expect 2 "samples.csv:3" "plot: malformed samples" -- "$FORKLAB" plot 20000101-000000
cp "$RUN/samples.csv" "$BAD/samples.csv"
head -c -3 "$RUN/samples.csv" >"$BAD/samples.csv"
t_expect 2 "truncated" "compare: truncated samples" -- "$FORKLAB" compare "$ID" 20000101-000000
cp "$RUN/samples.csv" "$BAD/samples.csv"
{ head -n 1 "$RUN/summary.csv"; sed -n 2p "$RUN/summary.csv" | cut -d, -f1-10; } >"$BAD/summary.csv"
t_expect 2 "summary.csv:2: 10 fields, expected 19" "plot: truncated summary row" -- "$FORKLAB" plot 20000101-000000
head -n 1 "$RUN/summary.csv" >"$BAD/summary.csv"
t_expect 2 "no data to plot" "plot: no rows" -- "$FORKLAB" plot 20000101-000000
echo "x,y" >"$BAD/summary.csv"
t_expect 2 "header is not" "plot: wrong header" -- "$FORKLAB" plot 20000101-000000
rm -rf "$BAD"

after=$(cd "$FORKLAB_RESULTS" && find . -type f | sort | xargs md5sum)
[ "$before" = "$after" ] || t_fail "files of earlier runs changed: $(diff <(echo "$before") <(echo "$after"))"
t_ok "earlier results untouched"

# A missing QEMU, simulated by a PATH without it.
NOQ=$T_DIR/noqemu
mkdir -p "$NOQ"
for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
	[ -d "$d" ] || continue
	for f in "$d"/*; do
		b=$(basename "$f")
		[ "$b" = qemu-system-x86_64 ] || [ -e "$NOQ/$b" ] || ln -s "$f" "$NOQ/$b"
	done
done
t_expect 2 "qemu-system-x86_64" "boot without QEMU" -- env PATH="$NOQ" "$FORKLAB" boot --target fk -- nop
t_expect 2 "qemu-system-x86_64" "run without QEMU" -- env PATH="$NOQ" "$FORKLAB" run --quick --targets linux

# Booting fk without a built kernel names the missing file.
if [ ! -f "$FORKLAB_BUILD/kernel/forklab" ]; then
	t_expect 2 "kernel.*forklab.*missing" "boot without a kernel" -- "$FORKLAB" boot --target fk --accel icount -- nop
fi
echo "all $T_CHECKS checks passed"
