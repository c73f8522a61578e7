#!/usr/bin/env bash
# Makes sure the commands, libraries and files that xmptcp builds, tests,
# benchmarks and plots with are present, and installs the Debian packages
# that provide the missing ones. What is checked is what is used (a command
# on PATH, a pkg-config module, a file), never a package name: a package can
# be installed without providing the command we need (Debian 12's mptcpd has
# no mptcpize; the package mptcpize has). Silent and quick when everything is
# there; stops with a message naming what is still missing otherwise.
#   scripts/deps.sh [--check]   --check: only report, install nothing (exit 1 if missing)
set -euo pipefail

check_only=0
case "${1:-}" in
--check) check_only=1 ;;
-h | --help)
	sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
"") ;;
*)
	echo "deps: unknown argument '$1' (try --help)" >&2
	exit 2
	;;
esac

# What we need, one per line: KIND NAME PACKAGE [why]
#   cmd  a command on PATH        pc  a pkg-config module (needs pkg-config)
#   file a path that must exist   fuzzrt  clang's libFuzzer runtime
#   py   a python3 module (import NAME) in python3 on PATH or in the system's
#        /usr/bin/python3, where Debian's python3-* packages install (a pyenv
#        python3 first on PATH does not see them; the tests try both)
needs() {
	cat <<'EOF'
cmd clang clang BPF objects and the fuzzers
cmd gcc gcc userspace
cmd bpftool bpftool skeletons and vmlinux.h
cmd pkg-config pkg-config library checks
pc libbpf libbpf-dev
pc libxdp libxdp-dev
pc libmnl libmnl-dev
pc libcrypto libssl-dev
pc libelf libelf-dev
pc zlib zlib1g-dev
file /usr/include/asm/types.h gcc-multilib <asm/types.h> for clang -target bpf
fuzzrt libFuzzer libclang-rt-dev sanitizer and fuzzer runtimes
cmd ip iproute2 namespaces and veths
cmd tc iproute2 shaping and clsact
cmd ss iproute2 socket states
cmd nstat iproute2 kernel MPTCP counters
cmd ethtool ethtool checksum offload on test veths
cmd ping iputils-ping path checks
cmd nsenter util-linux namespace commands that see the pins
cmd unshare util-linux
cmd taskset util-linux
cmd setpriv util-linux
cmd python3 python3 kernel MPTCP peers
py prometheus_client python3-prometheus-client metrics test (text format parser)
cmd mptcpize mptcpize unmodified apps on the kernel's MPTCP
cmd curl curl proxy tests and the demo
cmd tshark tshark MPTCP option decoding
cmd gnuplot gnuplot-nox plots
cmd timeout coreutils
cmd groff groff-base man page checks
cmd man man-db man page checks
cmd systemd-analyze systemd unit checks (test_install)
cmd sha256sum coreutils
EOF
}

# The versioned name of clang's runtime package (libclang-rt-14-dev on Debian 12).
rt_pkg() {
	local v
	v=$(clang -dumpversion 2>/dev/null | cut -d. -f1)
	echo "libclang-rt-${v:-14}-dev"
}

# py_with MODULE: prints the first python3 that imports MODULE.
py_with() {
	local py
	for py in python3 /usr/bin/python3; do
		command -v "$py" >/dev/null 2>&1 && "$py" -c "import $1" >/dev/null 2>&1 &&
			{ command -v "$py"; return 0; }
	done
	return 1
}

# present KIND NAME: 0 when it is there.
present() {
	case $1 in
	cmd) command -v "$2" >/dev/null 2>&1 ;;
	pc) command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$2" ;;
	file) [ -e "$2" ] ;;
	py) py_with "$2" >/dev/null ;;
	fuzzrt)
		command -v clang >/dev/null 2>&1 &&
			[ -e "$(clang -print-resource-dir)/lib/linux/libclang_rt.fuzzer-$(uname -m).a" ]
		;;
	esac
}

kind_word() {
	case $1 in
	cmd) echo command ;;
	pc) echo "pkg-config module" ;;
	file) echo file ;;
	py) echo "python3 module" ;;
	fuzzrt) echo "clang runtime" ;;
	esac
}

# Fills missing_what (human names) and missing_pkgs (packages to install).
scan() {
	local kind name pkg why
	missing_what=() missing_pkgs=()
	while read -r kind name pkg why; do
		present "$kind" "$name" && continue
		[ "$kind" = fuzzrt ] && pkg=$(rt_pkg)
		missing_what+=("$(kind_word "$kind") $name (package $pkg${why:+: $why})")
		[[ " ${missing_pkgs[*]} " == *" $pkg "* ]] || missing_pkgs+=("$pkg")
	done < <(needs)
}

report_missing() {
	local m
	echo "deps: $1:" >&2
	for m in "${missing_what[@]}"; do echo "deps:   $m" >&2; done
}

scan
[ ${#missing_what[@]} -eq 0 ] && exit 0
if [ "$check_only" -eq 1 ]; then
	report_missing "missing"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	report_missing "missing (run 'make deps' as root, or install: ${missing_pkgs[*]})"
	exit 1
fi

echo "deps: installing ${missing_pkgs[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root may capture; answer once, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
# One package that cannot be had must not keep the others out: try them all
# at once, then one by one, and judge by what is present afterwards.
if ! apt-get install -y -qq --no-install-recommends "${missing_pkgs[@]}" >/dev/null; then
	for p in "${missing_pkgs[@]}"; do
		apt-get install -y -qq --no-install-recommends "$p" >/dev/null ||
			echo "deps: could not install $p" >&2
	done
fi
hash -r
scan
if [ ${#missing_what[@]} -ne 0 ]; then
	report_missing "still missing after installing"
	exit 1
fi
