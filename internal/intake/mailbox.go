package intake

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"path/filepath"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/docparse"
	"github.com/loa-project/loa/internal/model"
)

// Envelopes keeps the e-mail a document came in (documents.Service).
type Envelopes interface {
	AttachEnvelope(ctx context.Context, a model.Actor, documentID int64, e model.Envelope, data []byte) error
}

// Flags set on handled messages (IMAP keywords): a message with either
// is not read again.
const (
	FlagImported = "$LoaImported"
	FlagFailed   = "$LoaFailed"
)

// Mailbox imports the attachments of the e-mails in an IMAP folder as
// documents, keeps each e-mail as the envelope of the documents it
// brought, and marks it handled ($LoaImported and \Seen, or $LoaFailed
// when nothing in it could be imported). A message handled halfway (Loa
// stopped) is read again: its files are recognised by their content and
// registered once.
type Mailbox struct {
	Addr     string      // host:port
	TLS      *tls.Config // nil: plain TCP (a local server only)
	User     string
	Password string
	Folder   string // default INBOX
	Pipeline *Pipeline
	Envelope Envelopes
	Interval time.Duration // between polls (default 1 minute)
	Log      *slog.Logger
}

// MessageOutcome is what became of one e-mail.
type MessageOutcome struct {
	UID       uint32
	MessageID string
	Subject   string
	Files     []Outcome
	// Reason is set when nothing was imported from the message.
	Reason string
}

// mailFile is one attachment.
type mailFile struct {
	name string
	data []byte
}

// maxMessage is the largest e-mail read.
const maxMessage = 2*docparse.MaxInputSize + 10<<20

// Run polls until ctx ends.
func (m *Mailbox) Run(ctx context.Context) error {
	iv := m.Interval
	if iv <= 0 {
		iv = time.Minute
	}
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		if _, err := m.Poll(ctx); err != nil && ctx.Err() == nil {
			m.logger().Error("mailbox", "addr", m.Addr, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (m *Mailbox) logger() *slog.Logger {
	if m.Log == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return m.Log
}

// Poll reads the folder once: every message not yet handled (at most 200
// a poll).
func (m *Mailbox) Poll(ctx context.Context) ([]MessageOutcome, error) {
	c, err := dialIMAP(ctx, m.Addr, m.TLS)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	user, err := quote(m.User)
	if err != nil {
		return nil, fmt.Errorf("mailbox user: %w", err)
	}
	pass, err := quote(m.Password)
	if err != nil {
		return nil, fmt.Errorf("mailbox password: %w", err)
	}
	if _, err := c.cmd(ctx, "LOGIN "+user+" "+pass); err != nil {
		return nil, fmt.Errorf("sign in to the mailbox %s as %s: %w", m.Addr, m.User, err)
	}
	folder := m.Folder
	if folder == "" {
		folder = "INBOX"
	}
	qf, err := quote(folder)
	if err != nil {
		return nil, fmt.Errorf("mailbox folder: %w", err)
	}
	if _, err := c.cmd(ctx, "SELECT "+qf); err != nil {
		return nil, fmt.Errorf("open folder %s: %w", folder, err)
	}
	uids, err := c.searchUIDs(ctx, "NOT KEYWORD "+FlagImported+" NOT KEYWORD "+FlagFailed)
	if err != nil {
		return nil, fmt.Errorf("list new messages: %w", err)
	}
	if len(uids) > 200 {
		uids = uids[:200]
	}
	source := fmt.Sprintf("imap://%s@%s/%s", m.User, m.Addr, folder)
	var outs []MessageOutcome
	for _, uid := range uids {
		out, err := m.message(ctx, c, uid, source)
		if err != nil {
			return outs, err
		}
		flag := FlagImported + ` \Seen`
		if out.Reason != "" {
			flag = FlagFailed
		}
		if _, err := c.cmd(ctx, fmt.Sprintf("UID STORE %d +FLAGS.SILENT (%s)", uid, flag)); err != nil {
			return outs, fmt.Errorf("mark message %d: %w", uid, err)
		}
		m.logger().Info("mailbox: message handled", "uid", uid, "message_id", out.MessageID, "subject", out.Subject, "files", len(out.Files), "reason", out.Reason)
		outs = append(outs, out)
	}
	_, _ = c.cmd(ctx, "LOGOUT")
	return outs, nil
}

// message imports the attachments of one e-mail.
func (m *Mailbox) message(ctx context.Context, c *imapConn, uid uint32, source string) (MessageOutcome, error) {
	out := MessageOutcome{UID: uid}
	size, err := c.fetchSize(ctx, uid)
	if err != nil {
		return out, err
	}
	if size > maxMessage {
		out.Reason = fmt.Sprintf("the e-mail is %d MiB; at most %d MiB are read: send the documents in smaller e-mails", size>>20, maxMessage>>20)
		return out, nil
	}
	raw, err := c.fetchMessage(ctx, uid)
	if err != nil {
		return out, err
	}
	msg, files, err := parseMail(raw)
	if msg != nil {
		out.MessageID = strings.Trim(msg.Header.Get("Message-Id"), "<> ")
		out.Subject, _ = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	}
	if err != nil {
		out.Reason = "the e-mail cannot be read: " + err.Error()
		return out, nil
	}
	if len(files) == 0 {
		out.Reason = "the e-mail has no attachment: send the document as an attached file (.pdf, .docx, .txt or edXML)"
		return out, nil
	}
	imported := 0
	for _, f := range files {
		o, err := m.Pipeline.File(ctx, f.name, f.data)
		if err != nil {
			return out, err
		}
		if o.DocumentID != 0 && (o.Status == Imported || o.Status == Already) {
			imported++
			env := model.Envelope{Name: fmt.Sprintf("email-%d.eml", uid), Source: source, MessageID: out.MessageID}
			if err := m.Envelope.AttachEnvelope(ctx, m.Pipeline.Actor, o.DocumentID, env, raw); err != nil {
				return out, fmt.Errorf("keep the e-mail of %s: %w", f.name, err)
			}
		}
		out.Files = append(out.Files, o)
	}
	if imported == 0 {
		var why []string
		for _, o := range out.Files {
			why = append(why, o.Name+": "+o.Reason)
		}
		out.Reason = "no attachment is a document: " + strings.Join(why, "; ")
	}
	return out, nil
}

// parseMail returns the attachments of an e-mail (at most 50, five
// levels of nested parts).
func parseMail(raw []byte) (*mail.Message, []mailFile, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, err
	}
	var files []mailFile
	err = walkPart(msg.Header, msg.Body, 0, &files)
	return msg, files, err
}

// header is a mail or MIME part header.
type header interface{ Get(string) string }

func walkPart(h header, body io.Reader, depth int, files *[]mailFile) error {
	if depth > 5 || len(*files) >= 50 {
		return nil
	}
	ctype, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		ctype, params = "text/plain", nil
	}
	if strings.HasPrefix(ctype, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walkPart(p.Header, p, depth+1, files); err != nil {
				return err
			}
		}
	}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	if name == "" && disp != "attachment" {
		return nil // the text of the e-mail itself
	}
	if dec, err := new(mime.WordDecoder).DecodeHeader(name); err == nil {
		name = dec
	}
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "" || name == "." || name == "/" {
		name = "attachment"
	}
	var r io.Reader = body
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &skipSpace{r: body})
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	}
	data, err := io.ReadAll(io.LimitReader(r, docparse.MaxInputSize+1))
	if err != nil {
		return fmt.Errorf("attachment %s: %w", name, err)
	}
	*files = append(*files, mailFile{name: name, data: data})
	return nil
}

// skipSpace drops the line breaks of base64 text.
type skipSpace struct{ r io.Reader }

func (s *skipSpace) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	j := 0
	for _, c := range p[:n] {
		if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
			p[j] = c
			j++
		}
	}
	return j, err
}
