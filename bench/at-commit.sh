#!/bin/sh
# Run a benchmark on a clean export of one commit, so edits in progress in the work tree
# (other people's, or your own) do not leak into the figures.
#
#   bench/at-commit.sh [REV] python -m bench.crawl --rounds 2
#
# REV defaults to HEAD. The export goes to /tmp/topicfeed-bench/tree-<rev>; bench/ is copied
# from the work tree (it need not be committed at REV); tests/ comes too (bench.site builds
# its pages with tests/sites). PYTHONPATH puts the export ahead of
# the editable install, in this process and in every child the benchmarks start.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
rev=HEAD
if git -C "$repo" rev-parse --verify --quiet "$1^{commit}" >/dev/null 2>&1; then
    rev=$1
    shift
fi
commit=$(git -C "$repo" rev-parse --short "$rev")
tree=/tmp/topicfeed-bench/tree-$commit
rm -rf "$tree"
mkdir -p "$tree"
git -C "$repo" archive "$commit" crawler spiders feeds tests scrapy.cfg | tar -x -C "$tree"
cp -r "$repo/bench" "$tree/bench"
rm -rf "$tree/bench/__pycache__"
echo "$commit" > "$tree/COMMIT"
cd "$tree"
PYTHONPATH="$tree${PYTHONPATH:+:$PYTHONPATH}" exec "$@"
