package channels

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net"
	"net/url"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// Limits of evidence.
const (
	MaxEvidenceItems = 10
	MaxURLLen        = 2000
	MaxFilenameLen   = 200
	MaxImagePixels   = 100_000_000
)

// EvidenceFile is a photo or document uploaded as evidence.
type EvidenceFile struct {
	Name string    // the file name, whose extension must match the content
	Body io.Reader // read up to Config.MaxEvidenceBytes + 1
}

// ConfirmInput confirms a task: at least one link or file, and a note.
type ConfirmInput struct {
	Note  string         `json:"note"`
	Links []string       `json:"links"`
	Files []EvidenceFile `json:"-"`
}

// fileType is an accepted evidence format.
type fileType struct {
	mime string
	kind string   // photo or file
	exts []string // accepted extensions
}

var (
	typeJPEG = fileType{"image/jpeg", "photo", []string{".jpg", ".jpeg"}}
	typePNG  = fileType{"image/png", "photo", []string{".png"}}
	typeWebP = fileType{"image/webp", "photo", []string{".webp"}}
	typePDF  = fileType{"application/pdf", "file", []string{".pdf"}}
)

// sniff identifies a file by its first bytes.
func sniff(b []byte) (fileType, bool) {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return typeJPEG, true
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return typePNG, true
	case len(b) >= 16 && string(b[0:4]) == "RIFF" && string(b[8:12]) == "WEBP" && slices.Contains([]string{"VP8 ", "VP8L", "VP8X"}, string(b[12:16])):
		return typeWebP, true
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return typePDF, true
	}
	return fileType{}, false
}

// checkFile validates an evidence file held in memory: a JPEG, PNG or
// WebP image or a PDF, whose content matches its name's extension.
func checkFile(field, name string, data []byte) (fileType, string, error) {
	name, err := cleanFilename(field, name)
	if err != nil {
		return fileType{}, "", err
	}
	if len(data) == 0 {
		return fileType{}, "", model.Invalid(field, "file %q is empty", name)
	}
	ft, ok := sniff(data)
	ext := strings.ToLower(path.Ext(name))
	if !ok {
		return fileType{}, "", model.Invalid(field, "file %q is not a JPEG, PNG or WebP photo or a PDF (its content is something else): convert it and upload again", name)
	}
	if !slices.Contains(ft.exts, ext) {
		return fileType{}, "", model.Invalid(field, "file %q contains %s but is named %q: name it with %s", name, ft.mime, ext, strings.Join(ft.exts, " or "))
	}
	if err := checkImage(ft, data); err != nil {
		return fileType{}, "", model.Invalid(field, "file %q: %v", name, err)
	}
	return ft, name, nil
}

// checkImage decodes the header of JPEG and PNG photos (size sanity).
func checkImage(ft fileType, data []byte) error {
	var cfg image.Config
	var err error
	switch ft.mime {
	case typeJPEG.mime:
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	case typePNG.mime:
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	default:
		return nil
	}
	if err != nil {
		return fmt.Errorf("the %s image is damaged: %v", ft.mime, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxImagePixels {
		return fmt.Errorf("the image is %d×%d pixels: at most %d megapixels", cfg.Width, cfg.Height, MaxImagePixels/1_000_000)
	}
	return nil
}

func cleanFilename(field, name string) (string, error) {
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), "\\", "/"))
	if name == "" || name == "." || name == "/" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxFilenameLen ||
		strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", model.Invalid(field, "give the file a name of at most %d characters ending in .jpg, .png, .webp or .pdf", MaxFilenameLen)
	}
	return name, nil
}

// checkLink validates an evidence URL: an absolute http(s) address of a
// public host, without credentials.
func checkLink(field, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	const how = "give the full address of the article, post or recording, e.g. https://baokiengiang.vn/bai-viet-123"
	if raw == "" || len(raw) > MaxURLLen || strings.IndexFunc(raw, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return "", model.Invalid(field, "%q is not a link: %s (at most %d characters, no spaces)", raw, how, MaxURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return "", model.Invalid(field, "%q is not a web link: %s", raw, how)
	}
	if u.User != nil {
		return "", model.Invalid(field, "link %q contains a user name or password: remove it", raw)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); ip != nil && (ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsLinkLocalUnicast()) {
		return "", model.Invalid(field, "link %q points to a private address: give a public address others can open", raw)
	}
	if host == "localhost" || !strings.Contains(host, ".") && net.ParseIP(host) == nil {
		return "", model.Invalid(field, "link %q has no public host name: %s", raw, how)
	}
	return u.String(), nil
}

// readEvidence reads and checks every file before anything is stored.
func (s TaskOps) readEvidence(files []EvidenceFile) ([][]byte, []fileType, []string, error) {
	datas := make([][]byte, len(files))
	types := make([]fileType, len(files))
	names := make([]string, len(files))
	for i, f := range files {
		field := fmt.Sprintf("files[%d]", i)
		if f.Body == nil {
			return nil, nil, nil, model.Invalid(field, "the file has no content")
		}
		data, err := io.ReadAll(io.LimitReader(f.Body, s.cfg.MaxEvidenceBytes+1))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("read %s: %w", field, err)
		}
		if int64(len(data)) > s.cfg.MaxEvidenceBytes {
			return nil, nil, nil, model.Invalid(field, "file %q is larger than %d MB: reduce the photo or split the document", f.Name, s.cfg.MaxEvidenceBytes>>20)
		}
		if types[i], names[i], err = checkFile(field, f.Name, data); err != nil {
			return nil, nil, nil, err
		}
		datas[i] = data
	}
	return datas, types, names, nil
}

// ConfirmTask confirms a task with evidence: done when confirmed by the
// end of its due day, late after. Only the responsible unit (or who may
// broadcast for it) confirms. Bad evidence refuses the confirmation and
// changes nothing.
func (s TaskOps) ConfirmTask(ctx context.Context, a model.Actor, id int64, in ConfirmInput) (*model.ChannelTask, error) {
	t, err := s.taskToClose(ctx, a, id)
	if err != nil {
		return nil, err
	}
	ev, note, err := s.checkConfirm(in)
	if err != nil {
		return nil, err
	}
	datas, types, names, err := s.readEvidence(in.Files)
	if err != nil {
		return nil, err
	}
	stored, err := s.storeFiles(ctx, t.ID, datas, types, names)
	if err != nil {
		return nil, err
	}
	ev = append(ev, stored...)
	now := s.now()
	status := model.TaskDone
	if now.After(t.DueAt) {
		status = model.TaskLate
	}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Channels().CloseTask(ctx, id, status, "", note, a.Username, now); err != nil {
			return err
		}
		for _, e := range ev {
			e.TaskID = id
			if err := tx.Channels().InsertTaskEvidence(ctx, e); err != nil {
				return err
			}
		}
		return tx.Audit().AppendAudit(ctx, a, "channels.task."+status, "channel_task", fmt.Sprint(id), fmt.Sprintf("evidence=%d", len(ev)))
	})
	if err != nil {
		return nil, err
	}
	return s.store.Channels().Task(ctx, id)
}

// checkConfirm validates the note and links and returns the links as
// evidence.
func (s TaskOps) checkConfirm(in ConfirmInput) ([]*model.TaskEvidence, string, error) {
	n := len(in.Links) + len(in.Files)
	if n == 0 {
		return nil, "", model.Invalid("links", "give evidence: a link to the article or post, or a photo or PDF of what was done")
	}
	if n > MaxEvidenceItems {
		return nil, "", model.Invalid("files", "%d pieces of evidence: at most %d", n, MaxEvidenceItems)
	}
	note, err := longText("note", in.Note, MaxTaskNote)
	if err != nil {
		return nil, "", err
	}
	var ev []*model.TaskEvidence
	for i, l := range in.Links {
		u, err := checkLink(fmt.Sprintf("links[%d]", i), l)
		if err != nil {
			return nil, "", err
		}
		ev = append(ev, &model.TaskEvidence{Kind: "link", URL: u})
	}
	return ev, note, nil
}

// storeFiles writes checked files to the blob store.
func (s TaskOps) storeFiles(ctx context.Context, taskID int64, datas [][]byte, types []fileType, names []string) ([]*model.TaskEvidence, error) {
	if len(datas) > 0 && s.cfg.Blobs == nil {
		return nil, model.Invalid("files", "this server stores no files: give links as evidence")
	}
	var out []*model.TaskEvidence
	for i, data := range datas {
		info, err := s.cfg.Blobs.Put(ctx, bytes.NewReader(data), s.cfg.MaxEvidenceBytes)
		if err != nil {
			if errors.Is(err, blob.ErrTooLarge) {
				return nil, model.Invalid(fmt.Sprintf("files[%d]", i), "file %q is larger than %d MB", names[i], s.cfg.MaxEvidenceBytes>>20)
			}
			return nil, fmt.Errorf("store evidence %q: %w", names[i], err)
		}
		out = append(out, &model.TaskEvidence{TaskID: taskID, Kind: types[i].kind, SHA256: info.SHA256, Size: info.Size, MIME: types[i].mime, Filename: names[i]})
	}
	return out, nil
}

// OpenEvidence opens a stored evidence file for who may read its task.
func (s TaskOps) OpenEvidence(ctx context.Context, a model.Actor, evidenceID int64) (io.ReadSeekCloser, *model.TaskEvidence, error) {
	e, err := s.store.Channels().TaskEvidenceItem(ctx, evidenceID)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.Task(ctx, a, e.TaskID); err != nil {
		return nil, nil, err
	}
	if e.SHA256 == "" {
		return nil, nil, model.Invalid("id", "evidence %d is a link (%s), not a file", evidenceID, e.URL)
	}
	if s.cfg.Blobs == nil {
		return nil, nil, fmt.Errorf("evidence %d: no blob store configured", evidenceID)
	}
	r, _, err := s.cfg.Blobs.Open(ctx, e.SHA256)
	if err != nil {
		return nil, nil, fmt.Errorf("open evidence %d: %w", evidenceID, err)
	}
	return r, e, nil
}
