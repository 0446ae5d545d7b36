#!/usr/bin/env bash
# scripts/check-layers: the repository passes, and a tree with an include
# that points up (text/ including classify/), across to a sibling service
# (review/ including ingest/) or names no folder is refused.
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
rm "$tree/text/bare.c"
mkdir -p "$tree/obs" "$tree/ingest" "$tree/review" "$tree/cli"
printf '#include "obs/log.h"\n#include "review/store.h"\n' >"$tree/review/ok.c"
printf '#include "ingest/stream.h"\n#include "review/review.h"\n' >"$tree/cli/ok.c"
check_eq "a service includes its own folder and the layers below; cli/ includes both services" \
    0 "$(status_of "$check_layers" "$tree")"

printf '#include "review/store.h"\n#include "ingest/stream.h"\n' >"$tree/review/across.c"
check_eq "review/ including its sibling ingest/ is refused" 1 "$(status_of "$check_layers" "$tree")"
check "the refusal names the file, line and include, and says across" \
    grep -q 'review/across.c:2: review/ includes ingest/stream.h, which points across' "$TEST_TMP/err"
rm "$tree/review/across.c"
printf '#include "review/review.h"\n' >"$tree/ingest/across.c"
check_eq "and ingest/ including review/ too (siblings, both ways)" 1 "$(status_of "$check_layers" "$tree")"
test_done
