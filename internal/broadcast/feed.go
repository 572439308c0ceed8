package broadcast

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
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

// Feed returns the public bulletins of a unit (by code): the active
// orders that play on it, newest first. Filler material is left out.
func (s *Service) Feed(ctx context.Context, unitCode string) (*Feed, error) {
	if unitCode == "" || len(unitCode) > 100 {
		return nil, model.Invalid("code", "give a unit code")
	}
	unit, err := s.store.UnitByCode(ctx, unitCode)
	if err != nil {
		return nil, err
	}
	day := schedule.DateOf(s.clock().In(s.loc)).String()
	orders, err := s.store.OrdersOfUnitPath(ctx, unit.ID, unit.Path, day, 50)
	if err != nil {
		return nil, err
	}
	f := &Feed{Unit: unit, Updated: unit.UpdatedAt}
	now := s.clock()
	for _, o := range orders {
		if o.Level == schedule.LevelFiller.String() || (o.ExpiresAt != nil && !now.Before(*o.ExpiresAt)) {
			continue
		}
		m, err := s.store.MediaItem(ctx, o.MediaID)
		if err != nil {
			return nil, err
		}
		e := FeedEntry{OrderID: o.ID, Title: o.Title, Level: o.Level, Text: m.TTSText, StartDate: o.StartDate, EndDate: o.EndDate,
			Published: o.CreatedAt, AudioSHA: m.SHA256, AudioSize: m.Size, Duration: m.Duration()}
		f.Entries = append(f.Entries, e)
		if o.CreatedAt.After(f.Updated) {
			f.Updated = o.CreatedAt
		}
	}
	return f, nil
}

// OpenPublicMedia opens the audio of a bulletin in a unit's public feed.
func (s *Service) OpenPublicMedia(ctx context.Context, unitCode, sha string) (io.ReadSeekCloser, error) {
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

func (f *Feed) audioURL(base string, e FeedEntry) string {
	return fmt.Sprintf("%s/feeds/%s/audio/%s.mp3", base, f.Unit.Code, e.AudioSHA)
}

// JSONFeed renders the feed as JSON Feed 1.1 (https://jsonfeed.org).
func (f *Feed) JSONFeed(base string) map[string]any {
	items := make([]map[string]any, 0, len(f.Entries))
	for _, e := range f.Entries {
		content := e.Text
		if content == "" {
			content = e.Title
		}
		items = append(items, map[string]any{
			"id":             fmt.Sprintf("%s/feeds/%s/bulletins/%d", base, f.Unit.Code, e.OrderID),
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
		"home_page_url": base + "/",
		"feed_url":      fmt.Sprintf("%s/feeds/%s/bulletins.json", base, f.Unit.Code),
		"language":      "vi",
		"items":         items,
	}
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel    string `xml:"rel,attr,omitempty"`
	Href   string `xml:"href,attr"`
	Type   string `xml:"type,attr,omitempty"`
	Length int64  `xml:"length,attr,omitempty"`
}

type atomEntry struct {
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Category  atomCat    `xml:"category"`
	Summary   string     `xml:"summary"`
	Links     []atomLink `xml:"link"`
}

type atomCat struct {
	Term string `xml:"term,attr"`
}

// Atom renders the feed as Atom 1.0 (RFC 4287) with audio enclosures.
func (f *Feed) Atom(base string) ([]byte, error) {
	if f.Unit == nil {
		return nil, errors.New("feed without unit")
	}
	af := atomFeed{Lang: "vi", ID: fmt.Sprintf("%s/feeds/%s/bulletins.atom", base, f.Unit.Code), Title: "Bản tin – " + f.Unit.Name,
		Updated: f.Updated.UTC().Format(time.RFC3339), Author: atomPerson{Name: f.Unit.Name},
		Links: []atomLink{{Rel: "self", Href: fmt.Sprintf("%s/feeds/%s/bulletins.atom", base, f.Unit.Code), Type: "application/atom+xml"}}}
	for _, e := range f.Entries {
		summary := e.Text
		if summary == "" {
			summary = e.Title
		}
		t := e.Published.UTC().Format(time.RFC3339)
		af.Entries = append(af.Entries, atomEntry{ID: fmt.Sprintf("%s/feeds/%s/bulletins/%d", base, f.Unit.Code, e.OrderID), Title: e.Title,
			Updated: t, Published: t, Category: atomCat{Term: e.Level}, Summary: summary,
			Links: []atomLink{{Rel: "enclosure", Href: f.audioURL(base, e), Type: "audio/mpeg", Length: e.AudioSize}}})
	}
	b, err := xml.MarshalIndent(af, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode atom feed: %w", err)
	}
	return append([]byte(xml.Header), b...), nil
}
