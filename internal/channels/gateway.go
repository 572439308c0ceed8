package channels

import (
	"context"
	"errors"
	"fmt"
)

// Message is one message handed to a gateway.
type Message struct {
	// ClientRef is unique to this message and the same on every attempt
	// to send it: a provider that deduplicates by it never delivers the
	// message twice.
	ClientRef string
	// Phone is the recipient in E.164 form (+84912345678).
	Phone string
	// Text is the message, UTF-8 in NFC.
	Text string
	// CallbackURL is where the provider posts delivery receipts ("" when
	// not configured).
	CallbackURL string
}

// Gateway hands messages to an SMS or OTT provider. Send returns the
// provider's id of the accepted message. Its errors tell the worker what
// to do: ErrRejected (wrapped) means never retry, ErrInDoubt means the
// provider may have accepted it, a *DuplicateError means the provider
// already holds a message with this client reference; any other error is
// transient (retried with backoff).
type Gateway interface {
	Send(ctx context.Context, m Message) (providerID string, err error)
}

// Deduplicator is implemented by gateways that can say whether their
// provider refuses or collapses a second message with the same client
// reference. Only then are in-doubt messages sent again; otherwise they
// are marked unknown, never risking a second copy.
type Deduplicator interface {
	DeduplicatesClientRef() bool
}

// Errors of gateways.
var (
	// ErrRejected: the provider refused the message for good (bad number,
	// content refused, account problem).
	ErrRejected = errors.New("rejected by the provider")
	// ErrInDoubt: the request may have reached the provider, but no
	// answer came back (timeout, connection cut after sending).
	ErrInDoubt = errors.New("outcome unknown")
)

// DuplicateError says the provider already accepted a message with this
// client reference; ProviderID is its id when the provider told it.
type DuplicateError struct {
	ProviderID string
}

func (e *DuplicateError) Error() string {
	if e.ProviderID == "" {
		return "duplicate client reference: the provider already accepted this message"
	}
	return fmt.Sprintf("duplicate client reference: the provider already accepted this message as %s", e.ProviderID)
}

// deduplicates reports whether g's provider deduplicates by client
// reference.
func deduplicates(g Gateway) bool {
	d, ok := g.(Deduplicator)
	return ok && d.DeduplicatesClientRef()
}
