package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/model"
)

// Demo scenarios (loa serve --demo [SCENARIO]).
const (
	// Scenario2021 is the seed letter 570/STTTT-TTBCBC in Kiên Giang,
	// 2021, with districts (the default).
	Scenario2021 = "2021"
	// ScenarioAnGiang2026 is the same tree carried through the 2025
	// reform: Kiên Giang into An Giang, districts ended, communes merged.
	ScenarioAnGiang2026 = "an-giang-2026"
)

// Scenarios lists the demo scenarios.
func Scenarios() []string { return []string{Scenario2021, ScenarioAnGiang2026} }

// ReformDay is the day the two-level local government took effect.
const ReformDay = "2025-07-01"

// Acts of the 2025 reform the demo records (see
// internal/orgs/data/two-level-2025/README.md for the sources).
const (
	basisProvinces = "Nghị quyết 202/2025/QH15 (12/6/2025) về sắp xếp đơn vị hành chính cấp tỉnh"
	basisAnGiang   = "Nghị quyết 1654/NQ-UBTVQH15 (16/6/2025) về sắp xếp các đơn vị hành chính cấp xã của tỉnh An Giang"
)

// reformStep is one recorded change of the demo tree on ReformDay.
type reformStep struct {
	code        string // unit
	rename      string // new full name ("" keeps it)
	short       string // new short name
	mergeInto   string // code of the unit it was merged into ("" none)
	basis       string
	dissolveAll string // unit kind: merge every unit of this kind into code
}

// anGiangReform is the 2025 reform applied to the demo's Kiên Giang
// tree, limited to what the sources say:
//   - Kiên Giang and An Giang form the new province An Giang (Nghị quyết
//     202/2025/QH15); the demo's province committee carries on under the
//     new name (the new province's seat is Rạch Giá).
//   - Phường Rạch Giá is formed from nine wards of Rạch Giá city, among
//     them Vĩnh Thanh Vân, Vĩnh Lạc and An Hòa (Nghị quyết
//     1654/NQ-UBTVQH15).
//   - Đặc khu Phú Quốc is formed from Phú Quốc city's wards and communes,
//     among them Dương Đông, An Thới and Cửa Cạn.
//   - District-level government ends on 1 July 2025: every district
//     committee is dissolved, its units move up to the province.
//
// Communes the sources here do not cover keep their 2021 names; Hòn Nghệ
// and Bình Sơn are among the six communes the resolution left unchanged.
func anGiangReform() []reformStep {
	return []reformStep{
		{code: "ubnd-kg", rename: "Ủy ban nhân dân tỉnh An Giang", short: "UBND tỉnh An Giang", basis: basisProvinces},
		{code: "ubnd-vinh-thanh-van", rename: "Ủy ban nhân dân phường Rạch Giá", short: "UBND phường Rạch Giá", basis: basisAnGiang},
		{code: "dtt-vinh-thanh-van", rename: "Đài truyền thanh phường Rạch Giá", short: "Đài TT Rạch Giá", basis: basisAnGiang},
		{code: "ubnd-vinh-lac", mergeInto: "ubnd-vinh-thanh-van", basis: basisAnGiang},
		{code: "ubnd-an-hoa", mergeInto: "ubnd-vinh-thanh-van", basis: basisAnGiang},
		{code: "ubnd-duong-dong", rename: "Ủy ban nhân dân đặc khu Phú Quốc", short: "UBND đặc khu Phú Quốc", basis: basisAnGiang},
		{code: "dtt-duong-dong", rename: "Đài truyền thanh đặc khu Phú Quốc", short: "Đài TT Phú Quốc", basis: basisAnGiang},
		{code: "ubnd-an-thoi", mergeInto: "ubnd-duong-dong", basis: basisAnGiang},
		{code: "ubnd-cua-can", mergeInto: "ubnd-duong-dong", basis: basisAnGiang},
		{code: "ubnd-kg", dissolveAll: "district_pc", basis: basisProvinces},
	}
}

// applyReform carries the loaded 2021 tree through the 2025 reform with
// recorded renames (former names kept with their validity) and merges.
func (l *Loader) applyReform(ctx context.Context) error {
	sys := model.System("demo")
	unit := func(code string) (*model.Unit, error) {
		u, err := l.Store.Orgs().UnitByCode(ctx, code)
		if err != nil {
			return nil, fmt.Errorf("demo reform: unit %s: %w", code, err)
		}
		return u, nil
	}
	for _, s := range anGiangReform() {
		u, err := unit(s.code)
		if err != nil {
			return err
		}
		switch {
		case s.rename != "":
			if _, err := l.Orgs.RenameUnit(ctx, sys, u.ID, s.rename, s.short, ReformDay, s.basis); err != nil {
				return fmt.Errorf("demo reform: rename %s: %w", s.code, err)
			}
		case s.mergeInto != "":
			into, err := unit(s.mergeInto)
			if err != nil {
				return err
			}
			if _, err := l.Orgs.MergeUnit(ctx, sys, u.ID, into.ID, ReformDay); err != nil {
				return fmt.Errorf("demo reform: merge %s: %w", s.code, err)
			}
		case s.dissolveAll != "":
			all, err := l.Store.Orgs().Subtree(ctx, u.Path)
			if err != nil {
				return err
			}
			for _, d := range all {
				if d.Kind != s.dissolveAll || d.DissolvedOn != "" {
					continue
				}
				if _, err := l.Orgs.MergeUnit(ctx, sys, d.ID, u.ID, ReformDay); err != nil {
					return fmt.Errorf("demo reform: end district %s: %w", d.Code, err)
				}
			}
		}
	}
	hash, err := accounts.HashPassword(Password) // one hash for every demo user
	if err != nil {
		return err
	}
	for _, u := range reformUsers() {
		unit, err := unit(u.Unit)
		if err != nil {
			return err
		}
		roles := make([]model.Role, len(u.Roles))
		for i, r := range u.Roles {
			roles[i] = model.Role(r)
		}
		if _, err := l.Accounts.CreateUser(ctx, sys, accounts.NewUser{Username: u.Username, Password: Password, PasswordHash: hash, FullName: u.FullName,
			Title: u.Title, UnitID: unit.ID, Roles: roles, Lang: "vi"}); err != nil {
			return fmt.Errorf("demo user %s: %w", u.Username, err)
		}
	}
	if l.Directives != nil {
		return l.loadDirective2026(ctx)
	}
	return nil
}

// reformUsers work at the new province's People's Committee in the
// An Giang 2026 scenario.
func reformUsers() []demoUser {
	return []demoUser{
		{"vanthu.tinh", "Trịnh Thị Ngọc Lan", "Văn thư", "ubnd-kg", []string{"clerk", "drafter", "receiver"}},
		{"lanhdao.tinh", "Châu Văn Hậu", "Phó Chủ tịch", "ubnd-kg", []string{"approver"}},
	}
}

// ProvinceToCommuneSubject is the subject of the 2026 directive the
// An Giang scenario sends from the province straight to two communes.
const ProvinceToCommuneSubject = "Tuyên truyền kỷ niệm 96 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2026)"

// loadDirective2026 issues, in January 2026, a directive of the new
// province's People's Committee to phường Rạch Giá and đặc khu Phú Quốc:
// province → commune, no district in between.
func (l *Loader) loadDirective2026(ctx context.Context) error {
	story := storyClock{Fake: clock.NewFake(time.Time{}), loc: l.Directives.Location()}
	story.at("2026-01-05", "08:00")
	dl := &directivesLoader{s: l.Directives.WithClock(story), st: l.Store, clock: story}
	s := dl.s
	who, err := dl.actors(ctx, "vanthu.tinh", "lanhdao.tinh")
	if err != nil {
		return err
	}
	clerk, leader := who[0], who[1]
	ward, err := dl.unit(ctx, "ubnd-vinh-thanh-van")
	if err != nil {
		return err
	}
	zone, err := dl.unit(ctx, "ubnd-duong-dong")
	if err != nil {
		return err
	}
	c := directives.Content{
		DocType: "Công văn",
		Subject: ProvinceToCommuneSubject,
		Place:   "Rạch Giá",
		Recipients: []directives.Recipient{{UnitID: ward.ID, Role: directives.RoleMain, Label: "Ủy ban nhân dân phường Rạch Giá"},
			{UnitID: zone.ID, Role: directives.RoleMain, Label: "Ủy ban nhân dân đặc khu Phú Quốc"}},
		Intro: "Ủy ban nhân dân tỉnh đề nghị Ủy ban nhân dân các xã, phường, đặc khu chỉ đạo đài truyền thanh cơ sở thực hiện:",
		Items: []directives.Item{
			{Label: "1", Text: "Phát thanh chuyên mục kỷ niệm Ngày thành lập Đảng trên hệ thống loa cơ sở từ ngày 20/01/2026 đến ngày 03/02/2026."},
			{Label: "2", Text: "Báo cáo kết quả thực hiện về Ủy ban nhân dân tỉnh trước ngày 05/02/2026."},
		},
		Closing:          "Đề nghị các đơn vị triển khai thực hiện./.",
		Archive:          []string{"VT"},
		Deadline:         "2026-02-05",
		SigningAuthority: "KT. CHỦ TỊCH",
		SignerTitle:      "PHÓ CHỦ TỊCH",
		SignerUserID:     leader.UserID,
	}
	c.Normalize()
	d, err := s.Drafts().Create(ctx, clerk, directives.CreateInput{Content: c})
	if err != nil {
		return fmt.Errorf("demo 2026 directive: %w", err)
	}
	story.at("2026-01-05", "08:30")
	if _, err := s.Workflow().Submit(ctx, clerk, d.ID, "Kính trình lãnh đạo UBND tỉnh"); err != nil {
		return fmt.Errorf("demo 2026 submit: %w", err)
	}
	story.at("2026-01-05", "09:30")
	if _, err := s.Workflow().Approve(ctx, leader, d.ID, "Đồng ý ban hành"); err != nil {
		return fmt.Errorf("demo 2026 approve: %w", err)
	}
	story.at("2026-01-05", "10:00")
	if _, err := s.Workflow().Issue(ctx, clerk, d.ID, directives.IssueInput{Date: "2026-01-05"}); err != nil {
		return fmt.Errorf("demo 2026 issue: %w", err)
	}
	return dl.deliver(ctx)
}
