// Package demo loads Loa's demo dataset (the situation of the seed letter
// 570/STTTT-TTBCBC in Kiên Giang, 2021) and writes the credentials a new
// user needs to DATA/demo.json.
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
	"github.com/loa-project/loa/internal/storage"
)

// Credentials is the content of demo.json.
type Credentials struct {
	URL           string     `json:"url"`
	Users         []UserInfo `json:"users"`
	AdminToken    string     `json:"admin_token"`
	EnrolmentKey  string     `json:"enrolment_key"`
	EnrolmentUnit string     `json:"enrolment_unit"`
}

// UserInfo is a demo login.
type UserInfo struct {
	Username string   `json:"username"`
	Password string   `json:"password"`
	FullName string   `json:"full_name"`
	Title    string   `json:"title"`
	Unit     string   `json:"unit"`
	Roles    []string `json:"roles"`
}

// Loader loads the demo dataset through the domain services.
type Loader struct {
	Store     *storage.Store
	Orgs      *orgs.Service
	Accounts  *accounts.Service
	Broadcast Broadcast // optional: loudspeaker clusters and bulletins
	// Directives, optional: the seed scenario half-way (355 received, 570
	// issued and delivered, some districts forwarded, some communes reported).
	Directives *directives.Service
	Log        *slog.Logger
	// Clock dates the demo's enrolment keys and bulletins (default the
	// system clock).
	Clock clock.Clock
	// Scenario is Scenario2021 (also "") or ScenarioAnGiang2026.
	Scenario string
}

// Ensure loads the dataset into an empty database, and writes demo.json
// in dataDir with the given URL. On a database that already holds data it
// keeps the data, and reuses the secrets of an existing demo.json (or
// issues new ones when that file is gone).
func (l *Loader) Ensure(ctx context.Context, dataDir, url string) (*Credentials, error) {
	if l.Scenario != "" && l.Scenario != Scenario2021 && l.Scenario != ScenarioAnGiang2026 {
		return nil, model.Invalid("demo", "unknown demo scenario %q: use %s (default) or %s", l.Scenario, Scenario2021, ScenarioAnGiang2026)
	}
	units, err := l.Store.Orgs().Units(ctx)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dataDir, "demo.json")
	var creds *Credentials
	if len(units) == 0 {
		if err := l.load(ctx); err != nil {
			return nil, fmt.Errorf("load demo data: %w", err)
		}
		if l.Directives != nil {
			if err := LoadDirectives(ctx, l.Store, l.Directives, Password); err != nil {
				return nil, fmt.Errorf("load demo directives: %w", err)
			}
		}
		if err := l.loadBroadcast(ctx); err != nil && l.Log != nil {
			l.Log.Warn("demo broadcast data incomplete", "err", err)
		}
		if l.Scenario == ScenarioAnGiang2026 {
			if err := l.applyReform(ctx); err != nil {
				return nil, err
			}
		}
	} else if b, err := os.ReadFile(path); err == nil {
		var c Credentials
		if json.Unmarshal(b, &c) == nil && c.AdminToken != "" {
			creds = &c
		}
	}
	if creds == nil {
		if creds, err = l.issueSecrets(ctx); err != nil {
			return nil, err
		}
	} else if creds.EnrolmentKey, err = l.enrolmentKey(ctx); err != nil {
		// Enrolment keys expire: every start gives the demo a fresh one.
		return nil, err
	}
	creds.URL = url
	creds.Users = nil
	users := demoUsers()
	if l.Scenario == ScenarioAnGiang2026 {
		users = append(users, reformUsers()...)
	}
	for _, u := range users {
		creds.Users = append(creds.Users, UserInfo{Username: u.Username, Password: Password, FullName: u.FullName, Title: u.Title, Unit: u.Unit, Roles: u.Roles})
	}
	b, err := json.MarshalIndent(creds, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode demo.json: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create %s: %w", dataDir, err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return creds, nil
}

func (l *Loader) issueSecrets(ctx context.Context) (*Credentials, error) {
	sys := model.System("demo")
	admin, _, err := l.Store.Accounts().UserByUsername(ctx, "admin")
	if err != nil {
		return nil, fmt.Errorf("demo admin user: %w", err)
	}
	token, _, err := l.Accounts.CreateToken(ctx, sys, accounts.NewToken{UserID: admin.ID, Name: "demo admin token", Scopes: []string{model.ScopeRead, model.ScopeWrite}})
	if err != nil {
		return nil, fmt.Errorf("demo token: %w", err)
	}
	key, err := l.enrolmentKey(ctx)
	if err != nil {
		return nil, err
	}
	return &Credentials{AdminToken: token, EnrolmentKey: key, EnrolmentUnit: demoEnrolmentUnit}, nil
}

// demoEnrolmentUnit is the commune radio whose key demo.json holds.
const demoEnrolmentUnit = "dtt-vinh-thanh-van"

// demoKeyLifetime is the validity of the demo's enrolment key; a new one
// is issued at every start.
const demoKeyLifetime = 90 * 24 * time.Hour

// enrolmentKey issues the enrolment key of the demo's commune radio.
func (l *Loader) enrolmentKey(ctx context.Context) (string, error) {
	commune, err := l.Store.Orgs().UnitByCode(ctx, demoEnrolmentUnit)
	if err != nil {
		return "", fmt.Errorf("demo commune radio: %w", err)
	}
	expires := clock.Or(l.Clock).Now().Add(demoKeyLifetime)
	key, _, err := l.Accounts.CreateEnrolmentKey(ctx, model.System("demo"), commune.ID, "demo devices", &expires)
	if err != nil {
		return "", fmt.Errorf("demo enrolment key: %w", err)
	}
	return key, nil
}

// unitSpec is one unit to create, parent by code.
type unitSpec struct {
	code, parent, name, short, kind, abbrev, agencyID string
}

func units() []unitSpec {
	list := []unitSpec{
		{"bo-tttt", "", "Bộ Thông tin và Truyền thông", "Bộ TTTT", "ministry", "BTTTT", "000.00.00.G12"},
		{"cuc-ttcs", "bo-tttt", "Cục Thông tin cơ sở", "Cục TTCS", "central_dept", "TTCS", "000.00.12.G12"},
		{"cuc-ttcs-ttth", "cuc-ttcs", "Phòng Thông tin tổng hợp", "Phòng TTTH", "dept_unit", "TTTH", ""},
		{"ubnd-kg", "", "Ủy ban nhân dân tỉnh Kiên Giang", "UBND tỉnh Kiên Giang", "provincial_pc", "UBND", "000.00.00.H33"},
		{"so-tttt-kg", "ubnd-kg", "Sở Thông tin và Truyền thông tỉnh Kiên Giang", "Sở TTTT", "provincial_dept", "STTTT", "000.00.17.H33"},
		{"so-tttt-kg-ttbcbc", "so-tttt-kg", "Phòng Thông tin - Báo chí - Bưu chính", "Phòng TTBCBC", "dept_unit", "TTBCBC", ""},
		{"so-tttt-kg-vp", "so-tttt-kg", "Văn phòng Sở", "VP Sở", "dept_unit", "VP", ""},
		{"bao-kg", "ubnd-kg", "Báo Kiên Giang", "Báo Kiên Giang", "press", "BKG", "000.00.31.H33"},
		{"dai-kg", "ubnd-kg", "Đài Phát thanh và Truyền hình Kiên Giang", "Đài PT-TH Kiên Giang", "radio_tv", "ĐPTTH", "000.00.32.H33"},
		{"cong-ttdt-kg", "ubnd-kg", "Cổng Thông tin điện tử tỉnh Kiên Giang", "Cổng Thông tin điện tử tỉnh", "e_portal", "CTTĐT", "000.00.33.H33"},
	}
	for i, d := range kienGiangDistricts() {
		pc := "ubnd-" + d.code
		list = append(list,
			unitSpec{pc, "ubnd-kg", "Ủy ban nhân dân " + d.kind + " " + d.name, "UBND " + d.kind + " " + d.name, "district_pc", "UBND", fmt.Sprintf("000.%02d.00.H33", 40+i)},
			unitSpec{"ttvh-" + d.code, pc, "Trung tâm Văn hóa, Thông tin và Thể thao " + d.kind + " " + d.name, "TTVH-TT-TT " + d.name, "culture_centre", "TTVHTTTT", ""},
		)
		for _, c := range d.communes {
			cpc := "ubnd-" + c.code
			list = append(list,
				unitSpec{cpc, pc, "Ủy ban nhân dân " + c.kind + " " + c.name, "UBND " + c.kind + " " + c.name, "commune_pc", "UBND", ""},
				unitSpec{"dtt-" + c.code, cpc, "Đài truyền thanh " + c.kind + " " + c.name, "Đài TT " + c.name, "commune_radio", "ĐTT", ""},
			)
		}
	}
	return list
}

func (l *Loader) load(ctx context.Context) error {
	sys := model.System("demo")
	ids := map[string]int64{}
	for _, u := range units() {
		in := orgs.UnitInput{Code: u.code, Name: u.name, ShortName: u.short, Kind: u.kind, Abbreviation: u.abbrev, AgencyID: u.agencyID, ActiveFrom: "2021-01-01"}
		if u.parent != "" {
			p, ok := ids[u.parent]
			if !ok {
				return fmt.Errorf("demo unit %s: parent %s not created yet", u.code, u.parent)
			}
			in.ParentID = &p
		}
		if u.code == "bo-tttt" || u.code == "cuc-ttcs" || u.code == "cuc-ttcs-ttth" {
			in.ActiveFrom = ""
		}
		created, err := l.Orgs.CreateUnit(ctx, sys, in)
		if err != nil {
			return fmt.Errorf("demo unit %s: %w", u.code, err)
		}
		ids[u.code] = created.ID
	}
	hash, err := accounts.HashPassword(Password) // one hash for every demo user
	if err != nil {
		return err
	}
	for _, u := range demoUsers() {
		roles := make([]model.Role, len(u.Roles))
		for i, r := range u.Roles {
			roles[i] = model.Role(r)
		}
		if _, err := l.Accounts.CreateUser(ctx, sys, accounts.NewUser{Username: u.Username, Password: Password, PasswordHash: hash, FullName: u.FullName,
			Title: u.Title, UnitID: ids[u.Unit], Roles: roles, Lang: "vi"}); err != nil {
			return fmt.Errorf("demo user %s: %w", u.Username, err)
		}
	}
	groups := []orgs.GroupInput{
		{OwnerUnitID: ids["so-tttt-kg"], Name: "Thường trực UBND các huyện, thành phố", Description: "Các Ủy ban nhân dân cấp huyện của tỉnh",
			Rule: &model.GroupRule{UnderUnitID: ids["ubnd-kg"], Kinds: []string{"district_pc"}}},
		{OwnerUnitID: ids["so-tttt-kg"], Name: "Trung tâm VH, TT và TT các huyện, thành phố", Description: "Các trung tâm văn hóa, thông tin và thể thao cấp huyện",
			Rule: &model.GroupRule{UnderUnitID: ids["ubnd-kg"], Kinds: []string{"culture_centre"}}},
		{OwnerUnitID: ids["so-tttt-kg"], Name: "Cơ quan báo chí và cổng thông tin tỉnh", Members: []int64{ids["bao-kg"], ids["dai-kg"], ids["cong-ttdt-kg"]}},
		{OwnerUnitID: ids["so-tttt-kg"], Name: "Đài truyền thanh cấp xã toàn tỉnh", Rule: &model.GroupRule{UnderUnitID: ids["ubnd-kg"], Kinds: []string{"commune_radio"}}},
		{OwnerUnitID: ids["ubnd-rach-gia"], Name: "Đài truyền thanh các phường, xã thuộc thành phố", Rule: &model.GroupRule{UnderUnitID: ids["ubnd-rach-gia"], Kinds: []string{"commune_radio"}}},
	}
	for _, g := range groups {
		if _, err := l.Orgs.CreateGroup(ctx, sys, g); err != nil {
			return fmt.Errorf("demo group %q: %w", g.Name, err)
		}
	}
	return nil
}
