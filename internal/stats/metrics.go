package stats

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	devicesDesc = prometheus.NewDesc("loa_fleet_devices", "Active loudspeaker devices by the depth and kind of the owning unit, online or offline.",
		[]string{"level", "kind", "state"}, nil)
	silentDesc = prometheus.NewDesc("loa_fleet_silent_slots_24h",
		"Scheduled slots of the last 24 hours without a play report, while the order and the device existed and the device was in contact.", nil, nil)
	latencyDesc = prometheus.NewDesc("loa_emergency_delivery_latency_seconds",
		"Time from issuing an emergency order to each device's first completed play (orders of the last 24 hours).", nil, nil)
)

// latencyBuckets are the emergency latency histogram's upper bounds (s).
var latencyBuckets = []float64{1, 2, 5, 10, 30, 60, 120, 300, 900}

// FleetCollector exports the fleet gauges at each scrape: devices online by
// unit level, silent slots, and the emergency delivery latency histogram.
// The queries are bounded by the last 24 hours and use indexes.
func (s *Service) FleetCollector() prometheus.Collector { return fleetCollector{s} }

type fleetCollector struct{ s *Service }

func (c fleetCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- devicesDesc
	ch <- silentDesc
	ch <- latencyDesc
}

func (c fleetCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	now := c.s.cfg.Clock.Now()
	if levels, err := c.s.store.Devices().DevicesByLevel(ctx, now.Add(-c.s.cfg.OnlineWindow)); err == nil {
		for _, l := range levels {
			lv := strconv.Itoa(l.Depth)
			ch <- prometheus.MustNewConstMetric(devicesDesc, prometheus.GaugeValue, float64(l.Online), lv, l.Kind, "online")
			ch <- prometheus.MustNewConstMetric(devicesDesc, prometheus.GaugeValue, float64(l.Devices-l.Online), lv, l.Kind, "offline")
		}
	} else {
		ch <- prometheus.NewInvalidMetric(devicesDesc, err)
	}
	if n, err := c.s.store.Broadcast().SilentSlots(ctx, now.Add(-24*time.Hour), now.Add(-10*time.Minute)); err == nil {
		ch <- prometheus.MustNewConstMetric(silentDesc, prometheus.GaugeValue, float64(n))
	} else {
		ch <- prometheus.NewInvalidMetric(silentDesc, err)
	}
	lat, err := c.s.store.Broadcast().EmergencyLatencies(ctx, now.Add(-24*time.Hour))
	if err != nil {
		ch <- prometheus.NewInvalidMetric(latencyDesc, err)
		return
	}
	buckets := make(map[float64]uint64, len(latencyBuckets))
	for _, b := range latencyBuckets {
		buckets[b] = 0
	}
	var sum float64
	for _, d := range lat {
		v := d.Seconds()
		sum += v
		for _, b := range latencyBuckets {
			if v <= b {
				buckets[b]++
			}
		}
	}
	ch <- prometheus.MustNewConstHistogram(latencyDesc, uint64(len(lat)), sum, buckets)
}
