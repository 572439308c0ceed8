package model

import (
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/schedule"
)

// Broadcast target kinds.
const (
	TargetDevice  = "device"  // one device
	TargetUnit    = "unit"    // the devices of one unit
	TargetSubtree = "subtree" // the devices of a unit and every unit below it
)

// OrderTarget names who an order plays on.
type OrderTarget struct {
	Kind string `json:"kind"`
	ID   int64  `json:"id"`
}

// BroadcastOrder is a broadcast order as stored: content (a media item),
// targets, period (calendar dates), time slots and level. Dates and
// slots scan from and store to their columns themselves (schedule.Date,
// schedule.Slots), so they are decoded once, when read.
type BroadcastOrder struct {
	// MadeAt is when the order was made on the service's clock (zero:
	// its creation time); slots before it are not expected to play.
	MadeAt       time.Time      `json:"-"`
	ID           int64          `json:"id"`
	UnitID       int64          `json:"unit_id"`
	Title        string         `json:"title"`
	MediaID      int64          `json:"media_id"`
	Level        string         `json:"level"`
	Interrupts   bool           `json:"interrupts"`
	StartDate    schedule.Date  `json:"start_date"`
	EndDate      schedule.Date  `json:"end_date"`
	ExpiresAt    *time.Time     `json:"expires_at"`
	Slots        schedule.Slots `json:"slots"`
	Weekdays     string         `json:"-"`
	UnitOrder    int            `json:"unit_order"`
	IssuedAt     *time.Time     `json:"issued_at"`
	Repeats      int            `json:"repeats"`
	RepeatEveryS int            `json:"repeat_every_s"`
	Source       string         `json:"source"`
	SourceRef    string         `json:"source_ref"`
	// SourceDirectiveID, SourceItem and SourceDeliveryID: the directive
	// content item the order implements (Source "directive"), and the
	// delivery that brought it; zero otherwise.
	SourceDirectiveID int64 `json:"source_directive_id,omitempty"`
	SourceItem        int   `json:"source_item,omitempty"`
	// SourcePart numbers the recordings of an item that carries several
	// (0: the first, or the item's speech): one order each, played in
	// this order at the item's times.
	SourcePart       int           `json:"source_part,omitempty"`
	SourceDeliveryID int64         `json:"source_delivery_id,omitempty"`
	CreatedBy        string        `json:"created_by"`
	CreatedAt        time.Time     `json:"created_at"`
	CancelledAt      *time.Time    `json:"cancelled_at"`
	Targets          []OrderTarget `json:"targets"`
	// The media item, joined.
	MediaSHA256     string `json:"media_sha256"`
	MediaSize       int64  `json:"media_size"`
	MediaDurationMS int64  `json:"media_duration_ms"`
	MediaTitle      string `json:"media_title"`
	// MediaOriginalSHA256 is the recorded file the audio was made from
	// (e.g. the Sở's attachment of a directive item); "" for speech.
	MediaOriginalSHA256 string `json:"media_original_sha256,omitempty"`
}

// DirectiveItemRef is the source reference of content item number item of
// a directive, "directive:12:item:3": the source_ref of the broadcast
// orders made from it (directives and broadcast both name items so).
func DirectiveItemRef(directiveID int64, item int) string {
	return fmt.Sprintf("directive:%d:item:%d", directiveID, item)
}
