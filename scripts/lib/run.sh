# forklab harness: `forklab run` (the suite) and `forklab compare`.
#
# A run is a list of entries TARGET:CONFIG.  Each fk or linux entry is one
# boot with forkbench as /init; the host entry runs forkbench natively.
# A failed entry is recorded with the tail of its console and the run goes
# on; the run ends with status 1 when anything failed.

# forkbench limits per row.  The default run must fit in 10 minutes and
# --quick in 2 on two cores without KVM; under TCG a guest second costs
# about a wall second or more, so the caps are small and per-size
# iteration minimums low.  forkbench stops a row early once the median's
# CI is narrow enough.
FL_FB_ARGS_FULL="--max-time 0.3 --min-iter 20 --max-iter 5000 --warmup 3"
FL_FB_ARGS_QUICK="--quick --max-time 0.05 --min-iter 8 --max-iter 500 --warmup 2"
FL_TIMEOUT_FULL=240
FL_TIMEOUT_QUICK=90

# The program guests boot as /init.  Tests substitute a program that hangs
# (FORKLAB_GUEST_FORKBENCH) to check that a failed boot is recorded and the
# run goes on.
FL_GUEST_FB=${FORKLAB_GUEST_FORKBENCH:-}

# fl_run_matrix TARGETS CONFIGS: prints the entries, one per line.
fl_run_matrix() {
	local targets=$1 configs=$2 e t c seen=" " out="" list
	list=$(printf '%s\n' "$configs" | tr ';' ' ')
	for e in $list; do
		case $e in
		*:*) t=${e%%:*} c=${e#*:} ;;
		*) t=$e c=default ;;
		esac
		[ -n "$c" ] || c=default
		fl_check_config "$t" "$c"
		if [ -n "$targets" ]; then
			case ",$targets," in *",$t,"*) ;; *) continue ;; esac
		fi
		case $seen in *" $t:$c "*) continue ;; esac
		seen="$seen$t:$c "
		out="$out$t:$c
"
	done
	# A target named in --targets with no entry of its own gets its default
	# matrix.
	if [ -n "$targets" ]; then
		local IFS=,
		for t in $targets; do
			case $seen in *" $t:"*) continue ;; esac
			for e in $(printf '%s\n' "$FL_DEFAULT_MATRIX" | tr '\n' ','); do
				[ "${e%%:*}" = "$t" ] && out="$out$e
"
			done
		done
	fi
	printf '%s' "$out"
}

# fl_host_cpu_pin: the CPU the host run is pinned to (the last one this
# process may use).
fl_host_cpu_pin() {
	taskset -cp $$ | sed 's/.*: *//' | tr ',' '\n' | tail -n 1 | sed 's/.*-//'
}

# fl_run_entry RUNDIR TARGET CONFIG: runs one entry; sets FL_ENTRY_STATUS
# (0 or the failing boot status) and FL_ENTRY_WHY; writes its boot log and
# merges its rows into the run's CSV files.
fl_run_entry() {
	local run=$1 target=$2 config=$3 w log t0 t1 wall flavour extra cpu
	w=$(mktemp -d "$FL_TMP/entry.XXXXXX")
	log=$run/boots/$target-$config.log
	t0=$(fl_now_ns)
	# Under KVM each guest boot also records its VM exits (perf kvm stat).
	FL_KVM_STAT=""
	[ "$FL_ACCEL" = kvm ] && command -v perf >/dev/null 2>&1 && FL_KVM_STAT=$w/kvmstat.txt
	case $target in
	fk)
		fl_boot_fk "$w/out" "$w/err" "$w/klog" "$w/qerr" "$FL_ACCEL" "$FL_MEM" "$FL_TIMEOUT" \
			"$(fl_fk_append "$config")" "$FL_GUEST_FB" $FL_FB_ARGS
		;;
	linux)
		IFS=$'\t' read -r flavour extra <<<"$(fl_linux_check "$config")"
		fl_boot_linux "$w/out" "$w/qerr" "$FL_ACCEL" "$FL_MEM" "$FL_TIMEOUT" "$flavour" "$extra" 0 \
			"$FL_GUEST_FB" $FL_FB_ARGS
		tr -d '\r' <"$w/out" >"$w/out.txt" && mv "$w/out.txt" "$w/out"
		fl_linux_decode "$w/out" "$FL_QEMU_STATUS"
		;;
	host)
		cpu=$(fl_host_cpu_pin)
		FL_PIN="taskset -c $cpu"
		if [ -n "$FL_PERF" ]; then
			fl_wait_bg timeout -k 5 "$FL_TIMEOUT" perf stat -x, -o "$w/perf.csv" -- \
				taskset -c "$cpu" "$FL_BUILD/bench/forkbench" $FL_FB_ARGS \
				--exec "$FL_BUILD/bench/nop" >"$w/out" 2>"$w/err"
		else
			fl_wait_bg timeout -k 5 "$FL_TIMEOUT" taskset -c "$cpu" \
				"$FL_BUILD/bench/forkbench" $FL_FB_ARGS --exec "$FL_BUILD/bench/nop" \
				>"$w/out" 2>"$w/err"
		fi
		FL_BOOT_STATUS=$FL_BG_STATUS
		case $FL_BOOT_STATUS in
		0) FL_BOOT_WHY="forkbench exited with status 0" ;;
		124) FL_BOOT_WHY="timed out after $FL_TIMEOUT s" ;;
		*) FL_BOOT_WHY="forkbench exited with status $FL_BOOT_STATUS" ;;
		esac
		[ -f "$w/perf.csv" ] && fl_atomic_copy "$w/perf.csv" "$run/perf-host.csv"
		;;
	esac
	[ -n "$FL_KVM_STAT" ] && [ -f "$FL_KVM_STAT" ] &&
		fl_atomic_copy "$FL_KVM_STAT" "$run/boots/$target-$config.kvmstat.txt"
	FL_KVM_STAT=""
	t1=$(fl_now_ns)
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	[ "$FL_INTERRUPTED" = 1 ] && { FL_BOOT_STATUS=130; FL_BOOT_WHY="interrupted"; }

	# The console log: what happened, then each channel.
	{
		printf '# %s:%s accel=%s clock=%s status=%s wall=%ss\n# %s\n' "$target" "$config" \
			"$FL_ENTRY_ACCEL" "$FL_ENTRY_CLOCK" "$FL_BOOT_STATUS" "$wall" "$FL_BOOT_WHY"
		if [ "$target" = fk ]; then
			echo "== kernel log (COM3)"; cat "$w/klog" 2>/dev/null || true
			echo "== stderr (COM2)"; cat "$w/err" 2>/dev/null || true
			echo "== stdout (COM1)"; cat "$w/out" 2>/dev/null || true
		elif [ "$target" = linux ]; then
			echo "== console (ttyS0: kernel messages, stdout and stderr)"; cat "$w/out" 2>/dev/null || true
		else
			echo "== stderr"; cat "$w/err" 2>/dev/null || true
			echo "== stdout"; cat "$w/out" 2>/dev/null || true
		fi
		if [ -s "$w/qerr" ]; then echo "== qemu stderr"; cat "$w/qerr"; fi
	} | fl_atomic_write "$log"

	FL_ENTRY_STATUS=$FL_BOOT_STATUS
	FL_ENTRY_WHY=$FL_BOOT_WHY
	if [ "$FL_ENTRY_STATUS" = 0 ]; then
		fl_run_merge "$run" "$target" "$config" "$w" || true
	fi
	printf '%s,%s,%s,%s,%s,%s\n' "$target" "$config" "$FL_ENTRY_ACCEL" "$FL_ENTRY_STATUS" "$wall" \
		"$(printf '%s' "$FL_ENTRY_WHY" | tr ',' ';')" >>"$w/boot.csv"
	cat "$run/boots.csv" "$w/boot.csv" | fl_atomic_write "$run/boots.csv"
	FL_LAST_LOG=$log
	rm -rf "$w"
}

# fl_run_merge RUN TARGET CONFIG WORKDIR: imports forkbench's CSV into
# copies of the run's files and renames them into place.  A malformed
# output fails the entry and leaves the run's files as they were.
fl_run_merge() {
	local run=$1 target=$2 config=$3 w=$4 f msg
	for f in summary samples phases; do
		cp "$run/$f.csv" "$w/$f.csv"
	done
	if ! msg=$(fl_fkstat import --target "$target" --config "$config" --clock "$FL_ENTRY_CLOCK" \
		--summary "$w/summary.csv" --samples "$w/samples.csv" --phases "$w/phases.csv" \
		"$w/out" 2>&1); then
		FL_ENTRY_STATUS=1
		FL_ENTRY_WHY="bad forkbench output: ${msg#fkstat: }"
		return 1
	fi
	for f in summary samples phases; do
		fl_atomic_copy "$w/$f.csv" "$run/$f.csv"
	done
}

# fl_write_meta RUNDIR STATE: meta.json, rewritten after every entry.
fl_write_meta() {
	local run=$1 state=$2 e first=1
	{
		printf '{\n'
		printf '  "run_id": %s,\n' "$(fl_json_str "$(basename "$run")")"
		printf '  "state": %s,\n' "$(fl_json_str "$state")"
		printf '  "interrupted": %s,\n' "$([ "$state" = interrupted ] && echo true || echo false)"
		printf '  "date": %s,\n' "$(fl_json_str "$FL_RUN_DATE")"
		printf '  "finished": %s,\n' "$(fl_json_str "$(date -Iseconds)")"
		printf '  "git_revision": %s,\n' "$(fl_json_str "$FL_GIT_REV")"
		printf '  "host_cpu": %s,\n' "$(fl_json_str "$(fl_host_cpu)")"
		printf '  "host_cpus": %s,\n' "$(nproc)"
		printf '  "host_kernel": %s,\n' "$(fl_json_str "$(uname -sr)")"
		printf '  "versions": {\n'
		printf '    "qemu": %s,\n' "$(fl_json_str "$FL_V_QEMU")"
		printf '    "gnuplot": %s,\n' "$(fl_json_str "$FL_V_GNUPLOT")"
		printf '    "hyperfine": %s,\n' "$(fl_json_str "$FL_V_HYPERFINE")"
		printf '    "gcc": %s,\n' "$(fl_json_str "$FL_V_GCC")"
		printf '    "musl_gcc": %s,\n' "$(fl_json_str "$FL_V_MUSL")"
		printf '    "perf": %s,\n' "$(fl_json_str "$FL_V_PERF")"
		printf '    "linux_guest": %s\n' "$(fl_json_str "$FL_V_LINUX")"
		printf '  },\n'
		printf '  "accelerator": %s,\n' "$(fl_json_str "$FL_ACCEL")"
		printf '  "accelerator_reason": %s,\n' "$(fl_json_str "$FL_ACCEL_WHY")"
		printf '  "guest_memory": %s,\n' "$(fl_json_str "$FL_MEM")"
		printf '  "boot_timeout_s": %s,\n' "$FL_TIMEOUT"
		printf '  "pinning": %s,\n' "$(fl_json_str "$FL_PIN")"
		printf '  "perf": %s,\n' "$(fl_json_str "$FL_PERF_WHY")"
		printf '  "quick": %s,\n' "$([ "$FL_QUICK" = 1 ] && echo true || echo false)"
		printf '  "benchmarks": %s,\n' "$(fl_json_str "$FL_BENCH")"
		printf '  "rss": %s,\n' "$(fl_json_str "$FL_RSS")"
		printf '  "forkbench_args": %s,\n' "$(fl_json_str "$FL_FB_ARGS")"
		printf '  "configurations": ['
		for e in $FL_MATRIX; do
			[ $first = 1 ] || printf ','
			first=0
			printf '\n    {"target": %s, "config": %s, "kernel_cmdline": %s}' \
				"$(fl_json_str "${e%%:*}")" "$(fl_json_str "${e#*:}")" \
				"$(fl_json_str "$(fl_entry_cmdline "${e%%:*}" "${e#*:}")")"
		done
		printf '\n  ],\n'
		# Each failure: what failed, why, its log and the log's last lines.
		printf '  "failures": ['
		first=1
		while IFS= read -r e; do
			[ -n "$e" ] || continue
			[ $first = 1 ] || printf ','
			first=0
			local entry=${e%%: *} tail=""
			[ -f "$run/boots/${entry/:/-}.log" ] && tail=$(tail -n 10 "$run/boots/${entry/:/-}.log")
			printf '\n    {"entry": %s, "why": %s, "log": %s, "tail": %s}' "$(fl_json_str "$entry")" \
				"$(fl_json_str "${e#*: }")" "$(fl_json_str "boots/${entry/:/-}.log")" "$(fl_json_str "$tail")"
		done <<<"$FL_FAILURES"
		printf '\n  ]\n}\n'
	} | fl_atomic_write "$run/meta.json"
}

# fl_entry_cmdline TARGET CONFIG: the kernel command line of an entry.
fl_entry_cmdline() {
	local flavour extra
	case $1 in
	fk) fl_fk_append "$2" ;;
	linux)
		IFS=$'\t' read -r flavour extra <<<"$(fl_linux_check "$2")"
		echo "console=ttyS0 quiet loglevel=0 panic=-1${extra:+ $extra} (flavour $flavour)"
		;;
	host) echo "-" ;;
	esac
}

# fl_hyperfine_boot RUN TARGET CONFIG: boots the entry once more under
# hyperfine, which times the whole boot end to end (the cost of one
# configuration), into boots/TARGET-CONFIG.hyperfine.json.
fl_hyperfine_boot() {
	local run=$1 target=$2 config=$3 json=$FL_TMP/hf-boot.json
	command -v hyperfine >/dev/null 2>&1 || return 0
	# -N runs the command without a shell: its words contain no spaces.
	if FORKLAB_NO_BUILD=1 hyperfine -N --style none --runs 1 --export-json "$json" \
		"$FL_ROOT/scripts/forklab boot --target $target --config $config --accel $FL_ACCEL --timeout $FL_TIMEOUT -- $FL_GUEST_FB $FL_FB_ARGS" \
		>"$FL_TMP/hf-boot.txt" 2>&1; then
		fl_atomic_copy "$json" "$run/boots/$target-$config.hyperfine.json"
	else
		fl_msg "hyperfine: timing a boot of $target:$config failed: $(tail -n 1 "$FL_TMP/hf-boot.txt")"
	fi
}

# fl_run_hyperfine RUN: times spawning nop on the host with hyperfine, the
# cross-check of forkbench's host posix_spawn row.
fl_run_hyperfine() {
	local run=$1 cpu hf fb
	cpu=$(fl_host_cpu_pin)
	fl_msg "hyperfine: timing build/bench/nop spawns on CPU $cpu"
	if ! taskset -c "$cpu" hyperfine -N --style none --warmup 20 --runs "$FL_HF_RUNS" \
		--export-json "$FL_TMP/hf.json" "$FL_BUILD/bench/nop" >"$FL_TMP/hf.txt" 2>&1; then
		fl_msg "hyperfine failed: $(tail -n 1 "$FL_TMP/hf.txt")"
		FL_FAILURES="$FL_FAILURES
hyperfine: $(tail -n 1 "$FL_TMP/hf.txt")"
		return 0
	fi
	fl_atomic_copy "$FL_TMP/hf.json" "$run/hyperfine-nop.json"
	hf=$(awk -F': *' '/"median"/ { gsub(/[ ,]/, "", $2); printf "%.1f", $2 * 1e6; exit }' "$run/hyperfine-nop.json")
	fb=$(awk -F, '$1 == "host" && $3 == "posix_spawn" && $4 == 0 { printf "%.1f", $10 / 1e3; exit }' "$run/summary.csv")
	if [ -n "$fb" ]; then
		FL_HF_LINE="host spawn of nop: hyperfine median ${hf} us; forkbench posix_spawn (rss 0) median $fb us"
	else
		FL_HF_LINE="host spawn of nop: hyperfine median ${hf} us (forkbench posix_spawn at rss 0 not in this run)"
	fi
	fl_msg "$FL_HF_LINE"
}

fl_cmd_run() {
	local targets="" configs="" bench=$FL_DEFAULT_BENCH rss="" accel=auto t="" e target config
	local need="" n i=0 start t_entry eta left run nfail status=0 flavours="" f
	FL_QUICK=0
	while [ $# -gt 0 ]; do
		case $1 in
		--quick) FL_QUICK=1; shift ;;
		--targets | --configs | --bench | --rss | --accel | --timeout)
			[ $# -ge 2 ] || fl_usage_error "$1: missing value (see forklab help)"
			[ -n "$2" ] || fl_usage_error "$1: empty value (see forklab help)"
			case $1 in
			--targets) targets=$2 ;; --configs) configs=$2 ;; --bench) bench=$2 ;;
			--rss) rss=$2 ;; --accel) accel=$2 ;; --timeout) t=$2 ;;
			esac
			shift 2
			;;
		*) fl_usage_error "run: unknown option '$1' (see forklab help)" ;;
		esac
	done
	if [ -n "$targets" ]; then
		local IFS_save=$IFS
		IFS=,
		for e in $targets; do fl_check_target "$e"; done
		IFS=$IFS_save
	fi
	[ -n "$configs" ] || configs=$FL_DEFAULT_MATRIX
	FL_MATRIX=$(fl_run_matrix "$targets" "$configs")
	[ -n "$FL_MATRIX" ] || fl_usage_error "run: no configuration left (targets '$targets', configs '$configs')"
	fl_check_accel "$accel"
	if [ -z "$rss" ]; then
		rss=$FL_DEFAULT_RSS
		[ "$FL_QUICK" = 1 ] && rss=$FL_QUICK_RSS
	fi
	fl_check_rss "$rss"
	if [ -n "$t" ]; then
		fl_check_seconds --timeout "$t"
	elif [ "$FL_QUICK" = 1 ]; then
		t=$FL_TIMEOUT_QUICK
	else
		t=$FL_TIMEOUT_FULL
	fi
	FL_TIMEOUT=$t
	FL_BENCH=$bench
	FL_RSS=$rss
	FL_MEM=4G

	# Tools first, then the build, then names that need the build.
	case $FL_MATRIX in *fk:* | *linux:*) need="$need $FL_QEMU" ;; esac
	case $FL_MATRIX in *linux:*) need="$need cpio gzip" ;; esac
	case $FL_MATRIX in *host:*) need="$need taskset hyperfine" ;; esac
	# shellcheck disable=SC2086 # one word per command
	fl_need timeout gnuplot $need
	case $FL_MATRIX in
	*fk:*) fl_build ;;
	*) fl_build forkbench nop fkstat fkcalib ;;
	esac
	fl_check_bench "$bench"
	fl_tmpdir
	if [ -z "$FL_GUEST_FB" ]; then
		FL_GUEST_FB=$(fl_artefact bench/forkbench)
	else
		FL_GUEST_FB=$(fl_guest_program "$FL_GUEST_FB")
		fl_msg "guests boot $FL_GUEST_FB instead of forkbench (FORKLAB_GUEST_FORKBENCH)"
	fi

	if [ "$FL_QUICK" = 1 ]; then
		FL_FB_ARGS="$FL_FB_ARGS_QUICK --bench $bench --rss $rss --samples"
		FL_HF_RUNS=100
	else
		FL_FB_ARGS="$FL_FB_ARGS_FULL --bench $bench --rss $rss --samples"
		FL_HF_RUNS=300
	fi
	# Extra forkbench options (later options win in forkbench), e.g.
	# "--ci-width 0 --max-time 2" for long, fixed-time rows.
	if [ -n "${FORKLAB_FORKBENCH_ARGS:-}" ]; then
		fl_check_boot_words $FORKLAB_FORKBENCH_ARGS
		FL_FB_ARGS="$FL_FB_ARGS $FORKLAB_FORKBENCH_ARGS"
	fi
	for e in $FL_MATRIX; do
		[ "${e%%:*}" = linux ] || continue
		IFS=$'\t' read -r f _ <<<"$(fl_linux_check "${e#*:}")"
		fl_linux_kernel "$f" >/dev/null
		case " $flavours " in *" $f "*) ;; *) flavours="$flavours $f" ;; esac
	done
	FL_V_LINUX=""
	for f in $flavours; do
		FL_V_LINUX="$FL_V_LINUX${FL_V_LINUX:+ }$f=$(fl_linux_version "$f")"
	done
	[ -n "$FL_V_LINUX" ] || FL_V_LINUX=-

	FL_ACCEL=host
	FL_ACCEL_WHY="host only: no guest"
	case $FL_MATRIX in *fk:* | *linux:*) fl_accel_choose "$accel" ;; esac
	FL_PIN="-"
	FL_PERF=""
	FL_PERF_WHY="not used (no host entry)"
	case $FL_MATRIX in
	*host:*)
		if command -v perf >/dev/null 2>&1 && perf stat -x, -o /dev/null -- true >/dev/null 2>&1; then
			FL_PERF=1
			FL_PERF_WHY="perf stat -x, around the host run (perf-host.csv; unsupported counters are listed as <not supported>)"
		else
			FL_PERF_WHY="perf stat unavailable: $( (perf stat -x, -o /dev/null -- true 2>&1 || true) | head -n 1)"
		fi
		;;
	esac

	FL_RUN_DATE=$(date -Iseconds)
	FL_GIT_REV=$(fl_git_rev)
	FL_V_QEMU=$(fl_tool_version "$FL_QEMU" --version)
	FL_V_GNUPLOT=$(fl_tool_version gnuplot --version)
	FL_V_HYPERFINE=$(fl_tool_version hyperfine --version)
	FL_V_GCC=$(fl_tool_version gcc --version)
	FL_V_MUSL="musl $(dpkg-query -W -f='${Version}' musl-tools 2>/dev/null || echo -)"
	FL_V_PERF=$(fl_tool_version perf --version)
	FL_FAILURES=""
	FL_HF_LINE=""
	run=$(fl_new_run)
	echo "$FL_SUMMARY_HDR" | fl_atomic_write "$run/summary.csv"
	echo "$FL_SAMPLES_HDR" | fl_atomic_write "$run/samples.csv"
	echo "$FL_PHASES_HDR" | fl_atomic_write "$run/phases.csv"
	echo "$FL_BOOTS_HDR" | fl_atomic_write "$run/boots.csv"
	fl_write_meta "$run" running
	fl_set_latest "$run"
	trap 'FL_INTERRUPTED=1' INT TERM

	n=$(printf '%s\n' $FL_MATRIX | wc -l)
	fl_msg "run $(basename "$run"): $n entries ($(echo $FL_MATRIX))"
	[ "$FL_ACCEL" = host ] || fl_msg "guests run under $FL_ACCEL: their rows carry clock $(fl_clock_of "$FL_ACCEL")"
	fl_msg "benchmarks $bench at sizes $rss; per-boot timeout ${FL_TIMEOUT} s"
	if [ "$FL_QUICK" = 1 ]; then
		fl_msg "this takes up to about 2 minutes (--quick); Ctrl-C keeps what finished"
	else
		fl_msg "this takes up to about 10 minutes; Ctrl-C keeps what finished"
	fi
	start=$(date +%s)
	for e in $FL_MATRIX; do
		[ "$FL_INTERRUPTED" = 1 ] && break
		i=$((i + 1))
		target=${e%%:*}
		config=${e#*:}
		if [ "$target" = host ]; then
			FL_ENTRY_ACCEL=host
		else
			FL_ENTRY_ACCEL=$FL_ACCEL
		fi
		FL_ENTRY_CLOCK=$(fl_clock_of "$FL_ENTRY_ACCEL")
		if [ $i -gt 1 ]; then
			left=$(( ($(date +%s) - start) * (n - i + 1) / (i - 1) ))
			eta="ETA $((left / 60))m$((left % 60))s"
		else
			eta="ETA unknown"
		fi
		printf 'forklab: [%d/%d] %s %s (%s): %s; %s\n' "$i" "$n" "$target" "$config" \
			"$FL_ENTRY_CLOCK" "$bench" "$eta" >&2
		t_entry=$(date +%s)
		fl_run_entry "$run" "$target" "$config"
		if [ "$FL_ENTRY_STATUS" != 0 ] && [ "$FL_INTERRUPTED" != 1 ]; then
			FL_FAILURES="$FL_FAILURES
$target:$config: $FL_ENTRY_WHY"
			fl_msg "FAILED $target:$config: $FL_ENTRY_WHY; last lines of $FL_LAST_LOG:"
			tail -n 15 "$FL_LAST_LOG" | sed 's/^/  | /' >&2
		else
			[ "$FL_INTERRUPTED" = 1 ] || fl_msg "done $target:$config in $(( $(date +%s) - t_entry )) s"
		fi
		if [ "$target" = host ] && [ "$FL_INTERRUPTED" != 1 ]; then
			fl_run_hyperfine "$run"
		elif [ "$FL_ENTRY_STATUS" = 0 ] && [ "$FL_INTERRUPTED" != 1 ]; then
			fl_hyperfine_boot "$run" "$target" "$config"
		fi
		fl_write_meta "$run" running
	done
	trap - INT TERM

	if [ "$FL_INTERRUPTED" = 1 ]; then
		fl_write_meta "$run" interrupted
		fl_msg "interrupted: results so far are in $run (marked interrupted in meta.json)"
		exit 1
	fi
	fl_write_meta "$run" complete

	if [ "$(fl_fkstat check summary "$run/summary.csv")" -gt 0 ]; then
		# Plots and the HTML report; a subshell, so a plotting error cannot end the run.
		(fl_cmd_report "$(basename "$run")") || fl_msg "plotting failed; the results are kept in $run"
		fl_fkstat table "$run/summary.csv"
	else
		fl_msg "no results to summarize or plot"
	fi
	[ -z "$FL_HF_LINE" ] || echo "$FL_HF_LINE"
	echo "results: $run"
	echo "plots:   $FL_PLOTS/$(basename "$run")"
	nfail=$(printf '%s\n' "$FL_FAILURES" | grep -c . || true)
	if [ "$nfail" -gt 0 ]; then
		echo "failed ($nfail):"
		printf '%s\n' "$FL_FAILURES" | grep . | sed 's/^/  /'
		status=1
	fi
	exit "$status"
}

# ---- compare ----

fl_cmd_compare() {
	local a="" b="" base="" fail="" da db out args=""
	while [ $# -gt 0 ]; do
		case $1 in
		--base) [ $# -ge 2 ] || fl_usage_error "--base: missing value (accepted: TARGET:CONFIG)"
			base=$2; shift 2 ;;
		--fail-above) [ $# -ge 2 ] || fl_usage_error "--fail-above: missing value (accepted: a percentage)"
			fail=$2; shift 2 ;;
		-*) fl_usage_error "compare: unknown option '$1' (accepted: --base, --fail-above)" ;;
		*)
			if [ -z "$a" ]; then a=$1; elif [ -z "$b" ]; then b=$1; else
				fl_usage_error "compare: unexpected argument '$1' (usage: compare RUN_A RUN_B | compare RUN --base TARGET:CONFIG)"
			fi
			shift
			;;
		esac
	done
	[ -n "$a" ] || fl_usage_error "compare: no run given (usage: compare RUN_A RUN_B | compare RUN --base TARGET:CONFIG)"
	if [ -n "$fail" ] && ! printf '%s\n' "$fail" | grep -Eq '^[0-9]+(\.[0-9]+)?$'; then
		fl_usage_error "--fail-above: bad value '$fail' (accepted: a percentage such as 5)"
	fi
	if [ -n "$base" ]; then
		[ -z "$b" ] || fl_usage_error "compare: --base takes one run, got '$a' and '$b'"
		case $base in
		*:*) fl_check_config "${base%%:*}" "${base#*:}" ;;
		*) fl_usage_error "--base: bad value '$base' (accepted: TARGET:CONFIG, e.g. fk:default)" ;;
		esac
	else
		[ -n "$b" ] || fl_usage_error "compare: two runs needed (or one with --base TARGET:CONFIG)"
	fi
	da=$(fl_resolve_run "$a")
	[ -z "$b" ] || db=$(fl_resolve_run "$b")
	fl_build fkstat
	fl_tmpdir
	out=$FL_TMP/compare.csv
	[ -z "$fail" ] || args="--fail-above $fail"
	local status=0
	if [ -n "$base" ]; then
		# The table is printed only when fkstat succeeds, so an error is one line.
		# shellcheck disable=SC2086 # optional option words
		fl_fkstat compare --base "$base" --csv "$out" $args "$da/samples.csv" >"$FL_TMP/cmp.txt" ||
			status=$?
		[ "$status" -ge 2 ] && exit 2
		echo "compare $(basename "$da"): every configuration against $base (B/A, A = $base)"
		cat "$FL_TMP/cmp.txt"
		fl_atomic_copy "$out" "$da/compare-base-$(printf '%s' "$base" | tr ':/' '__').csv"
		echo "written: $da/compare-base-$(printf '%s' "$base" | tr ':/' '__').csv"
	else
		# The comparison is stored with the later of the two runs.
		local later=$db
		[ "$(basename "$da")" \> "$(basename "$db")" ] && later=$da
		# shellcheck disable=SC2086 # optional option words
		fl_fkstat compare --csv "$out" $args "$da/samples.csv" "$db/samples.csv" >"$FL_TMP/cmp.txt" ||
			status=$?
		[ "$status" -ge 2 ] && exit 2
		echo "compare A=$(basename "$da") B=$(basename "$db") (B/A)"
		cat "$FL_TMP/cmp.txt"
		fl_atomic_copy "$out" "$later/compare-$(basename "$da")-$(basename "$db").csv"
		echo "written: $later/compare-$(basename "$da")-$(basename "$db").csv"
	fi
	exit "$status"
}
