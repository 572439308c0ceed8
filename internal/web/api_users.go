package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/csvsafe"
	"github.com/loa-project/loa/internal/model"
)

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request, p *principal) {
	users, err := s.deps.Accounts.Users(r.Context(), p.Actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": users})
}

func (s *Server) apiUser(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.deps.Accounts.User(r.Context(), p.Actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request, p *principal) {
	var in accounts.NewUser
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.deps.Accounts.CreateUser(r.Context(), p.Actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

func (s *Server) apiPatchUser(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in accounts.UserPatch
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.deps.Accounts.UpdateUser(r.Context(), p.Actor, id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

type passwordRequest struct {
	Password        string `json:"password"`
	CurrentPassword string `json:"current_password"`
	RevokeTokens    bool   `json:"revoke_tokens"`
}

func (s *Server) apiSetPassword(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in passwordRequest
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	change := accounts.PasswordChange{Current: in.CurrentPassword, New: in.Password, RevokeTokens: in.RevokeTokens, KeepSession: p.Secret}
	if err := s.deps.Accounts.SetPassword(r.Context(), p.Actor, id, change); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiTokens(w http.ResponseWriter, r *http.Request, p *principal) {
	var uid int64
	if v := r.URL.Query().Get("user_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.writeError(w, r, model.Invalid("user_id", "%q is not an id", v))
			return
		}
		uid = id
	}
	t, err := s.deps.Accounts.Tokens(r.Context(), p.Actor, uid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": t})
}

func (s *Server) apiCreateToken(w http.ResponseWriter, r *http.Request, p *principal) {
	var in accounts.NewToken
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	secret, t, err := s.deps.Accounts.CreateToken(r.Context(), p.Actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": t, "secret": secret})
}

func (s *Server) apiRevokeToken(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.deps.Accounts.RevokeToken(r.Context(), p.Actor, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// auditFilter reads the audit query parameters shared by the API and UI.
func auditFilter(r *http.Request) (model.AuditFilter, error) {
	q := r.URL.Query()
	f := model.AuditFilter{Action: q.Get("action"), Username: q.Get("user"), Limit: 100}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return f, model.Invalid("limit", "limit must be a number from 1 to 10000")
		}
		f.Limit = n
	}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return f, model.Invalid("before", "before must be an entry id")
		}
		f.BeforeID = n
	}
	for name, dst := range map[string]**time.Time{"since": &f.Since, "until": &f.Until} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				return f, model.Invalid(name, "%q is not a date: use YYYY-MM-DD", v)
			}
			if name == "until" {
				t = t.AddDate(0, 0, 1)
			}
			*dst = &t
		}
	}
	return f, nil
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request, p *principal) {
	f, err := auditFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	entries, err := s.deps.Accounts.Audit(r.Context(), p.Actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if r.URL.Query().Get("format") == "csv" {
		s.writeAuditCSV(w, entries)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
}

func (s *Server) writeAuditCSV(w http.ResponseWriter, entries []model.AuditEntry) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="loa-audit.csv"`)
	cw := csvsafe.NewWriter(w)
	_ = cw.Write([]string{"id", "time", "user", "unit_id", "action", "object_type", "object_id", "detail", "client_addr"})
	for _, e := range entries {
		unit := ""
		if e.UnitID != nil {
			unit = fmt.Sprint(*e.UnitID)
		}
		_ = cw.Write([]string{fmt.Sprint(e.ID), e.At.In(s.loc).Format(time.RFC3339), e.Username, unit, e.Action, e.ObjectType, e.ObjectID, e.Detail, e.ClientAddr})
	}
	cw.Flush()
}
