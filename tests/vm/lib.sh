# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Shared by scripts/vm-test (two QEMU guests) and scripts/fvp-run (two
# realms on an Arm FVP): Debian packages, the arm64 kernel and busybox from
# Debian's archive, the statically linked guest program and the guest
# initramfs. Source it from the repository root after defining say() and
# die(); nothing here exits by itself except through die().

# The cross toolchain and the static :arm64 archives vm_peer links against.
VM_BUILD_PKGS=(cpio gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	libssl-dev:arm64 libmbedtls-dev:arm64 liburcu-dev:arm64
	qemu-user-static meson ninja-build)

vm_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null |
		grep -q 'install ok installed'
}

# vm_missing PKG...: print the packages that are not installed.
vm_missing() {
	local p
	for p in "$@"; do vm_installed "$p" || echo "$p"; done
}

vm_arm64_arch() {
	dpkg --print-foreign-architectures | grep -qx arm64 ||
		dpkg --add-architecture arm64
}

# vm_apt_install LOG PKG...: as root, without recommends. Status of apt.
vm_apt_install() {
	local log=$1
	shift
	vm_arm64_arch
	apt-get update -qq >"$log" 2>&1 || true
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "$@" >>"$log" 2>&1
}

# One apt-cache call (it is slow): the kernel package that the
# linux-image-arm64:arm64 metapackage depends on today (e.g.
# linux-image-6.1.0-NN-arm64) with its version, and busybox-static's.
# Sets vm_kpkg, vm_kver, vm_bver (empty when apt knows nothing).
vm_resolve() {
	local out
	vm_kpkg= vm_kver= vm_bver=
	out=$(apt-cache show --no-all-versions linux-image-arm64:arm64 \
		busybox-static:arm64 2>/dev/null | awk '
		/^Package:/ { p = $2 }
		p == "linux-image-arm64" && /^Depends:/ {
			for (i = 2; i <= NF; i++)
				if ($i ~ /^linux-image-/) {
					v = $(i + 2); sub(/,$/, "", v); sub(/\)$/, "", v)
					print "vm_kpkg=\047" $i "\047"
					print "vm_kver=\047" v "\047"
					break
				}
		}
		p == "busybox-static" && /^Version:/ {
			print "vm_bver=\047" $2 "\047"
		}') || true
	eval "$out"
}

# vm_fetch CACHE PACKAGE MEMBER OUT: download one .deb with apt-get download
# and keep only MEMBER (a tar pattern) as OUT.
vm_fetch() {
	local cache=$1 pkg=$2 member=$3 out=$4 tmp f
	tmp=$(mktemp -d "$cache/dl.XXXXXX")
	# As root into a folder _apt cannot write: unsandboxed, no warning.
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg") \
		>"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; rm -rf "$tmp"; return 1; }
	mkdir "$tmp/x"
	# tar stops at the first match; dpkg-deb then sees a broken pipe.
	dpkg-deb --fsys-tarfile "$tmp"/*.deb 2>/dev/null |
		tar -x -C "$tmp/x" --wildcards --occurrence=1 "$member" || true
	f=$(find "$tmp/x" -type f | head -1)
	[ -n "$f" ] || { say "no $member in $pkg"; rm -rf "$tmp"; return 1; }
	mv "$f" "$out"
	rm -rf "$tmp"
}

vm_fname() { echo "$1" | tr ':~' '__'; }

# vm_get_images CACHE LOG [nokernel]: set vm_kernel (Debian's arm64 vmlinuz)
# and vm_busybox (busybox-static:arm64's binary), downloading them into
# CACHE when the versions apt offers today are not there yet. Without
# package lists (offline, not root) the newest cached ones are used.
vm_get_images() {
	local cache=$1 log=$2 want_kernel=${3:-kernel}
	mkdir -p "$cache"
	vm_resolve
	if [ -z "$vm_kpkg" ] && [ "$(id -u)" -eq 0 ]; then
		vm_arm64_arch
		apt-get update -qq >"$log" 2>&1 || true
		vm_resolve
	fi
	vm_kernel=
	if [ "$want_kernel" = kernel ]; then
		if [ -n "$vm_kpkg" ] && [ -n "$vm_kver" ]; then
			vm_kernel=$cache/vmlinuz_${vm_kpkg}_$(vm_fname "$vm_kver")
			if [ ! -s "$vm_kernel" ]; then
				say "downloading $vm_kpkg:arm64 $vm_kver (only boot/vmlinuz-* is kept)"
				vm_fetch "$cache" "$vm_kpkg:arm64=$vm_kver" \
					'./boot/vmlinuz-*' "$vm_kernel" ||
					die "cannot download the arm64 kernel package $vm_kpkg"
			fi
		else
			vm_kernel=$(ls -t "$cache"/vmlinuz_* 2>/dev/null | head -1 || true)
			[ -n "$vm_kernel" ] ||
				die "cannot resolve linux-image-arm64:arm64 (dpkg --add-architecture arm64; apt-get update)"
		fi
	fi
	if [ -n "$vm_bver" ]; then
		vm_busybox=$cache/busybox-static_$(vm_fname "$vm_bver")
		if [ ! -s "$vm_busybox" ]; then
			say "downloading busybox-static:arm64 $vm_bver"
			vm_fetch "$cache" "busybox-static:arm64=$vm_bver" \
				./bin/busybox "$vm_busybox" ||
				die "cannot download busybox-static:arm64"
		fi
	else
		vm_busybox=$(ls -t "$cache"/busybox-static_* 2>/dev/null | head -1 || true)
		[ -n "$vm_busybox" ] || die "cannot resolve busybox-static:arm64"
	fi
}

# vm_build_peer BUILD_DIR OUT: libcaec.a for aarch64 (a Meson cross build
# of the library with both crypto libraries) and tests/vm/vm_peer linked
# statically against it; the guests have no shared libraries at all.
vm_build_peer() {
	local b=$1 out=$2 cross=$1/cross
	if [ ! -f "$cross/build.ninja" ]; then
		meson setup "$cross" --cross-file cross/aarch64-linux-gnu.ini \
			-Ddefault_library=static -Dc_link_args=-static \
			-Dtests=disabled -Dbench=disabled \
			-Dopenssl=enabled -Dmbedtls=enabled >"$b/cross.log" 2>&1 ||
			{ cat "$b/cross.log" >&2; die "meson setup of the aarch64 build"; }
	fi
	ninja -C "$cross" src/libcaec.a >"$b/cross.log" 2>&1 ||
		{ cat "$b/cross.log" >&2; die "aarch64 build of libcaec.a"; }
	# vm_peer, with its part of tests/lib (the stamped streams and what
	# they use). glibc warns that libcrypto's (unused) getaddrinfo/dlopen
	# need shared libraries at run time when linked statically; nothing
	# else may show.
	aarch64-linux-gnu-gcc -static -s -std=gnu11 -O2 -Wall -Wextra \
		-Wno-unused-parameter -D_GNU_SOURCE -Iinclude \
		tests/vm/vm_peer.c tests/lib/stream.c tests/lib/ep.c \
		tests/lib/clock.c tests/lib/rand.c "$cross/src/libcaec.a" \
		-lcrypto -lmbedcrypto -lpthread -o "$out" >"$b/vm_peer.log" 2>&1 ||
		{ cat "$b/vm_peer.log" >&2; die "linking vm_peer"; }
	if grep -v -e 'statically linked applications' -e 'in function' \
		"$b/vm_peer.log" | grep -q .; then
		cat "$b/vm_peer.log" >&2
		die "vm_peer built with warnings"
	fi
}

# vm_stage_guest STAGE BUSYBOX PEER: the guest's root: busybox, vm_peer,
# tests/vm/init and, fresh for every run, the pre-shared key both guests
# share and a second key for the wrong-key control.
vm_stage_guest() {
	local stage=$1
	rm -rf "$stage"
	mkdir -p "$stage/bin" "$stage/etc/caec"
	install -m 0755 "$2" "$stage/bin/busybox"
	install -m 0755 "$3" "$stage/bin/vm_peer"
	install -m 0755 tests/vm/init "$stage/init"
	od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$stage/etc/caec/psk"
	od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$stage/etc/caec/psk-other"
	chmod 0600 "$stage/etc/caec/"psk*
}

# vm_cpio STAGE OUT: an uncompressed newc initramfs, files owned by root.
vm_cpio() {
	(cd "$1" && find . | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$2"
}

# vm_random HEXBYTES: random hex digits.
vm_random() {
	od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

# vm_check_verdicts LOG_A LOG_B NONCE MODE: print the two roles' verdicts
# of MODE; status 0 when both passed.
vm_check_verdicts() {
	local la=$1 lb=$2 nonce=$3 m=$4 r log line ok=0
	for r in A B; do
		log=$la
		[ $r = B ] && log=$lb
		line=$(grep -a "^CAEC-VM-RESULT nonce=$nonce role=$r mode=$m " \
			"$log" 2>/dev/null | head -1 || true)
		case $line in
		*" pass "*) say "$m: $r: ${line#* mode=$m }" ;;
		"") say "$m: $r: no verdict"; ok=1 ;;
		*) say "$m: $r: ${line#* mode=$m }"; ok=1 ;;
		esac
	done
	return $ok
}
