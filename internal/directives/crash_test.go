package directives_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/registry"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// Environment of the child process of the crash test.
const (
	envCrashChild = "LOA_CRASH_CHILD"
	envCrashDSN   = "LOA_CRASH_DSN"
	envCrashBlobs = "LOA_CRASH_BLOBS"
	envCrashID    = "LOA_CRASH_DIRECTIVE"
)

// crashRecipients is large enough that the fan-out takes seconds.
const crashRecipients = 1500

// TestCrashMidFanOut issues a directive to many units in a child process,
// kills it with SIGKILL in the middle of the fan-out, lets a new set of
// workers finish, and checks that every recipient has exactly one
// delivery, one inbox document and one incoming-register line.
func TestCrashMidFanOut(t *testing.T) {
	if os.Getenv(envCrashChild) == "1" {
		crashChild(t)
		return
	}
	if testing.Short() {
		t.Skip("crash test runs a child process for several seconds")
	}
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			st, dsn := storetest.Open(t, engine)
			e := newEnv(t, st)
			ctx := context.Background()
			id, root := crashDirective(t, e)

			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashMidFanOut$", "-test.v")
			cmd.Env = append(os.Environ(), envCrashChild+"=1", envCrashDSN+"="+dsn, envCrashBlobs+"="+e.blobDir, envCrashID+"="+strconv.FormatInt(id, 10))
			out, err := os.CreateTemp(t.TempDir(), "child-*.log")
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stdout, cmd.Stderr = out, out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			raw := rawDB(t, dsn)
			// Kill the child once a tenth of the recipients have their copy.
			deadline := time.Now().Add(90 * time.Second)
			var delivered, total int
			for {
				delivered, total = counts(t, raw, id)
				if total > 0 && delivered >= crashRecipients/10 {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					b, _ := os.ReadFile(out.Name())
					t.Fatalf("child did not start the fan-out in time (%d/%d delivered):\n%s", delivered, total, b)
				}
				time.Sleep(5 * time.Millisecond)
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			atKill, _ := counts(t, raw, id)
			if total != crashRecipients || atKill >= crashRecipients {
				b, _ := os.ReadFile(out.Name())
				t.Fatalf("kill came too late: %d of %d delivered (%d rows); child log:\n%s", atKill, crashRecipients, total, b)
			}
			t.Logf("killed the child with %d of %d deliveries done", atKill, crashRecipients)

			// New workers (three, as replicas would) finish the fan-out.
			bl, err := blob.NewFS(e.blobDir)
			if err != nil {
				t.Fatal(err)
			}
			svc := directives.New(st, bl, registry.New(st, authz.Default(), i18n.Zone()), authz.Default(),
				directives.Options{Workers: 3, PollInterval: 20 * time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
			wctx, cancel := context.WithCancel(ctx)
			svc.Start(wctx)
			// Bounded wait for the recovery: leases of the killed child must
			// expire before the new workers take its deliveries.
			recoverBy := time.Now().Add(4 * time.Minute)
			for {
				n, err := st.Deliveries().CountPendingDeliveries(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					break
				}
				if time.Now().After(recoverBy) {
					t.Fatalf("%d deliveries still pending", n)
				}
				time.Sleep(20 * time.Millisecond)
			}
			cancel()
			svc.Wait()

			checkExactlyOnce(t, raw, id, root)
		})
	}
}

// crashDirective adds crashRecipients units and an approved directive to
// all of them; it returns the directive and the units' parent.
func crashDirective(t *testing.T, e *env) (int64, *model.Unit) {
	ctx := context.Background()
	kg := e.unit("ubnd-kg")
	root := &model.Unit{Code: "crash-root", ParentID: &kg.ID, Name: "Các đơn vị thử nghiệm", Kind: "other"}
	err := e.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Orgs().InsertUnit(ctx, root); err != nil {
			return err
		}
		for i := 0; i < crashRecipients; i++ {
			u := &model.Unit{Code: fmt.Sprintf("crash-%05d", i), ParentID: &root.ID, Name: fmt.Sprintf("Đài truyền thanh thử nghiệm %d", i),
				Kind: "commune_radio", Abbreviation: "ĐTT"}
			if err := tx.Orgs().InsertUnit(ctx, u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c := directives.Content{DocType: "Công văn", Subject: "Phát thanh thông điệp 5K", Intro: "Đề nghị các đài phát thông điệp 5K.",
		Recipients: []directives.Recipient{{SubtreeOf: root.ID, Kinds: []string{"commune_radio"}, Label: "Các đài truyền thanh thử nghiệm"}}}
	v, err := e.svc.Drafts().Create(ctx, e.actor("chuyenvien.so"), directives.CreateInput{Content: c})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Workflow().Submit(ctx, e.actor("chuyenvien.so"), v.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Workflow().Approve(ctx, e.actor("lamvanson"), v.ID, ""); err != nil {
		t.Fatal(err)
	}
	return v.ID, root
}

// crashChild is the process that gets killed: it issues the directive and
// runs the delivery workers until killed.
func crashChild(t *testing.T) {
	ctx := context.Background()
	st, err := storage.Open(ctx, os.Getenv(envCrashDSN))
	if err != nil {
		t.Fatal(err)
	}
	bl, err := blob.NewFS(os.Getenv(envCrashBlobs))
	if err != nil {
		t.Fatal(err)
	}
	id, err := strconv.ParseInt(os.Getenv(envCrashID), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	policy := authz.Default()
	svc := directives.New(st, bl, registry.New(st, policy, i18n.Zone()), policy, directives.Options{Workers: 2, PollInterval: 10 * time.Millisecond})
	u, _, err := st.Accounts().UserByUsername(ctx, "vanthu.so")
	if err != nil {
		t.Fatal(err)
	}
	unit, err := st.Orgs().Unit(ctx, u.UnitID)
	if err != nil {
		t.Fatal(err)
	}
	clerk := model.Actor{UserID: u.ID, Username: u.Username, UnitID: u.UnitID, UnitPath: unit.Path, Roles: u.Roles}
	if _, err := svc.Workflow().Issue(ctx, clerk, id, directives.IssueInput{}); err != nil {
		t.Fatal(err)
	}
	svc.Start(ctx)
	time.Sleep(2 * time.Minute) // killed long before
	t.Fatal("the child was not killed")
}

// rawDB opens the test database directly for the checks.
func rawDB(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	driver, src := "pgx", dsn
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		driver, src = "sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)"
	}
	db, err := sql.Open(driver, src)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func counts(t *testing.T, db *sql.DB, id int64) (delivered, total int) {
	t.Helper()
	q := `SELECT count(*), COALESCE(sum(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END), 0) FROM deliveries WHERE directive_id = ` + strconv.FormatInt(id, 10)
	if err := db.QueryRow(q).Scan(&total, &delivered); err != nil {
		t.Fatal(err)
	}
	return delivered, total
}

func checkExactlyOnce(t *testing.T, db *sql.DB, id int64, root *model.Unit) {
	t.Helper()
	one := func(what, query string) {
		t.Helper()
		var units, min, max, sum int
		if err := db.QueryRow(`SELECT count(*), COALESCE(min(n), 0), COALESCE(max(n), 0), COALESCE(sum(n), 0) FROM (`+query+`) x`).Scan(&units, &min, &max, &sum); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if units != crashRecipients || min != 1 || max != 1 {
			t.Errorf("%s: %d recipient units, between %d and %d each (want %d units, exactly 1 each)", what, units, min, max, crashRecipients)
		}
	}
	under := fmt.Sprintf(`(SELECT id FROM units WHERE path LIKE '%s%%' AND id <> %d)`, root.Path, root.ID)
	one("deliveries", fmt.Sprintf(`SELECT recipient_unit_id, count(*) AS n FROM deliveries WHERE directive_id = %d AND status = 'delivered' GROUP BY recipient_unit_id`, id))
	one("inbox documents", `SELECT unit_id, count(*) AS n FROM documents WHERE direction = 'incoming' AND unit_id IN `+under+` GROUP BY unit_id`)
	one("incoming register lines", `SELECT unit_id, count(*) AS n FROM register_entries WHERE series = 'incoming' AND unit_id IN `+under+` GROUP BY unit_id`)
	one("register numbers", `SELECT unit_id, max(number) AS n FROM register_entries WHERE series = 'incoming' AND unit_id IN `+under+` GROUP BY unit_id`)
	var mismatched int
	if err := db.QueryRow(fmt.Sprintf(`SELECT count(*) FROM deliveries d WHERE d.directive_id = %d AND NOT EXISTS (
		SELECT 1 FROM register_entries r JOIN documents doc ON doc.id = r.document_id
		WHERE r.id = d.register_entry_id AND doc.id = d.document_id AND doc.unit_id = d.recipient_unit_id)`, id)).Scan(&mismatched); err != nil {
		t.Fatal(err)
	}
	if mismatched != 0 {
		t.Errorf("%d deliveries do not point at their own inbox document and register line", mismatched)
	}
}
