#!/bin/sh
# Regenerates the committed audio fixtures of internal/media.
# Needs Debian packages espeak-ng and sox (with libsox-fmt-all for AMR).
# ffmpeg cannot encode AMR (Debian builds it without an AMR encoder), which
# is why this fixture is committed instead of generated at test time.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A phone-style recording: Vietnamese speech, 8 kHz mono AMR-NB. sox
# enables discontinuous transmission, so the file contains comfort-noise
# (SID) and no-data frames during pauses, like real phone recordings.
espeak-ng -v vi -s 150 -w "$tmp/speech.wav" \
  "Thông báo của Ủy ban nhân dân xã. Đề nghị bà con thực hiện tốt công tác phòng, chống dịch. Xin cảm ơn."
sox "$tmp/speech.wav" -r 8000 -c 1 -t amr-nb -C 7 phone.amr vol 0.7
ls -l phone.amr
