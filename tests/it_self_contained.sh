#!/usr/bin/env bash
# A clone must need nothing beside it: no tracked script, test, benchmark,
# build or source file may name a path outside the repository (the
# project's shared folder beside the working tree, which a user's clone
# does not have), and the sample documents every test reads are tracked.
. "$(dirname "$0")/lib.sh"
cd "$RAKIZA_SOURCE"

outside=$(git grep -n -I -e '\.\./shared' -e '/work''/shared' -- . || true)
check "no tracked file names the shared folder outside the repository: $outside" \
    test -z "$outside"
check_eq "the four sample documents are tracked" 4 \
    "$(git ls-files 'samples/*.txt' | wc -l)"
check "samples/README.md says where each document comes from" \
    grep -q '004_1a70705bd9ba6d51.txt' samples/README.md
check_eq "the tests read the samples in the repository" "$RAKIZA_SOURCE/samples" \
    "$(cd "$RAKIZA_SEEDS" && pwd)"
test_done
