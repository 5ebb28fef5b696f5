# forklab harness: the `linux` target's kernel and initramfs.
#
# Debian's kernel packages are fetched with `apt-get download` into
# .cache/linux/<flavour>/ and unpacked there with dpkg-deb; nothing is
# installed.  Delete that directory to fetch a newer kernel.

# fl_linux_package FLAVOUR: the metapackage of a flavour.
fl_linux_package() {
	case $1 in
	default) echo linux-image-amd64 ;;
	cloud) echo linux-image-cloud-amd64 ;;
	rt) echo linux-image-rt-amd64 ;;
	*) fl_usage_error "unknown linux flavour '$1' (accepted: default, cloud, rt)" ;;
	esac
}

# fl_linux_kernel FLAVOUR: prints the path of the cached vmlinuz, fetching
# it first when needed.
fl_linux_kernel() {
	local flavour=$1 dir meta pkg work deb
	dir=$FL_CACHE/linux/$flavour
	if [ -s "$dir/vmlinuz" ]; then
		printf '%s\n' "$dir/vmlinuz"
		return 0
	fi
	fl_need apt-get apt-cache dpkg-deb
	meta=$(fl_linux_package "$flavour")
	# The metapackage depends on the versioned image package.
	pkg=$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then
		apt-get update >&2 || true
		pkg=$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	fi
	[ -n "$pkg" ] || fl_die "cannot resolve the kernel package of $meta (run apt-get update as root)"
	fl_msg "fetching $pkg (flavour $flavour) into $dir"
	mkdir -p "$FL_CACHE/linux" || fl_die "cannot create $FL_CACHE/linux"
	work=$(mktemp -d "$FL_CACHE/linux/.fetch.XXXXXX")
	if ! (cd "$work" && apt-get download "$pkg" >download.log 2>&1); then
		tail -n 5 "$work/download.log" >&2
		rm -rf "$work"
		fl_die "apt-get download $pkg failed"
	fi
	deb=$(ls "$work"/*.deb)
	if ! dpkg-deb -x "$deb" "$work/x" || ! ls "$work"/x/boot/vmlinuz-* >/dev/null 2>&1; then
		rm -rf "$work"
		fl_die "$deb contains no boot/vmlinuz-*: the package layout is not the expected one"
	fi
	mkdir -p "$dir"
	cp "$work"/x/boot/vmlinuz-* "$dir/vmlinuz.tmp"
	basename "$deb" .deb >"$dir/package"
	mv -f "$dir/vmlinuz.tmp" "$dir/vmlinuz"
	rm -rf "$work"
	printf '%s\n' "$dir/vmlinuz"
}

# fl_linux_version FLAVOUR: the cached package name and version, or "-".
fl_linux_version() {
	cat "$FL_CACHE/linux/$1/package" 2>/dev/null || echo -
}

# fl_linux_initramfs PROGRAM: builds a gzip'd newc cpio in FL_TMP with
# PROGRAM as /init and nop and forkbench in /bin; prints its path.
fl_linux_initramfs() {
	local prog=$1 root out f
	fl_need cpio gzip
	root=$(mktemp -d "$FL_TMP/initramfs.XXXXXX")
	mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/tmp"
	cp "$prog" "$root/init"
	for f in "$FL_BUILD/bench/nop" "$FL_BUILD/bench/forkbench"; do
		[ -f "$f" ] && cp "$f" "$root/bin/"
	done
	out=$root.cpio.gz
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$out" ||
		fl_die "cannot build the initramfs"
	rm -rf "$root"
	printf '%s\n' "$out"
}
