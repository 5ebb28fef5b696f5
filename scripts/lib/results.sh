# forklab harness: run directories and their files.
#
# results/<run-id>/ holds summary.csv, samples.csv, phases.csv, meta.json,
# boots.csv (wall time of every boot), hyperfine-nop.json, perf-host.csv and
# boots/<target>-<config>.log.  Every file is replaced atomically as each
# part of the run finishes.

FL_SUMMARY_HDR="target,config,bench,rss_bytes,param,clock,n,min_ns,p25_ns,median_ns,p75_ns,p90_ns,p99_ns,max_ns,mean_ns,stddev_ns,ci95_lo_ns,ci95_hi_ns,timer"
FL_SAMPLES_HDR="target,config,bench,rss_bytes,param,clock,index,ns"
FL_PHASES_HDR="target,config,rss_bytes,param,clock,phase,median_ns"
FL_BOOTS_HDR="target,config,accel,status,wall_s,why"

# fl_fkstat ARGS...: the built host tool.
fl_fkstat() { "$FL_BUILD/scripts/fkstat" "$@"; }

# fl_run_ids: existing run ids, newest last.
fl_run_ids() {
	local d
	for d in "$FL_RESULTS"/[0-9]*-[0-9]*; do
		[ -f "$d/meta.json" ] && basename "$d"
	done 2>/dev/null | sort
}

# fl_resolve_run RUN: prints the directory of a run given by id, `latest`
# or path; exits 2 naming the accepted ids otherwise.
fl_resolve_run() {
	local r=$1 d ids
	case $r in
	latest)
		[ -e "$FL_RESULTS/latest" ] || fl_usage_error "no runs yet in $FL_RESULTS (run forklab run first)"
		d=$(cd "$FL_RESULTS/latest" && pwd -P)
		;;
	*/*) d=$r ;;
	*) d=$FL_RESULTS/$r ;;
	esac
	if [ ! -d "$d" ] || [ ! -f "$d/meta.json" ]; then
		ids=$(fl_run_ids | tail -n 5 | tr '\n' ' ')
		fl_usage_error "unknown run '$r' (accepted: latest, a run directory, or a run id in $FL_RESULTS${ids:+: ${ids% }})"
	fi
	(cd "$d" && pwd -P)
}

# fl_new_run: creates results/<run-id>/ and prints its path.
fl_new_run() {
	local id d n=1
	id=$(date +%Y%m%d-%H%M%S)
	mkdir -p "$FL_RESULTS"
	d=$FL_RESULTS/$id
	while ! mkdir "$d" 2>/dev/null; do
		n=$((n + 1))
		d=$FL_RESULTS/$id-$n
	done
	mkdir -p "$d/boots"
	printf '%s\n' "$d"
}

# fl_set_latest RUNDIR: results/latest points at RUNDIR (relative link).
fl_set_latest() {
	ln -sfn "$(basename "$1")" "$FL_RESULTS/.latest.tmp"
	mv -Tf "$FL_RESULTS/.latest.tmp" "$FL_RESULTS/latest"
}

# fl_tool_version CMD...: first line of a tool's version output, or "-".
fl_tool_version() {
	local v
	v=$("$@" 2>&1 | head -n 1) || true
	printf '%s\n' "${v:--}"
}

# fl_host_cpu: the host CPU model.
fl_host_cpu() {
	awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo -
}

# fl_git_rev: the checked-out revision, "-dirty" when the tree has changes.
fl_git_rev() {
	local r
	r=$(git -C "$FL_ROOT" rev-parse HEAD 2>/dev/null) || { echo -; return; }
	if [ -n "$(git -C "$FL_ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
		r="$r-dirty"
	fi
	printf '%s\n' "$r"
}
