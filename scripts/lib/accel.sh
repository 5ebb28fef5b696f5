# forklab harness: choosing the accelerator and naming the clock.
#
# `--accel auto` takes KVM only when /dev/kvm is usable and a calibration
# boot runs guest code at near-native speed: a /dev/kvm backed by a software
# hypervisor exists on some build machines and runs guests hundreds of times
# slower than TCG.  Otherwise it takes TCG with -icount, whose virtual clock
# counts one nanosecond per guest instruction and repeats run to run.

FL_CALIB_ITER=100000000		# fkcalib iterations, about 0.1 s natively
FL_CALIB_TIMEOUT=5		# seconds a calibration boot may take
FL_ACCEL_CACHE_AGE=3600		# seconds a calibration verdict is reused

# fl_clock_of ACCEL: the clock name result rows carry.
fl_clock_of() { echo "$1"; }

# fl_calib_boot KERNELKIND ITERATIONS: one calibration boot under KVM with a
# short timeout; prints "ok SECONDS" (wall time) or "fail REASON".
fl_calib_boot() {
	local kind=$1 iter=$2 calib dir t0 t1
	calib=$FL_BUILD/scripts/fkcalib
	fl_tmpdir
	dir=$(mktemp -d "$FL_TMP/calib.XXXXXX")
	t0=$(fl_now_ns)
	if [ "$kind" = fk ]; then
		fl_boot_fk "$dir/out" "$dir/err" "$dir/klog" "$dir/qerr" kvm 256M \
			"$FL_CALIB_TIMEOUT" "" "$calib" "$iter"
	else
		fl_boot_linux "$dir/out" "$dir/qerr" kvm 512M "$FL_CALIB_TIMEOUT" default "" 1 \
			"$calib" "$iter"
		fl_linux_decode "$dir/out" "$FL_QEMU_STATUS"
	fi
	t1=$(fl_now_ns)
	if [ "$FL_BOOT_STATUS" != 0 ]; then
		printf 'fail %s\n' "$FL_BOOT_WHY"
		return 0
	fi
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "ok %.3f\n", (b - a) / 1e9 }'
}

# fl_accel_calibrate: sets FL_ACCEL and FL_ACCEL_WHY for `auto`.
fl_accel_calibrate() {
	local kind calib t0 t_host t_empty t_loop key cache now
	FL_ACCEL=icount
	if [ ! -c /dev/kvm ] || [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		FL_ACCEL_WHY="no usable /dev/kvm"
		return 0
	fi
	calib=$FL_BUILD/scripts/fkcalib
	if [ -f "$FL_BUILD/kernel/forklab" ]; then
		kind=fk
	elif [ -s "$FL_CACHE/linux/default/vmlinuz" ]; then
		kind=linux
	else
		FL_ACCEL_WHY="/dev/kvm present but no kernel built to calibrate it with"
		return 0
	fi
	if [ ! -x "$calib" ]; then
		FL_ACCEL_WHY="/dev/kvm present but $calib is not built"
		return 0
	fi

	# A verdict stays valid for the same kernel image and QEMU for a while.
	key="$kind $(stat -c '%s %Y' "$FL_BUILD/kernel/forklab" "$FL_CACHE/linux/default/vmlinuz" 2>/dev/null | tr '\n' ' ')$($FL_QEMU --version | head -n 1)"
	cache=$FL_BUILD/forklab-accel.cache
	now=$(date +%s)
	if [ -f "$cache" ] && [ "$(sed -n 1p "$cache")" = "$key" ] &&
		[ $((now - $(sed -n 2p "$cache"))) -lt $FL_ACCEL_CACHE_AGE ]; then
		FL_ACCEL=$(sed -n 3p "$cache")
		FL_ACCEL_WHY="$(sed -n 4p "$cache") (calibrated $((now - $(sed -n 2p "$cache"))) s ago)"
		return 0
	fi

	fl_tmpdir
	fl_msg "calibrating /dev/kvm with $kind (at most $((2 * FL_CALIB_TIMEOUT)) s)"
	t0=$(fl_now_ns)
	"$calib" "$FL_CALIB_ITER" >/dev/null
	t_host=$(awk -v a="$t0" -v b="$(fl_now_ns)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	t_empty=$(fl_calib_boot "$kind" 1)
	if [ "${t_empty%% *}" != ok ]; then
		FL_ACCEL_WHY="KVM unusable or too slow: the calibration boot under kvm (limit ${FL_CALIB_TIMEOUT} s) failed: ${t_empty#fail }"
	else
		t_empty=${t_empty#ok }
		t_loop=$(fl_calib_boot "$kind" "$FL_CALIB_ITER")
		if [ "${t_loop%% *}" != ok ]; then
			FL_ACCEL_WHY="KVM too slow: $FL_CALIB_ITER loop iterations under kvm failed (${t_loop#fail }) where the host needs ${t_host} s"
		else
			t_loop=${t_loop#ok }
			t_loop=$(awk -v l="$t_loop" -v e="$t_empty" 'BEGIN { printf "%.3f", l - e }')
			if awk -v l="$t_loop" -v h="$t_host" 'BEGIN { exit !(l <= 2 * h + 0.05) }'; then
				FL_ACCEL=kvm
				FL_ACCEL_WHY="KVM runs guest code at near-native speed (loop: $t_loop s in the guest, $t_host s natively)"
			else
				FL_ACCEL_WHY="KVM too slow: the loop took $t_loop s in the guest against $t_host s natively"
			fi
		fi
	fi
	printf '%s\n%s\n%s\n%s\n' "$key" "$now" "$FL_ACCEL" "$FL_ACCEL_WHY" >"$cache"
}

# fl_accel_choose REQUESTED: sets FL_ACCEL and FL_ACCEL_WHY.
fl_accel_choose() {
	case $1 in
	auto)
		fl_accel_calibrate
		if [ "$FL_ACCEL" != kvm ]; then
			fl_msg "accelerator: icount ($FL_ACCEL_WHY)"
		else
			fl_msg "accelerator: kvm ($FL_ACCEL_WHY)"
		fi
		;;
	*)
		FL_ACCEL=$1
		FL_ACCEL_WHY="requested with --accel $1"
		;;
	esac
}
