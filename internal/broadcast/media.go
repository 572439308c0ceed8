package broadcast

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/media"
	"github.com/loa-project/loa/internal/media/tts"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// Media sources.
const (
	SourceUpload    = "upload"
	SourceRecording = "recording" // recorded in the browser
	SourceTTS       = "tts"
)

// MediaInput describes an uploaded audio file.
type MediaInput struct {
	UnitID int64  `json:"unit_id"`
	Title  string `json:"title"`
	Source string `json:"source"` // upload (default) or recording
}

// TTSInput asks for a text bulletin to be read out.
type TTSInput struct {
	UnitID int64   `json:"unit_id"`
	Title  string  `json:"title"`
	Text   string  `json:"text"`
	Voice  string  `json:"voice,omitempty"` // vi-north (default), vi-central, vi-south
	Speed  float64 `json:"speed,omitempty"` // 0.5–2, default 1
}

// MaxUpload is the largest audio file accepted.
func (s Library) MaxUpload() int64 { return s.cfg.MaxUpload }

// errNoMedia explains why audio cannot be processed.
var errNoMedia = i18n.Localise(errors.New("audio processing is not available on this server: install Debian's ffmpeg package and restart Loa"), "bcx.media_tools")

// UploadMedia validates an audio upload (MP3, WAV, OGG/Opus, M4A/AAC,
// AMR …), converts it to the device format, and stores the original and
// the converted file. A file that is not complete audio within the limits
// is refused with the reason, and nothing is stored.
func (s Library) UploadMedia(ctx context.Context, a model.Actor, in MediaInput, r io.Reader) (*model.Media, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastWrite, in.UnitID)
	if err != nil {
		return nil, err
	}
	title, err := checkTitle(in.Title)
	if err != nil {
		return nil, err
	}
	src := in.Source
	if src == "" {
		src = SourceUpload
	}
	if src != SourceUpload && src != SourceRecording {
		return nil, model.Invalid("source", "%q: use upload or recording", src)
	}
	if s.cfg.Media == nil {
		return nil, errNoMedia
	}
	m := &model.Media{UnitID: unit.ID, Title: title, Source: src, CreatedBy: a.Username}
	if rs, ok := r.(io.ReadSeeker); ok {
		// A stored file (a directive's attachment) may have been converted
		// for another unit already.
		h := sha256.New()
		n, err := io.Copy(h, io.LimitReader(rs, s.cfg.MaxUpload+1))
		if err != nil {
			return nil, fmt.Errorf("read audio: %w", err)
		}
		if n <= s.cfg.MaxUpload {
			done, err := s.reuseConversion(ctx, a, m, hex.EncodeToString(h.Sum(nil)))
			if err != nil {
				return nil, err
			}
			if done {
				return m, nil
			}
		}
		if _, err := rs.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("read audio: %w", err)
		}
	}
	ing, err := s.cfg.Media.Ingest(ctx, r, s.cfg.MaxUpload)
	if err != nil {
		return nil, s.mediaError(err)
	}
	defer ing.Remove()
	return m, s.storeIngested(ctx, a, m, ing)
}

// reuseConversion stores m as a copy of an earlier conversion of the same
// original, when there is one, so that a bulletin delivered to every
// commune is converted once rather than once per commune. It reports
// whether it did.
func (s Library) reuseConversion(ctx context.Context, a model.Actor, m *model.Media, originalSHA string) (bool, error) {
	prev, err := s.store.Broadcast().MediaByOriginal(ctx, originalSHA)
	if errors.Is(err, model.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if ok, err := s.store.Documents().BlobExists(ctx, prev.SHA256); err != nil || !ok {
		return false, err
	}
	m.SHA256, m.Size, m.DurationMS, m.LoudnessLUFS = prev.SHA256, prev.Size, prev.DurationMS, prev.LoudnessLUFS
	m.OriginalSHA256, m.OriginalSize, m.OriginalFormat, m.OriginalCodec = prev.OriginalSHA256, prev.OriginalSize, prev.OriginalFormat, prev.OriginalCodec
	return true, s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Broadcast().InsertMedia(ctx, m); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "media.create", "media", fmt.Sprint(m.ID),
			fmt.Sprintf("source=%s sha256=%s duration_ms=%d title=%q converted_as=%d", m.Source, m.SHA256, m.DurationMS, m.Title, prev.ID))
	})
}

// mediaError maps a refusal of package media to an error for the caller.
func (s Library) mediaError(err error) error {
	var me *media.Error
	switch {
	case errors.Is(err, media.ErrTooLarge):
		return fmt.Errorf("%v: %w", err, &http.MaxBytesError{Limit: s.cfg.MaxUpload})
	case errors.Is(err, media.ErrToolMissing):
		return fmt.Errorf("%v: %w", err, errNoMedia)
	case errors.As(err, &me):
		// Do not show the server's temporary paths.
		msg := me.Error()
		if me.Path != "" {
			msg = strings.ReplaceAll(msg, fmt.Sprintf("audio file %q: ", me.Path), "")
			msg = strings.ReplaceAll(msg, "file:"+me.Path, "the upload")
			msg = strings.ReplaceAll(msg, fmt.Sprintf("%q", me.Path), "")
			msg = strings.ReplaceAll(msg, me.Path, "the upload")
		}
		return mediaKey(me.Kind, me.Limit, model.Invalid("file", "%s", msg))
	case errors.Is(err, media.ErrNotAudio), errors.Is(err, media.ErrCorrupt), errors.Is(err, media.ErrTooLong), errors.Is(err, media.ErrEmpty),
		errors.Is(err, media.ErrLoudness):
		return mediaKey(err, "", model.Invalid("file", "%v", err))
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return fmt.Errorf("process audio: %w", err)
}

// mediaKey attaches to a refusal of an audio file the catalog message of
// its kind (the pages say it in the user's language).
func mediaKey(kind error, limit string, err error) error {
	switch {
	case errors.Is(kind, media.ErrNotAudio):
		return i18n.Localise(err, "bcx.media_not_audio")
	case errors.Is(kind, media.ErrCorrupt):
		return i18n.Localise(err, "bcx.media_corrupt")
	case errors.Is(kind, media.ErrTooLong) && limit != "":
		return i18n.Localise(err, "bcx.media_too_long", limit)
	case errors.Is(kind, media.ErrEmpty):
		return i18n.Localise(err, "bcx.media_empty")
	case errors.Is(kind, media.ErrLoudness):
		return i18n.Localise(err, "bcx.media_loudness")
	}
	return err
}

// storeIngested moves both files into the blob store and records the item.
func (s Library) storeIngested(ctx context.Context, a model.Actor, m *model.Media, ing *media.Ingested) error {
	orig, err := s.putFile(ctx, ing.OriginalPath, ing.OriginalSize, ing.Original.ContentType())
	if err != nil {
		return err
	}
	norm, err := s.putFile(ctx, ing.NormalizedPath, ing.NormalizedSize, "audio/mpeg")
	if err != nil {
		return err
	}
	res := ing.Normalized
	m.SHA256, m.Size = norm.SHA256, norm.Size
	m.DurationMS = res.Info.Duration.Milliseconds()
	m.LoudnessLUFS = res.OutputLoudness.IntegratedLUFS
	m.OriginalSHA256, m.OriginalSize = orig.SHA256, orig.Size
	m.OriginalFormat, m.OriginalCodec = ing.Original.Format, ing.Original.Codec
	return s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Documents().RecordBlob(ctx, orig.SHA256, orig.Size, ing.Original.ContentType()); err != nil {
			return err
		}
		if err := tx.Documents().RecordBlob(ctx, norm.SHA256, norm.Size, "audio/mpeg"); err != nil {
			return err
		}
		if err := tx.Broadcast().InsertMedia(ctx, m); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "media.create", "media", fmt.Sprint(m.ID), fmt.Sprintf("source=%s sha256=%s duration_ms=%d title=%q", m.Source, m.SHA256, m.DurationMS, m.Title))
	})
}

func (s Library) putFile(ctx context.Context, path string, size int64, contentType string) (blob.Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return blob.Info{}, fmt.Errorf("open processed audio: %w", err)
	}
	defer f.Close()
	info, err := s.blobs.Put(ctx, f, size)
	if err != nil {
		return blob.Info{}, fmt.Errorf("store audio (%s): %w", contentType, err)
	}
	return info, nil
}

// SpeakText turns a text bulletin into Vietnamese speech (through the
// configured engine, cached by text and voice) and stores it like an
// uploaded file.
func (s Library) SpeakText(ctx context.Context, a model.Actor, in TTSInput) (*model.Media, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastWrite, in.UnitID)
	if err != nil {
		return nil, err
	}
	title := in.Title
	if strings.TrimSpace(title) == "" {
		title = firstWords(in.Text, 12)
	}
	if title, err = checkTitle(title); err != nil {
		return nil, err
	}
	if s.cfg.TTS == nil {
		return nil, i18n.Localise(errNoTTS, "bcx.media_tools")
	}
	if s.cfg.Media == nil {
		return nil, errNoMedia
	}
	// The unit's pronunciation rules and speech profile apply before the
	// engine; the library keeps the text as written.
	req, err := s.speechRequest(ctx, unit, in.Text, in.Voice, in.Speed)
	if err != nil {
		return nil, err
	}
	audio, _, err := s.cfg.TTS.Synthesize(ctx, req)
	if err != nil {
		return nil, ttsError(err)
	}
	voice := req.Voice
	speed := in.Speed
	if speed == 0 {
		speed = 1
	}
	m := &model.Media{UnitID: unit.ID, Title: title, Source: SourceTTS, TTSText: tts.CleanText(in.Text), TTSVoice: voice, TTSSpeed: speed, CreatedBy: a.Username}
	sum := sha256.Sum256(audio)
	done, err := s.reuseConversion(ctx, a, m, hex.EncodeToString(sum[:]))
	if err != nil {
		return nil, err
	}
	if done {
		return m, nil
	}
	ing, err := s.cfg.Media.Ingest(ctx, bytes.NewReader(audio), s.cfg.MaxUpload)
	if err != nil {
		return nil, s.mediaError(err)
	}
	defer ing.Remove()
	return m, s.storeIngested(ctx, a, m, ing)
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		return strings.Join(f[:n], " ") + "…"
	}
	return strings.Join(f, " ")
}

// Voices lists the text-to-speech voices.
func (s Library) Voices() []tts.Voice {
	if s.cfg.TTS == nil {
		return nil
	}
	return s.cfg.TTS.Voices()
}

// MediaLibrary lists the media a unit may broadcast: its own and those of
// the units above it (content sent down), newest first.
func (s Library) MediaLibrary(ctx context.Context, a model.Actor, unitID int64) ([]*model.Media, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastRead, unitID)
	if err != nil {
		return nil, err
	}
	var out []*model.Media
	anc := storage.AncestorIDs(unit.Path)
	for i := len(anc) - 1; i >= 0; i-- {
		list, err := s.store.Broadcast().MediaLibrary(ctx, anc[i], 200)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	return out, nil
}

// Media returns a media item the actor may read.
func (s Library) Media(ctx context.Context, a model.Actor, id int64) (*model.Media, error) {
	m, err := s.store.Broadcast().MediaItem(ctx, id)
	if err != nil {
		return nil, err
	}
	u, err := s.store.Orgs().Unit(ctx, m.UnitID)
	if err != nil {
		return nil, err
	}
	if !s.policy.Can(a, authz.BroadcastRead, u.Path) && !strings.HasPrefix(a.UnitPath, u.Path) {
		return nil, fmt.Errorf("media %d of unit %q: %w", id, u.Name, model.ErrForbidden)
	}
	return m, nil
}

// OpenMedia opens the audio of a media item for a user: the device
// format, or the original as received.
func (s Library) OpenMedia(ctx context.Context, a model.Actor, id int64, original bool) (io.ReadSeekCloser, *model.Media, error) {
	m, err := s.Media(ctx, a, id)
	if err != nil {
		return nil, nil, err
	}
	sha := m.SHA256
	if original {
		sha = m.OriginalSHA256
	}
	f, _, err := s.blobs.Open(ctx, sha)
	if err != nil {
		return nil, nil, fmt.Errorf("audio of media %d: %w", id, err)
	}
	return f, m, nil
}

// OpenDeviceMedia opens audio for a device: only audio of items that were
// scheduled for or pushed to it.
func (s Library) OpenDeviceMedia(ctx context.Context, da *DeviceAuth, sha string) (io.ReadSeekCloser, error) {
	ok, err := s.store.Broadcast().DeviceMayFetchMedia(ctx, da.Device.ID, sha)
	if err != nil {
		return nil, err
	}
	if !ok {
		// A language version of an order in its schedule.
		if ok, err = s.store.Speech().DeviceMayFetchVersion(ctx, da.Device.ID, sha); err != nil {
			return nil, err
		}
	}
	if !ok {
		// An emergency pushed before its plays were written (its second
		// transaction): the devices it targets fetch its audio already.
		if ok, err = s.store.Broadcast().PendingOrderTargetsDevice(ctx, da.Device.ID, sha); err != nil {
			return nil, err
		}
	}
	if !ok {
		return nil, fmt.Errorf("audio %s is not in the schedule of device %d: %w", clip(sha), da.Device.ID, model.ErrNotFound)
	}
	f, _, err := s.blobs.Open(ctx, sha)
	if err != nil {
		if errors.Is(err, blob.ErrNotFound) {
			return nil, fmt.Errorf("audio %s is missing from the blob store: %w", sha, model.ErrNotFound)
		}
		return nil, err
	}
	return f, nil
}

func clip(s string) string {
	if len(s) > 70 {
		return s[:70] + "…"
	}
	return s
}

// DiscardMedia removes from the library a media item made for a broadcast
// that the service then refused (an item of a directive that could not be
// scheduled), so that speech or audio made for nothing does not stay
// behind. An item that an order uses is kept (model.ErrConflict). The
// stored files stay in the content-addressed blob store, which other
// items and documents may share.
func (s Library) DiscardMedia(ctx context.Context, a model.Actor, id int64, reason string) error {
	m, err := s.store.Broadcast().MediaItem(ctx, id)
	if err != nil {
		return err
	}
	if _, err := s.unitFor(ctx, a, authz.BroadcastWrite, m.UnitID); err != nil {
		return err
	}
	return s.store.Tx(ctx, func(tx *storage.Tx) error {
		ok, err := tx.Broadcast().DeleteUnusedMedia(ctx, id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("media %d is used by a broadcast order and stays in the library: %w", id, model.ErrConflict)
		}
		return tx.Audit().AppendAudit(ctx, a, "media.discard", "media", fmt.Sprint(id), fmt.Sprintf("title=%q source=%s reason=%q", m.Title, m.Source, clip(reason)))
	})
}
