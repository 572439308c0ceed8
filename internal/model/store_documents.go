package model

// DocumentFilter selects documents.
type DocumentFilter struct {
	UnitID    int64  // documents held by exactly this unit (0 = any)
	UnderPath string // documents held by units under this path ("" = any)
	Direction string
	Number    string // exact number
	Notation  string // exact notation
	// NotationPrefix also matches notations that begin with Notation
	// followed by "-" or "/" ("STTTT" matches "STTTT-TTBCBC").
	NotationPrefix bool
	Year           int
	Query          string // words anywhere in the document, without regard to case or diacritics
	BeforeID       int64
	Limit          int
}
