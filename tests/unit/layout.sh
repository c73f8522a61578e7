#!/usr/bin/env bash
# The tree's layout rules (DESIGN.md): the daemon (user/app/) is the top of
# the tree, so nothing outside it includes one of its headers (the
# connection layer, user/conn/, and everything else stand without it);
# no file of user/app/ is over 500 lines and no file of bpf/, include/ or
# user/ over 800 (one file per concern). Each rule prints the files that
# break it. A synthetic tree that breaks all three checks the checks
# themselves first. No root, no build needed.
#   tests/unit/layout.sh [ROOT]   ROOT: the tree to check (default: this one)
set -u
cd "$(dirname "$0")/../.."
root=${1:-.}

APP_MAX=500
TREE_MAX=800

# Files (C sources and headers) outside user/app that include a header of
# user/app, however the path is spelled ("app/x.h", "../app/x.h", "user/app/x.h").
app_includers() { # ROOT
	(cd "$1" && grep -rlE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^">]*/)?app/[^">]*\.h[">]' \
		--include='*.c' --include='*.h' . 2>/dev/null | sed 's|^\./||' | grep -v '^user/app/' | sort)
}

# "LINES PATH" of the files under DIRS of ROOT longer than MAX lines.
too_long() { # ROOT MAX DIR...
	local r=$1 max=$2
	shift 2
	(cd "$r" && for d in "$@"; do
		[ -d "$d" ] && find "$d" -type f \( -name '*.c' -o -name '*.h' \) -print0
	done | xargs -0 -r wc -l | grep -v ' total$' | awk -v m="$max" '$1 > m { print $1, $2 }' | sort -k2)
}

fails=0
check() { # NAME ROOT: one TAP line per rule
	local name=$1 r=$2 out
	out=$(app_includers "$r")
	report "${name}no_app_header_outside_user_app" "$out" "includes a header of user/app"
	out=$(too_long "$r" "$APP_MAX" user/app)
	report "${name}user_app_files_at_most_${APP_MAX}_lines" "$out" "lines"
	out=$(too_long "$r" "$TREE_MAX" bpf include user)
	report "${name}bpf_include_user_files_at_most_${TREE_MAX}_lines" "$out" "lines"
}

report() { # TEST OFFENDERS WHAT
	if [ -z "$2" ]; then
		echo "ok - $1"
		return
	fi
	echo "not ok - $1"
	printf '%s\n' "$2" | while IFS= read -r l; do echo "#   $l ($3)"; done
	fails=$((fails + 1))
}

# The checks catch what they are for: a tree that breaks every rule.
self_test() {
	local t got
	t=$(mktemp -d) || return 1
	mkdir -p "$t/user/app" "$t/user/conn" "$t/bpf" "$t/include/xmptcp"
	echo '#include "app/xmptcpd.h"' >"$t/user/conn/conn.c"
	echo '# include <../app/x.h>' >"$t/bpf/p.bpf.c"
	echo '#include "app/x.h"' >"$t/user/app/ok.c" # the daemon's own: allowed
	seq 501 | sed 's/^/int a/' >"$t/user/app/big.c"
	seq 801 | sed 's/^/int b/' >"$t/include/xmptcp/huge.h"
	got=$(fails=0; check self_ "$t" >/dev/null; echo "$fails")
	[ "$(app_includers "$t" | tr '\n' ' ')" = "bpf/p.bpf.c user/conn/conn.c " ] &&
		[ "$(too_long "$t" "$APP_MAX" user/app)" = "501 user/app/big.c" ] &&
		[ "$(too_long "$t" "$TREE_MAX" bpf include user)" = "801 include/xmptcp/huge.h" ] &&
		[ "$got" = 3 ]
	local rc=$?
	rm -rf "$t"
	return $rc
}

if self_test; then
	echo "ok - layout_checks_catch_a_tree_that_breaks_them"
else
	echo "not ok - layout_checks_catch_a_tree_that_breaks_them"
	fails=$((fails + 1))
fi
check "" "$root"
[ "$fails" -eq 0 ]
