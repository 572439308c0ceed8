package web

import (
	"github.com/loa-project/loa/internal/directives"
)

// planRow is one content item to broadcast, as the approver reviews it:
// the level, the period, how often a day, and what the loudspeakers play
// (the attached recordings, or machine speech of the text when none).
type planRow struct {
	Label, Text string
	Level       string // normal, priority, emergency
	Start, End  string // YYYY-MM-DD
	Times       int
	Audio       []directives.Attachment
	Missing     int // recordings named by the item but no longer attached
}

// broadcastPlan lists the broadcast items of a draft in order.
func broadcastPlan(c directives.Content) []planRow {
	bySHA := map[string]directives.Attachment{}
	for _, a := range c.Attachments {
		if a.SHA256 != "" {
			bySHA[a.SHA256] = a
		}
	}
	var out []planRow
	for _, it := range c.Items {
		b := it.Broadcast
		if b == nil {
			continue
		}
		text := b.Text
		if text == "" {
			text = it.Text
		}
		row := planRow{Label: it.Label, Text: text, Level: b.Level.String(), Start: b.StartDate, End: b.EndDate, Times: b.TimesPerDay}
		for _, sha := range b.Audio {
			if a, ok := bySHA[sha]; ok {
				row.Audio = append(row.Audio, a)
			} else {
				row.Missing++
			}
		}
		out = append(out, row)
	}
	return out
}
