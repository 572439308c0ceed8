package web

import (
	"context"
	"database/sql"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// PoolStats is what the pool metrics read from the database.
type PoolStats interface {
	Stats() (writer, reader sql.DBStats)
}

// DBCollectors exports connection pool statistics of both pools.
func DBCollectors(st PoolStats) []prometheus.Collector {
	var out []prometheus.Collector
	for _, pool := range []string{"writer", "reader"} {
		pick := func() sql.DBStats {
			w, r := st.Stats()
			if pool == "reader" {
				return r
			}
			return w
		}
		labels := prometheus.Labels{"pool": pool}
		gauge := func(name, help string, f func(sql.DBStats) float64) prometheus.Collector {
			return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help, ConstLabels: labels}, func() float64 { return f(pick()) })
		}
		counter := func(name, help string, f func(sql.DBStats) float64) prometheus.Collector {
			return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: labels}, func() float64 { return f(pick()) })
		}
		out = append(out,
			gauge("loa_db_open_connections", "Open database connections.", func(s sql.DBStats) float64 { return float64(s.OpenConnections) }),
			gauge("loa_db_in_use_connections", "Database connections in use.", func(s sql.DBStats) float64 { return float64(s.InUse) }),
			gauge("loa_db_idle_connections", "Idle database connections.", func(s sql.DBStats) float64 { return float64(s.Idle) }),
			counter("loa_db_wait_total", "Times a query waited for a free connection.", func(s sql.DBStats) float64 { return float64(s.WaitCount) }),
			counter("loa_db_wait_seconds_total", "Time spent waiting for a free connection.", func(s sql.DBStats) float64 { return s.WaitDuration.Seconds() }),
		)
	}
	return out
}

// QueueCounter counts the items of a durable queue by state.
type QueueCounter func(ctx context.Context) (map[string]int, error)

// QueueMetrics exports loa_queue_items{queue, state} and, for the queues
// given ages, loa_queue_oldest_due_seconds{queue} (a growing value means
// the workers are stuck or too few), read from the database at scrape
// time (the queues are tables: outboxes of deliveries and messages).
type QueueMetrics struct {
	items, age *prometheus.Desc
	queues     map[string]QueueCounter
	ages       map[string]QueueAge
}

// QueueAge tells how long the oldest due item of a durable queue has
// waited.
type QueueAge func(ctx context.Context) (time.Duration, error)

// QueueCollector exports the sizes of durable queues by state.
func QueueCollector(queues map[string]QueueCounter) *QueueMetrics {
	return &QueueMetrics{
		items:  prometheus.NewDesc("loa_queue_items", "Items of a durable job queue (outbox) by state.", []string{"queue", "state"}, nil),
		age:    prometheus.NewDesc("loa_queue_oldest_due_seconds", "How long the oldest due item of a durable job queue has waited.", []string{"queue"}, nil),
		queues: queues,
	}
}

// WithAges adds the age of the oldest due item of the queues.
func (c *QueueMetrics) WithAges(ages map[string]QueueAge) *QueueMetrics {
	c.ages = ages
	return c
}

// Describe implements prometheus.Collector.
func (c *QueueMetrics) Describe(ch chan<- *prometheus.Desc) { ch <- c.items; ch <- c.age }

// Collect implements prometheus.Collector.
func (c *QueueMetrics) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for name, count := range c.queues {
		counts, err := count(ctx)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(c.items, err)
			continue
		}
		for state, n := range counts {
			ch <- prometheus.MustNewConstMetric(c.items, prometheus.GaugeValue, float64(n), name, state)
		}
	}
	for name, age := range c.ages {
		d, err := age(ctx)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(c.age, err)
			continue
		}
		ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, d.Seconds(), name)
	}
}
