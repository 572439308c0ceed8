package media

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// Loudness measures the integrated loudness (LUFS) and the maximum true
// peak (dBTP) of the first audio track of path with ffmpeg's ebur128
// filter (ITU-R BS.1770 / EBU R128). Silence yields -70 LUFS (the absolute
// gate) and -Inf dBTP. The values are printed by ffmpeg with one decimal.
func (p *Processor) Loudness(ctx context.Context, path string) (integratedLUFS, truePeak float64, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, 0, fmt.Errorf("measure loudness: %w", err)
	}
	if st.Size() > p.maxFileSize {
		return 0, 0, &Error{Kind: ErrTooLarge, Path: path,
			Reason: fmt.Sprintf("%d bytes, the limit is %d bytes", st.Size(), p.maxFileSize), Hint: hintTooLarge}
	}
	var (
		inSummary, haveI, haveTP bool
		section                  string
		errLines                 []string
	)
	integratedLUFS, truePeak = math.NaN(), math.NaN()
	lw := &lineWriter{fn: func(line string) {
		ll := parseLogLine(line)
		if isErrorLevel(ll.level) && len(errLines) < 100 {
			errLines = append(errLines, ll.text)
		}
		if strings.HasPrefix(ll.text, "Summary:") {
			inSummary = true
			return
		}
		if !inSummary {
			return
		}
		key, val, ok := strings.Cut(strings.TrimSpace(ll.text), ":")
		if !ok {
			return
		}
		val = strings.TrimSpace(val)
		if val == "" {
			section = key // "Integrated loudness", "Loudness range", "True peak"
			return
		}
		num, _, _ := strings.Cut(val, " ")
		f, perr := strconv.ParseFloat(num, 64)
		if perr != nil {
			return
		}
		switch {
		case section == "Integrated loudness" && key == "I" && !haveI:
			integratedLUFS, haveI = f, true
		case section == "True peak" && key == "Peak" && !haveTP:
			truePeak, haveTP = f, true
		}
	}}
	args := []string{"-nostdin", "-hide_banner", "-nostats", "-v", "repeat+level+info",
		"-t", strconv.FormatFloat((p.maxDuration).Seconds()+1, 'f', 3, 64)}
	args = append(args, inputArgs(path)...)
	args = append(args, "-map", "0:a:0", "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-")
	runErr := run(ctx, p.ffmpeg, args, nil, lw)
	lw.Flush()
	if runErr != nil {
		return 0, 0, fmt.Errorf("measure loudness of %q: %w (ffmpeg: %s)", path, runErr, excerpt(errLines))
	}
	if !haveI || !haveTP {
		return 0, 0, fmt.Errorf("measure loudness of %q: ffmpeg printed no ebur128 summary (ffmpeg: %s)", path, excerpt(errLines))
	}
	return integratedLUFS, truePeak, nil
}
