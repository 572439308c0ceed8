package broadcast

// Sub-services. Each is a small type over the shared core Service, holding
// the methods of one group of the package's files; Service hands them out.

// DeviceFleet: devices, their enrolment and the push to them.
type DeviceFleet struct{ *Service }

// Fleet returns the sub-service for devices, their enrolment and the push to them.
func (s *Service) Fleet() DeviceFleet { return DeviceFleet{s} }

// Library: media files and play logs.
type Library struct{ *Service }

// Library returns the sub-service for media files and play logs.
func (s *Service) Library() Library { return Library{s} }

// Monitor: monitoring views and public feeds.
type Monitor struct{ *Service }

// Monitor returns the sub-service for monitoring views and public feeds.
func (s *Service) Monitor() Monitor { return Monitor{s} }

// OrderBook: broadcast orders, including those scheduled from directives.
type OrderBook struct{ *Service }

// OrderBook returns the sub-service for broadcast orders, including those scheduled from directives.
func (s *Service) OrderBook() OrderBook { return OrderBook{s} }

// Scheduler: schedules and day plans.
type Scheduler struct{ *Service }

// Scheduler returns the sub-service for schedules and day plans.
func (s *Service) Scheduler() Scheduler { return Scheduler{s} }

// API bundles the core Service and all its sub-services in one value, for
// consumers (the web layer, bridges) that take one interface over the
// whole domain. The core is embedded directly so that its methods are not
// ambiguous with the copies promoted through each sub-service.
type API struct {
	*Service
	DeviceFleet
	Library
	Monitor
	OrderBook
	Scheduler
	Speech
	LiveDesk
}

// NewAPI returns the API over s.
func NewAPI(s *Service) API {
	return API{Service: s, DeviceFleet: DeviceFleet{s}, Library: Library{s}, Monitor: Monitor{s}, OrderBook: OrderBook{s}, Scheduler: Scheduler{s}, Speech: Speech{s}, LiveDesk: LiveDesk{s}}
}
