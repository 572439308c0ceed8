package web

// Handler groups. Each area's handlers are methods of a small type that
// embeds the Server, so they share its templates, dependencies and helpers
// while the Server itself keeps only the core (routing, auth, rendering).

// broadcastPages holds the broadcast pages (ui_broadcast*.go).
type broadcastPages struct{ *Server }

// bcPages returns the handler group over s.
func (s *Server) bcPages() broadcastPages { return broadcastPages{s} }

// broadcastAPI holds the broadcast, device and bridge API (api_broadcast*.go,
// api_device*.go, api_bridge.go).
type broadcastAPI struct{ *Server }

// bcAPI returns the handler group over s.
func (s *Server) bcAPI() broadcastAPI { return broadcastAPI{s} }

// directiveHandlers holds the directive pages and API (ui_directives*.go,
// api_directives*.go).
type directiveHandlers struct{ *Server }

// directives returns the handler group over s.
func (s *Server) directives() directiveHandlers { return directiveHandlers{s} }

// documentHandlers holds the document and register pages and API
// (ui_documents.go, api_documents.go, api_registers.go).
type documentHandlers struct{ *Server }

// documents returns the handler group over s.
func (s *Server) documents() documentHandlers { return documentHandlers{s} }

// accountHandlers holds the user, token and audit pages and API (ui_users.go,
// ui_tokens.go, ui_audit.go, api_users.go, api_me.go, api_audit.go).
type accountHandlers struct{ *Server }

// accounts returns the handler group over s.
func (s *Server) accounts() accountHandlers { return accountHandlers{s} }

// orgHandlers holds the organisation pages and API (ui_org.go, api_units.go,
// api_groups.go).
type orgHandlers struct{ *Server }

// orgs returns the handler group over s.
func (s *Server) orgs() orgHandlers { return orgHandlers{s} }

// channelHandlers holds the channel API (api_channel*.go).
type channelHandlers struct{ *Server }

// channels returns the handler group over s.
func (s *Server) channels() channelHandlers { return channelHandlers{s} }
