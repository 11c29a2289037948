#!/bin/sh
# check_make.sh BUILD: the Makefile behaves as a packager expects.
#  1. `make -n` (for the usual goals) in a fresh copy of the sources writes
#     no file: a dry run only parses and prints.
#  2. `make install` into a scratch DESTDIR puts the binary, the man page,
#     the docs and the example scenarios in place, the installed binary runs
#     an installed example, and `make uninstall` takes every file away.
# Prints each failure and exits 1.
cd "$(dirname "$0")/.." || exit 2
build=${1:-build}
make=${MAKE:-make}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
bad=0
fail() { echo "check_make: $*"; bad=1; }

# 1. A dry run in a fresh copy (no build directory yet).
mkdir "$tmp/src"
for d in Makefile sim include tests scenarios docs bench README.md; do
    [ -e "$d" ] && cp -R "$d" "$tmp/src/"
done
(cd "$tmp/src" && find . | sort) > "$tmp/before"
for goal in all test check check-asan check-tsan install bench compare; do
    # Recursive $(MAKE) lines run under -n too, as dry runs of their own.
    (cd "$tmp/src" && env -u MAKEFLAGS -u MFLAGS $make -n $goal >/dev/null 2>"$tmp/err") ||
        fail "make -n $goal failed: $(head -1 "$tmp/err")"
done
(cd "$tmp/src" && find . | sort) > "$tmp/after"
if ! cmp -s "$tmp/before" "$tmp/after"; then
    fail "make -n wrote files:"
    diff "$tmp/before" "$tmp/after" | sed -n 's/^> /  /p'
fi

# 2. install and uninstall, from the built tree.
dest="$tmp/dest"
$make --no-print-directory -s install BUILD="$build" DESTDIR="$dest" PREFIX=/usr >"$tmp/log" 2>&1 ||
    { fail "make install failed:"; cat "$tmp/log"; }
for f in usr/bin/flowsim usr/share/man/man1/flowsim.1 usr/share/doc/flowsim/README.md \
         usr/share/doc/flowsim/docs/model.md usr/share/doc/flowsim/examples/esbjerg.cfg \
         usr/share/doc/flowsim/examples/more-107.cfg; do
    [ -f "$dest/$f" ] || fail "make install did not install $f"
done
[ -x "$dest/usr/bin/flowsim" ] || fail "the installed flowsim is not executable"
head -5 "$dest/usr/share/man/man1/flowsim.1" | grep -q '^\.TH FLOWSIM 1' ||
    fail "flowsim.1 does not open with .TH FLOWSIM 1"
# A variant finds its base beside it in the installed examples.
"$dest/usr/bin/flowsim" check "$dest/usr/share/doc/flowsim/examples/more-107.cfg" >/dev/null 2>"$tmp/err" ||
    fail "the installed flowsim cannot check an installed example: $(head -1 "$tmp/err")"
$make --no-print-directory -s uninstall BUILD="$build" DESTDIR="$dest" PREFIX=/usr >"$tmp/log" 2>&1 ||
    { fail "make uninstall failed:"; cat "$tmp/log"; }
left=$(find "$dest" -type f)
[ -z "$left" ] || fail "make uninstall left files: $left"

[ $bad -eq 0 ] && echo "check_make: make -n writes nothing; install and uninstall are complete"
exit $bad
