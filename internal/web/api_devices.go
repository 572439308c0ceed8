package web

// Broadcast is what the device and broadcast endpoints need; the
// broadcast issue fills it in.
type Broadcast interface{}

// registerBroadcastAPI registers the broadcast and device endpoints.
func (s *Server) registerBroadcastAPI() {}
