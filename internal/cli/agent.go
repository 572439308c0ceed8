package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/loa-project/loa/internal/deviceclient"
)

// runAgent is `loa agent`: the reference device. It enrols once with the
// unit's key, then caches its schedule and media in --cache and plays on
// time through the system audio, with or without the server.
func runAgent(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "agent", "agent --server URL [--enrol KEY] [--cache DIR] [--player ffplay|aplay|null]")
	server := fs.String("server", "", "URL of the Loa server, e.g. http://192.168.1.10:8080 (env LOA_SERVER)")
	key := fs.String("enrol", "", "the unit's enrolment key (loa_e_…), needed on the first start only (env LOA_ENROL_KEY)")
	cache := fs.String("cache", "./loa-agent", "directory for the identity, schedule, audio and unsent play reports")
	name := fs.String("name", "", "device name shown to operators (default: the host name)")
	kind := fs.String("kind", "loudspeaker", "device kind: loudspeaker or board")
	player := fs.String("player", "ffplay", "audio output: ffplay (Debian ffmpeg), aplay (ffmpeg + Debian alsa-utils) or null (play nothing)")
	alsa := fs.String("alsa-device", "", "ALSA device for --player aplay (default: the system default)")
	poll := fs.Duration("poll", deviceclient.DefaultPollInterval, "how often to check the schedule")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *server == "" {
		*server = env.Getenv("LOA_SERVER")
	}
	if *key == "" {
		*key = env.Getenv("LOA_ENROL_KEY")
	}
	if *server == "" {
		return fmt.Errorf("%w: --server is required (the URL of the Loa server)", errUsage)
	}
	if *poll < 5*time.Second {
		return fmt.Errorf("%w: --poll %s: poll at most every 5 s", errUsage, *poll)
	}
	log, err := newLogger(env, "text", *logLevel)
	if err != nil {
		return err
	}
	var p deviceclient.Player
	if *player == "null" {
		p = deviceclient.NullPlayer{}
	} else {
		cp, err := deviceclient.NewCommandPlayer(*player, *alsa)
		if err != nil {
			return err
		}
		p = cp
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	host, _ := os.Hostname()
	for {
		a, err := deviceclient.NewAgent(deviceclient.AgentConfig{Server: *server, EnrolKey: *key, Name: *name, Kind: *kind, HardwareID: host,
			Firmware: "loa-agent " + Version, CacheDir: *cache, Player: p, Log: log, PollInterval: *poll})
		if err != nil {
			return err
		}
		if err := a.Enrol(ctx); err != nil {
			a.Queue().Close()
			return err
		}
		id := a.Identity()
		fmt.Fprintf(env.Stdout, "loa agent: device %d of unit %s, cache %s, server %s\n", id.DeviceID, id.UnitCode, *cache, *server)
		err = a.Run(ctx)
		a.Queue().Close()
		if errors.Is(err, deviceclient.ErrRestart) {
			log.Info("restarting on the server's request")
			continue
		}
		return err
	}
}
