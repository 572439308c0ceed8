package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestConfigPrecedence: flags override LOA_* variables, which override
// the file, which overrides the defaults.
func TestConfigPrecedence(t *testing.T) {
	file := writeFile(t, "loa.toml", `
data_dir = "/from/file"
listen = "127.0.0.1:9000"
public_url = "https://loa.example.gov.vn"
trusted_proxies = ["10.0.0.0/8"]

[log]
format = "json"

[smtp]
addr = "mail.example:587"
password = "file-secret"
`)
	envVars := map[string]string{"LOA_ADDR": "127.0.0.1:9100", "LOA_LOG_LEVEL": "warn", "LOA_SMTP_PASSWORD": "env-secret"}
	env := Env{Stderr: &bytes.Buffer{}, Getenv: func(k string) string { return envVars[k] }}
	fs := newFlags(env, "serve", "serve")
	resolve := configFlags(fs, env)
	if err := parse(fs, []string{"--config", file, "--log-level", "debug", "--trusted-proxies", "192.0.2.1, 192.0.2.2"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := resolve()
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ what, got, want string }{
		{"data_dir (file)", cfg.DataDir, "/from/file"},
		{"listen (env over file)", cfg.Listen, "127.0.0.1:9100"},
		{"log.level (flag over env)", cfg.Log.Level, "debug"},
		{"log.format (file over default)", cfg.Log.Format, "json"},
		{"smtp.from (default)", cfg.SMTP.From, "loa@localhost"},
		{"smtp.password (env over file)", cfg.SMTP.Password, "env-secret"},
		{"trusted_proxies (flag over file)", strings.Join(cfg.TrustedProxies, ","), "192.0.2.1,192.0.2.2"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
}

// TestConfigErrors: an unknown key names its line; a wrong type and an
// invalid value are clear usage errors.
func TestConfigErrors(t *testing.T) {
	env := Env{Getenv: func(string) string { return "" }}
	cases := []struct{ name, toml, want string }{
		{"unknown key", "listen = \"127.0.0.1:1\"\n\n[smtp]\naddr = \"x:25\"\npasword = \"typo\"\n", `:5: unknown key "smtp.pasword"`},
		{"wrong type", "secure_cookies = \"yes\"\n", ":1:"},
		{"invalid value", "[log]\nformat = \"xml\"\n", `log.format (--log-format, LOA_LOG_FORMAT): "xml"`},
		{"half TLS", "[tls]\ncert = \"/etc/ssl/loa.pem\"\n", "give both tls.cert and tls.key"},
		{"bad proxy", "trusted_proxies = [\"proxy.example\"]\n", "trusted_proxies"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := loadConfig(writeFile(t, "loa.toml", c.toml), env)
			if err == nil {
				err = cfg.validate()
			}
			if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want a usage error containing %q", err, c.want)
			}
		})
	}
}

// TestConfigCheck: `loa config check` prints the effective configuration
// with every secret masked, and the shipped example is valid.
func TestConfigCheck(t *testing.T) {
	file := writeFile(t, "loa.toml", `
database = "postgres://loa:db-secret@db.example:5432/loa"
metrics_token = "metrics-secret"
[smtp]
password = "smtp-secret"
[tts]
url = "http://tts.example/api"
token = "tts-secret"
`)
	var out, errb bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "LOA_LISTEN_UNUSED" {
			return "x"
		}
		if k == "LOA_ADDR" {
			return "127.0.0.1:9999"
		}
		return ""
	}}
	if code := Main(t.Context(), env, []string{"config", "check", file}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, secret := range []string{"db-secret", "metrics-secret", "smtp-secret", "tts-secret"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("secret %q printed:\n%s", secret, out.String())
		}
	}
	for _, want := range []string{"postgres://loa:********@db.example:5432/loa", "listen = '127.0.0.1:9999'", "url = 'http://tts.example/api'"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := Main(t.Context(), env, []string{"config", "check", filepath.Join("..", "..", "packaging", "loa.toml")}); code != 0 {
		t.Fatalf("packaging/loa.toml: exit %d: %s", code, errb.String())
	}
	errb.Reset()
	if code := Main(t.Context(), env, []string{"config", "check", writeFile(t, "bad.toml", "lissten = 1\n")}); code != 2 || !strings.Contains(errb.String(), ":1: unknown key \"lissten\"") {
		t.Fatalf("unknown key: exit %d: %s", code, errb.String())
	}
}

// TestVersion: `loa version` prints the version and commit of the build.
func TestVersion(t *testing.T) {
	var out bytes.Buffer
	env := Env{Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }}
	if code := Main(t.Context(), env, []string{"version"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	b := buildInfo()
	if b.Commit == "" || !strings.HasPrefix(out.String(), "loa "+b.Version+" commit "+b.Commit) {
		t.Fatalf("version output %q, build info %+v", out.String(), b)
	}
}
