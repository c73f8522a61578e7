#!/usr/bin/env bash
# Installs the Debian packages xmptcp builds, tests, benchmarks and plots
# (gnuplot) with, only those missing; silent and quick when everything is
# present.
set -euo pipefail

pkgs=(clang llvm libbpf-dev libxdp-dev xdp-tools bpftool libmnl-dev libssl-dev
      libelf-dev zlib1g-dev pkg-config iproute2 ethtool iputils-ping python3
      tshark mptcpd libclang-rt-14-dev gcc-multilib gnuplot-nox
      curl)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run 'make deps' as root or install them" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root may capture; answer once, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
