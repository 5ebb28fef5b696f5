# forklab harness: booting the forklab kernel and Debian's Linux under QEMU.
#
# Both boots write into files the caller names (regular files, or FIFOs when
# the caller streams them) and set FL_BOOT_STATUS (the exit status of
# `forklab boot`, see the contract) and FL_BOOT_WHY (one line saying what
# happened).

FL_QEMU=qemu-system-x86_64

# fl_accel_args ACCEL: QEMU options of an accelerator (not auto).
fl_accel_args() {
	case $1 in
	tcg) echo "-accel tcg" ;;
	icount) echo "-accel tcg -icount shift=0,sleep=off" ;;
	# QEMU 7.2 refuses the host CPU model on kernels that hide
	# arch-capabilities (as a software KVM does) unless it is dropped.
	kvm) echo "-accel kvm -cpu host,-arch-capabilities" ;;
	*) fl_die "fl_accel_args: bad accelerator '$1'" ;;
	esac
}

# fl_guest_program NAME-OR-PATH: the host path of a guest program.  A bare
# name is looked up among the built guest programs.
fl_guest_program() {
	local p=$1 d
	if [ -f "$p" ]; then
		printf '%s\n' "$(cd "$(dirname "$p")" && pwd)/$(basename "$p")"
		return 0
	fi
	case $p in
	*/*) ;;
	*)
		for d in bench tests/guest tests/harness scripts; do
			if [ -f "$FL_BUILD/$d/$p" ]; then
				printf '%s\n' "$FL_BUILD/$d/$p"
				return 0
			fi
		done
		;;
	esac
	fl_usage_error "program '$p' not found (accepted: a path to a static x86-64 program, or the name of a built guest program)"
}

# fl_check_boot_words WORD...: arguments travel on the kernel command line,
# which splits at spaces.
fl_check_boot_words() {
	local w
	for w in "$@"; do
		case $w in
		'' | *[[:space:]]* | *'"'*)
			fl_usage_error "program argument '$w' cannot go on a kernel command line (accepted: non-empty words without spaces or quotes)" ;;
		esac
	done
}

# fl_fk_modules PROGRAM: the -initrd module list: PROGRAM as /init, guest
# tests, nop and forkbench as /bin/NAME.  QEMU splits this list at commas
# and the kernel splits each entry at the space.
fl_fk_modules() {
	local list f
	list="$1 /init"
	for f in "$FL_BUILD"/tests/guest/* "$FL_BUILD"/bench/nop "$FL_BUILD"/bench/forkbench; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		list="$list,$f /bin/$(basename "$f")"
	done
	printf '%s\n' "$list"
}

# fl_run_qemu TIMEOUT QERR ARGS...: runs QEMU under a timeout; sets
# FL_QEMU_STATUS.  SIGKILL follows 5 s after SIGTERM for a stuck QEMU.
#
# With FL_KVM_STAT set to a file name and the boot under KVM, QEMU runs
# inside `perf kvm stat record` and the VM-exit report goes to that file;
# where perf cannot record KVM events, the file says why instead.
fl_run_qemu() {
	local t=$1 qerr=$2 wrap=""
	shift 2
	FL_BOOT_TIMEOUT=$t
	if [ -n "${FL_KVM_STAT:-}" ] && [[ " $* " == *" -accel kvm "* ]]; then
		if perf kvm stat record -q -o "$FL_KVM_STAT.data" -- true >/dev/null 2>&1; then
			wrap="perf kvm stat record -q -o $FL_KVM_STAT.data --"
		else
			echo "perf kvm stat unavailable: $( (perf kvm stat record -o /dev/null -- true 2>&1 || true) | tail -n 1)" >"$FL_KVM_STAT"
		fi
	fi
	# shellcheck disable=SC2086 # $wrap is empty or a fixed command prefix
	fl_wait_bg timeout -k 5 "$t" $wrap "$FL_QEMU" -nodefaults -display none -no-reboot -monitor none \
		-device isa-debug-exit,iobase=0xf4,iosize=4 "$@" </dev/null 2>"$qerr"
	FL_QEMU_STATUS=$FL_BG_STATUS
	if [ -n "$wrap" ]; then
		perf kvm -i "$FL_KVM_STAT.data" stat report --event=vmexit >"$FL_KVM_STAT" 2>&1 ||
			echo "perf kvm stat report failed" >>"$FL_KVM_STAT"
		rm -f "$FL_KVM_STAT.data"
	fi
}

# fl_fk_decode KLOG QSTATUS: sets FL_BOOT_STATUS and FL_BOOT_WHY from the
# kernel log's verdict line, cross-checked with QEMU's status.
fl_fk_decode() {
	local klog=$1 q=$2 last n
	last=$(grep -a -E '^forklab: (halt|panic): ' "$klog" 2>/dev/null | tail -n 1 | tr -d '\r') || true
	case $last in
	"forklab: halt: init exited with status "*)
		n=${last##* }
		FL_BOOT_STATUS=$n
		FL_BOOT_WHY="init exited with status $n"
		;;
	"forklab: halt: init killed by signal "*)
		n=${last##* }
		FL_BOOT_STATUS=$((128 + n))
		FL_BOOT_WHY="init killed by signal $n"
		;;
	"forklab: halt: invalid configuration"*)
		FL_BOOT_STATUS=2
		FL_BOOT_WHY="the kernel rejected the configuration"
		;;
	"forklab: panic: "*)
		FL_BOOT_STATUS=125
		FL_BOOT_WHY="kernel panic: ${last#forklab: panic: }"
		;;
	*)
		if [ "$q" = 124 ]; then
			FL_BOOT_STATUS=124
			FL_BOOT_WHY="timed out after $FL_BOOT_TIMEOUT s"
		elif [ "$q" = 0 ]; then
			FL_BOOT_STATUS=126
			FL_BOOT_WHY="the machine reset (triple fault) before the kernel said why"
		else
			FL_BOOT_STATUS=126
			FL_BOOT_WHY="QEMU failed (status $q) before the kernel said why"
		fi
		return 0
		;;
	esac
	# A verdict line, yet QEMU timed out: the kernel hung after printing it.
	if [ "$q" = 124 ]; then
		FL_BOOT_STATUS=124
		FL_BOOT_WHY="timed out after $FL_BOOT_TIMEOUT s, after the kernel printed '$last'"
	fi
}

# fl_fk_backtrace KLOG: the panic message and its backtrace, resolved.
fl_fk_backtrace() {
	local elf=$FL_BUILD/kernel/forklab.elf addr line
	grep -a -E '^forklab: (panic|bt): ' "$1" | tr -d '\r' | while IFS= read -r line; do
		case $line in
		"forklab: bt: "*)
			addr=${line#forklab: bt: }
			if [ -f "$elf" ] && command -v addr2line >/dev/null 2>&1; then
				printf '  %s %s\n' "$addr" "$(addr2line -f -i -p -C -e "$elf" "$addr" 2>/dev/null | tr '\n' ' ')"
			else
				printf '  %s (no %s to resolve it)\n' "$addr" "$elf"
			fi
			;;
		*) printf '%s\n' "$line" ;;
		esac
	done
}

# fl_boot_fk OUT ERR KLOG QERR ACCEL MEMORY TIMEOUT APPEND PROGRAM [ARGS...]
fl_boot_fk() {
	local out=$1 err=$2 klog=$3 qerr=$4 accel=$5 mem=$6 t=$7 append=$8 prog=$9 kernel modules
	shift 9
	kernel=$FL_BUILD/kernel/forklab
	[ -f "$kernel" ] || fl_die "forklab kernel $kernel is missing: build it (cmake --build build) before booting target fk"
	case $prog in *,* | *[[:space:]]*)
		fl_usage_error "program path '$prog' contains a comma or a space (QEMU module lists cannot carry them)" ;;
	esac
	modules=$(fl_fk_modules "$prog")
	# shellcheck disable=SC2046 # accelerator options are separate words
	fl_run_qemu "$t" "$qerr" -kernel "$kernel" -m "$mem" \
		-chardev file,id=fkout,path="$out" -serial chardev:fkout \
		-chardev file,id=fkerr,path="$err" -serial chardev:fkerr \
		-chardev file,id=fklog,path="$klog" -serial chardev:fklog \
		-append "$append${append:+ }-- $*" -initrd "$modules" $(fl_accel_args "$accel")
	fl_fk_decode "$klog" "$FL_QEMU_STATUS"
}

# fl_linux_decode CONSOLE QSTATUS: status from the console of a Linux guest:
# forkbench's own `forkbench: exit N`, else the kernel's panic when init
# ended ("Attempted to kill init! exitcode=0xWAITSTATUS").
fl_linux_decode() {
	local console=$1 q=$2 line code
	line=$(tr -d '\r' <"$console" | grep -a -E '^forkbench: exit [0-9]+$' | tail -n 1) || true
	if [ -n "$line" ]; then
		FL_BOOT_STATUS=${line##* }
		FL_BOOT_WHY="forkbench exited with status $FL_BOOT_STATUS"
	else
		code=$(tr -d '\r' <"$console" | grep -a -o -E 'Attempted to kill init! exitcode=0x[0-9a-fA-F]+' |
			tail -n 1 | sed 's/.*=0x//') || true
		if [ -n "$code" ]; then
			code=$((16#$code))
			if [ $((code & 127)) -ne 0 ]; then
				FL_BOOT_STATUS=$((128 + (code & 127)))
				FL_BOOT_WHY="init killed by signal $((code & 127))"
			else
				FL_BOOT_STATUS=$(((code >> 8) & 255))
				FL_BOOT_WHY="init exited with status $FL_BOOT_STATUS"
			fi
		elif grep -a -q 'Kernel panic' "$console"; then
			FL_BOOT_STATUS=125
			FL_BOOT_WHY="kernel panic: $(tr -d '\r' <"$console" | grep -a -m1 -o 'Kernel panic.*')"
		elif [ "$q" = 124 ]; then
			FL_BOOT_STATUS=124
			FL_BOOT_WHY="timed out after $FL_BOOT_TIMEOUT s"
		else
			FL_BOOT_STATUS=126
			FL_BOOT_WHY="QEMU ended (status $q) without an exit status from the guest"
		fi
	fi
	if [ "$q" = 124 ] && [ "$FL_BOOT_STATUS" != 124 ]; then
		FL_BOOT_WHY="timed out after $FL_BOOT_TIMEOUT s ($FL_BOOT_WHY)"
		FL_BOOT_STATUS=124
	fi
}

# fl_boot_linux CONSOLE QERR ACCEL MEMORY TIMEOUT FLAVOUR EXTRA LOGLEVEL PROGRAM [ARGS...]
# The console (ttyS0) carries the kernel's messages and the program's
# stdout and stderr together; Linux gives init no separate channels.
# Sets FL_QEMU_STATUS only: the caller decodes the console with
# fl_linux_decode once it is a complete file.
fl_boot_linux() {
	local console=$1 qerr=$2 accel=$3 mem=$4 t=$5 flavour=$6 extra=$7 loglevel=$8 prog=$9
	local vmlinuz initrd
	shift 9
	vmlinuz=$(fl_linux_kernel "$flavour")
	fl_tmpdir
	initrd=$(fl_linux_initramfs "$prog")
	# shellcheck disable=SC2046 # accelerator options are separate words
	fl_run_qemu "$t" "$qerr" -kernel "$vmlinuz" -initrd "$initrd" -m "$mem" \
		-chardev file,id=console,path="$console" -serial chardev:console \
		-append "console=ttyS0 quiet loglevel=$loglevel panic=-1${extra:+ $extra} -- $*" \
		$(fl_accel_args "$accel")
}
