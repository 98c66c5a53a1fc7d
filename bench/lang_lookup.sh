#!/bin/sh
# The figures in services/auth/README.md ("Languages"): builds bench/lang_lookup
# against common/, generates a zh_CN.UTF-8 locale with localedef into a temp
# dir (timed, sized), and runs both lookups. Needs a built build/plain.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build/plain}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -std=c17 -D_GNU_SOURCE -I"$root/common" -o "$tmp/lang_lookup" \
   "$root/bench/lang_lookup.c" "$root/common/mo_catalog.c"
start=$(date +%s.%N)
mkdir -p "$tmp/loc"
localedef -i zh_CN -f UTF-8 "$tmp/loc/zh_CN.UTF-8"
end=$(date +%s.%N)
echo "localedef zh_CN.UTF-8: $(echo "$end - $start" | bc) s, $(du -sk "$tmp/loc" | cut -f1) KiB"
mkdir -p "$tmp/loc/msgs/zh_CN/LC_MESSAGES"
cp "$build/locale/zh_CN/LC_MESSAGES/auth.mo" "$tmp/loc/msgs/zh_CN/LC_MESSAGES/"
LOCPATH=$tmp/loc "$tmp/lang_lookup" "$build/locale/zh_CN/LC_MESSAGES/auth.mo" "$tmp/loc/msgs"
