package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"

	"github.com/loa-project/loa/internal/channels"
	"github.com/loa-project/loa/internal/web"
)

// smsConfig is the file given to `loa serve --sms-config`: the provider's
// HTTP API, the shared secret of its receipt and inbound callbacks, and
// the public URL of the receipt endpoint.
type smsConfig struct {
	Gateway     json.RawMessage        `json:"gateway"`
	Webhook     channels.WebhookConfig `json:"webhook"`
	CallbackURL string                 `json:"callback_url"`
}

// openChannels builds the SMS/OTT and manual-channel service and starts
// its send workers. Without a configuration, hand-confirmed tasks work and
// campaigns are refused with a message naming the missing gateway.
func openChannels(ctx context.Context, svc *services, path string, log *slog.Logger) (*channels.Service, []web.Hook, error) {
	cfg := channels.Config{Store: svc.store, Policy: svc.policy, Blobs: svc.blobs, Log: log, Clock: svc.clock}
	var hooks []web.Hook
	var sc smsConfig
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, fmt.Errorf("--sms-config: %w", err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&sc); err != nil {
			return nil, nil, fmt.Errorf("--sms-config %s: %w (expected {\"gateway\": {…}, \"webhook\": {\"secret\": …}, \"callback_url\": …})", path, err)
		}
		gc, err := channels.ParseHTTPGatewayConfig(sc.Gateway)
		if err != nil {
			return nil, nil, fmt.Errorf("--sms-config %s: %w", path, err)
		}
		gw, err := channels.NewHTTPGateway(gc, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("--sms-config %s: %w", path, err)
		}
		cfg.Gateway, cfg.CallbackURL = gw, sc.CallbackURL
	}
	ch, err := channels.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	if path != "" {
		if sc.Webhook.Secret == "" {
			return nil, nil, fmt.Errorf("--sms-config %s: webhook.secret is required to accept delivery receipts", path)
		}
		receipts, err := ch.TaskOps().ReceiptHandler(sc.Webhook)
		if err != nil {
			return nil, nil, err
		}
		inbound, err := ch.TaskOps().InboundHandler(sc.Webhook)
		if err != nil {
			return nil, nil, err
		}
		hooks = append(hooks, web.Hook{Pattern: "POST /hooks/sms/receipt", Handler: receipts}, web.Hook{Pattern: "POST /hooks/sms/inbound", Handler: inbound})
	}
	ch.Start(ctx)
	return ch, hooks, nil
}
