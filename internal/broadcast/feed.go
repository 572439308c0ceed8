package broadcast

import (
	"context"
	"errors"
	"fmt"
	"github.com/loa-project/loa/internal/atom"
	"io"
	"slices"
	"time"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
)

// Feed is the public list of a unit's current bulletins (e-portal channel).
type Feed struct {
	Unit    *model.Unit
	Updated time.Time
	Entries []FeedEntry
}

// FeedEntry is one bulletin.
type FeedEntry struct {
	OrderID   int64
	Title     string
	Level     string
	Text      string // the bulletin's text when it was read out by TTS
	StartDate string
	EndDate   string
	Published time.Time
	AudioSHA  string
	AudioSize int64
	Duration  time.Duration
}

// Feed returns the public bulletins of a unit (by code): the orders that
// play on it and have started (see publishWindow), newest first. A
// bulletin is never published before its start, nor after its end. Filler
// material is left out.
func (s Monitor) Feed(ctx context.Context, unitCode string) (*Feed, error) {
	if unitCode == "" || len(unitCode) > 100 {
		return nil, model.Invalid("code", "give a unit code")
	}
	unit, err := s.store.Orgs().UnitByCode(ctx, unitCode)
	if err != nil {
		return nil, err
	}
	day := schedule.DateOf(s.clock().In(s.loc)).String()
	orders, err := s.store.Broadcast().OrdersOfUnitPath(ctx, unit.ID, unit.Path, day, 50)
	if err != nil {
		return nil, err
	}
	f := &Feed{Unit: unit, Updated: unit.UpdatedAt}
	now := s.clock()
	for _, o := range orders {
		if o.Level == schedule.LevelFiller.String() {
			continue
		}
		from, until, err := publishWindow(o, s.loc)
		if err != nil {
			return nil, err
		}
		if now.Before(from) || !now.Before(until) {
			continue
		}
		m, err := s.store.Broadcast().MediaItem(ctx, o.MediaID)
		if err != nil {
			return nil, err
		}
		e := FeedEntry{OrderID: o.ID, Title: o.Title, Level: o.Level, Text: m.TTSText, StartDate: o.StartDate.String(), EndDate: o.EndDate.String(),
			Published: from, AudioSHA: m.SHA256, AudioSize: m.Size, Duration: m.Duration()}
		f.Entries = append(f.Entries, e)
		if from.After(f.Updated) {
			f.Updated = from
		}
	}
	return f, nil
}

// publishWindow is when an order's bulletin is public: from its start (an
// emergency's or live order's issue; otherwise the first slot of the
// first day it plays on) until its end (its expiry, otherwise the end of
// its last day).
func publishWindow(o *model.BroadcastOrder, loc *time.Location) (from, until time.Time, err error) {
	first, last := o.StartDate, o.EndDate
	until = last.AddDays(1).In(loc)
	if o.ExpiresAt != nil && o.ExpiresAt.Before(until) {
		until = *o.ExpiresAt
	}
	if o.IssuedAt != nil {
		return *o.IssuedAt, until, nil
	}
	weekdays, err := decodeWeekdays(o)
	if err != nil {
		return from, until, err
	}
	earliest := schedule.Clock(-1)
	for _, sl := range o.Slots {
		c := sl.At
		if sl.Spread != nil {
			c = sl.Spread.From
		}
		if earliest < 0 || c < earliest {
			earliest = c
		}
	}
	earliest = max(earliest, 0)
	day := first
	if len(weekdays) > 0 {
		for i := 0; i < 7 && !slices.Contains(weekdays, day.Weekday()); i++ {
			day = day.AddDays(1)
		}
	}
	return day.In(loc).Add(time.Duration(earliest) * time.Second), until, nil
}

// OpenPublicMedia opens the audio of a bulletin in a unit's public feed.
func (s Monitor) OpenPublicMedia(ctx context.Context, unitCode, sha string) (io.ReadSeekCloser, error) {
	f, err := s.Feed(ctx, unitCode)
	if err != nil {
		return nil, err
	}
	for _, e := range f.Entries {
		if e.AudioSHA == sha {
			r, _, err := s.blobs.Open(ctx, sha)
			return r, err
		}
	}
	return nil, fmt.Errorf("audio %s is not among the current bulletins of %s: %w", clip(sha), unitCode, model.ErrNotFound)
}

// The links of a feed are absolute under base, the configured public URL
// of the server (never the Host header of a request), or relative to the
// server's root when base is empty. Ids do not depend on base: they are
// tag URIs (RFC 4151), stable whatever URL the feed is reached at.

// feedTagAuthority names Loa in the tag URIs of feed ids.
const feedTagAuthority = "loa-project.github.io,2021"

func (f *Feed) link(base, path string) string {
	return base + path
}

func (f *Feed) audioURL(base string, e FeedEntry) string {
	return f.link(base, fmt.Sprintf("/feeds/%s/audio/%s.mp3", f.Unit.Code, e.AudioSHA))
}

func (f *Feed) feedID() string {
	return fmt.Sprintf("tag:%s:feeds/%s/bulletins", feedTagAuthority, f.Unit.Code)
}

func (f *Feed) entryID(e FeedEntry) string {
	return fmt.Sprintf("tag:%s:feeds/%s/bulletins/%d", feedTagAuthority, f.Unit.Code, e.OrderID)
}

// JSONFeed renders the feed as JSON Feed 1.1 (https://jsonfeed.org); base
// is the server's public URL without a trailing slash, or "" for links
// relative to the server's root.
func (f *Feed) JSONFeed(base string) map[string]any {
	items := make([]map[string]any, 0, len(f.Entries))
	for _, e := range f.Entries {
		content := e.Text
		if content == "" {
			content = e.Title
		}
		items = append(items, map[string]any{
			"id":             f.entryID(e),
			"title":          e.Title,
			"content_text":   content,
			"date_published": e.Published.UTC().Format(time.RFC3339),
			"tags":           []string{e.Level},
			"attachments": []map[string]any{{
				"url": f.audioURL(base, e), "mime_type": "audio/mpeg", "size_in_bytes": e.AudioSize,
				"duration_in_seconds": int(e.Duration.Round(time.Second) / time.Second),
			}},
			"_loa": map[string]any{"level": e.Level, "start_date": e.StartDate, "end_date": e.EndDate},
		})
	}
	return map[string]any{
		"version":       "https://jsonfeed.org/version/1.1",
		"title":         "Bản tin – " + f.Unit.Name,
		"home_page_url": f.link(base, "/feeds/"+f.Unit.Code),
		"feed_url":      f.link(base, fmt.Sprintf("/feeds/%s/bulletins.json", f.Unit.Code)),
		"language":      "vi",
		"items":         items,
	}
}

// Atom renders the feed as Atom 1.0 (RFC 4287) with audio enclosures;
// base is as for JSONFeed (relative hrefs are IRI references resolved
// against the feed's own URL).
func (f *Feed) Atom(base string) ([]byte, error) {
	if f.Unit == nil {
		return nil, errors.New("feed without unit")
	}
	af := atom.Feed{Lang: "vi", ID: f.feedID(), Title: "Bản tin – " + f.Unit.Name,
		Updated: f.Updated.UTC().Format(time.RFC3339), Author: atom.Person{Name: f.Unit.Name},
		Links: []atom.Link{{Rel: "self", Href: f.link(base, fmt.Sprintf("/feeds/%s/bulletins.atom", f.Unit.Code)), Type: "application/atom+xml"},
			{Rel: "alternate", Href: f.link(base, "/feeds/"+f.Unit.Code), Type: "text/html"}}}
	for _, e := range f.Entries {
		summary := e.Text
		if summary == "" {
			summary = e.Title
		}
		t := e.Published.UTC().Format(time.RFC3339)
		af.Entries = append(af.Entries, atom.Entry{ID: f.entryID(e), Title: e.Title,
			Updated: t, Published: t, Category: &atom.Category{Term: e.Level}, Summary: summary,
			Links: []atom.Link{{Rel: "enclosure", Href: f.audioURL(base, e), Type: "audio/mpeg", Length: e.AudioSize}}})
	}
	return af.Marshal()
}
