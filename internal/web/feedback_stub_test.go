package web

// Stubs of the feedback and CAP services for route tests: their methods
// are never called.
type (
	stubFeedback struct{ Feedback }
	stubCAP      struct{ CAPAlerts }
)
