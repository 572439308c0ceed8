package web

import (
	"net/http"
	"strings"

	"github.com/loa-project/loa/internal/model"
)

type homeCard struct {
	Label, Href string
	Value       int
}

type homeTask struct {
	Label, Hint, Href string
}

type homeData struct {
	Cards  []homeCard
	Tasks  []homeTask
	Recent []model.AuditEntry
}

// uiHome shows a home page that depends on the user's roles.
func (s *Server) uiHome(w http.ResponseWriter, r *http.Request, p *principal) {
	pd := s.newPage(r, p, "home.title", "home")
	if err := s.withDirectory(r, pd); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	var d homeData
	below := 0
	for _, u := range pd.units {
		if u.ID != p.User.UnitID && strings.HasPrefix(u.Path, p.Actor.UnitPath) {
			below++
		}
	}
	d.Cards = append(d.Cards, homeCard{Label: "home.card.units_below", Href: "/org", Value: below})
	users, err := s.deps.Accounts.Users(r.Context(), p.Actor)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	d.Cards = append(d.Cards, homeCard{Label: "home.card.users", Href: "/users", Value: len(users)})
	for _, role := range p.User.Roles {
		d.Tasks = append(d.Tasks, roleTasks(role)...)
	}
	d.Tasks = append(d.Tasks, homeTask{Label: "task.tokens", Hint: "task.tokens.hint", Href: "/tokens"})
	if p.User.HasRole(model.RoleAdmin) {
		recent, err := s.deps.Accounts.Audit(r.Context(), p.Actor, model.AuditFilter{Limit: 8})
		if err != nil {
			s.renderError(w, r, p, err)
			return
		}
		d.Recent = recent
	}
	pd.Data = d
	s.render(w, r, "home", pd, http.StatusOK)
}

// roleTasks lists what a role typically does next, linking to the pages
// that exist for it.
func roleTasks(role model.Role) []homeTask {
	switch role {
	case model.RoleAdmin:
		return []homeTask{
			{Label: "task.org", Hint: "task.org.hint", Href: "/org"},
			{Label: "task.users", Hint: "task.users.hint", Href: "/users"},
			{Label: "task.audit", Hint: "task.audit.hint", Href: "/audit"},
			{Label: "task.broadcast", Hint: "task.broadcast.hint", Href: "/broadcast"},
		}
	case model.RoleClerk:
		return []homeTask{
			{Label: "task.import", Hint: "task.import.hint", Href: "/documents"},
			{Label: "task.registers", Hint: "task.registers.hint", Href: "/registers"},
		}
	case model.RoleReceiver, model.RoleDrafter, model.RoleApprover, model.RoleViewer:
		return []homeTask{{Label: "task.documents", Hint: "task.documents.hint", Href: "/documents"}}
	case model.RoleBroadcaster:
		return []homeTask{
			{Label: "task.broadcast", Hint: "task.broadcast.hint", Href: "/broadcast"},
			{Label: "task.bc_day", Hint: "task.bc_day.hint", Href: "/broadcast/day"},
			{Label: "task.bc_orders", Hint: "task.bc_orders.hint", Href: "/broadcast/orders"},
			{Label: "task.bc_media", Hint: "task.bc_media.hint", Href: "/broadcast/media"},
			{Label: "task.bc_devices", Hint: "task.bc_devices.hint", Href: "/broadcast/devices"},
		}
	}
	return nil
}
