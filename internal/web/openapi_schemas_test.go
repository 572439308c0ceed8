package web

import (
	"encoding"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/media/tts"
	"github.com/loa-project/loa/internal/model"
)

// bodySchema names the Go type of one JSON body of the API.
type bodySchema struct {
	method, path string
	at           string // "request" or a response status
	v            any
	wrap         string // the body is {"<wrap>": [v…]}
}

// broadcastBodies are the JSON bodies of the broadcast and device APIs,
// with the Go types they are encoded from.
var broadcastBodies = []bodySchema{
	{"post", "/api/v1/device/enrol", "request", protocol.EnrolRequest{}, ""},
	{"post", "/api/v1/device/enrol", "201", protocol.EnrolResponse{}, ""},
	{"get", "/api/v1/device/{id}/schedule", "200", protocol.Schedule{}, ""},
	{"post", "/api/v1/device/{id}/heartbeat", "request", protocol.Heartbeat{}, ""},
	{"post", "/api/v1/device/{id}/heartbeat", "200", protocol.HeartbeatResponse{}, ""},
	{"post", "/api/v1/device/{id}/playlogs", "request", protocol.PlayLogBatch{}, ""},
	{"post", "/api/v1/device/{id}/playlogs", "200", protocol.PlayLogResult{}, ""},
	{"get", "/api/v1/broadcast/devices", "200", broadcast.DeviceView{}, "devices"},
	{"get", "/api/v1/broadcast/devices/{id}", "200", broadcast.DeviceView{}, ""},
	{"patch", "/api/v1/broadcast/devices/{id}", "request", struct {
		Name string `json:"name"`
	}{}, ""},
	{"patch", "/api/v1/broadcast/devices/{id}", "200", broadcast.DeviceView{}, ""},
	{"post", "/api/v1/broadcast/devices/{id}/commands", "request", broadcast.CommandInput{}, ""},
	{"post", "/api/v1/broadcast/devices/{id}/commands", "202", model.DeviceCommand{}, ""},
	{"get", "/api/v1/broadcast/live", "200", broadcast.LiveView{}, "sessions"},
	{"post", "/api/v1/broadcast/live", "request", broadcast.LiveInput{}, ""},
	{"post", "/api/v1/broadcast/live", "201", broadcast.LiveView{}, ""},
	{"get", "/api/v1/broadcast/live/{id}", "200", broadcast.LiveView{}, ""},
	{"post", "/api/v1/broadcast/live/{id}/chunks", "200", liveChunkResult{}, ""},
	{"post", "/api/v1/broadcast/live/{id}/stop", "200", broadcast.LiveView{}, ""},
	{"get", "/api/v1/broadcast/devices/{id}/playlogs", "200", model.PlayLog{}, "plays"},
	{"post", "/api/v1/broadcast/enrolment-keys", "request", enrolmentKeyRequest{}, ""},
	{"post", "/api/v1/broadcast/enrolment-keys", "201", struct {
		Key          string             `json:"key"`
		EnrolmentKey model.EnrolmentKey `json:"enrolment_key"`
	}{}, ""},
	{"get", "/api/v1/broadcast/media", "200", model.Media{}, "media"},
	{"post", "/api/v1/broadcast/media", "201", model.Media{}, ""},
	{"post", "/api/v1/broadcast/media/tts", "request", broadcast.TTSInput{}, ""},
	{"post", "/api/v1/broadcast/media/tts", "201", model.Media{}, ""},
	{"get", "/api/v1/broadcast/media/{id}", "200", model.Media{}, ""},
	{"get", "/api/v1/broadcast/voices", "200", tts.Voice{}, "voices"},
	{"get", "/api/v1/broadcast/orders", "200", broadcast.OrderView{}, "orders"},
	{"post", "/api/v1/broadcast/orders", "request", broadcast.OrderInput{}, ""},
	{"post", "/api/v1/broadcast/orders", "201", broadcast.OrderView{}, ""},
	{"get", "/api/v1/broadcast/orders/{id}", "200", broadcast.OrderView{}, ""},
	{"get", "/api/v1/broadcast/orders/{id}/report", "200", broadcast.OrderReport{}, ""},
	{"get", "/api/v1/broadcast/orders/{id}/playlogs", "200", model.PlayLog{}, "plays"},
	{"post", "/api/v1/broadcast/emergency", "request", broadcast.EmergencyInput{}, ""},
	{"post", "/api/v1/broadcast/emergency", "201", broadcast.EmergencyResult{}, ""},
	{"get", "/api/v1/broadcast/units/{id}/day", "200", broadcast.DayView{}, ""},
	{"get", "/api/v1/broadcast/units/{id}/overview", "200", broadcast.Overview{}, ""},
	{"get", "/api/v1/broadcast/units/{id}/limits", "200", limitsView{}, ""},
	{"put", "/api/v1/broadcast/units/{id}/limits", "request", broadcast.LimitsInput{}, ""},
	{"put", "/api/v1/broadcast/units/{id}/limits", "200", limitsView{}, ""},
}

// schemaGen derives OpenAPI schemas from Go types as encoding/json
// encodes them; named structs become components "<package>.<Type>".
type schemaGen struct {
	defs map[string]any
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	if t.Kind() == reflect.Pointer {
		s := g.schema(t.Elem())
		if _, isRef := s["$ref"]; isRef {
			return map[string]any{"allOf": []any{s}, "nullable": true}
		}
		s["nullable"] = true
		return s
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Implements(textMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType):
		return map[string]any{"type": "string"}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if t == reflect.TypeFor[time.Duration]() {
			return map[string]any{"type": "integer", "description": "nanoseconds"}
		}
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"}
		}
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		if t.Name() == "" {
			return g.object(t)
		}
		name := t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:] + "." + strings.ToUpper(t.Name()[:1]) + t.Name()[1:]
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = nil // recursion guard
			g.defs[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	case reflect.Interface:
		return map[string]any{"description": "any JSON value"}
	}
	panic("openapi schema: unsupported type " + t.String())
}

// object lists a struct's JSON fields, embedded structs' fields included.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for f := range t.Fields() {
			tag := f.Tag.Get("json")
			name, _, _ := strings.Cut(tag, ",")
			if name == "-" || (!f.IsExported() && !f.Anonymous) {
				continue
			}
			ft := f.Type
			if f.Anonymous && name == "" {
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft)
					continue
				}
			}
			if name == "" {
				name = f.Name
			}
			props[name] = g.schema(ft)
		}
	}
	walk(t)
	return map[string]any{"type": "object", "properties": props}
}

// docBody returns the schema of one body in the document.
func docBody(doc map[string]any, b bodySchema) (map[string]any, bool) {
	get := func(m any, keys ...string) any {
		for _, k := range keys {
			mm, ok := m.(map[string]any)
			if !ok {
				return nil
			}
			m = mm[k]
		}
		return m
	}
	op := get(doc, "paths", b.path, b.method)
	var s any
	if b.at == "request" {
		s = get(op, "requestBody", "content", "application/json", "schema")
	} else {
		s = get(op, "responses", b.at, "content", "application/json", "schema")
	}
	m, ok := s.(map[string]any)
	return m, ok
}

func normalise(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(x)
	return string(b)
}

// TestOpenAPIBroadcastSchemas: every JSON body of the broadcast and
// device APIs has a real schema in openapi.json, the one its Go type
// encodes to (no bare "object"). After changing one of those types, run
// with LOA_OPENAPI_SCHEMAS=FILE to write the expected schemas to FILE,
// and merge them into openapi.json (paths.<path>.<method>… and
// components.schemas).
func TestOpenAPIBroadcastSchemas(t *testing.T) {
	b, err := assets.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	g := &schemaGen{defs: map[string]any{}}
	type want struct {
		Method, Path, At string
		Schema           map[string]any
	}
	var wants []want
	for _, body := range broadcastBodies {
		s := g.schema(reflect.TypeOf(body.v))
		if body.wrap != "" {
			s = map[string]any{"type": "object", "properties": map[string]any{body.wrap: map[string]any{"type": "array", "items": s}}}
		}
		wants = append(wants, want{body.method, body.path, body.at, s})
	}
	if out := os.Getenv("LOA_OPENAPI_SCHEMAS"); out != "" {
		j, err := json.MarshalIndent(map[string]any{"bodies": wants, "components": g.defs}, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, j, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	schemas, _ := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for name, def := range g.defs {
		if got := normalise(t, schemas[name]); got != normalise(t, def) {
			t.Errorf("openapi.json: components.schemas[%q] is %s, want %s", name, got, normalise(t, def))
		}
	}
	for i, body := range broadcastBodies {
		got, ok := docBody(doc, body)
		if !ok {
			t.Errorf("openapi.json: %s %s has no JSON %s body", strings.ToUpper(body.method), body.path, body.at)
			continue
		}
		if bareObject(got) {
			t.Errorf("openapi.json: the %s body of %s %s is a bare object: give it its schema", body.at, strings.ToUpper(body.method), body.path)
		}
		if normalise(t, got) != normalise(t, wants[i].Schema) {
			t.Errorf("openapi.json: the %s body of %s %s is %s, want %s", body.at, strings.ToUpper(body.method), body.path, normalise(t, got), normalise(t, wants[i].Schema))
		}
	}
	// No body of the broadcast and device APIs stays a bare object.
	paths, _ := doc["paths"].(map[string]any)
	for p, ops := range paths {
		if !strings.HasPrefix(p, "/api/v1/broadcast/") && !strings.HasPrefix(p, "/api/v1/device/") {
			continue
		}
		for m, op := range ops.(map[string]any) {
			for _, at := range []string{"request", "200", "201", "202"} {
				if s, ok := docBody(map[string]any{"paths": map[string]any{p: map[string]any{m: op}}}, bodySchema{method: m, path: p, at: at}); ok && bareObject(s) {
					t.Errorf("openapi.json: the %s body of %s %s is a bare object", at, strings.ToUpper(m), p)
				}
			}
		}
	}
}

// bareObject reports an object schema that says nothing of its fields.
func bareObject(s map[string]any) bool {
	if s["type"] != "object" {
		return false
	}
	if _, ok := s["properties"]; ok {
		return false
	}
	ap, ok := s["additionalProperties"]
	if !ok {
		return true
	}
	_, typed := ap.(map[string]any)
	return !typed
}
