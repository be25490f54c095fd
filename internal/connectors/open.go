// Package connectors opens the connector a connection URL names. It is the
// one place that knows every concrete connector, so the rest of Custos
// depends only on the connector interface.
package connectors

import (
	"context"
	"fmt"

	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/connector/redisconn"
	"github.com/custos-privacy/custos/connector/sqlconn"
	"github.com/custos-privacy/custos/connector/webhook"
)

// Open opens a connector by the URL's scheme.
func Open(ctx context.Context, url string, opts connector.Options) (connector.Connector, error) {
	switch connected.Scheme(url) {
	case "postgres", "mysql", "sqlite":
		return sqlconn.Open(ctx, url, opts)
	case "redis":
		return redisconn.Open(ctx, url, opts)
	case "webhook":
		return webhook.Open(ctx, url, opts)
	}
	return nil, fmt.Errorf("connectors: %s is not a URL Custos can connect to", connected.Redact(url))
}
