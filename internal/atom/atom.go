// Package atom holds the Atom 1.0 (RFC 4287) feed elements that Loa's
// public feeds share: the stations' bulletin feeds and the CAP alert feed.
package atom

import (
	"encoding/xml"
	"fmt"
)

// Feed is an Atom feed document.
type Feed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string   `xml:"xml:lang,attr"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  Person   `xml:"author"`
	Links   []Link   `xml:"link"`
	Entries []Entry  `xml:"entry"`
}

// Person is an author or contributor.
type Person struct {
	Name string `xml:"name"`
}

// Link is a link element; Length is the enclosure size in bytes.
type Link struct {
	Rel    string `xml:"rel,attr,omitempty"`
	Href   string `xml:"href,attr"`
	Type   string `xml:"type,attr,omitempty"`
	Length int64  `xml:"length,attr,omitempty"`
}

// Entry is one feed entry.
type Entry struct {
	ID        string    `xml:"id"`
	Title     string    `xml:"title"`
	Updated   string    `xml:"updated"`
	Published string    `xml:"published,omitempty"`
	Category  *Category `xml:"category,omitempty"`
	Summary   string    `xml:"summary"`
	Links     []Link    `xml:"link"`
}

// Category labels an entry.
type Category struct {
	Term string `xml:"term,attr"`
}

// Marshal encodes the feed with the XML declaration.
func (f *Feed) Marshal() ([]byte, error) {
	b, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode atom feed: %w", err)
	}
	return append([]byte(xml.Header), b...), nil
}
