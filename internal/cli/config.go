package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/netguard"
	"github.com/loa-project/loa/internal/web"
	"github.com/pelletier/go-toml/v2"
)

// Config holds every option of `loa serve`. It comes from defaults, then
// the TOML file (--config or env LOA_CONFIG), then environment variables
// LOA_*, then command-line flags: each later source overrides the earlier
// ones. packaging/loa.toml is the annotated example.
type Config struct {
	DataDir        string   `toml:"data_dir"`
	Database       string   `toml:"database"`
	Listen         string   `toml:"listen"`
	PublicURL      string   `toml:"public_url"`
	SecureCookies  bool     `toml:"secure_cookies"`
	TrustedProxies []string `toml:"trusted_proxies"`
	WebhookAllow   []string `toml:"webhook_allow"`
	MetricsToken   string   `toml:"metrics_token"`
	DebugAddr      string   `toml:"debug_addr"`
	Log            struct {
		Format string `toml:"format"`
		Level  string `toml:"level"`
	} `toml:"log"`
	TLS struct {
		Cert string `toml:"cert"`
		Key  string `toml:"key"`
		// RedirectAddr is an extra plain-HTTP listener that redirects
		// every request to HTTPS, e.g. ":80".
		RedirectAddr string `toml:"redirect_addr"`
	} `toml:"tls"`
	SMTP struct {
		Addr     string `toml:"addr"`
		From     string `toml:"from"`
		User     string `toml:"user"`
		Password string `toml:"password"`
	} `toml:"smtp"`
	SMS struct {
		Config string `toml:"config"`
	} `toml:"sms"`
	TTS struct {
		URL   string `toml:"url"`
		Token string `toml:"token"`
	} `toml:"tts"`
}

// defaultConfig is what serve uses without file, environment or flags.
func defaultConfig() Config {
	var c Config
	c.DataDir = "./loa-data"
	c.Listen = "127.0.0.1:8080"
	c.Log.Format = "text"
	c.Log.Level = "info"
	c.SMTP.From = "loa@localhost"
	return c
}

// option binds one setting to its flag, environment variable and TOML key.
type option struct {
	flag, env, key, usage string
	str                   func(*Config) *string
	list                  func(*Config) *[]string
	boolean               func(*Config) *bool
	secret                bool
}

func options() []option {
	return []option{
		{flag: "data", env: "LOA_DATA", key: "data_dir", usage: "directory for the SQLite database and stored files", str: func(c *Config) *string { return &c.DataDir }},
		{flag: "db", env: "LOA_DB", key: "database", usage: "database URL: sqlite:PATH or postgres://… (default sqlite:DATA/loa.db)", str: func(c *Config) *string { return &c.Database }, secret: true},
		{flag: "addr", env: "LOA_ADDR", key: "listen", usage: "address to listen on", str: func(c *Config) *string { return &c.Listen }},
		{flag: "public-url", env: "LOA_PUBLIC_URL", key: "public_url", usage: "URL users reach Loa at (default http://ADDR)", str: func(c *Config) *string { return &c.PublicURL }},
		{flag: "secure-cookies", env: "LOA_SECURE_COOKIES", key: "secure_cookies", usage: "always mark cookies Secure and send HSTS (automatic under --tls-cert and for HTTPS from a trusted proxy)", boolean: func(c *Config) *bool { return &c.SecureCookies }},
		{flag: "trusted-proxies", env: "LOA_TRUSTED_PROXIES", key: "trusted_proxies", usage: "reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed, as CIDR,... or addresses (empty: the headers are ignored)", list: func(c *Config) *[]string { return &c.TrustedProxies }},
		{flag: "webhook-allow", env: "LOA_WEBHOOK_ALLOW", key: "webhook_allow", usage: "comma-separated CIDR ranges that directive webhooks may call although they are loopback, private or link-local, e.g. 10.1.0.0/16 (default: none)", list: func(c *Config) *[]string { return &c.WebhookAllow }},
		{flag: "metrics-token", env: "LOA_METRICS_TOKEN", key: "metrics_token", usage: "bearer token that /metrics on --addr requires (empty: /metrics answers loopback clients only)", str: func(c *Config) *string { return &c.MetricsToken }, secret: true},
		{flag: "debug-addr", env: "LOA_DEBUG_ADDR", key: "debug_addr", usage: "serve Go runtime profiles (pprof) and /metrics on this loopback address, e.g. 127.0.0.1:6060 (empty: off)", str: func(c *Config) *string { return &c.DebugAddr }},
		{flag: "log-format", env: "LOA_LOG_FORMAT", key: "log.format", usage: "log format: text or json", str: func(c *Config) *string { return &c.Log.Format }},
		{flag: "log-level", env: "LOA_LOG_LEVEL", key: "log.level", usage: "log level: debug, info, warn, error", str: func(c *Config) *string { return &c.Log.Level }},
		{flag: "tls-cert", env: "LOA_TLS_CERT", key: "tls.cert", usage: "PEM certificate (chain) file: serve HTTPS; reloaded on SIGHUP", str: func(c *Config) *string { return &c.TLS.Cert }},
		{flag: "tls-key", env: "LOA_TLS_KEY", key: "tls.key", usage: "PEM private key file of --tls-cert; reloaded on SIGHUP", str: func(c *Config) *string { return &c.TLS.Key }},
		{flag: "http-redirect-addr", env: "LOA_HTTP_REDIRECT_ADDR", key: "tls.redirect_addr", usage: "with TLS: also listen for plain HTTP here and redirect to HTTPS, e.g. :80 (empty: off)", str: func(c *Config) *string { return &c.TLS.RedirectAddr }},
		{flag: "smtp-addr", env: "LOA_SMTP_ADDR", key: "smtp.addr", usage: "SMTP server for e-mail notifications, host:port (empty: no e-mail)", str: func(c *Config) *string { return &c.SMTP.Addr }},
		{flag: "smtp-from", env: "LOA_SMTP_FROM", key: "smtp.from", usage: "sender address of notification e-mails", str: func(c *Config) *string { return &c.SMTP.From }},
		{flag: "smtp-user", env: "LOA_SMTP_USER", key: "smtp.user", usage: "SMTP user name", str: func(c *Config) *string { return &c.SMTP.User }},
		{env: "LOA_SMTP_PASSWORD", key: "smtp.password", str: func(c *Config) *string { return &c.SMTP.Password }, secret: true},
		{flag: "sms-config", env: "LOA_SMS_CONFIG", key: "sms.config", usage: "JSON file configuring the SMS/OTT gateway and its receipt callbacks (see docs/channels.md)", str: func(c *Config) *string { return &c.SMS.Config }},
		{flag: "tts-url", env: "LOA_TTS_URL", key: "tts.url", usage: "HTTP text-to-speech engine (empty: espeak-ng)", str: func(c *Config) *string { return &c.TTS.URL }},
		{env: "LOA_TTS_TOKEN", key: "tts.token", str: func(c *Config) *string { return &c.TTS.Token }, secret: true},
	}
}

// configFlags registers the flags of every option on fs and returns a
// function that resolves the effective configuration after fs.Parse.
func configFlags(fs *flag.FlagSet, env Env) func() (Config, error) {
	def := defaultConfig()
	path := fs.String("config", "", "TOML configuration file (env LOA_CONFIG; see packaging/loa.toml); flags and LOA_* variables override it")
	type bound struct {
		o option
		s *string
		b *bool
	}
	var bs []bound
	for _, o := range options() {
		if o.flag == "" {
			continue
		}
		usage := fmt.Sprintf("%s (env %s; file: %s)", o.usage, o.env, o.key)
		switch {
		case o.str != nil:
			bs = append(bs, bound{o: o, s: fs.String(o.flag, *o.str(&def), usage)})
		case o.list != nil:
			bs = append(bs, bound{o: o, s: fs.String(o.flag, "", usage)})
		default:
			bs = append(bs, bound{o: o, b: fs.Bool(o.flag, *o.boolean(&def), usage)})
		}
	}
	return func() (Config, error) {
		p := *path
		if p == "" {
			p = env.Getenv("LOA_CONFIG")
		}
		cfg, err := loadConfig(p, env)
		if err != nil {
			return cfg, err
		}
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for _, b := range bs {
			if !set[b.o.flag] {
				continue
			}
			switch {
			case b.o.str != nil:
				*b.o.str(&cfg) = *b.s
			case b.o.list != nil:
				*b.o.list(&cfg) = splitList(*b.s)
			default:
				*b.o.boolean(&cfg) = *b.b
			}
		}
		return cfg, cfg.validate()
	}
}

// loadConfig returns the defaults overridden by the file at path (when
// not empty) and then by the environment.
func loadConfig(path string, env Env) (Config, error) {
	cfg := defaultConfig()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config file: %w", err)
		}
		if err := decodeConfig(path, b, &cfg); err != nil {
			return cfg, err
		}
	}
	for _, o := range options() {
		v := env.Getenv(o.env)
		if v == "" {
			continue
		}
		switch {
		case o.str != nil:
			*o.str(&cfg) = v
		case o.list != nil:
			*o.list(&cfg) = splitList(v)
		default:
			b, err := strconv.ParseBool(v)
			if err != nil {
				return cfg, fmt.Errorf("%w: environment variable %s=%q: use true or false", errUsage, o.env, v)
			}
			*o.boolean(&cfg) = b
		}
	}
	return cfg, nil
}

// maxConfigSize bounds the configuration file.
const maxConfigSize = 1 << 20

// decodeConfig reads TOML into cfg; unknown keys and wrong types are
// errors naming the file, line and key.
func decodeConfig(path string, b []byte, cfg *Config) error {
	if len(b) > maxConfigSize {
		return fmt.Errorf("%w: config file %s is larger than 1 MiB", errUsage, path)
	}
	dec := toml.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(cfg)
	var sm *toml.StrictMissingError
	var de *toml.DecodeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &sm):
		var msgs []string
		for _, e := range sm.Errors {
			row, _ := e.Position()
			msgs = append(msgs, fmt.Sprintf("%s:%d: unknown key %q (see packaging/loa.toml for the keys Loa knows)", path, row, strings.Join(e.Key(), ".")))
		}
		return fmt.Errorf("%w: %s", errUsage, strings.Join(msgs, "; "))
	case errors.As(err, &de):
		row, col := de.Position()
		return fmt.Errorf("%w: %s:%d:%d: %v", errUsage, path, row, col, strings.TrimPrefix(de.Error(), "toml: "))
	default:
		return fmt.Errorf("%w: config file %s: %v", errUsage, path, err)
	}
}

// validate checks the values that can be checked without starting.
func (c Config) validate() error {
	var errs []error
	names := map[string]string{}
	for _, o := range options() {
		names[o.key] = fmt.Sprintf("%s (--%s, %s)", o.key, o.flag, o.env)
		if o.flag == "" {
			names[o.key] = fmt.Sprintf("%s (%s)", o.key, o.env)
		}
	}
	bad := func(key, format string, args ...any) {
		if n, ok := names[key]; ok {
			key = n
		}
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if c.DataDir == "" {
		bad("data_dir", "must not be empty")
	}
	if c.Database != "" && !strings.HasPrefix(c.Database, "sqlite:") && !strings.HasPrefix(c.Database, "postgres://") && !strings.HasPrefix(c.Database, "postgresql://") {
		bad("database", "use sqlite:PATH or postgres://user:pass@host:5432/db")
	}
	if c.Listen == "" {
		bad("listen", "must not be empty, e.g. 127.0.0.1:8080")
	}
	if _, err := web.PublicBase(c.PublicURL); err != nil {
		bad("public_url", "%v", err)
	}
	if _, err := parseTrustedProxies(strings.Join(c.TrustedProxies, ",")); err != nil {
		bad("trusted_proxies", "%v", errors.Unwrap(err))
	}
	if _, err := netguard.ParseAllowList(strings.Join(c.WebhookAllow, ",")); err != nil {
		bad("webhook_allow", "%v", err)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		bad("log.format", "%q: use text or json", c.Log.Format)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error", "DEBUG", "INFO", "WARN", "ERROR":
	default:
		bad("log.level", "%q: use debug, info, warn or error", c.Log.Level)
	}
	if (c.TLS.Cert == "") != (c.TLS.Key == "") {
		bad("tls", "give both tls.cert and tls.key (--tls-cert and --tls-key), or neither")
	}
	if c.TLS.RedirectAddr != "" && c.TLS.Cert == "" {
		bad("tls.redirect_addr", "redirecting to HTTPS needs tls.cert and tls.key")
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: invalid configuration: %w", errUsage, errors.Join(errs...))
	}
	return nil
}

// masked returns a copy with secrets replaced, for printing.
func (c Config) masked() Config {
	m := c
	for _, o := range options() {
		if !o.secret || o.str == nil {
			continue
		}
		p := o.str(&m)
		switch {
		case *p == "":
		case o.key == "database":
			*p = redactDSN(*p)
		default:
			*p = "********"
		}
	}
	return m
}

// redactDSN hides a password in a database URL.
func redactDSN(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	scheme := strings.Index(dsn, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return dsn
	}
	userinfo := dsn[scheme+3 : at]
	if i := strings.Index(userinfo, ":"); i >= 0 {
		return dsn[:scheme+3] + userinfo[:i] + ":********" + dsn[at:]
	}
	return dsn
}

// writeTOML prints the configuration as TOML.
func (c Config) writeTOML(w io.Writer) error {
	enc := toml.NewEncoder(w)
	enc.SetIndentTables(true)
	if err := enc.Encode(c); err != nil {
		return fmt.Errorf("print configuration: %w", err)
	}
	return nil
}

// runConfig implements `loa config check FILE`.
func runConfig(_ context.Context, env Env, args []string) error {
	if len(args) < 1 || args[0] != "check" {
		fmt.Fprintln(env.Stderr, "Usage: loa config check FILE\n\nValidates a TOML configuration file (unknown keys are errors) and prints the\neffective configuration — the file overridden by LOA_* environment variables —\nwith secrets masked.")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return fmt.Errorf("%w: use `loa config check FILE`", errUsage)
	}
	fs := newFlags(env, "config check", "config check FILE")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: give exactly one configuration file", errUsage)
	}
	cfg, err := loadConfig(fs.Arg(0), env)
	if err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "# %s is valid. Effective configuration (secrets masked):\n", fs.Arg(0))
	return cfg.masked().writeTOML(env.Stdout)
}
