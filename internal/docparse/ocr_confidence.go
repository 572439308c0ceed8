package docparse

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/loa-project/loa/internal/docmodel"
)

// ocrEngineName names the OCR reading in Fields.OCR.
const ocrEngineName = "tesseract (vie)"

// scoreOCR gives each field read from a scan the confidence of the words
// it was made of: the lowest confidence among its tokens, since one
// misread digit makes a wrong number. Tokens the parser produced rather
// than read (a document type inferred from "V/v", a normalised date's
// zero padding) do not count; a field none of whose tokens were read is
// not scored. Fields under docmodel.LowConfidence get a warning.
func scoreOCR(f *docmodel.Fields, res *OCRResult) {
	// The token stream of the page(s) with each token's word confidence,
	// and the best confidence of each token anywhere.
	var stream []confToken
	best := map[string]float64{}
	for _, w := range res.Words {
		for _, t := range confTokens(w.Text) {
			stream = append(stream, confToken{t, w.Confidence})
			if c, ok := best[t]; !ok || w.Confidence > c {
				best[t] = w.Confidence
			}
		}
	}
	f.OCR = &docmodel.OCRInfo{Engine: ocrEngineName, Pages: res.Pages, MeanConfidence: int(math.Round(res.MeanConfidence)), DeskewDegrees: res.Deskewed}
	f.Confidence = map[string]int{}
	score := func(name string, values ...string) {
		low, found := 101.0, false
		for _, v := range values {
			c, ok := valueConfidence(confTokens(v), stream, best)
			if ok {
				found = true
				low = math.Min(low, c)
			}
		}
		if found {
			f.Confidence[name] = int(math.Round(low))
		}
	}
	score("parent_issuer", docmodel.Val(f.ParentIssuer))
	score("issuer", docmodel.Val(f.Issuer))
	score("doc_type", docmodel.Val(f.DocType))
	score("number", docmodel.Val(f.Number))
	score("notation", docmodel.Val(f.Notation))
	score("place", docmodel.Val(f.Place))
	score("date", dateTokens(docmodel.Val(f.Date))...)
	score("subject", docmodel.Val(f.Subject))
	score("signing_authority", docmodel.Val(f.SigningAuthority))
	score("signer_title", docmodel.Val(f.SignerTitle))
	score("signer_name", docmodel.Val(f.SignerName))
	score("recipients", f.Recipients...)
	for _, name := range []string{"number", "notation", "date", "issuer", "subject", "doc_type", "place",
		"parent_issuer", "signing_authority", "signer_title", "signer_name", "recipients"} {
		if c, ok := f.Confidence[name]; ok && c < docmodel.LowConfidence {
			f.Warnings = append(f.Warnings, fmt.Sprintf("OCR: %s read with low confidence (%d %%); check it against the scan", name, c))
		}
	}
	if len(f.Confidence) == 0 {
		f.Confidence = nil
	}
}

// confTokens splits text into lower-case runs of letters or digits;
// numbers lose leading zeros so "04" matches "4".
func confTokens(s string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if n, err := strconv.Atoi(t); err == nil {
			t = strconv.Itoa(n)
		}
		out = append(out, t)
	}
	return out
}

// dateTokens turns a YYYY-MM-DD date into the numbers written on a letter.
func dateTokens(iso string) []string {
	if iso == "" {
		return nil
	}
	return strings.Split(iso, "-")
}

type confToken struct {
	text string
	conf float64
}

// valueConfidence is the lowest word confidence of a field value's tokens
// where they were read: at the first place the tokens occur one after the
// other in the page's token stream (a header field is read where it
// stands, not where the same words recur in the body), else token by
// token at their best reading. ok is false when no token was read.
func valueConfidence(tokens []string, stream []confToken, best map[string]float64) (float64, bool) {
	if len(tokens) == 0 {
		return 0, false
	}
	for i := 0; i+len(tokens) <= len(stream); i++ {
		if stream[i].text != tokens[0] {
			continue
		}
		low, match := 101.0, true
		for j, t := range tokens {
			if stream[i+j].text != t {
				match = false
				break
			}
			low = math.Min(low, stream[i+j].conf)
		}
		if match {
			return low, true
		}
	}
	low, found := 101.0, false
	for _, t := range tokens {
		if c, ok := best[t]; ok {
			found = true
			low = math.Min(low, c)
		}
	}
	return low, found
}
