package web

// stubReports only makes the report routes register.
type stubReports struct{ PeriodicReports }
