package channels

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Placeholders of a gateway body template.
const (
	PhPhone         = "phone"          // +84912345678
	PhPhoneNational = "phone_national" // 0912345678
	PhPhoneDigits   = "phone_digits"   // 84912345678
	PhText          = "text"
	PhClientRef     = "client_ref"
	PhCallback      = "callback"
)

var placeholderRe = regexp.MustCompile(`\{\{\s*([a-z_]+)\s*\}\}`)

var knownPlaceholders = map[string]bool{PhPhone: true, PhPhoneNational: true, PhPhoneDigits: true, PhText: true, PhClientRef: true, PhCallback: true}

// bodyTemplate is a parsed JSON body template: placeholders {{name}} may
// appear inside any string value (or key) and are replaced by the value,
// which the JSON encoder then escapes, so a text with quotes or newlines
// cannot break the body.
type bodyTemplate struct {
	root any
}

func parseBodyTemplate(src string) (*bodyTemplate, error) {
	dec := json.NewDecoder(strings.NewReader(src))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("body template is not JSON: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("body template: data after the JSON value")
	}
	seen := map[string]bool{}
	for _, m := range placeholderRe.FindAllStringSubmatch(src, -1) {
		if !knownPlaceholders[m[1]] {
			return nil, fmt.Errorf("body template: unknown placeholder {{%s}}: use phone, phone_national, phone_digits, text, client_ref or callback", m[1])
		}
		seen[m[1]] = true
	}
	if !seen[PhText] || !(seen[PhPhone] || seen[PhPhoneNational] || seen[PhPhoneDigits]) {
		return nil, fmt.Errorf("body template must contain {{text}} and one of {{phone}}, {{phone_national}}, {{phone_digits}}")
	}
	return &bodyTemplate{root: root}, nil
}

// render fills the template for one message.
func (t *bodyTemplate) render(vals map[string]string) ([]byte, error) {
	fill := func(s string) string {
		return placeholderRe.ReplaceAllStringFunc(s, func(m string) string {
			return vals[placeholderRe.FindStringSubmatch(m)[1]]
		})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(substitute(t.root, fill)); err != nil {
		return nil, fmt.Errorf("render body: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func substitute(v any, fill func(string) string) any {
	switch x := v.(type) {
	case string:
		return fill(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = substitute(e, fill)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fill(k)] = substitute(e, fill)
		}
		return out
	default:
		return v
	}
}

// lookupPath finds a value in decoded JSON by a dot path ("data.id",
// "messages.0.id") and returns it as a string (numbers as written,
// booleans as true/false). ok is false when the path does not lead to a
// scalar.
func lookupPath(root any, path string) (string, bool) {
	cur := root
	for _, p := range strings.Split(path, ".") {
		switch x := cur.(type) {
		case map[string]any:
			v, ok := x[p]
			if !ok {
				return "", false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(x) {
				return "", false
			}
			cur = x[i]
		default:
			return "", false
		}
	}
	switch x := cur.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	default:
		return "", false
	}
}

// decodeJSON decodes a document keeping numbers exact.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// Duration is a time.Duration read from JSON as a Go duration string
// ("10s", "1m30s") or a number of seconds.
type Duration time.Duration

// UnmarshalJSON reads "10s" or 10.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("duration %q: write it like \"10s\" or \"1m30s\"", s)
		}
		*d = Duration(v)
		return nil
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil {
		return fmt.Errorf("duration %s: write it like \"10s\" or a number of seconds", b)
	}
	*d = Duration(secs * float64(time.Second))
	return nil
}

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }
