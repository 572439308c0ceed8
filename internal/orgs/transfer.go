package orgs

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/loa-project/loa/internal/csvsafe"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// Limits of an organisation import.
const (
	MaxImportBytes = 8 << 20
	MaxImportRows  = 100000
)

// csvColumns are the columns of the organisation CSV format, in order.
var csvColumns = []string{"code", "parent_code", "name", "short_name", "kind", "abbreviation", "agency_id", "active_from", "dissolved_on"}

// Record is one unit in the import/export formats; units refer to their
// parent by code so a file can be moved between installations.
type Record struct {
	Code         string `json:"code"`
	ParentCode   string `json:"parent_code"`
	Name         string `json:"name"`
	ShortName    string `json:"short_name"`
	Kind         string `json:"kind"`
	Abbreviation string `json:"abbreviation"`
	AgencyID     string `json:"agency_id"`
	ActiveFrom   string `json:"active_from"`
	DissolvedOn  string `json:"dissolved_on"`
	line         int
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

func readLimited(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read import file: %w", err)
	}
	if len(b) > MaxImportBytes {
		return nil, model.Invalid("", "the file is larger than %d MiB; split it into several imports", MaxImportBytes>>20)
	}
	return b, nil
}

// ParseCSV reads the CSV format (header row required, UTF-8, comma).
func ParseCSV(r io.Reader) ([]Record, error) {
	b, err := readLimited(r)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, &model.ValidationError{Line: 1, Field: "header", Msg: fmt.Sprintf("cannot read the header row (%v); the first row must be: %s", err, strings.Join(csvColumns, ","))}
	}
	idx := map[string]int{}
	for i, h := range header {
		idx[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, c := range []string{"code", "parent_code", "name", "kind"} {
		if _, ok := idx[c]; !ok {
			return nil, &model.ValidationError{Line: 1, Field: c, Msg: fmt.Sprintf("column %q is missing from the header; expected columns: %s", c, strings.Join(csvColumns, ","))}
		}
	}
	var out []Record
	for line := 2; ; line++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &model.ValidationError{Line: pe.Line, Field: "", Msg: "malformed CSV: " + pe.Err.Error()}
			}
			return nil, fmt.Errorf("read CSV: %w", err)
		}
		if len(out) >= MaxImportRows {
			return nil, &model.ValidationError{Line: line, Msg: fmt.Sprintf("too many rows: at most %d units per import", MaxImportRows)}
		}
		get := func(c string) string {
			if i, ok := idx[c]; ok && i < len(row) {
				// Undo the formula escaping of WriteCSV ('=… back to =…).
				return strings.TrimSpace(csvsafe.Unescape(strings.TrimSpace(row[i])))
			}
			return ""
		}
		out = append(out, Record{Code: get("code"), ParentCode: get("parent_code"), Name: get("name"), ShortName: get("short_name"),
			Kind: get("kind"), Abbreviation: get("abbreviation"), AgencyID: get("agency_id"), ActiveFrom: get("active_from"),
			DissolvedOn: get("dissolved_on"), line: line})
	}
	return out, nil
}

// ParseJSON reads the JSON format: an array of records.
func ParseJSON(r io.Reader) ([]Record, error) {
	b, err := readLimited(r)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var recs []Record
	if err := dec.Decode(&recs); err != nil {
		return nil, &model.ValidationError{Field: "", Msg: "malformed JSON: " + err.Error() + `; expected an array of {"code", "parent_code", "name", "kind", ...}`}
	}
	if len(recs) > MaxImportRows {
		return nil, model.Invalid("", "too many units: at most %d per import", MaxImportRows)
	}
	for i := range recs {
		recs[i].line = i + 1
	}
	return recs, nil
}

func (r Record) input(parent *int64) UnitInput {
	return UnitInput{Code: r.Code, ParentID: parent, Name: r.Name, ShortName: r.ShortName, Kind: r.Kind,
		Abbreviation: r.Abbreviation, AgencyID: r.AgencyID, ActiveFrom: r.ActiveFrom, DissolvedOn: r.DissolvedOn}
}

func lineErr(r Record, err error) error {
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		return &model.ValidationError{Line: r.line, Field: ve.Field, Msg: ve.Msg}
	}
	return fmt.Errorf("line %d (unit %q): %w", r.line, r.Code, err)
}

// Import creates or updates units by code, parents before children, in one
// transaction: a bad row rejects the whole file, naming its line and field.
func (s *Service) Import(ctx context.Context, a model.Actor, recs []Record) (ImportResult, error) {
	var res ImportResult
	if len(recs) == 0 {
		return res, model.Invalid("", "the file has no units")
	}
	byCode := map[string]Record{}
	for _, r := range recs {
		if r.Code == "" {
			return res, &model.ValidationError{Line: r.line, Field: "code", Msg: "every unit needs a code"}
		}
		if prev, dup := byCode[r.Code]; dup {
			return res, &model.ValidationError{Line: r.line, Field: "code", Msg: fmt.Sprintf("code %q appears twice (also on line %d)", r.Code, prev.line)}
		}
		if r.ParentCode == r.Code {
			return res, &model.ValidationError{Line: r.line, Field: "parent_code", Msg: "a unit cannot be its own parent"}
		}
		byCode[r.Code] = r
	}
	order, err := parentsFirst(recs, byCode)
	if err != nil {
		return res, err
	}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		kinds, err := s.kindSet(ctx, tx.Q)
		if err != nil {
			return err
		}
		for _, r := range order {
			in := r.input(nil)
			if err := in.validate(kinds); err != nil {
				return lineErr(r, err)
			}
		}
		for _, r := range order {
			var parent *int64
			if r.ParentCode != "" {
				p, err := tx.Orgs().UnitByCode(ctx, r.ParentCode)
				if err != nil {
					if errors.Is(err, model.ErrNotFound) {
						return &model.ValidationError{Line: r.line, Field: "parent_code", Msg: fmt.Sprintf("no unit has code %q (neither in the file nor in Loa)", r.ParentCode)}
					}
					return err
				}
				parent = &p.ID
			}
			existing, err := tx.Orgs().UnitByCode(ctx, r.Code)
			switch {
			case errors.Is(err, model.ErrNotFound):
				if _, err := s.createUnitTx(ctx, tx, a, r.input(parent)); err != nil {
					return lineErr(r, err)
				}
				res.Created++
			case err != nil:
				return err
			default:
				before := snapshot(existing)
				u, err := s.updateUnitTx(ctx, tx, a, existing.ID, r.input(parent))
				if err != nil {
					return lineErr(r, err)
				}
				if snapshot(u) == before {
					res.Unchanged++
				} else {
					res.Updated++
				}
			}
		}
		return tx.Audit().AppendAudit(ctx, a, "org.import", "org", "", fmt.Sprintf("created=%d updated=%d unchanged=%d", res.Created, res.Updated, res.Unchanged))
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// parentsFirst orders records so that a parent in the file comes before its
// children, and reports cycles.
func parentsFirst(recs []Record, byCode map[string]Record) ([]Record, error) {
	state := map[string]int{} // 0 new, 1 visiting, 2 done
	out := make([]Record, 0, len(recs))
	var visit func(r Record) error
	visit = func(r Record) error {
		switch state[r.Code] {
		case 1:
			return &model.ValidationError{Line: r.line, Field: "parent_code", Msg: fmt.Sprintf("unit %q is its own ancestor (a cycle of parent_code)", r.Code)}
		case 2:
			return nil
		}
		state[r.Code] = 1
		if p, ok := byCode[r.ParentCode]; ok && r.ParentCode != "" {
			if err := visit(p); err != nil {
				return err
			}
		}
		state[r.Code] = 2
		out = append(out, r)
		return nil
	}
	for _, r := range recs {
		if err := visit(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Export returns every unit as records, parents before children.
func (s *Service) Export(ctx context.Context) ([]Record, error) {
	units, err := s.store.Orgs().Units(ctx)
	if err != nil {
		return nil, err
	}
	codes := make(map[int64]string, len(units))
	for _, u := range units {
		codes[u.ID] = u.Code
	}
	out := make([]Record, 0, len(units))
	var walk func([]*model.Unit)
	walk = func(list []*model.Unit) {
		for _, u := range list {
			r := Record{Code: u.Code, Name: u.Name, ShortName: u.ShortName, Kind: u.Kind, Abbreviation: u.Abbreviation,
				AgencyID: u.AgencyID, ActiveFrom: u.ActiveFrom, DissolvedOn: u.DissolvedOn}
			if u.ParentID != nil {
				r.ParentCode = codes[*u.ParentID]
			}
			out = append(out, r)
			walk(u.Children)
		}
	}
	walk(Tree(units))
	return out, nil
}

// WriteCSV writes records in the CSV format.
func WriteCSV(w io.Writer, recs []Record) error {
	cw := csvsafe.NewWriter(w)
	if err := cw.Write(csvColumns); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	for _, r := range recs {
		if err := cw.Write([]string{r.Code, r.ParentCode, r.Name, r.ShortName, r.Kind, r.Abbreviation, r.AgencyID, r.ActiveFrom, r.DissolvedOn}); err != nil {
			return fmt.Errorf("write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// WriteJSON writes records in the JSON format.
func WriteJSON(w io.Writer, recs []Record) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(recs); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}
