package directives

import (
	"testing"

	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/model"
)

// TestCitesDelivery: a report letter answers a delivery it cites by number
// and notation (leading zeros and case aside), on the same date when the
// citation gives one.
func TestCitesDelivery(t *testing.T) {
	del := &model.Delivery{Code: "570/STTTT-TTBCBC", DocDate: "2021-06-03"}
	for _, c := range []struct {
		num, notation, date string
		want                bool
	}{
		{"570", "STTTT-TTBCBC", "2021-06-03", true},
		{"0570", "sttt t-ttbcbc", "", false},
		{"0570", "stttt-ttbcbc", "", true},
		{"570", "STTTT-TTBCBC", "2021-06-04", false},
		{"57", "STTTT-TTBCBC", "", false},
		{"570", "", "", false},
		{"", "STTTT-TTBCBC", "", false},
	} {
		r := docmodel.Reference{Number: docmodel.Str(c.num), Notation: docmodel.Str(c.notation), Date: docmodel.Str(c.date)}
		if got := citesDelivery(r, del); got != c.want {
			t.Errorf("%s/%s %s: %v, want %v", c.num, c.notation, c.date, got, c.want)
		}
	}
}
