package tts

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// pcmFormat is the format of 16-bit PCM WAV data.
type pcmFormat struct {
	channels   int
	sampleRate int
	bits       int
}

func (f pcmFormat) bytesPerSecond() int { return f.channels * f.sampleRate * f.bits / 8 }

// readWAV parses a PCM WAV file. espeak-ng writing to stdout cannot seek
// back to fill in the sizes and leaves placeholders (0x7ffff000), so the
// data chunk is taken as "up to the end of the input" whenever its
// declared size is larger than what is there.
func readWAV(b []byte) (pcmFormat, []byte, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return pcmFormat{}, nil, errors.New("not a RIFF/WAVE file")
	}
	var f pcmFormat
	haveFmt := false
	r := b[12:]
	for len(r) >= 8 {
		id := string(r[0:4])
		n := int(binary.LittleEndian.Uint32(r[4:8]))
		body := r[8:]
		switch id {
		case "fmt ":
			if len(body) < 16 || n < 16 {
				return pcmFormat{}, nil, errors.New("short fmt chunk")
			}
			if tag := binary.LittleEndian.Uint16(body[0:2]); tag != 1 {
				return pcmFormat{}, nil, fmt.Errorf("WAV encoding %d is not PCM", tag)
			}
			f = pcmFormat{
				channels:   int(binary.LittleEndian.Uint16(body[2:4])),
				sampleRate: int(binary.LittleEndian.Uint32(body[4:8])),
				bits:       int(binary.LittleEndian.Uint16(body[14:16])),
			}
			if f.channels < 1 || f.sampleRate < 1 || f.bits != 16 {
				return pcmFormat{}, nil, fmt.Errorf("unsupported WAV format %+v", f)
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return pcmFormat{}, nil, errors.New("WAV data before fmt chunk")
			}
			if n > len(body) || n < 0 {
				n = len(body)
			}
			frame := f.channels * 2
			return f, body[:n-n%frame], nil
		}
		skip := n + n&1
		if n < 0 || skip > len(body) {
			break
		}
		r = body[skip:]
	}
	return pcmFormat{}, nil, errors.New("no data chunk in WAV")
}

// writeWAV writes a canonical 44-byte-header PCM WAV.
func writeWAV(w io.Writer, f pcmFormat, data []byte) error {
	if len(data) > 0xffffffff-36 {
		return errors.New("WAV data too large")
	}
	var h [44]byte
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], uint32(36+len(data)))
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1)
	binary.LittleEndian.PutUint16(h[22:], uint16(f.channels))
	binary.LittleEndian.PutUint32(h[24:], uint32(f.sampleRate))
	binary.LittleEndian.PutUint32(h[28:], uint32(f.bytesPerSecond()))
	binary.LittleEndian.PutUint16(h[32:], uint16(f.channels*f.bits/8))
	binary.LittleEndian.PutUint16(h[34:], uint16(f.bits))
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], uint32(len(data)))
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	_, err := w.Write(data)
	return err
}

// WAVDuration returns the playing time of a PCM WAV file.
func WAVDuration(b []byte) (time.Duration, error) {
	f, data, err := readWAV(b)
	if err != nil {
		return 0, err
	}
	return time.Duration(float64(len(data)) / float64(f.bytesPerSecond()) * float64(time.Second)), nil
}

// wavJoiner concatenates PCM pieces of one format with silences between.
type wavJoiner struct {
	format pcmFormat
	set    bool
	buf    bytes.Buffer
}

func (j *wavJoiner) add(f pcmFormat, data []byte) error {
	if !j.set {
		j.format, j.set = f, true
	} else if f != j.format {
		return fmt.Errorf("WAV pieces differ in format: %+v and %+v", j.format, f)
	}
	j.buf.Write(data)
	return nil
}

func (j *wavJoiner) silence(d time.Duration) {
	if !j.set || d <= 0 {
		return
	}
	n := int(d.Seconds()*float64(j.format.sampleRate)) * j.format.channels * 2
	j.buf.Write(make([]byte, n))
}

func (j *wavJoiner) bytes() ([]byte, error) {
	var out bytes.Buffer
	if err := writeWAV(&out, j.format, j.buf.Bytes()); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
