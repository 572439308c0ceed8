package model

import "time"

// ReportSetting is which periods a unit reports to its superior.
type ReportSetting struct {
	UnitID  int64    `json:"unit_id"`
	Periods []string `json:"periods"`
	// DrafterUserID is the user in whose name the drafts are made.
	DrafterUserID int64     `json:"drafter_user_id,omitempty"`
	UpdatedBy     string    `json:"updated_by"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// PeriodicReport records the report made for a unit and period.
type PeriodicReport struct {
	ID          int64     `json:"id"`
	UnitID      int64     `json:"unit_id"`
	Period      string    `json:"period"`
	From        string    `json:"from"`
	To          string    `json:"to"`
	DirectiveID int64     `json:"directive_id"`
	AnnexSHA    string    `json:"annex_sha256"`
	Figures     string    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
}
