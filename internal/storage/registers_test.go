package storage_test

import (
	"context"
	"sort"
	"sync"
	"testing"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestConcurrentNumbering: 100 concurrent allocations, each in its own
// transaction that also records its register line, get 1..100 with no
// duplicate and no gap, on both engines; a rolled-back allocation gives its
// number back; numbering restarts with the year.
func TestConcurrentNumbering(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		var unit *model.Unit
		if err := s.Tx(ctx, func(tx *storage.Tx) error { unit = mustUnit(t, tx.Q, ctx, "so", nil); return nil }); err != nil {
			t.Fatal(err)
		}
		const n = 100
		got := make([]int, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				errs[i] = s.Tx(ctx, func(tx *storage.Tx) error {
					num, err := tx.Registers().NextNumber(ctx, unit.ID, 2021, model.SeriesOutgoing)
					if err != nil {
						return err
					}
					got[i] = num
					return tx.Registers().InsertRegisterEntry(ctx, &model.RegisterEntry{UnitID: unit.ID, Year: 2021, Series: model.SeriesOutgoing, Number: num, EntryDate: "2021-06-04"})
				})
			}(i)
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("allocation %d: %v", i, err)
			}
		}
		sort.Ints(got)
		for i, v := range got {
			if v != i+1 {
				t.Fatalf("numbers are not 1..%d without gaps: position %d has %d (%v)", n, i, v, got)
			}
		}
		entries, err := s.Registers().RegisterEntries(ctx, unit.ID, 2021, model.SeriesOutgoing)
		if err != nil || len(entries) != n {
			t.Fatalf("register has %d lines (%v)", len(entries), err)
		}
		// A failed transaction does not consume a number.
		_ = s.Tx(ctx, func(tx *storage.Tx) error {
			if _, err := tx.Registers().NextNumber(ctx, unit.ID, 2021, model.SeriesOutgoing); err != nil {
				return err
			}
			return model.ErrConflict
		})
		var next int
		if err := s.Tx(ctx, func(tx *storage.Tx) error {
			var err error
			next, err = tx.Registers().NextNumber(ctx, unit.ID, 2021, model.SeriesOutgoing)
			return err
		}); err != nil || next != n+1 {
			t.Fatalf("after a rollback the next number is %d (%v), want %d", next, err, n+1)
		}
		// 1 January starts again at 1; incoming has its own series.
		for _, c := range []struct {
			year   int
			series string
		}{{2022, model.SeriesOutgoing}, {2021, model.SeriesIncoming}} {
			var first int
			if err := s.Tx(ctx, func(tx *storage.Tx) error {
				var err error
				first, err = tx.Registers().NextNumber(ctx, unit.ID, c.year, c.series)
				return err
			}); err != nil || first != 1 {
				t.Fatalf("first %s number of %d: %d (%v)", c.series, c.year, first, err)
			}
		}
	})
}
