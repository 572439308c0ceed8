package cli

import (
	"bytes"
	"errors"
	"testing"
)

// TestDemoFlag: --demo alone is the 2021 scenario; a scenario may follow
// as --demo=NAME or --demo NAME (with flags after it); unknown names and
// stray arguments are usage errors.
func TestDemoFlag(t *testing.T) {
	cases := []struct {
		args     []string
		set      bool
		name     string
		data     string
		usageErr bool
	}{
		{[]string{"--data", "d"}, false, "", "d", false},
		{[]string{"--demo"}, true, "2021", "", false},
		{[]string{"--demo", "--data", "d"}, true, "2021", "d", false},
		{[]string{"--demo=an-giang-2026"}, true, "an-giang-2026", "", false},
		{[]string{"--demo", "an-giang-2026", "--data", "d"}, true, "an-giang-2026", "d", false},
		{[]string{"--demo", "hanoi-1990"}, false, "", "", true},
		{[]string{"--demo=hanoi-1990"}, false, "", "", true},
		{[]string{"stray"}, false, "", "", true},
	}
	for _, c := range cases {
		env := Env{Stderr: &bytes.Buffer{}, Getenv: func(string) string { return "" }}
		fs := newFlags(env, "serve", "serve")
		data := fs.String("data", "", "")
		var f demoFlag
		fs.Var(&f, "demo", "")
		err := parse(fs, c.args)
		if err == nil {
			err = f.takeArg(fs)
		}
		if c.usageErr {
			if !errors.Is(err, errUsage) {
				t.Errorf("%v: %v, want a usage error", c.args, err)
			}
			continue
		}
		if err != nil || f.set != c.set || f.name != c.name || *data != c.data {
			t.Errorf("%v: set=%v name=%q data=%q err=%v", c.args, f.set, f.name, *data, err)
		}
	}
}
