# forklab harness: messages, dependency checks, the build and file helpers.
# Sourced by scripts/forklab; every function is prefixed fl_.

FL_BUILD=${FORKLAB_BUILD:-$FL_ROOT/build}
FL_RESULTS=${FORKLAB_RESULTS:-$FL_ROOT/results}
FL_PLOTS=${FORKLAB_PLOTS:-$FL_ROOT/plots}
FL_CACHE=${FORKLAB_CACHE:-$FL_ROOT/.cache}
FL_GNUPLOT_DIR=$FL_ROOT/scripts/gnuplot

# Temporary files of this invocation, removed on exit.
FL_TMP=

fl_msg() { printf 'forklab: %s\n' "$*" >&2; }

# Bad usage or input: one line, status 2.
fl_usage_error() { printf 'forklab: %s\n' "$*" >&2; exit 2; }

# A failure that is not the user's input (build, tool): status 2 as well,
# because nothing was measured.
fl_die() { printf 'forklab: error: %s\n' "$*" >&2; exit 2; }

fl_tmpdir() {
	if [ -z "$FL_TMP" ]; then
		FL_TMP=$(mktemp -d "${TMPDIR:-/tmp}/forklab.XXXXXX")
	fi
}

fl_cleanup() {
	if [ -n "$FL_TMP" ]; then
		rm -rf "$FL_TMP"
	fi
}

# fl_atomic_write DEST: copies stdin to DEST through a temporary name in the
# same directory, so a reader never sees a half-written file.
fl_atomic_write() {
	local dest=$1 tmp
	tmp=$(mktemp "$(dirname "$dest")/.tmp.XXXXXX")
	if ! cat >"$tmp"; then
		rm -f "$tmp"
		fl_die "cannot write $dest"
	fi
	chmod 644 "$tmp"
	mv -f "$tmp" "$dest"
}

# fl_atomic_copy SRC DEST
fl_atomic_copy() { fl_atomic_write "$2" <"$1"; }

# ---- dependencies ----

# Debian package of each command the harness runs.
fl_pkg_of() {
	case $1 in
	qemu-system-x86_64) echo qemu-system-x86 ;;
	musl-gcc) echo musl-tools ;;
	gnuplot) echo gnuplot-nox ;;
	taskset) echo util-linux ;;
	addr2line) echo binutils ;;
	perf) echo linux-perf ;;
	apt-get | dpkg-deb) echo dpkg ;;
	*) echo "$1" ;;
	esac
}

# fl_need CMD...: makes sure every command exists; installs the missing
# packages when root, otherwise prints the apt-get line and exits 2.
fl_need() {
	local cmd missing_cmds="" pkgs="" pkg
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null 2>&1 || missing_cmds="$missing_cmds $cmd"
	done
	[ -z "$missing_cmds" ] && return 0
	for cmd in $missing_cmds; do
		pkg=$(fl_pkg_of "$cmd")
		# An installed package whose command is not on PATH is a PATH
		# problem that apt-get cannot fix.
		if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
			fl_die "$cmd: not found in PATH, although package $pkg is installed (PATH=$PATH)"
		fi
		pkgs="$pkgs $pkg"
	done
	if [ "$(id -u)" -ne 0 ]; then
		fl_msg "missing:$missing_cmds; install them with:"
		printf '  sudo apt-get install -y%s\n' "$pkgs" >&2
		exit 2
	fi
	fl_msg "installing:$pkgs"
	# shellcheck disable=SC2086 # word splitting of the package list is wanted
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y $pkgs >&2; then
		DEBIAN_FRONTEND=noninteractive apt-get update >&2 || true
		DEBIAN_FRONTEND=noninteractive apt-get install -y $pkgs >&2 ||
			fl_die "apt-get install$pkgs failed"
	fi
	for cmd in $missing_cmds; do
		command -v "$cmd" >/dev/null 2>&1 || fl_die "$cmd: still missing after installing its package"
	done
}

# The tools of a build: every command that builds needs them.
fl_need_build() { fl_need cmake gcc make musl-gcc; }

# ---- build ----

# fl_build [TARGET...]: configures build/ when needed and builds the given
# CMake targets (everything without arguments).  The output goes to
# build/forklab-build.log and its tail is shown on failure.
fl_build() {
	local log t args=""
	# Tests run under ctest after the build and set FORKLAB_NO_BUILD=1: two
	# tests building the same tree at once would race.
	[ "${FORKLAB_NO_BUILD:-0}" = 1 ] && return 0
	fl_need_build
	mkdir -p "$FL_BUILD"
	log=$FL_BUILD/forklab-build.log
	if [ ! -f "$FL_BUILD/CMakeCache.txt" ]; then
		if ! cmake -S "$FL_ROOT" -B "$FL_BUILD" >"$log" 2>&1; then
			tail -n 30 "$log" >&2
			fl_die "cmake configuration failed (full log: $log)"
		fi
	fi
	for t in "$@"; do
		args="$args --target $t"
	done
	# shellcheck disable=SC2086 # one word per target option
	if ! cmake --build "$FL_BUILD" -j2 $args >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		fl_die "build failed${1:+ (targets:$args)} (full log: $log)"
	fi
}

# Path of an artefact, after checking that it exists.
fl_artefact() {
	[ -e "$FL_BUILD/$1" ] || fl_die "$FL_BUILD/$1 is missing after the build"
	printf '%s\n' "$FL_BUILD/$1"
}

# ---- validation ----

# fl_check_uint NAME VALUE: VALUE must be a positive integer.
fl_check_uint() {
	case $2 in
	'' | *[!0-9]* | 0) fl_usage_error "$1: bad value '$2' (accepted: a positive integer)" ;;
	esac
}

# fl_check_seconds NAME VALUE: a positive number of seconds.
fl_check_seconds() {
	if ! printf '%s\n' "$2" | grep -Eq '^([0-9]+(\.[0-9]*)?|\.[0-9]+)$' ||
		[ "$(awk -v v="$2" 'BEGIN { print (v > 0) }')" != 1 ]; then
		fl_usage_error "$1: bad value '$2' (accepted: a positive number of seconds)"
	fi
}

# fl_check_accel VALUE [auto-allowed]
fl_check_accel() {
	case $1 in
	tcg | icount | kvm | auto) ;;
	*) fl_usage_error "--accel: unknown accelerator '$1' (accepted: auto, kvm, tcg, icount)" ;;
	esac
}

# fl_check_memory VALUE: QEMU memory size such as 4G or 512M.
fl_check_memory() {
	printf '%s\n' "$1" | grep -Eq '^[1-9][0-9]*[MG]$' ||
		fl_usage_error "--memory: bad size '$1' (accepted: a number followed by M or G, e.g. 4G)"
}

# fl_json_str STRING: a JSON string literal.
fl_json_str() {
	printf '%s' "$1" | awk 'BEGIN { ORS = ""; print "\"" }
		{ gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t");
		  gsub(/[\001-\037]/, " "); if (NR > 1) print "\\n"; print }
		END { print "\"" }'
}

# fl_now_ns: wall clock in ns.
fl_now_ns() { date +%s%N; }

# fl_wait_bg COMMAND...: runs COMMAND in the background and waits for it,
# so that a Ctrl-C reaches our trap at once instead of after the command
# (`timeout` moves itself out of the terminal's process group, so the
# terminal's SIGINT does not reach it).  On an interrupt the command is
# terminated.  Sets FL_BG_STATUS.
FL_INTERRUPTED=0
fl_wait_bg() {
	local pid
	"$@" &
	pid=$!
	FL_BG_STATUS=0
	while :; do
		wait "$pid" && { FL_BG_STATUS=0; break; } || FL_BG_STATUS=$?
		if [ "$FL_INTERRUPTED" = 1 ]; then
			kill -TERM "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
			FL_BG_STATUS=130
			break
		fi
		# wait returns above 128 when a trapped signal arrives; the
		# process is gone only when kill -0 fails for it.
		kill -0 "$pid" 2>/dev/null || break
	done
}
