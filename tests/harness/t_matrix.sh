# The test matrix on the host and on a short forklab boot.  Checks that the
# checked-in covering array covers every pair and puts every value on a
# kernel command line, and that the checker rejects damaged arrays.  Checks
# that the generator reproduces the array, and that t_matrix splits the full
# product into slices without gaps or overlaps.  Checks t_matrix's usage
# errors and its verdicts on failing, hanging and orphaning tests.
#
# Usage: t_matrix.sh SOURCE_TREE T_MATRIX PAIRWISE_TXT
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

MATRIX=$2
ARRAY=$3
PAIRWISE=$T_SRC/scripts/pairwise.sh
[ -x "$MATRIX" ] || t_fail "t_matrix not built: $MATRIX"

# ---- the covering array ----

"$MATRIX" --keys >"$T_DIR/keys" || t_fail "t_matrix --keys failed"
[ "$(wc -l <"$T_DIR/keys")" -ge 2 ] || t_fail "t_matrix --keys printed fewer than two keys"
t_expect 0 '^pairwise.sh: [0-9]+ rows in [0-9]+ boots cover all [0-9]+ pairs' \
	"pairwise.txt covers every pair" -- "$PAIRWISE" check "$T_DIR/keys" "$ARRAY"

grep -v '^#' "$ARRAY" | grep . >"$T_DIR/rows"
"$PAIRWISE" generate "$T_DIR/keys" >"$T_DIR/generated" || t_fail "pairwise.sh generate failed"
cmp -s "$T_DIR/rows" "$T_DIR/generated" || {
	diff "$T_DIR/rows" "$T_DIR/generated" | sed 's/^/  | /' >&2
	t_fail "pairwise.txt is not what 'pairwise.sh generate' makes from t_matrix --keys"
}
t_ok "pairwise.txt is the generator's output for t_matrix --keys"

# Negative controls: the checker must reject each damaged copy.
for n in $(seq 1 "$(wc -l <"$T_DIR/rows")"); do
	sed "${n}d" "$T_DIR/rows" >"$T_DIR/short"
	t_expect 1 'pair not covered' "array without row $n misses a pair" -- \
		"$PAIRWISE" check "$T_DIR/keys" "$T_DIR/short"
done
sed '1s/cow=[a-z]*/cow=bogus/' "$T_DIR/rows" >"$T_DIR/badval"
t_expect 1 'bad value "bogus" for cow' "an invalid value is rejected" -- \
	"$PAIRWISE" check "$T_DIR/keys" "$T_DIR/badval"
sed '1s/,trace=[01]//' "$T_DIR/rows" >"$T_DIR/nokey"
t_expect 1 'key trace missing' "a missing key is rejected" -- \
	"$PAIRWISE" check "$T_DIR/keys" "$T_DIR/nokey"
sed 's/^[0-9]* /1 /' "$T_DIR/rows" >"$T_DIR/oneboot"
t_expect 1 'is on no boot command line' "one boot cannot put every value on its command line" -- \
	"$PAIRWISE" check "$T_DIR/keys" "$T_DIR/oneboot"
: >"$T_DIR/empty"
t_expect 1 'no rows' "an empty array is rejected" -- "$PAIRWISE" check "$T_DIR/keys" "$T_DIR/empty"
t_expect 1 'fewer than two keys' "an empty key list is rejected" -- \
	"$PAIRWISE" check "$T_DIR/empty" "$ARRAY"

# The generator on a small key set: three binary keys need four rows.
printf 'a 0 1\nb 0 1\nc 0 1\n' >"$T_DIR/keys3"
"$PAIRWISE" generate "$T_DIR/keys3" >"$T_DIR/gen3"
[ "$(wc -l <"$T_DIR/gen3")" -eq 4 ] || t_fail "generate: $(wc -l <"$T_DIR/gen3") rows for 3 binary keys, expected 4"
t_expect 0 'cover all 12 pairs of 3 keys' "generated array for three binary keys" -- \
	"$PAIRWISE" check "$T_DIR/keys3" "$T_DIR/gen3"
t_expect 2 "unknown command 'frob'" "pairwise.sh: unknown command" -- "$PAIRWISE" frob x
t_expect 2 "cannot read '$T_DIR/nonexistent'" "pairwise.sh: missing file" -- \
	"$PAIRWISE" check "$T_DIR/nonexistent" "$ARRAY"

# ---- the full product in slices ----

product=1
while read -r _ values; do
	set -- $values
	product=$((product * $#))
done <"$T_DIR/keys"
: >"$T_DIR/all"
for i in $(seq 1 12); do
	"$MATRIX" --list --slice "$i/12" >>"$T_DIR/all" || t_fail "t_matrix --list --slice $i/12 failed"
done
[ "$(wc -l <"$T_DIR/all")" -eq "$product" ] ||
	t_fail "12 slices list $(wc -l <"$T_DIR/all") configurations, the product has $product"
[ "$(sort -u "$T_DIR/all" | wc -l)" -eq "$product" ] || t_fail "12 slices repeat configurations"
# Each listed configuration sets every key to one of its values.
awk -v keys="$T_DIR/keys" '
BEGIN { while ((getline l < keys) > 0) { n = split(l, f, " "); nk++; for (i = 2; i <= n; i++) ok[f[1] "=" f[i]] = 1 } }
{ m = split($0, w, ","); if (m != nk) exit 1; for (i = 1; i <= m; i++) if (!(w[i] in ok)) exit 1 }
' "$T_DIR/all" || t_fail "a listed configuration does not set every key to a listed value"
t_ok "12 slices list all $product combinations once each"

# ---- usage errors ----

t_expect 2 "invalid value 'bogus' for cow" "t_matrix: invalid value" -- "$MATRIX" --list cow=bogus
t_expect 2 "unknown key 'nosuchkey'" "t_matrix: unknown key" -- "$MATRIX" --list nosuchkey=1
t_expect 2 "key 'cow' given twice" "t_matrix: key twice" -- "$MATRIX" --list cow=odf,cow=copy
t_expect 2 "is not key=value" "t_matrix: word without =" -- "$MATRIX" --list trace
t_expect 2 "--slice I: invalid value '13'" "t_matrix: slice past the end" -- "$MATRIX" --list --slice 13/12
t_expect 2 "--slice: invalid value '3'" "t_matrix: slice without /" -- "$MATRIX" --list --slice 3
t_expect 2 "--timeout: invalid value '0'" "t_matrix: zero timeout" -- "$MATRIX" --timeout 0
t_expect 2 "--tests: invalid name '../x'" "t_matrix: test name with a slash" -- "$MATRIX" --tests ../x
t_expect 2 "unknown option '--frob'" "t_matrix: unknown option" -- "$MATRIX" --frob
t_expect 2 "--dir: missing value" "t_matrix: option without value" -- "$MATRIX" --dir

# ---- verdicts on the host ----

mkdir "$T_DIR/bin"
printf '#!/bin/sh\nexit 0\n' >"$T_DIR/bin/ok"
printf '#!/bin/sh\nexit 3\n' >"$T_DIR/bin/three"
printf '#!/bin/sh\nexec sleep 100\n' >"$T_DIR/bin/hang"
# The background sleep outlives the script and comes back to t_matrix.
printf '#!/bin/sh\nsleep 1 &\nexit 0\n' >"$T_DIR/bin/orphan"
chmod +x "$T_DIR"/bin/*
t_expect 1 '^2 passed, 3 failed$' "t_matrix counts passes and failures" -- \
	"$MATRIX" --dir "$T_DIR/bin" --timeout 2 --tests ok,three,hang,orphan,missing cow=odf
out=$T_DIR/out
grep -q 'no /proc/forklab/config: configurations ignored' "$out" || t_fail "host note missing"
grep -q '^t_matrix: pass host ok (exit status 0' "$out" || t_fail "no pass line for ok"
grep -q '^t_matrix: FAIL host three (exit status 3' "$out" || t_fail "no FAIL line for exit 3"
grep -q '^t_matrix: FAIL host hang (timed out after 2 s, killed by signal 9' "$out" ||
	t_fail "no timeout line for hang"
grep -q '^t_matrix: note: host orphan left orphan pid [0-9]*, reaped (exit status 0)' "$out" ||
	t_fail "the orphan was not reaped by t_matrix"
grep -q '^t_matrix: FAIL host missing (exit status 127' "$out" || t_fail "no FAIL line for a missing test"
t_ok "each verdict line says what happened"

# ---- verdicts on the forklab kernel ----

# A value the kernel rejects at run time: the configuration is not in
# effect, and its tests are reported as not run.
t_expect 1 'FAIL uarea_pages=17 t_basic \(not run: configuration not in effect\)' \
	"forklab: a rejected configuration fails" -- \
	"$FORKLAB" boot --accel tcg --timeout 120 --log "$T_DIR/klog" -- "$MATRIX" --tests t_basic uarea_pages=17
grep -q 'FAIL uarea_pages=17 config: write "uarea_pages=17": Invalid argument' "$out" ||
	t_fail "forklab: no line naming the rejected write"
t_expect 1 'FAIL boot config: read back ".*", lacks cow=copy' "forklab: --expect sees the boot configuration" -- \
	"$FORKLAB" boot --accel tcg --timeout 120 --config cow=odf --log "$T_DIR/klog" -- \
	"$MATRIX" --expect cow=copy --tests t_basic
t_expect 1 'FAIL current nosuchtest \(exit status 127' "forklab: a missing test fails" -- \
	"$FORKLAB" boot --accel tcg --timeout 120 --log "$T_DIR/klog" -- "$MATRIX" --tests nosuchtest
t_expect 0 '^2 passed, 0 failed$' "forklab: --expect passes under its boot configuration" -- \
	"$FORKLAB" boot --accel tcg --timeout 120 --config cow=odf,trace=1 --log "$T_DIR/klog" -- \
	"$MATRIX" --expect cow=odf,trace=1 --tests t_basic

echo "$T_CHECKS checks passed"
