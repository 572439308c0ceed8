package web

import "net/http"

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request, p *principal) {
	unit, err := s.deps.Orgs.Unit(r.Context(), p.User.UnitID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := map[string]any{"user": p.User, "unit": unit}
	if p.Token != nil {
		out["token"] = p.Token
	}
	if p.Session != nil {
		out["csrf_token"] = p.Session.CSRF
	}
	writeJSON(w, http.StatusOK, out)
}
