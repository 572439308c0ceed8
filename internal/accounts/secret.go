package accounts

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// Secret kinds carry a prefix so that a leaked secret says what it is and
// so that endpoints can refuse the wrong kind before a database look-up.
const (
	PrefixToken     = "loa_t_"
	PrefixSession   = "loa_s_"
	PrefixEnrolment = "loa_e_"
	PrefixDevice    = "loa_d_"
)

// NewSecret returns a random secret with the given prefix.
func NewSecret(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random secret: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// HashSecret is how secrets are stored: sha256, hex. Secrets have 256 bits
// of entropy, so a fast hash is enough.
func HashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// DisplayPrefix is the part of a secret shown in lists.
func DisplayPrefix(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
