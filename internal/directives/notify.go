package directives

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/loa-project/loa/internal/jobs"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// Notification events, as webhooks name them (X-Loa-Event).
const (
	EventDelivered    = "delivery.delivered" // to the recipient unit
	EventStateChanged = "delivery.state"     // to the issuing unit
	EventReminder     = "delivery.reminder"  // to the recipient unit
	EventEscalated    = "delivery.escalated" // to the recipient's superior
	EventWorkflow     = "directive.workflow" // approvals, issue (e-mail only)
	maxNotifyAttempts = 8
	notifyLease       = 2 * time.Minute
)

// webhookPayload is the JSON body of a webhook call.
type webhookPayload struct {
	ID         string          `json:"id"`
	Event      string          `json:"event"`
	OccurredAt time.Time       `json:"occurred_at"`
	UnitID     int64           `json:"unit_id"`
	Message    string          `json:"message"`
	Directive  *webhookDocRef  `json:"directive,omitempty"`
	Delivery   *webhookDelRef  `json:"delivery,omitempty"`
	Escalation *webhookEscNote `json:"escalation,omitempty"`
}

type webhookDocRef struct {
	ID      int64  `json:"id"`
	Code    string `json:"code"`
	Subject string `json:"subject"`
}

type webhookDelRef struct {
	ID              int64  `json:"id"`
	RecipientUnitID int64  `json:"recipient_unit_id"`
	SenderUnitID    int64  `json:"sender_unit_id"`
	Status          string `json:"status"`
}

type webhookEscNote struct {
	RecipientUnitID int64 `json:"recipient_unit_id"`
	Reminders       int   `json:"reminders"`
}

// usersWithRoles lists the active users of exactly this unit holding one
// of the roles.
func usersWithRoles(ctx context.Context, q storage.Q, u *model.Unit, roles ...model.Role) ([]*model.User, error) {
	all, err := q.Accounts().Users(ctx, u.Path)
	if err != nil {
		return nil, err
	}
	var out []*model.User
	for _, usr := range all {
		if usr.UnitID != u.ID || !usr.Active {
			continue
		}
		for _, r := range roles {
			if usr.HasRole(r) {
				out = append(out, usr)
				break
			}
		}
	}
	return out, nil
}

// queueEmail queues an e-mail to a user when e-mail is configured.
func (s Notifier) queueEmail(ctx context.Context, tx *storage.Tx, unitID int64, to *model.User, event, subject, body string) error {
	if s.smtp.Addr == "" || to.Email == "" {
		return nil
	}
	return tx.Deliveries().InsertNotifyMessage(ctx, &model.NotifyMessage{Channel: "email", UnitID: unitID, Target: to.Email, Event: event,
		Subject: subject, Body: body, CreatedAt: s.now()})
}

// queueWebhook queues a webhook call to a unit's configured URL.
func (s Notifier) queueWebhook(ctx context.Context, tx *storage.Tx, unitID int64, p webhookPayload) error {
	url, _, err := webhookSecret(ctx, tx.Q, unitID)
	if err != nil || url == "" {
		return err
	}
	p.ID, p.UnitID, p.OccurredAt = uuid.NewString(), unitID, s.now()
	body, err := encodeJSON(p)
	if err != nil {
		return err
	}
	return tx.Deliveries().InsertNotifyMessage(ctx, &model.NotifyMessage{Channel: "webhook", UnitID: unitID, Target: url, Event: p.Event, Body: body, CreatedAt: s.now()})
}

func (s Notifier) link(path string) string {
	if s.baseURL == "" {
		return ""
	}
	return "\n\n" + s.baseURL + path
}

// notifyRole tells the users of a unit holding a role (approvers,
// clerks) about a directive, in the app and by e-mail.
func (s Notifier) notifyRole(ctx context.Context, tx *storage.Tx, u *model.Unit, role model.Role, kind string, directiveID int64, msg string) error {
	users, err := usersWithRoles(ctx, tx.Q, u, role)
	if err != nil {
		return err
	}
	settings, err := s.settings(ctx, tx.Q, u.ID)
	if err != nil {
		return err
	}
	dir := directiveID
	for _, usr := range users {
		uid := usr.ID
		if err := tx.Deliveries().InsertNotification(ctx, &model.Notification{UnitID: u.ID, UserID: &uid, Kind: kind, DirectiveID: &dir, Message: msg, CreatedAt: s.now()}); err != nil {
			return err
		}
		if settings.EmailNotifications {
			if err := s.queueEmail(ctx, tx, u.ID, usr, EventWorkflow, "[Loa] "+msg, msg+s.link(fmt.Sprintf("/directives/%d", directiveID))); err != nil {
				return err
			}
		}
	}
	return nil
}

// notifyUser tells a directive's author about its progress.
func (s Notifier) notifyUser(ctx context.Context, tx *storage.Tx, d *model.Directive, kind, msg string) error {
	if d.CreatedBy == nil {
		return nil
	}
	usr, err := tx.Accounts().User(ctx, *d.CreatedBy)
	if err != nil {
		return err
	}
	dir := d.ID
	if err := tx.Deliveries().InsertNotification(ctx, &model.Notification{UnitID: usr.UnitID, UserID: &usr.ID, Kind: kind, DirectiveID: &dir, Message: msg, CreatedAt: s.now()}); err != nil {
		return err
	}
	settings, err := s.settings(ctx, tx.Q, d.UnitID)
	if err != nil {
		return err
	}
	if !settings.EmailNotifications {
		return nil
	}
	return s.queueEmail(ctx, tx, d.UnitID, usr, EventWorkflow, "[Loa] "+msg, msg+s.link(fmt.Sprintf("/directives/%d", d.ID)))
}

// notifyUnit tells a whole unit about a delivery: in the app, by e-mail to
// the users holding the given roles, and through its webhook.
func (s Notifier) notifyUnit(ctx context.Context, tx *storage.Tx, unitID int64, kind, event string, del *model.Delivery, msg string,
	roles []model.Role, esc *webhookEscNote) error {
	u, err := tx.Orgs().Unit(ctx, unitID)
	if err != nil {
		return err
	}
	dir, did := del.DirectiveID, del.ID
	if err := tx.Deliveries().InsertNotification(ctx, &model.Notification{UnitID: unitID, Kind: kind, DirectiveID: &dir, DeliveryID: &did, Message: msg, CreatedAt: s.now()}); err != nil {
		return err
	}
	settings, err := s.settings(ctx, tx.Q, unitID)
	if err != nil {
		return err
	}
	if settings.EmailNotifications && s.smtp.Addr != "" {
		users, err := usersWithRoles(ctx, tx.Q, u, roles...)
		if err != nil {
			return err
		}
		path := fmt.Sprintf("/inbox/%d", del.ID)
		if unitID == del.SenderUnitID {
			path = fmt.Sprintf("/directives/%d/tracking", del.DirectiveID)
		}
		for _, usr := range users {
			if err := s.queueEmail(ctx, tx, unitID, usr, event, "[Loa] "+msg, msg+s.link(path)); err != nil {
				return err
			}
		}
	}
	return s.queueWebhook(ctx, tx, unitID, webhookPayload{Event: event, Message: msg,
		Directive:  &webhookDocRef{ID: del.DirectiveID, Code: del.Code, Subject: del.Subject},
		Delivery:   &webhookDelRef{ID: del.ID, RecipientUnitID: del.RecipientUnitID, SenderUnitID: del.SenderUnitID, Status: del.Status},
		Escalation: esc})
}

var stateNames = map[string]string{Delivered: "đã nhận", Read: "đã xem", Acknowledged: "đã xác nhận", Assigned: "đã phân công",
	Forwarded: "đã triển khai xuống cấp dưới", Reported: "đã báo cáo", Closed: "đã kết thúc", Declined: "từ chối"}

// notifyIssuer tells the issuing unit that a recipient moved a delivery.
func (s Notifier) notifyIssuer(ctx context.Context, tx *storage.Tx, del *model.Delivery, state string) error {
	rec, err := tx.Orgs().Unit(ctx, del.RecipientUnitID)
	if err != nil {
		return err
	}
	d := *del
	d.Status = state
	msg := fmt.Sprintf("%s %s văn bản %s", rec.Name, stateNames[state], del.Code)
	return s.notifyUnit(ctx, tx, del.SenderUnitID, "delivery_"+state, EventStateChanged, &d, msg, []model.Role{model.RoleClerk}, nil)
}

// notifyBackoff: a minute after the first failure, doubling up to about
// eight and a half hours.
var notifyBackoff = jobs.Backoff{Base: time.Minute, Max: 30720 * time.Second, Jitter: 0.1}

// SendNotifications sends every due e-mail and webhook call; a failure is
// retried later with backoff, and given up after several attempts. It
// returns how many were sent.
func (s Notifier) SendNotifications(ctx context.Context) (int, error) {
	return s.notifier.DrainDone(ctx)
}

// sendNotification sends one leased e-mail or webhook call (package jobs).
func (s Notifier) sendNotification(ctx context.Context, job jobs.Job) error {
	m, err := s.store.Deliveries().NotifyMessage(ctx, job.ID)
	if err != nil {
		return err
	}
	switch m.Channel {
	case "email":
		err = s.sendEmail(ctx, m)
	case "webhook":
		err = s.sendWebhook(ctx, m)
	default:
		err = jobs.Permanent(fmt.Errorf("unknown channel %q", m.Channel))
	}
	if err != nil {
		return fmt.Errorf("%s to %s: %w", m.Channel, m.Target, err)
	}
	return s.store.Tx(ctx, func(tx *storage.Tx) error {
		return tx.Deliveries().NotifyMessageSent(ctx, m.ID, s.now())
	})
}

// Sign computes the X-Loa-Signature of a webhook body: HMAC-SHA256 of
// "<timestamp>.<body>" with the unit's secret, hex encoded, prefixed
// "sha256=". Receivers recompute it to check the call came from Loa.
func Sign(secret string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.", timestamp)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func (s Notifier) sendWebhook(ctx context.Context, m *model.NotifyMessage) error {
	_, secret, err := webhookSecret(ctx, s.store.Q, m.UnitID)
	if err != nil {
		return err
	}
	ts := s.clock.Now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Target, strings.NewReader(m.Body))
	if err != nil {
		return fmt.Errorf("webhook %s: %w", m.Target, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Loa-Webhook/1")
	req.Header.Set("X-Loa-Event", m.Event)
	req.Header.Set("X-Loa-Delivery", strconv.FormatInt(m.ID, 10))
	req.Header.Set("X-Loa-Timestamp", strconv.FormatInt(ts, 10))
	if secret != "" {
		req.Header.Set("X-Loa-Signature", Sign(secret, ts, []byte(m.Body)))
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", m.Target, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook %s answered %s", m.Target, resp.Status)
	}
	return nil
}

// message builds an RFC 5322 message with a UTF-8 quoted-printable body.
func message(from, to, subject, body string, at time.Time, id int64) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <loa-%d-%d@loa>\r\n", from, to,
		mime.QEncoding.Encode("utf-8", subject), at.Format(time.RFC1123Z), id, at.Unix())
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	w := quotedprintable.NewWriter(&b)
	if _, err := w.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n"))); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	b.WriteString("\r\n")
	return b.Bytes(), nil
}

func headerSafe(s string) bool { return !strings.ContainsAny(s, "\r\n") }

func (s Notifier) sendEmail(ctx context.Context, m *model.NotifyMessage) error {
	if s.smtp.Addr == "" {
		return errors.New("no SMTP server configured")
	}
	if !headerSafe(m.Target) || !headerSafe(s.smtp.From) {
		return fmt.Errorf("e-mail address %q is not valid", m.Target)
	}
	host, _, err := net.SplitHostPort(s.smtp.Addr)
	if err != nil {
		return fmt.Errorf("SMTP address %q: use host:port: %w", s.smtp.Addr, err)
	}
	msg, err := message(s.smtp.From, m.Target, m.Subject, m.Body, s.now(), m.ID)
	if err != nil {
		return fmt.Errorf("compose e-mail: %w", err)
	}
	conn, err := (&net.Dialer{Timeout: 10 * time.Second}).DialContext(ctx, "tcp", s.smtp.Addr)
	if err != nil {
		return fmt.Errorf("connect to SMTP server %s: %w", s.smtp.Addr, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("SMTP server %s: %w", s.smtp.Addr, err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("SMTP STARTTLS with %s: %w", s.smtp.Addr, err)
		}
	}
	if s.smtp.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.smtp.Username, s.smtp.Password, host)); err != nil {
			return fmt.Errorf("SMTP authentication at %s: %w", s.smtp.Addr, err)
		}
	}
	if err := c.Mail(s.smtp.From); err != nil {
		return fmt.Errorf("SMTP MAIL FROM %s: %w", s.smtp.From, err)
	}
	if err := c.Rcpt(m.Target); err != nil {
		return fmt.Errorf("SMTP RCPT TO %s: %w", m.Target, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("SMTP write message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("SMTP end of message: %w", err)
	}
	return c.Quit()
}

// Notifications lists the in-app notifications of the actor.
func (s Notifier) Notifications(ctx context.Context, a model.Actor, unreadOnly bool, limit int) ([]model.Notification, error) {
	if a.UnitID == 0 {
		return []model.Notification{}, nil
	}
	out, err := s.store.Deliveries().Notifications(ctx, a.UnitID, a.UserID, unreadOnly, limit)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []model.Notification{}
	}
	return out, nil
}

// MarkNotificationRead marks one of the actor's notifications read.
func (s Notifier) MarkNotificationRead(ctx context.Context, a model.Actor, id int64) error {
	var ok bool
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		var err error
		ok, err = tx.Deliveries().MarkNotificationRead(ctx, id, a.UnitID, a.UserID, s.now())
		return err
	})
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("notification %d: %w", id, model.ErrNotFound)
	}
	return nil
}
