package intake

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// imapConn is the small IMAP4rev1 client (RFC 3501) the mailbox needs:
// LOGIN, SELECT, UID SEARCH, UID FETCH and UID STORE, over TCP or TLS.
// Loa needs these five commands only; the one IMAP library on the module
// proxy is a beta (go-imap v2.0.0-beta.8), so Loa speaks them itself.
type imapConn struct {
	c   net.Conn
	r   *bufio.Reader
	tag int
}

// Limits of what the server may send.
const (
	maxIMAPLine    = 64 << 10
	maxIMAPLiteral = 64 << 20
	imapTimeout    = 2 * time.Minute
)

func dialIMAP(ctx context.Context, addr string, tlsConf *tls.Config) (*imapConn, error) {
	d := net.Dialer{Timeout: 30 * time.Second}
	var c net.Conn
	var err error
	if tlsConf != nil {
		c, err = (&tls.Dialer{NetDialer: &d, Config: tlsConf}).DialContext(ctx, "tcp", addr)
	} else {
		c, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to the mailbox %s: %w", addr, err)
	}
	ic := &imapConn{c: c, r: bufio.NewReaderSize(c, 32<<10)}
	_ = c.SetDeadline(time.Now().Add(imapTimeout))
	greet, err := ic.line()
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("mailbox %s: greeting: %w", addr, err)
	}
	if !strings.HasPrefix(greet, "* OK") && !strings.HasPrefix(greet, "* PREAUTH") {
		c.Close()
		return nil, fmt.Errorf("mailbox %s refused the connection: %s", addr, greet)
	}
	return ic, nil
}

func (c *imapConn) Close() error { return c.c.Close() }

// line reads one line without its CRLF.
func (c *imapConn) line() (string, error) {
	var b []byte
	for {
		part, isPrefix, err := c.r.ReadLine()
		if err != nil {
			return "", err
		}
		b = append(b, part...)
		if len(b) > maxIMAPLine {
			return "", errors.New("the server sent a line that is too long")
		}
		if !isPrefix {
			return string(b), nil
		}
	}
}

// imapResponse is an untagged response: its text (literals replaced by
// "{n}") and the literals in order.
type imapResponse struct {
	text     string
	literals [][]byte
}

// quote makes an IMAP quoted string; CR and LF cannot be quoted.
func quote(s string) (string, error) {
	if strings.ContainsAny(s, "\r\n\x00") {
		return "", errors.New("line breaks are not allowed here")
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`, nil
}

// cmd sends a command and reads the untagged responses up to its
// completion; a NO or BAD completion is an error with the server's text.
func (c *imapConn) cmd(ctx context.Context, command string) ([]imapResponse, error) {
	c.tag++
	tag := "L" + strconv.Itoa(c.tag)
	deadline := time.Now().Add(imapTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = c.c.SetDeadline(deadline)
	if _, err := io.WriteString(c.c, tag+" "+command+"\r\n"); err != nil {
		return nil, err
	}
	var out []imapResponse
	for {
		l, err := c.line()
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(l, tag+" ") {
			status := strings.TrimPrefix(l, tag+" ")
			if !strings.HasPrefix(status, "OK") {
				verb, _, _ := strings.Cut(command, " ")
				return out, fmt.Errorf("%s: %s", verb, status)
			}
			return out, nil
		}
		if !strings.HasPrefix(l, "*") {
			continue // a continuation request we did not ask for
		}
		resp := imapResponse{}
		for {
			n, ok := literalSize(l)
			if !ok {
				resp.text += l
				break
			}
			if n > maxIMAPLiteral {
				return nil, fmt.Errorf("the server sent %d bytes at once; at most %d are read", n, maxIMAPLiteral)
			}
			buf := make([]byte, n)
			if _, err := io.ReadFull(c.r, buf); err != nil {
				return nil, err
			}
			resp.text += l
			resp.literals = append(resp.literals, buf)
			if l, err = c.line(); err != nil {
				return nil, err
			}
		}
		out = append(out, resp)
	}
}

// literalSize reads a trailing {n} of a response line.
func literalSize(l string) (int, bool) {
	if !strings.HasSuffix(l, "}") {
		return 0, false
	}
	i := strings.LastIndexByte(l, '{')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSuffix(l[i+1:len(l)-1], "+"))
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// searchUIDs runs UID SEARCH and returns the UIDs.
func (c *imapConn) searchUIDs(ctx context.Context, criteria string) ([]uint32, error) {
	resps, err := c.cmd(ctx, "UID SEARCH "+criteria)
	if err != nil {
		return nil, err
	}
	var out []uint32
	for _, r := range resps {
		if !strings.HasPrefix(r.text, "* SEARCH") {
			continue
		}
		for _, f := range strings.Fields(strings.TrimPrefix(r.text, "* SEARCH")) {
			if n, err := strconv.ParseUint(f, 10, 32); err == nil {
				out = append(out, uint32(n))
			}
		}
	}
	return out, nil
}

// fetchSize returns the size of a message (RFC822.SIZE).
func (c *imapConn) fetchSize(ctx context.Context, uid uint32) (int64, error) {
	resps, err := c.cmd(ctx, fmt.Sprintf("UID FETCH %d (RFC822.SIZE)", uid))
	if err != nil {
		return 0, err
	}
	for _, r := range resps {
		if _, rest, ok := strings.Cut(r.text, "RFC822.SIZE "); ok {
			f := strings.FieldsFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
			if len(f) > 0 {
				return strconv.ParseInt(f[0], 10, 64)
			}
		}
	}
	return 0, fmt.Errorf("message %d: no size in the answer", uid)
}

// fetchMessage returns the whole message without setting \Seen.
func (c *imapConn) fetchMessage(ctx context.Context, uid uint32) ([]byte, error) {
	resps, err := c.cmd(ctx, fmt.Sprintf("UID FETCH %d (BODY.PEEK[])", uid))
	if err != nil {
		return nil, err
	}
	for _, r := range resps {
		if strings.Contains(r.text, "BODY[]") && len(r.literals) > 0 {
			return r.literals[0], nil
		}
	}
	return nil, fmt.Errorf("message %d: no body in the answer", uid)
}
