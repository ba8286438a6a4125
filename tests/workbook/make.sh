#!/usr/bin/env bash
# Remakes the workbook fixtures: make.py writes flat-ODS sources from the
# bundled CSVs, and LibreOffice (headless) saves each as .xlsx and .ods, so
# the committed files are what Calc writes.  Also converts the bundled
# Liverpool CSVs one file at a time, as a user saving each sheet would.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$here/make.py" "$tmp"
for f in "$tmp"/*.fods; do
	case $f in
	*/schools.xlsx.fods) # becomes schools.xlsx
		soffice --headless -env:UserInstallation=file://$tmp/profile --convert-to xlsx --outdir "$tmp" "$f" >/dev/null
		mv "$tmp/schools.xlsx.xlsx" "$here/schools.xlsx"
		continue ;;
	*/schools.fods)
		soffice --headless -env:UserInstallation=file://$tmp/profile --convert-to ods --outdir "$here" "$f" >/dev/null
		continue ;;
	esac
	soffice --headless -env:UserInstallation=file://$tmp/profile --convert-to xlsx --outdir "$here" "$f" >/dev/null
	soffice --headless -env:UserInstallation=file://$tmp/profile --convert-to ods --outdir "$here" "$f" >/dev/null
done
mkdir -p "$here/liverpool-csv"
for n in area contacts signatories schools; do
	# 44,34,76: comma, double quote, UTF-8; Calc types the columns itself
	soffice --headless -env:UserInstallation=file://$tmp/profile --infilter=CSV:44,34,76,1 \
		--convert-to xlsx --outdir "$here/liverpool-csv" "$here/../../areas/liverpool/$n.csv" >/dev/null
	soffice --headless -env:UserInstallation=file://$tmp/profile --infilter=CSV:44,34,76,1 \
		--convert-to ods --outdir "$here/liverpool-csv" "$here/../../areas/liverpool/$n.csv" >/dev/null
done
# the GIAS-shaped list (tests/fixtures/gias), as Calc saves it
for ext in xlsx ods; do
	soffice --headless -env:UserInstallation=file://$tmp/profile --infilter=CSV:44,34,76,1 \
		--convert-to $ext --outdir "$tmp" "$here/../fixtures/gias/gias-utf8.csv" >/dev/null
	mv "$tmp/gias-utf8.$ext" "$here/gias.$ext"
done
