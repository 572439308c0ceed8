package channels

// Sub-services. Each is a small type over the shared core Service, holding
// the methods of one group of the package's files; Service hands them out.

// CampaignOps: campaigns and their reports.
type CampaignOps struct{ *Service }

// CampaignOps returns the sub-service for campaigns and their reports.
func (s *Service) CampaignOps() CampaignOps { return CampaignOps{s} }

// ListOps: recipient lists and opt-outs.
type ListOps struct{ *Service }

// ListOps returns the sub-service for recipient lists and opt-outs.
func (s *Service) ListOps() ListOps { return ListOps{s} }

// TaskOps: channel tasks, their evidence, receipts and webhooks.
type TaskOps struct{ *Service }

// TaskOps returns the sub-service for channel tasks, their evidence, receipts and webhooks.
func (s *Service) TaskOps() TaskOps { return TaskOps{s} }

// API bundles the core Service and all its sub-services in one value, for
// consumers (the web layer, bridges) that take one interface over the
// whole domain. The core is embedded directly so that its methods are not
// ambiguous with the copies promoted through each sub-service.
type API struct {
	*Service
	CampaignOps
	ListOps
	TaskOps
}

// NewAPI returns the API over s.
func NewAPI(s *Service) API {
	return API{Service: s, CampaignOps: CampaignOps{s}, ListOps: ListOps{s}, TaskOps: TaskOps{s}}
}
