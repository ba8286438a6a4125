#!/usr/bin/env bash
# The README's first command: install what is missing, build, and write every
# bundled letter for every bundled area into out/LETTER/AREA.pdf.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
date_opt=()
[ -n "${LETTER_DATE:-}" ] && date_opt=(--date "$LETTER_DATE")
for letter in letters/*.md; do
	l=$(basename "$letter" .md)
	for area in areas/*/; do
		a=$(basename "$area")
		build/lettermerge build "$letter" --area "$area" -o "out/$l/$a.pdf" "${date_opt[@]}"
		echo "out/$l/$a.pdf"
	done
done
