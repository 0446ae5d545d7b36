#!/usr/bin/env bash
# scripts/check-layers: the repository passes, and a tree with an include
# that points up (text/ including classify/) or names no folder is refused.
. "$(dirname "$0")/lib.sh"
check_layers="$RAKIZA_SOURCE/scripts/check-layers"

check "the repository's own includes point down (else a layer depends on one above it)" \
    "$check_layers" "$RAKIZA_SOURCE"

tree=$TEST_TMP/tree
mkdir -p "$tree/core" "$tree/text" "$tree/classify"
printf '#include "core/err.h"\n' >"$tree/text/ok.c"
check_eq "an include of a lower layer is accepted" 0 "$(status_of "$check_layers" "$tree")"

printf '#include "classify/pipeline.h"\n' >"$tree/text/up.c"
check_eq "text/ including classify/ is refused" 1 "$(status_of "$check_layers" "$tree")"
check "the refusal names the file, line and include" \
    grep -q 'text/up.c:1: text/ includes classify/pipeline.h, which points up' "$TEST_TMP/err"

rm "$tree/text/up.c"
printf '#include "segment.h"\n' >"$tree/text/bare.c"
check_eq "an include that does not name its folder is refused" 1 \
    "$(status_of "$check_layers" "$tree")"
test_done
