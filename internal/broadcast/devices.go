package broadcast

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// Enrol registers a new device with a unit's enrolment key and returns its
// own credential (shown once; only its hash is stored). The key must be
// neither revoked, expired nor used up (its maximum number of devices),
// and a client address may fail at most EnrolFailures times per
// EnrolWindow (then it is refused until older failures leave the window).
func (s DeviceFleet) Enrol(ctx context.Context, in protocol.EnrolRequest, client string) (*protocol.EnrolResponse, error) {
	limited, err := s.enrolThrottle(ctx, client)
	if err != nil {
		return nil, err
	}
	resp, err := s.enrol(ctx, in, client)
	// Only the client's failures count against its address
	// (FailedEnrolments): a successful enrolment writes nothing more, so
	// that a fleet enrolling at once costs one transaction per device, and
	// a busy server's refusal (retried by the device) is not held against
	// it.
	if limited && err != nil && !errors.Is(err, model.ErrOverloaded) && ctx.Err() == nil {
		if rerr := s.store.Tx(ctx, func(tx *storage.Tx) error {
			return tx.Devices().AddEnrolmentAttempt(ctx, client, s.clock(), false)
		}); rerr != nil {
			s.log.Warn("record enrolment attempt", "client", client, "err", rerr)
		}
	}
	return resp, err
}

// enrolThrottle refuses a client address that made too many failed
// enrolment attempts recently. Attempts are counted in the database, so every
// replica sees them. Callers inside the server (the demo loader) pass no
// network address and are not limited (limited is false).
func (s DeviceFleet) enrolThrottle(ctx context.Context, client string) (limited bool, err error) {
	if _, perr := netip.ParseAddr(client); perr != nil {
		return false, nil
	}
	n, err := s.store.Devices().FailedEnrolments(ctx, client, s.clock().Add(-s.cfg.EnrolWindow))
	if err != nil {
		return true, err
	}
	if n >= s.cfg.EnrolFailures {
		s.log.Warn("enrolment attempts throttled", "client", client, "attempts", n)
		mins := int(s.cfg.EnrolWindow.Round(time.Minute) / time.Minute)
		return true, i18n.Localise(fmt.Errorf("%d failed enrolment attempts from %s within %d minutes: wait and try again later: %w",
			n, client, mins, model.ErrThrottled), "bcx.enrol_throttled", mins)
	}
	return true, nil
}

func (s DeviceFleet) enrol(ctx context.Context, in protocol.EnrolRequest, client string) (*protocol.EnrolResponse, error) {
	key := strings.TrimSpace(in.Key)
	switch {
	case key == "":
		return nil, fmt.Errorf("send the unit's enrolment key (loa_e_…) in the \"key\" field: %w", model.ErrUnauthorized)
	case strings.HasPrefix(key, accounts.PrefixDevice):
		return nil, fmt.Errorf("this is a device credential, not an enrolment key; an enrolled device does not enrol again: %w", model.ErrUnauthorized)
	case !strings.HasPrefix(key, accounts.PrefixEnrolment):
		return nil, fmt.Errorf("not an enrolment key (enrolment keys start with %q): %w", accounts.PrefixEnrolment, model.ErrUnauthorized)
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > protocol.MaxNameLen || !utf8.ValidString(name) {
		return nil, invalid("name", "bcx.device_name", "give the device a name of 1-%d characters, e.g. \"Cụm loa tổ 3\"", protocol.MaxNameLen)
	}
	kind := strings.TrimSpace(in.Kind)
	if kind == "" {
		kind = protocol.KindLoudspeaker
	}
	if kind != protocol.KindLoudspeaker && kind != protocol.KindBoard {
		return nil, model.Invalid("kind", "%q is not a device kind: use %q or %q", kind, protocol.KindLoudspeaker, protocol.KindBoard)
	}
	if len(in.HardwareID) > protocol.MaxFieldLen || len(in.Firmware) > protocol.MaxFieldLen {
		return nil, model.Invalid("hardware_id", "hardware_id and firmware are limited to %d bytes", protocol.MaxFieldLen)
	}
	now := s.clock()
	k, err := s.store.Devices().EnrolmentKeyByHash(ctx, accounts.HashSecret(key))
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return nil, i18n.Localise(fmt.Errorf("enrolment key unknown; ask the unit's administrator for a valid key: %w", model.ErrUnauthorized), "bcx.key_unknown")
		}
		return nil, err
	}
	if err := keyRefusal(k, now, s.loc); err != nil {
		return nil, err
	}
	unit, err := s.store.Orgs().Unit(ctx, k.UnitID)
	if err != nil {
		return nil, err
	}
	secret, err := accounts.NewSecret(accounts.PrefixDevice)
	if err != nil {
		return nil, err
	}
	d := &model.Device{UnitID: unit.ID, Name: name, Kind: kind, HardwareID: in.HardwareID, Firmware: in.Firmware,
		CredentialPrefix: accounts.DisplayPrefix(secret), EnrolmentKeyID: &k.ID, EnrolledAt: now}
	// The key's count is taken last: every enrolment with the key updates
	// its row, so the row stays locked only until the commit, not while
	// the device and the audit entry are written (a fleet enrolling at
	// once with one key would otherwise queue on it).
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Devices().InsertDevice(ctx, d, accounts.HashSecret(secret)); err != nil {
			return err
		}
		a := model.System("device")
		a.UnitID, a.UnitPath, a.ClientAddr = unit.ID, unit.Path, client
		if err := tx.Audit().AppendAudit(ctx, a, "device.enrol", "device", fmt.Sprint(d.ID), fmt.Sprintf("unit=%s key=%s name=%q", unit.Code, k.Prefix, name)); err != nil {
			return err
		}
		return tx.Devices().UseEnrolmentKey(ctx, k.ID, now)
	})
	if errors.Is(err, model.ErrConflict) {
		// The key changed meanwhile (another device took its last place,
		// or it was revoked): say why with its current state.
		if cur, rerr := s.store.Devices().EnrolmentKeyByHash(ctx, accounts.HashSecret(key)); rerr == nil {
			if rerr := keyRefusal(cur, now, s.loc); rerr != nil {
				return nil, rerr
			}
		}
		return nil, usedUp(k)
	}
	if err != nil {
		return nil, err
	}
	s.log.Info("device enrolled", "device", d.ID, "unit", unit.Code, "name", name)
	return &protocol.EnrolResponse{DeviceID: d.ID, Credential: secret, UnitID: unit.ID, UnitCode: unit.Code, UnitName: unit.Name, ServerTime: s.clock()}, nil
}

// keyRefusal says why an enrolment key cannot enrol a device now, or
// returns nil.
func keyRefusal(k *model.EnrolmentKey, now time.Time, loc *time.Location) error {
	switch {
	case k.RevokedAt != nil:
		return i18n.Localise(fmt.Errorf("enrolment key %s was revoked; ask the unit's administrator for a new key: %w", k.Prefix, model.ErrUnauthorized),
			"bcx.key_revoked", k.Prefix)
	case k.ExpiresAt != nil && !now.Before(*k.ExpiresAt):
		when := k.ExpiresAt.In(loc).Format("02/01/2006 15:04")
		return i18n.Localise(fmt.Errorf("enrolment key %s expired on %s; ask the unit's administrator for a new key: %w", k.Prefix, when, model.ErrUnauthorized),
			"bcx.key_expired_use", k.Prefix, when)
	case k.MaxDevices != nil && k.Uses >= *k.MaxDevices:
		return usedUp(k)
	}
	return nil
}

func usedUp(k *model.EnrolmentKey) error {
	n := 0
	if k.MaxDevices != nil {
		n = *k.MaxDevices
	}
	return i18n.Localise(fmt.Errorf("enrolment key %s is used up: it enrols at most %d device(s); ask the unit's administrator for a new key: %w", k.Prefix, n, model.ErrUnauthorized),
		"bcx.key_used_up", k.Prefix, n)
}

// DeviceAuth is an authenticated device request.
type DeviceAuth struct {
	Device *model.Device
	Header model.ScheduleHeader
}

// AuthenticateDevice checks a device credential for the device named in
// the request path. User tokens and sessions are refused, and so is a
// credential used for another device than its own.
func (s DeviceFleet) AuthenticateDevice(ctx context.Context, credential string, deviceID int64) (*DeviceAuth, error) {
	switch {
	case credential == "":
		return nil, fmt.Errorf("send the device credential as \"Authorization: Bearer loa_d_…\": %w", model.ErrUnauthorized)
	case strings.HasPrefix(credential, accounts.PrefixToken), strings.HasPrefix(credential, accounts.PrefixSession):
		return nil, fmt.Errorf("device endpoints take a device credential (loa_d_…), not a user's token or session: %w", model.ErrUnauthorized)
	case strings.HasPrefix(credential, accounts.PrefixEnrolment):
		return nil, fmt.Errorf("an enrolment key only serves to enrol (POST %s); use the credential enrolment returned: %w", protocol.PathEnrol, model.ErrUnauthorized)
	case !strings.HasPrefix(credential, accounts.PrefixDevice):
		return nil, fmt.Errorf("not a device credential (they start with %q): %w", accounts.PrefixDevice, model.ErrUnauthorized)
	}
	hash := accounts.HashSecret(credential)
	now := s.clock()
	if d, h, ok := s.polls.get(hash, now); ok {
		if d.ID != deviceID {
			s.log.Warn("device credential used for another device", "credential_of", d.ID, "path_device", deviceID)
			return nil, fmt.Errorf("this credential belongs to device %d, not to device %d; each device uses its own credential: %w", d.ID, deviceID, model.ErrForbidden)
		}
		s.markSeen(model.DeviceSeen{DeviceID: d.ID, SeenAt: now})
		return &DeviceAuth{Device: d, Header: h}, nil
	}
	gen := s.polls.generation()
	d, h, err := s.store.Devices().DeviceByCredential(ctx, hash)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return nil, fmt.Errorf("device credential unknown or revoked; enrol the device again: %w", model.ErrUnauthorized)
		}
		return nil, err
	}
	if d.ID != deviceID {
		s.log.Warn("device credential used for another device", "credential_of", d.ID, "path_device", deviceID)
		return nil, fmt.Errorf("this credential belongs to device %d, not to device %d; each device uses its own credential: %w", d.ID, deviceID, model.ErrForbidden)
	}
	s.polls.put(gen, hash, d, h, now)
	s.markSeen(model.DeviceSeen{DeviceID: d.ID, SeenAt: s.clock()})
	return &DeviceAuth{Device: d, Header: h}, nil
}

// Heartbeat records a device's state and returns the commands waiting
// for it (marked delivered).
func (s DeviceFleet) Heartbeat(ctx context.Context, da *DeviceAuth, hb protocol.Heartbeat) (*protocol.HeartbeatResponse, error) {
	switch {
	case hb.Volume < 0 || hb.Volume > 100:
		return nil, invalid("volume", "bcx.volume", "volume %d is out of range: use 0-100", hb.Volume)
	case hb.Status != "" && !protocol.KnownDeviceStatus(hb.Status):
		return nil, invalid("status", "bcx.hb_status", "status %q is unknown: use %s", clip(hb.Status), strings.Join(protocol.DeviceStatuses, ", "))
	case hb.UptimeS < 0 || hb.UptimeS > protocol.MaxUptimeS:
		return nil, invalid("uptime_s", "bcx.hb_uptime", "uptime_s %d is out of range: seconds since the device started, 0-%d", hb.UptimeS, protocol.MaxUptimeS)
	case hb.QueuedPlays < 0 || hb.QueuedPlays > protocol.MaxQueuedPlays:
		return nil, invalid("queued_plays", "bcx.hb_queued", "queued_plays %d is out of range: 0-%d", hb.QueuedPlays, protocol.MaxQueuedPlays)
	case len(hb.Firmware) > protocol.MaxFieldLen || len(hb.PlayingItem) > protocol.MaxItemIDLen:
		return nil, model.Invalid("firmware", "firmware and playing_item are limited to %d bytes", protocol.MaxFieldLen)
	case hb.Signal < -200 || hb.Signal > 100:
		return nil, model.Invalid("signal", "signal %d is out of range: dBm between -200 and 0, or 0 when unknown", hb.Signal)
	}
	fw := hb.Firmware
	if fw == "" {
		fw = da.Device.Firmware
	}
	status := hb.Status
	if status == "" {
		status = "ok"
	}
	s.markSeen(model.DeviceSeen{DeviceID: da.Device.ID, SeenAt: s.clock(), Heartbeat: true, Status: status, Volume: hb.Volume, Signal: hb.Signal, Firmware: fw})
	resp := &protocol.HeartbeatResponse{ServerTime: s.clock()}
	now := s.clock()
	if s.polls.noCommands(da.Device.ID, now) {
		return resp, nil
	}
	gen := s.polls.generation()
	cmds, err := s.store.Devices().PendingCommands(ctx, da.Device.ID)
	if err != nil {
		return nil, err
	}
	if len(cmds) == 0 {
		s.polls.putNoCommands(gen, da.Device.ID, now)
	}
	if len(cmds) > 0 {
		err := s.store.Tx(ctx, func(tx *storage.Tx) error {
			for _, c := range cmds {
				if err := tx.Devices().MarkCommandDelivered(ctx, da.Device.ID, c.ID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		for _, c := range cmds {
			resp.Commands = append(resp.Commands, wireCommand(c))
		}
	}
	return resp, nil
}

func wireCommand(c model.DeviceCommand) protocol.Command {
	out := protocol.Command{ID: c.ID, Kind: c.Kind}
	var p struct {
		Volume int `json:"volume"`
	}
	if json.Unmarshal([]byte(c.Payload), &p) == nil {
		out.Volume = p.Volume
	}
	return out
}

// DeviceView is a device as monitoring shows it.
type DeviceView struct {
	*model.Device
	UnitCode string `json:"unit_code"`
	UnitName string `json:"unit_name"`
	Online   bool   `json:"online"`
	// Pushed: the device holds a push connection to this server.
	Pushed bool `json:"pushed"`
}

// Devices lists the devices of a unit and the units below it that the
// actor may see.
func (s DeviceFleet) Devices(ctx context.Context, a model.Actor, unitID int64) ([]DeviceView, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastRead, unitID)
	if err != nil {
		return nil, err
	}
	path := unit.Path
	if s.policy.ReachOf(a, authz.BroadcastRead) < authz.Subtree {
		// Own-unit readers see their unit's devices only.
		return s.devicesOf(ctx, path, unit.ID)
	}
	return s.devicesOf(ctx, path, 0)
}

func (s DeviceFleet) devicesOf(ctx context.Context, path string, onlyUnit int64) ([]DeviceView, error) {
	devs, err := s.store.Devices().ListDevices(ctx, path, false)
	if err != nil {
		return nil, err
	}
	units, err := s.store.Orgs().Subtree(ctx, path)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*model.Unit{}
	for _, u := range units {
		byID[u.ID] = u
	}
	now := s.clock()
	out := make([]DeviceView, 0, len(devs))
	for _, d := range devs {
		if onlyUnit != 0 && d.UnitID != onlyUnit {
			continue
		}
		v := DeviceView{Device: d, Online: s.online(d, now), Pushed: s.hub.Connected(d.ID)}
		if u := byID[d.UnitID]; u != nil {
			v.UnitCode, v.UnitName = u.Code, u.Name
		}
		out = append(out, v)
	}
	return out, nil
}

// online: seen within the online window (pending in-memory updates count).
func (s DeviceFleet) online(d *model.Device, now time.Time) bool {
	last := s.lastSeen(d)
	return last != nil && now.Sub(*last) <= s.cfg.OnlineWindow
}

// lastSeen is the device's last contact, including contacts not yet
// flushed to the database.
func (s DeviceFleet) lastSeen(d *model.Device) *time.Time {
	last := d.LastSeenAt
	s.seenMu.Lock()
	if t, ok := s.memSeen(d.ID); ok && (last == nil || t.After(*last)) {
		last = &t
	}
	s.seenMu.Unlock()
	return last
}

// deviceFor loads a device and checks an action on its unit.
func (s DeviceFleet) deviceFor(ctx context.Context, a model.Actor, action authz.Action, id int64) (*model.Device, *model.Unit, error) {
	d, err := s.store.Devices().Device(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.store.Orgs().Unit(ctx, d.UnitID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.can(a, action, u); err != nil {
		return nil, nil, err
	}
	return d, u, nil
}

// Device returns one device.
func (s DeviceFleet) Device(ctx context.Context, a model.Actor, id int64) (*DeviceView, error) {
	d, u, err := s.deviceFor(ctx, a, authz.BroadcastRead, id)
	if err != nil {
		return nil, err
	}
	return &DeviceView{Device: d, UnitCode: u.Code, UnitName: u.Name, Online: s.online(d, s.clock()), Pushed: s.hub.Connected(d.ID)}, nil
}

// RenameDevice changes a device's name.
func (s DeviceFleet) RenameDevice(ctx context.Context, a model.Actor, id int64, name string) error {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > protocol.MaxNameLen {
		return invalid("name", "bcx.device_name", "give the device a name of 1-%d characters", protocol.MaxNameLen)
	}
	if _, _, err := s.deviceFor(ctx, a, authz.DeviceAdmin, id); err != nil {
		return err
	}
	return s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Devices().RenameDevice(ctx, id, name); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "device.rename", "device", fmt.Sprint(id), name)
	})
}

// RevokeDevice invalidates a device's credential; it must enrol again.
func (s DeviceFleet) RevokeDevice(ctx context.Context, a model.Actor, id int64) error {
	if _, _, err := s.deviceFor(ctx, a, authz.DeviceAdmin, id); err != nil {
		return err
	}
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Devices().RevokeDevice(ctx, id); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "device.revoke", "device", fmt.Sprint(id), "")
	})
	if err != nil {
		return err
	}
	// Every replica forgets the credential it may have cached.
	n := Notice{Kind: NoticeDevice, Devices: []int64{id}}
	s.polls.invalidate(n)
	if err := s.notify.Publish(ctx, n); err != nil {
		s.log.Warn("publish device revocation; other replicas forget the credential within the poll cache lifetime", "device", id, "err", err)
	}
	return nil
}

// CommandInput is a remote command from an operator.
type CommandInput struct {
	Kind   string `json:"kind"`   // volume, restart, stop
	Volume int    `json:"volume"` // for volume
}

// SendCommand queues a remote command and pushes it to the device if it
// is connected to any replica; otherwise it gets it with its next
// heartbeat.
func (s DeviceFleet) SendCommand(ctx context.Context, a model.Actor, deviceID int64, in CommandInput) (*model.DeviceCommand, error) {
	payload := "{}"
	switch in.Kind {
	case protocol.CommandVolume:
		if in.Volume < 0 || in.Volume > 100 {
			return nil, invalid("volume", "bcx.volume", "volume %d is out of range: use 0-100", in.Volume)
		}
		payload = fmt.Sprintf(`{"volume":%d}`, in.Volume)
	case protocol.CommandRestart, protocol.CommandStop:
	default:
		return nil, invalid("kind", "bcx.command", "%q is not a command: use volume, restart or stop (to play something now, create a live order)", in.Kind)
	}
	if _, _, err := s.deviceFor(ctx, a, authz.DeviceAdmin, deviceID); err != nil {
		return nil, err
	}
	c := &model.DeviceCommand{DeviceID: deviceID, Kind: in.Kind, Payload: payload, CreatedBy: a.Username}
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Devices().InsertDeviceCommand(ctx, c); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "device.command", "device", fmt.Sprint(deviceID), c.Kind+" "+payload)
	})
	if err != nil {
		return nil, err
	}
	n := Notice{Kind: protocol.EventCommand, Devices: []int64{deviceID}, Command: c.ID}
	s.polls.invalidate(n) // this replica's next heartbeat of the device looks
	if err := s.notify.Publish(ctx, n); err != nil {
		s.log.Warn("push command", "device", deviceID, "err", err)
	}
	return c, nil
}

// CreateEnrolmentKey issues a key with which devices enrol into a unit.
// Without an expiry it is valid for DefaultKeyLifetime; an expiry lies at
// most MaxKeyLifetime ahead. maxDevices > 0 limits how many devices may
// enrol with it (0: no limit).
func (s DeviceFleet) CreateEnrolmentKey(ctx context.Context, a model.Actor, unitID int64, label string, expires *time.Time, maxDevices int) (string, *model.EnrolmentKey, error) {
	unit, err := s.unitFor(ctx, a, authz.KeyWrite, unitID)
	if err != nil {
		return "", nil, err
	}
	if utf8.RuneCountInString(label) > protocol.MaxNameLen {
		return "", nil, invalid("label", "bcx.key_label", "label is limited to %d characters", protocol.MaxNameLen)
	}
	now := s.clock()
	if expires == nil {
		e := now.Add(DefaultKeyLifetime)
		expires = &e
	}
	if !expires.After(now) {
		return "", nil, invalid("expires_at", "bcx.key_expired", "the expiry lies in the past")
	}
	if expires.Sub(now) > MaxKeyLifetime {
		days := int(MaxKeyLifetime / (24 * time.Hour))
		return "", nil, invalid("expires_at", "bcx.key_too_long", "the expiry lies more than %d days ahead: choose an earlier day", days)
	}
	if maxDevices < 0 || maxDevices > MaxKeyDevices {
		return "", nil, invalid("max_devices", "bcx.key_max_devices", "max_devices %d is out of range: 1-%d, or 0 for no limit", maxDevices, MaxKeyDevices)
	}
	secret, err := accounts.NewSecret(accounts.PrefixEnrolment)
	if err != nil {
		return "", nil, err
	}
	k := &model.EnrolmentKey{UnitID: unit.ID, Label: label, Prefix: accounts.DisplayPrefix(secret), ExpiresAt: expires}
	if maxDevices > 0 {
		k.MaxDevices = &maxDevices
	}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Devices().InsertEnrolmentKey(ctx, k, accounts.HashSecret(secret)); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "enrolment_key.create", "enrolment_key", fmt.Sprint(k.ID),
			fmt.Sprintf("unit=%s expires=%s max_devices=%d", unit.Code, expires.UTC().Format(time.RFC3339), maxDevices))
	})
	if err != nil {
		return "", nil, err
	}
	return secret, k, nil
}
