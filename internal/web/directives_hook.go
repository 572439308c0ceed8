package web

// Directives is what the directive pages and endpoints need; the
// directives work fills it in (see api_directives.go when present).
type Directives interface{}

// registerDirectiveRoutes registers the directive API and pages.
func (s *Server) registerDirectiveRoutes() {}
