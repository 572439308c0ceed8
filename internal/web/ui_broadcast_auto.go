package web

import (
	"strings"
	"time"

	"github.com/loa-project/loa/internal/bridge"
	"github.com/loa-project/loa/internal/i18n"
)

// bcAutoRow is an automatic scheduling job on the orders page.
type bcAutoRow struct {
	ID         int64
	DeliveryID int64
	Own        bool // delivered to the page's unit (its inbox opens it), not to its parent
	Code       string
	Received   time.Time
	State      string
	Lines      []string // what was scheduled, what waits, why
	Error      string
	CanRetry   bool
}

// autoRow describes a job for the station: per outcome, the items.
func autoRow(pd *pageData, j bridge.AutoJob, unitID int64, canWrite bool) bcAutoRow {
	row := bcAutoRow{ID: j.ID, Own: j.UnitID == unitID, DeliveryID: j.DeliveryID, Code: j.Code, Received: j.CreatedAt, State: j.State}
	switch j.State {
	case "failed":
		row.Error = jobError(pd, j.LastError)
		row.CanRetry = canWrite
	case "pending":
		if j.LastError != "" {
			row.Error = pd.T("bc.auto.retrying", j.Attempts, jobError(pd, j.LastError))
		}
	}
	if j.Outcome == nil {
		return row
	}
	groups := map[string][]string{}
	var order []string
	add := func(key, item string) {
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], item)
	}
	for _, u := range j.Outcome.Units {
		for _, r := range u.Created {
			add("bc.auto.created", pd.T("bc.auto.item", r.Label, pd.T("bc.level."+r.Level)))
		}
		for _, r := range u.Skipped {
			item := pd.T("bc.auto.item", r.Label, pd.T("bc.level."+r.Level))
			switch {
			case r.Problem != "":
				why := r.Problem
				if pd.Lang == i18n.VI && r.ProblemVI != "" {
					why = r.ProblemVI
				}
				add("bc.auto.refused", pd.T("bc.auto.item", r.Label, why))
			case r.Reason == bridge.ReasonAutoOff || r.Reason == bridge.ReasonNormal:
				add("bc.auto.waiting", item)
			case r.Reason == bridge.ReasonScheduled:
				add("bc.auto.already", item)
			default:
				add("bc.auto.ended", item)
			}
		}
	}
	for _, key := range order {
		row.Lines = append(row.Lines, pd.T(key, strings.Join(groups[key], ", ")))
	}
	if j.State == "done" && len(row.Lines) == 0 {
		row.Lines = []string{pd.T("bc.auto.nothing")}
	}
	return row
}

// jobError says a job's last error on the page: as recorded on English
// pages or when recorded in Vietnamese, else in general Vietnamese words
// (the recorded text stays in the job and the API).
func jobError(pd *pageData, text string) string {
	if pd.Lang == i18n.EN || i18n.LooksVietnamese(text) {
		return text
	}
	return pd.T("bc.auto.error_vi")
}
