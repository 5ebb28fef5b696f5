# forklab harness: targets, configurations and benchmarks.
#
# A configuration is TARGET:CONFIG where CONFIG is `default` or comma-joined
# key=value words.  fk keys are the kernel's tunables (checked here before a
# boot, with the same accepted values as the kernel); linux keys choose the
# kernel flavour and extra boot parameters; host takes none.

FL_TARGETS="fk linux host"

# Kernel tunables: key, accepted values ("N" for an integer from 2 to 16,
# "FP" for a failpoint SITE:N or off), default.
FL_FK_KEYS="cow vfork uarea uarea_pages lwp fpu childfirst trace failpoint"
FL_FAILPOINT_SITES="uarea proc lwp ptp page files cwd limits sigacts"
fl_fk_values() {
	case $1 in
	cow) echo "copy cow odf" ;;
	vfork) echo "share copy" ;;
	uarea | lwp) echo "alloc cache" ;;
	uarea_pages) echo "N" ;;
	fpu) echo "eager lazy" ;;
	childfirst | trace) echo "0 1" ;;
	failpoint) echo "FP" ;;
	# For harness tests only: the kernel panics on purpose after boot.
	panic_at) echo "boot" ;;
	*) return 1 ;;
	esac
}
fl_fk_default() {
	case $1 in
	cow) echo cow ;; vfork) echo share ;; uarea) echo cache ;; uarea_pages) echo 4 ;;
	lwp) echo cache ;; fpu) echo eager ;; childfirst | trace) echo 0 ;; failpoint) echo off ;;
	esac
}

FL_LINUX_KEYS="flavour cmdline"
FL_LINUX_FLAVOURS="default cloud rt"

# Benchmarks the default run measures, and the default parent sizes.
FL_DEFAULT_BENCH="fork,vfork,clone_vm,thread,posix_spawn,cow_touch"
FL_DEFAULT_RSS="0,1M,16M,256M,1G"
FL_QUICK_RSS="0,1M,16M"

# Fallback benchmark list for `list` and validation when forkbench is not built.
FL_BUILTIN_BENCH="fork vfork clone_vm thread fork_exec vfork_exec posix_spawn cow_touch fork_return throughput"

# Default matrix: fk tunables one at a time (plus trace=1 for the phase
# breakdown), Linux as Debian ships it, the host.
FL_DEFAULT_MATRIX="fk:default fk:cow=copy fk:cow=cow fk:cow=odf fk:uarea=alloc fk:uarea=cache
fk:lwp=alloc fk:lwp=cache fk:trace=1 linux:default host:default"

fl_check_target() {
	case " $FL_TARGETS " in
	*" $1 "*) ;;
	*) fl_usage_error "unknown target '$1' (accepted: fk, linux, host)" ;;
	esac
}

# fl_fk_append CONFIG: checks an fk configuration and prints its kernel
# command-line words ("cow=odf uarea=alloc"; nothing for default).
fl_fk_append() {
	local cfg=$1 word key val vals seen=" " out=""
	[ "$cfg" = default ] && return 0
	[ -n "$cfg" ] || fl_usage_error "empty fk configuration (accepted: default or key=value,...)"
	local IFS=,
	for word in $cfg; do
		case $word in
		*=*) key=${word%%=*} val=${word#*=} ;;
		*) fl_usage_error "fk configuration word '$word' is not key=value (keys: ${FL_FK_KEYS// /, })" ;;
		esac
		vals=$(fl_fk_values "$key") ||
			fl_usage_error "unknown fk configuration key '$key' (accepted: ${FL_FK_KEYS// /, })"
		case $seen in *" $key "*) fl_usage_error "fk configuration key '$key' given twice" ;; esac
		seen="$seen$key "
		if [ "$vals" = N ]; then
			case $val in
			'' | *[!0-9]*) fl_usage_error "bad value '$val' for $key (accepted: an integer from 2 to 16)" ;;
			esac
			[ "$((10#$val))" -ge 2 ] && [ "$((10#$val))" -le 16 ] ||
				fl_usage_error "bad value '$val' for $key (accepted: an integer from 2 to 16)"
		elif [ "$vals" = FP ]; then
			case $val in
			off) ;;
			*:*)
				case " $FL_FAILPOINT_SITES " in
				*" ${val%%:*} "*) ;;
				*) fl_usage_error "bad value '$val' for failpoint (accepted: SITE:N with SITE one of ${FL_FAILPOINT_SITES// /, }, or off)" ;;
				esac
				case ${val#*:} in
				'' | *[!0-9]* | 0) fl_usage_error "bad value '$val' for failpoint (accepted: SITE:N with N >= 1, or off)" ;;
				esac
				;;
			*) fl_usage_error "bad value '$val' for failpoint (accepted: SITE:N with SITE one of ${FL_FAILPOINT_SITES// /, }, or off)" ;;
			esac
		else
			case " $vals " in
			*" $val "*) ;;
			*) fl_usage_error "bad value '$val' for $key (accepted: ${vals// /, })" ;;
			esac
		fi
		out="$out${out:+ }$key=$val"
	done
	printf '%s\n' "$out"
}

# fl_linux_check CONFIG: checks a linux configuration; prints
# "FLAVOUR<TAB>EXTRA CMDLINE WORDS".
fl_linux_check() {
	local cfg=$1 word key val flavour=default extra=""
	if [ "$cfg" != default ]; then
		local IFS=,
		for word in $cfg; do
			key=${word%%=*} val=${word#*=}
			[ "$key" != "$word" ] && [ -n "$val" ] ||
				fl_usage_error "linux configuration word '$word' is not key=value (keys: flavour, cmdline)"
			case $key in
			flavour)
				case " $FL_LINUX_FLAVOURS " in
				*" $val "*) flavour=$val ;;
				*) fl_usage_error "bad value '$val' for flavour (accepted: default, cloud, rt)" ;;
				esac
				;;
			cmdline)
				case $val in
				*[!A-Za-z0-9_.=:/-]*)
					fl_usage_error "bad value '$val' for cmdline (accepted: one kernel parameter of letters, digits and _.=:/-; repeat cmdline= for more)" ;;
				esac
				extra="$extra${extra:+ }$val"
				;;
			*) fl_usage_error "unknown linux configuration key '$key' (accepted: flavour, cmdline)" ;;
			esac
		done
	fi
	printf '%s\t%s\n' "$flavour" "$extra"
}

# fl_check_config TARGET CONFIG: dies with status 2 unless valid.
fl_check_config() {
	fl_check_target "$1"
	case $1 in
	fk) fl_fk_append "$2" >/dev/null ;;
	linux) fl_linux_check "$2" >/dev/null ;;
	host)
		[ "$2" = default ] ||
			fl_usage_error "target host takes no configuration, got '$2' (accepted: default)" ;;
	esac
}

# fl_bench_names: benchmarks forkbench lists (from --list when built).
fl_bench_names() {
	if [ -x "$FL_BUILD/bench/forkbench" ] &&
		"$FL_BUILD/bench/forkbench" --list >/dev/null 2>&1; then
		"$FL_BUILD/bench/forkbench" --list | awk '{ print $1 }' | tr '\n' ' '
		echo
	else
		echo "$FL_BUILTIN_BENCH"
	fi
}

# fl_check_bench LIST: comma-separated benchmark names.
fl_check_bench() {
	local names b
	names=$(fl_bench_names)
	local accepted
	# shellcheck disable=SC2086 # one name per word
	accepted=$(printf '%s\n' $names | paste -sd, -)
	[ -n "$1" ] || fl_usage_error "--bench: empty list (accepted: $accepted)"
	printf '%s\n' "$1" | grep -Eq '^[^,]+(,[^,]+)*$' ||
		fl_usage_error "--bench: empty name in '$1' (accepted: comma-separated names from $accepted)"
	local IFS=,
	for b in $1; do
		case " $names " in
		*" $b "*) ;;
		*) fl_usage_error "--bench: unknown benchmark '$b' (accepted: $accepted)" ;;
		esac
	done
}

# fl_check_rss LIST: comma-separated sizes with an optional K, M or G.
fl_check_rss() {
	printf '%s\n' "$1" | grep -Eq '^[0-9]+[KMG]?(,[0-9]+[KMG]?)*$' ||
		fl_usage_error "--rss: bad list '$1' (accepted: sizes like 0,1M,16M,256M,1G)"
}
