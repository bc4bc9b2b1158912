#!/usr/bin/env bash
# Copies the fixture specs into the fuzz corpus folder (git-ignored) as seeds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="$here/corpus/load_lower"
mkdir -p "$dest"
cp "$here"/../../tests/fixtures/*.yaml "$dest/"
cp "$here"/../../specs/demo/*.yaml "$dest/"
echo "seeded $(ls "$dest" | wc -l) files into $dest"
