package capalert

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/loa-project/loa/internal/model"
)

// MaxFeedBytes bounds a polled feed.
const MaxFeedBytes = 4 << 20

// MaxPolledAlerts bounds the alerts fetched from one feed per poll.
const MaxPolledAlerts = 50

type pollFeed struct {
	XMLName xml.Name
	Entries []struct {
		Links []struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
			Type string `xml:"type,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

func (s *Service) get(ctx context.Context, u string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/atom+xml, application/cap+xml, application/xml")
	resp, err := s.cfg.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: status %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", u, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", u, limit)
	}
	return b, nil
}

// Poll fetches a CAP feed (Atom with entries linking to CAP messages, or
// one CAP alert) through the configured guarded client and receives each
// alert not seen before for the unit, as drafts. It returns the number of
// new drafts.
func (s *Service) Poll(ctx context.Context, unitCode, feedURL string) (int, error) {
	if s.cfg.HTTP == nil {
		return 0, errors.New("capalert: polling needs an HTTP client")
	}
	base, err := url.Parse(feedURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") {
		return 0, fmt.Errorf("CAP feed URL %q: give an http(s) URL", feedURL)
	}
	unit, err := s.store.Orgs().UnitByCode(ctx, unitCode)
	if err != nil {
		return 0, fmt.Errorf("CAP feed unit %q: %w", unitCode, err)
	}
	body, err := s.get(ctx, feedURL, MaxFeedBytes)
	if err != nil {
		return 0, err
	}
	var f pollFeed
	if err := xml.Unmarshal(body, &f); err != nil {
		return 0, fmt.Errorf("CAP feed %s: %w", feedURL, err)
	}
	actor := model.System("cap-poll")
	var docs [][]byte
	if f.XMLName.Local == "alert" {
		docs = append(docs, body)
	} else {
		for _, e := range f.Entries {
			for _, l := range e.Links {
				if l.Type != "application/cap+xml" && l.Rel != "alternate" && l.Rel != "" {
					continue
				}
				ref, err := url.Parse(l.Href)
				if err != nil {
					continue
				}
				if len(docs) >= MaxPolledAlerts {
					break
				}
				b, err := s.get(ctx, base.ResolveReference(ref).String(), MaxAlertBytes)
				if err != nil {
					s.log.Warn("CAP feed entry", "feed", feedURL, "err", err)
					continue
				}
				docs = append(docs, b)
				break
			}
		}
	}
	n := 0
	for _, d := range docs {
		if _, err := s.receive(ctx, actor, unit, d); err != nil {
			if !errors.Is(err, model.ErrConflict) {
				s.log.Warn("CAP feed alert refused", "feed", feedURL, "err", err)
			}
			continue
		}
		n++
	}
	return n, nil
}

// PollLoop polls the feed every interval until ctx ends.
func (s *Service) PollLoop(ctx context.Context, unitCode, feedURL string, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := s.Poll(ctx, unitCode, feedURL); err != nil && ctx.Err() == nil {
			s.log.Warn("poll CAP feed", "url", feedURL, "err", err)
		} else if n > 0 {
			s.log.Info("CAP alerts received from feed", "url", feedURL, "new", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
