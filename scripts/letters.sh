#!/usr/bin/env bash
# The README's first command: install what is missing, build, and write every
# bundled letter for every bundled area into out/LETTER/AREA.pdf, then a bulk
# run: a letter per sample school of every area, and one print file.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
date_opt=()
[ -n "${LETTER_DATE:-}" ] && date_opt=(--date "$LETTER_DATE")
for letter in letters/*.md; do
	case $letter in *.*.md) continue ;; esac # a translation (NAME.cy.md): tests/e2e/scripts.sh
	l=$(basename "$letter" .md)
	for area in areas/*/; do
		a=$(basename "$area")
		build/lettermerge build "$letter" --area "$area" -o "out/$l/$a.pdf" --quiet "${date_opt[@]}"
		echo "out/$l/$a.pdf"
	done
done
build/lettermerge build letters/cse-awareness.md --all-areas --area-recipients schools.csv \
	-o 'out/schools/{{area.id}}/{{recipient.urn}}.pdf' --manifest out/schools/manifest.jsonl \
	"${date_opt[@]}"
build/lettermerge build letters/cse-awareness.md --all-areas --area-recipients schools.csv \
	--combine out/schools/print.pdf --duplex "${date_opt[@]}"
echo "out/schools/ (one letter per school, manifest.jsonl, print.pdf)"
