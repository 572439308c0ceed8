// Package media validates, measures and converts audio for commune
// loudspeaker broadcasting, using Debian's ffmpeg and ffprobe (package
// "ffmpeg") through exec.CommandContext. Text-to-speech lives in the
// subpackage tts.
//
// # Accepted input
//
// MP3, WAV, Ogg (Opus, Vorbis), M4A/MP4 (AAC), raw AAC, AMR-NB/WB (phone
// recordings), Matroska/WebM with Opus (browser MediaRecorder, whose files
// carry no duration) and FLAC. ffmpeg is restricted to local files and to
// these demuxers (-protocol_whitelist file, -format_whitelist), so a
// crafted upload such as an HLS playlist cannot make ffmpeg read other
// files or reach the network. Videos with an audio track are accepted and
// their picture ignored.
//
// Probe refuses, with an *Error wrapping a sentinel error: non-audio input
// (ErrNotAudio: text, images, videos without sound, other formats);
// damaged input (ErrCorrupt: any error-level message of a complete decode
// pass "ffmpeg -v error -i X -f null -", a header announcing more sound
// than could be decoded — truncated MP3 with a Xing/Info header —, a WAV
// data chunk larger than the file, an AMR file ending inside a frame);
// over-long input (ErrTooLong, default 2 h, checked on the header when it
// is reliable and on the decoded length otherwise, decoding at most the
// limit plus one second); too many bytes (ErrTooLarge, default 1 GiB);
// and no usable sound (ErrEmpty: 0 bytes, no samples, shorter than 0.5 s;
// Normalize also refuses pure silence).
//
// ffmpeg's native AMR decoder reports an error for every comfort-noise
// (SID) and no-data frame that phones write during pauses; Probe counts
// these frames in the file itself and tolerates exactly that many such
// messages. AMR inside 3GP/MP4 cannot be counted this way, so such a file
// with comfort-noise frames is refused as damaged.
//
// # Device format and loudness
//
// Normalize writes MP3 (libmp3lame), mono, 44.1 kHz, constant bitrate
// (default 96 kbit/s, 64–128 allowed), integrated loudness -16 LUFS
// (EBU R128, ±1 LU), true peak at most -1.5 dBTP. The first loudnorm pass
// (print_format=json) is the validating decode. The second pass applies
// the measured_* values with linear=true, which loudnorm honours when a
// constant gain fits under the true-peak ceiling; 0.5 dB of the ceiling is
// kept back because MP3 encoding raises true peaks a little.
//
// Speech often has peaks too high above its loudness for a constant gain
// (synthetic speech has 20 dB or more). loudnorm's dynamic fallback then
// misses the target by 1–2 LU, so Normalize first applies the gain and a
// look-ahead limiter (alimiter at 192 kHz, where sample peaks approximate
// true peaks), re-measuring up to three times until the limited signal
// sits at the target (usually two rounds, at most three), and then runs
// the linear second pass on that.
// Result.Limited reports it.
//
// Every output is measured again (ebur128). If it misses the target by
// more than 0.5 LU, or its true peak is over the ceiling, it is encoded
// once more with a corrected target; if it is still outside the tolerance
// Normalize fails rather than deliver a non-conforming file.
//
// Short clips (under 3 s): loudnorm's dynamic mode works on 3 s windows
// and misbehaves on shorter input, so these clips skip loudnorm in the
// second pass and get one constant gain (ModeGain) towards the target,
// capped so that the true peak stays under the ceiling (after the limiter
// when their peaks are high). Clips under 0.5 s are refused: integrated
// loudness needs at least one 400 ms block.
//
// Normalize of a 60 s clip takes about 1.6 s on this project's shared
// 2-core machine, about 4 s when the limiter is needed (BenchmarkNormalize).
package media
