package i18n

import (
	"errors"
	"strings"
)

// Error is an error that pages can show in the reader's language. It wraps
// the error it explains (a *model.ValidationError, an error wrapping
// model.ErrForbidden, …), whose English text and kind the JSON API, the
// logs and errors.Is/As keep seeing, and names the catalog message that
// says the same to a person: what is wrong, where, and how to fix it.
type Error struct {
	Key  string // catalog key of the message
	Args []any  // arguments of the message
	Err  error  // the error explained
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Key
	}
	return e.Err.Error()
}

// Unwrap exposes the error explained.
func (e *Error) Unwrap() error { return e.Err }

// Localise attaches the catalog message key (with its arguments) to err;
// a nil err stays nil.
func Localise(err error, key string, args ...any) error {
	if err == nil {
		return nil
	}
	return &Error{Key: key, Args: args, Err: err}
}

// Message returns the text of err in lang when err (or an error it wraps)
// is an *Error whose key the catalog knows; ok is false otherwise.
func (c Catalog) Message(lang string, err error) (msg string, ok bool) {
	var e *Error
	if !errors.As(err, &e) {
		return "", false
	}
	return c.errorText(lang, e)
}

// errorText is the text of one *Error in lang; a message that uses none
// of the error's arguments is shown as it is.
func (c Catalog) errorText(lang string, e *Error) (string, bool) {
	if _, known := c[e.Key]; !known {
		return "", false
	}
	text := c.T(lang, e.Key)
	if !strings.Contains(text, "%") {
		return text, true
	}
	return c.T(lang, e.Key, e.Args...), true
}

// Texts returns the messages of err in lang, one per problem (see
// Problems), skipping keys the catalog does not know.
func (c Catalog) Texts(lang string, err error) []string {
	var out []string
	for _, e := range Problems(err) {
		if t, ok := c.errorText(lang, e); ok {
			out = append(out, t)
		}
	}
	return out
}

// Errors explains one error that lists several problems (its English text
// names them all, for the API) with one message per problem.
type Errors struct {
	Err   error    // the error explained
	Parts []*Error // one message per problem
}

func (e *Errors) Error() string { return e.Err.Error() }

// Unwrap exposes the error explained.
func (e *Errors) Unwrap() error { return e.Err }

// Problems returns the messages of err, one per problem: the parts of an
// *Errors, or the *Error itself; nil when err says nothing localised.
func Problems(err error) []*Error {
	var list *Errors
	if errors.As(err, &list) {
		return list.Parts
	}
	var one *Error
	if errors.As(err, &one) {
		return []*Error{one}
	}
	return nil
}
