package intake_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/multipart"
	"net"
	"net/textproto"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/intake"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

const dovecotBin = "/usr/sbin/dovecot"

// dovecot is a real IMAP server on 127.0.0.1 with one user, loa, whose
// maildir the test fills directly.
type dovecot struct {
	addr, maildir string
	uid, gid      int
}

// startDovecot starts Debian's Dovecot with a configuration of its own in
// a temporary directory (passwd-file sign-in, maildir storage) and stops
// it when the test ends.
func startDovecot(t *testing.T) *dovecot {
	t.Helper()
	if _, err := os.Stat(dovecotBin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("Dovecot is missing (Debian package dovecot-imapd; scripts/deps.sh installs it)")
		}
		t.Skip("Dovecot not installed: apt-get install dovecot-imapd")
	}
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("the Dovecot test runs as root (it starts the server with its own users)")
		}
		t.Skip("the Dovecot test needs root")
	}
	mailUser, err := user.Lookup("dovecot")
	if err != nil {
		t.Fatalf("Dovecot's system user: %v", err)
	}
	uid, _ := strconv.Atoi(mailUser.Uid)
	gid, _ := strconv.Atoi(mailUser.Gid)
	dir, err := os.MkdirTemp("", "loa-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	d := &dovecot{addr: fmt.Sprintf("127.0.0.1:%d", port), maildir: filepath.Join(dir, "mail", "loa"), uid: uid, gid: gid}
	for _, sub := range []string{"new", "cur", "tmp"} {
		if err := os.MkdirAll(filepath.Join(d.maildir, sub), 0o750); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{filepath.Join(dir, "mail"), d.maildir, filepath.Join(d.maildir, "new"), filepath.Join(d.maildir, "cur"), filepath.Join(d.maildir, "tmp")} {
		if err := os.Chown(p, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "passwd"), []byte("loa:{PLAIN}thu-den-2021\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
mail_location = maildir:%[1]s/mail/%%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=%[1]s/mail/%%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = %[2]d
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`, dir, port)
	cfg := filepath.Join(dir, "dovecot.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	// Run, not CombinedOutput: the daemon keeps its standard streams,
	// so reading them would wait for it to end.
	if err := exec.Command(dovecotBin, "-c", cfg).Run(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
		t.Fatalf("start dovecot: %v\n%s", err, log)
	}
	t.Cleanup(func() {
		if err := exec.Command(dovecotBin, "-c", cfg, "stop").Run(); err != nil {
			t.Logf("stop dovecot: %v", err)
		}
		for i := 0; i < 50; i++ { // wait until the port is free again
			if c, err := net.DialTimeout("tcp", d.addr, 100*time.Millisecond); err != nil {
				break
			} else {
				c.Close()
			}
			time.Sleep(100 * time.Millisecond)
		}
		os.RemoveAll(dir)
	})
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", d.addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if i == 50 {
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Fatalf("dovecot does not answer on %s: %v\n%s", d.addr, err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return d
}

// deliver puts an e-mail into the maildir.
func (d *dovecot) deliver(t *testing.T, n int, msg []byte) {
	t.Helper()
	p := filepath.Join(d.maildir, "new", fmt.Sprintf("%d.M%dP1.loa-test", time.Now().Unix(), n))
	if err := os.WriteFile(p, msg, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(p, d.uid, d.gid); err != nil {
		t.Fatal(err)
	}
}

// email builds an e-mail with attachments (name → content).
func email(t *testing.T, subject string, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fmt.Fprintf(&b, "From: vanthu@stttt.kiengiang.gov.vn\r\nTo: loa@example.org\r\nSubject: %s\r\nMessage-ID: <%d.%s@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=%s\r\n\r\n",
		mime.QEncoding.Encode("utf-8", subject), time.Now().UnixNano(), strings.ReplaceAll(subject, " ", ""), mw.Boundary())
	text, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"}})
	fmt.Fprintf(text, "Kính gửi: %s\r\n", subject)
	for name, data := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
		h.Set("Content-Transfer-Encoding", "base64")
		w, _ := mw.CreatePart(h)
		enc := base64.StdEncoding.EncodeToString(data)
		for len(enc) > 76 {
			fmt.Fprintf(w, "%s\r\n", enc[:76])
			enc = enc[76:]
		}
		fmt.Fprintf(w, "%s\r\n", enc)
	}
	mw.Close()
	return b.Bytes()
}

func TestMailboxImportsAttachments(t *testing.T) {
	dc := startDovecot(t)
	storetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		e := newIntakeEnv(t, s)
		bl, err := blob.NewFS(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		docs := documents.New(s, bl, authz.Default(), nil)
		e.pipe.Docs = docs
		// Every engine reads the same mailbox: a new message per run.
		msg570 := email(t, "Công văn 570 "+string(s.Engine()), map[string][]byte{"Công văn 570 số hóa.txt": seed(t, "cv-570-STTTT-TTBCBC-2021.txt")})
		dc.deliver(t, 1, msg570)
		dc.deliver(t, 2, email(t, "Không có tệp "+string(s.Engine()), nil))
		dc.deliver(t, 3, email(t, "Hai tệp "+string(s.Engine()), map[string][]byte{
			"355.txt": seed(t, "cv-355-TTCS-TTTH-2021.txt"), "logo.png": {0x89, 'P', 'N', 'G', 0, 1, 2, 3}}))
		mb := &intake.Mailbox{Addr: dc.addr, User: "loa", Password: "thu-den-2021", Pipeline: e.pipe, Envelope: docs}
		outs, err := mb.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(outs) != 3 {
			t.Fatalf("%d messages handled, want 3: %+v", len(outs), outs)
		}
		bySubject := map[string]intake.MessageOutcome{}
		for _, o := range outs {
			bySubject[strings.TrimSuffix(o.Subject, " "+string(s.Engine()))] = o
		}
		o := bySubject["Công văn 570"]
		if o.Reason != "" || len(o.Files) != 1 || o.Files[0].Status != intake.Imported || o.Files[0].Code != "570/STTTT-TTBCBC" || o.Files[0].Registered == 0 ||
			o.Files[0].Name != "Công văn 570 số hóa.txt" {
			t.Errorf("570 e-mail: %+v", o)
		}
		// The e-mail is kept as the envelope of the document, byte for byte.
		envs, err := s.Documents().Envelopes(ctx, o.Files[0].DocumentID)
		if err != nil || len(envs) != 1 || envs[0].MessageID == "" || !strings.HasPrefix(envs[0].Source, "imap://loa@") {
			t.Fatalf("envelopes: %+v %v", envs, err)
		}
		f, _, err := bl.Open(ctx, envs[0].SHA256)
		if err != nil {
			t.Fatal(err)
		}
		var kept bytes.Buffer
		kept.ReadFrom(f)
		f.Close()
		if !bytes.Equal(bytes.ReplaceAll(kept.Bytes(), []byte("\r\n"), []byte("\n")), bytes.ReplaceAll(msg570, []byte("\r\n"), []byte("\n"))) {
			t.Errorf("the kept e-mail differs from the one sent (%d and %d bytes)", kept.Len(), len(msg570))
		}
		if o := bySubject["Không có tệp"]; !strings.Contains(o.Reason, "no attachment") || len(o.Files) != 0 {
			t.Errorf("e-mail without attachment: %+v", o)
		}
		o = bySubject["Hai tệp"]
		if o.Reason != "" || len(o.Files) != 2 {
			t.Errorf("e-mail with a letter and a logo: %+v", o)
		}
		for _, f := range o.Files {
			if (f.Name == "355.txt") != (f.Status == intake.Imported) {
				t.Errorf("%s: %+v", f.Name, f)
			}
		}
		// Handled messages are marked and not read again.
		outs, err = mb.Poll(ctx)
		if err != nil || len(outs) != 0 {
			t.Errorf("second poll: %+v %v", outs, err)
		}
		// A wrong password is a clear error.
		bad := *mb
		bad.Password = "sai"
		if _, err := bad.Poll(ctx); err == nil || !strings.Contains(err.Error(), "sign in to the mailbox") {
			t.Errorf("wrong password: %v", err)
		}
	})
}
