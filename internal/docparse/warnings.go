package docparse

// Warnings the parser adds to Fields.Warnings. They are stable strings so
// that callers and tests can rely on them.
const (
	warnNoNumber      = `number and notation not found (no "Số:" line)`
	warnNoNumberValue = `the "Số:" line has a notation but no number`
	warnNoDate        = "place and date line not found in the header"
	warnNoIssuer      = "issuing body not found in the header"
	warnNoType        = "document type not recognised"
	warnNoSubject     = "subject (trích yếu) not found"
	warnNoSigner      = "signer name not found"
)
