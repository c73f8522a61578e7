#!/usr/bin/env bash
# xmptcpd built with ASan+UBSan (+LeakSanitizer at exit), BUILD/xmptcpd-asan,
# run through the proxy test: many connections at once, proxies on two
# interfaces, the control socket, aborts with MP_FASTCLOSE, SIGTERM. A memory
# error, undefined behaviour or a leak makes the daemon exit non-zero, which
# fails the checks that wait for it. Names carry an asan_ prefix.
source "$(dirname "$0")/../lib/net.sh"

ASAN_BIN="$XB_BUILD/xmptcpd-asan"
xb_require_bin "$ASAN_BIN"
export XMPTCPD="$ASAN_BIN"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=86"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
bash "$(dirname "$0")/test_proxy.sh" | sed -u 's/^ok - /ok - asan_/; s/^not ok - /not ok - asan_/'
rc=${PIPESTATUS[0]}
trap - EXIT
xb_cleanup
exit "$rc"
