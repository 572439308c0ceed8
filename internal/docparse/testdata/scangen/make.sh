#!/usr/bin/env bash
# Makes the OCR fixtures in ../scans from the seed letter: the letter is
# rendered to PDF by Loa, printed to a 200 dpi grey image, tilted by
# 1.2 degrees with scanner noise (ffmpeg), saved as JPEG, and wrapped into
# an image-only PDF; and a poor fax-like copy (120 dpi, blurred, noisier,
# tilted the other way) on which OCR misreads some words. Run once from the repository root; the outputs are
# committed so CI never rebuilds them. Needs poppler-utils and ffmpeg.
set -euo pipefail
out=internal/docparse/testdata/scans
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run ./cmd/loa render --out "$tmp/seed.pdf" internal/render/testdata/cv-570-STTTT-TTBCBC-2021.txt
pdftoppm -r 200 -gray -png -f 1 -l 1 "$tmp/seed.pdf" "$tmp/page"
ffmpeg -loglevel error -y -i "$tmp"/page-1.png \
  -vf "rotate=1.2*PI/180:fillcolor=white:ow=iw:oh=ih,noise=alls=18:allf=u:all_seed=570" \
  -q:v 6 "$out/cv-570-scan-200dpi.jpg"
pdftoppm -r 120 -gray -png -f 1 -l 1 "$tmp/seed.pdf" "$tmp/fax"
ffmpeg -loglevel error -y -i "$tmp"/fax-1.png \
  -vf "rotate=-0.8*PI/180:fillcolor=white:ow=iw:oh=ih,gblur=sigma=1.0,noise=alls=40:allf=u:all_seed=576" \
  -q:v 12 "$out/cv-570-fax-120dpi.jpg"
go run ./internal/docparse/testdata/scangen "$out/cv-570-scan.pdf" "$out/cv-570-scan-200dpi.jpg"
ls -l "$out"
