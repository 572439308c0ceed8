package accounts

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (OWASP's recommended minimum: 19 MiB, t=2, p=1).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// HashPassword returns a PHC-format argon2id hash.
func HashPassword(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// wellFormedHash reports whether hash has the PHC argon2id form that
// HashPassword writes (parameters within CheckPassword's bounds).
func wellFormedHash(hash string) bool {
	_, _, _, _, _, ok := parseHash(hash)
	return ok
}

// CheckPassword compares a password with a PHC-format argon2id hash in
// constant time.
func CheckPassword(hash, password string) bool {
	salt, want, t, m, p, ok := parseHash(hash)
	if !ok {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// parseHash reads a PHC-format argon2id hash, refusing parameters that
// would make checking it too costly.
func parseHash(hash string) (salt, key []byte, t, m uint32, p uint8, ok bool) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return nil, nil, 0, 0, 0, false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return nil, nil, 0, 0, 0, false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<20 || t > 10 || p == 0 {
		return nil, nil, 0, 0, 0, false
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return nil, nil, 0, 0, 0, false
	}
	key, err = enc.DecodeString(parts[5])
	if err != nil || len(key) == 0 || len(key) > 64 {
		return nil, nil, 0, 0, 0, false
	}
	return salt, key, t, m, p, true
}

// ValidatePassword enforces the password rules.
func ValidatePassword(pw string) error {
	if len([]rune(pw)) < 8 {
		return fmt.Errorf("password must be at least 8 characters long")
	}
	if len(pw) > 256 {
		return fmt.Errorf("password must be at most 256 bytes long")
	}
	return nil
}
