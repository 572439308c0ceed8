package directives

// Sub-services. Each is a small type over the shared core Service, holding
// the methods of one group of the package's files; Service hands them out.

// Deliveries: the recipients' side: inbox, receipts and replies.
type Deliveries struct{ *Service }

// Deliveries returns the sub-service for the recipients' side: inbox, receipts and replies.
func (s *Service) Deliveries() Deliveries { return Deliveries{s} }

// Drafts: drafting directives: drafts, content, fields and recipients.
type Drafts struct{ *Service }

// Drafts returns the sub-service for drafting directives: drafts, content, fields and recipients.
func (s *Service) Drafts() Drafts { return Drafts{s} }

// Notifier: notifications: in-app, e-mail and webhooks.
type Notifier struct{ *Service }

// Notifier returns the sub-service for notifications: in-app, e-mail and webhooks.
func (s *Service) Notifier() Notifier { return Notifier{s} }

// Tracker: tracking issued directives and their summaries.
type Tracker struct{ *Service }

// Tracker returns the sub-service for tracking issued directives and their summaries.
func (s *Service) Tracker() Tracker { return Tracker{s} }

// Workflow: the approval workflow: submitting, reviewing, signing and issuing.
type Workflow struct{ *Service }

// Workflow returns the sub-service for the approval workflow: submitting, reviewing, signing and issuing.
func (s *Service) Workflow() Workflow { return Workflow{s} }

// API bundles the core Service and all its sub-services in one value, for
// consumers (the web layer, bridges) that take one interface over the
// whole domain. The core is embedded directly so that its methods are not
// ambiguous with the copies promoted through each sub-service.
type API struct {
	*Service
	Deliveries
	Drafts
	Notifier
	Tracker
	Workflow
}

// NewAPI returns the API over s.
func NewAPI(s *Service) API {
	return API{Service: s, Deliveries: Deliveries{s}, Drafts: Drafts{s}, Notifier: Notifier{s}, Tracker: Tracker{s}, Workflow: Workflow{s}}
}
