# Helpers of the harness tests.  Each test sources this with the source
# tree as $1; output goes to a temporary directory removed at the end.
set -eu

T_SRC=$1
FORKLAB=$T_SRC/scripts/forklab
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/forklab-harness-test.XXXXXX")
export FORKLAB_RESULTS=$T_DIR/results FORKLAB_PLOTS=$T_DIR/plots
trap 'rm -rf "$T_DIR"' EXIT
T_CHECKS=0

t_fail() {
	echo "FAIL: $*" >&2
	exit 1
}

t_ok() {
	T_CHECKS=$((T_CHECKS + 1))
	echo "ok $T_CHECKS - $*"
}

# t_expect STATUS PATTERN DESC -- COMMAND...: runs COMMAND, checks its exit
# status and that its output (stdout and stderr) matches the extended
# regular expression PATTERN (empty: no check).
t_expect() {
	local want=$1 pat=$2 desc=$3 got=0
	shift 4
	"$@" >"$T_DIR/out" 2>&1 || got=$?
	if [ "$got" != "$want" ]; then
		sed 's/^/  | /' "$T_DIR/out" >&2
		t_fail "$desc: exit status $got, expected $want ($*)"
	fi
	if [ -n "$pat" ] && ! grep -Eq -- "$pat" "$T_DIR/out"; then
		sed 's/^/  | /' "$T_DIR/out" >&2
		t_fail "$desc: output does not match /$pat/"
	fi
	t_ok "$desc"
}

# t_header FILE HEADER: the first line of FILE is HEADER.
t_header() {
	[ "$(head -n 1 "$1")" = "$2" ] || t_fail "$1: header '$(head -n 1 "$1")', expected '$2'"
	t_ok "$(basename "$1") header"
}

# t_nonempty FILE...: each FILE exists and is not empty.
t_nonempty() {
	local f
	for f in "$@"; do
		[ -s "$f" ] || t_fail "$f is missing or empty"
	done
	t_ok "non-empty: $(for f in "$@"; do basename "$f"; done | tr '\n' ' ')"
}

# t_png FILE / t_svg FILE: a real image of that format.
t_png() {
	[ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
		t_fail "$1 is not a PNG"
}
t_svg() {
	grep -q '<svg' "$1" || t_fail "$1 is not an SVG"
}

SUMMARY_HDR="target,config,bench,rss_bytes,param,clock,n,min_ns,p25_ns,median_ns,p75_ns,p90_ns,p99_ns,max_ns,mean_ns,stddev_ns,ci95_lo_ns,ci95_hi_ns,timer"
SAMPLES_HDR="target,config,bench,rss_bytes,param,clock,index,ns"
PHASES_HDR="target,config,rss_bytes,param,clock,phase,median_ns"
