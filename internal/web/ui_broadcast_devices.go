package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
)

// bcDeviceRow is a device in the list.
type bcDeviceRow struct {
	broadcast.DeviceView
	CanAdmin bool
}

type bcDevicesData struct {
	bcCommon
	Devices    []bcDeviceRow
	Online     int
	NewKey     string
	KeyLabel   string
	KeyExpires string
	KeyMax     string
	Server     string
}

func (s broadcastPages) uiBroadcastDevices(w http.ResponseWriter, r *http.Request, p *principal) {
	s.devicesPage(w, r, p, bcDevicesData{}, "", http.StatusOK)
}

// devicesPage shows the devices; form carries what the key form needs
// (a new key is shown once, on the response that created it).
func (s broadcastPages) devicesPage(w http.ResponseWriter, r *http.Request, p *principal, form bcDevicesData, errMsg string, code int) {
	pd, c, err := s.broadcastPage(r, p, "bc.devices.title", "devices")
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	devs, err := s.deps.Broadcast.Devices(r.Context(), p.Actor, c.Unit.ID)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	d := form
	d.bcCommon = c
	d.Server = s.bcAPI().serverURL(r)
	for _, dv := range devs {
		row := bcDeviceRow{DeviceView: dv}
		if u := pd.units[dv.UnitID]; u != nil {
			row.CanAdmin = s.deps.Policy.Can(p.Actor, authz.DeviceAdmin, u.Path)
		}
		if dv.Online {
			d.Online++
		}
		d.Devices = append(d.Devices, row)
	}
	pd.Data = d
	pd.Error = errMsg
	s.render(w, r, "broadcast_devices", pd, code)
}

func (s broadcastPages) uiBroadcastKeyCreate(w http.ResponseWriter, r *http.Request, p *principal) {
	form := bcDevicesData{KeyLabel: strings.TrimSpace(r.PostFormValue("label")), KeyExpires: strings.TrimSpace(r.PostFormValue("expires")),
		KeyMax: strings.TrimSpace(r.PostFormValue("max_devices"))}
	fail := func(err error) {
		s.bcFail(w, r, p, err, func(msg string, code int) { s.devicesPage(w, r, p, form, msg, code) })
	}
	unit, err := s.unitQuery(r, p)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	var expires *time.Time
	if form.KeyExpires != "" {
		d, err := schedule.ParseDate(form.KeyExpires)
		if err != nil {
			fail(model.Invalid("expires", "%s", s.tr(r, p, "bc.err.date", form.KeyExpires)))
			return
		}
		end := d.AddDays(1).In(s.loc)
		expires = &end
	}
	maxDevices := 0
	if form.KeyMax != "" {
		n, err := strconv.Atoi(form.KeyMax)
		if err != nil {
			fail(model.Invalid("max_devices", "%s", s.tr(r, p, "bc.err.number", form.KeyMax)))
			return
		}
		maxDevices = n
	}
	secret, _, err := s.deps.Broadcast.CreateEnrolmentKey(r.Context(), p.Actor, unit, form.KeyLabel, expires, maxDevices)
	if err != nil {
		fail(err)
		return
	}
	// The key is shown once, on this response; only its hash is stored.
	form.NewKey = secret
	s.devicesPage(w, r, p, form, "", http.StatusCreated)
}

// deviceAction runs an action on the device named in the path and goes
// back to the list with a message, or shows the list with the error.
func (s broadcastPages) deviceAction(w http.ResponseWriter, r *http.Request, p *principal, flash string, act func(id int64) error) {
	id, err := pathID(r, "id")
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	if err := act(id); err != nil {
		s.bcFail(w, r, p, err, func(msg string, code int) { s.devicesPage(w, r, p, bcDevicesData{}, msg, code) })
		return
	}
	redirectFlash(w, r, "/broadcast/devices"+unitSuffix(r), flash)
}

func (s broadcastPages) uiBroadcastDeviceRename(w http.ResponseWriter, r *http.Request, p *principal) {
	s.deviceAction(w, r, p, "flash.bc_device_renamed", func(id int64) error {
		return s.deps.Broadcast.RenameDevice(r.Context(), p.Actor, id, r.PostFormValue("name"))
	})
}

func (s broadcastPages) uiBroadcastDeviceRevoke(w http.ResponseWriter, r *http.Request, p *principal) {
	s.deviceAction(w, r, p, "flash.bc_device_revoked", func(id int64) error {
		return s.deps.Broadcast.RevokeDevice(r.Context(), p.Actor, id)
	})
}

func (s broadcastPages) uiBroadcastDeviceCommand(w http.ResponseWriter, r *http.Request, p *principal) {
	s.deviceAction(w, r, p, "flash.bc_command_sent", func(id int64) error {
		in := broadcast.CommandInput{Kind: r.PostFormValue("kind")}
		if in.Kind == "volume" {
			v := strings.TrimSpace(r.PostFormValue("volume"))
			n, err := strconv.Atoi(v)
			if err != nil {
				return model.Invalid("volume", "%s", s.tr(r, p, "bc.err.number", v))
			}
			in.Volume = n
		}
		_, err := s.deps.Broadcast.SendCommand(r.Context(), p.Actor, id, in)
		return err
	})
}
