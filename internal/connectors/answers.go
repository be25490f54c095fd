package connectors

import (
	"time"

	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/connector/webhook"
	"github.com/custos-privacy/custos/dataset"
)

// Answers opens the answers asynchronous systems post to Custos' callback
// address: the webhook connector's signed results (connected.Answers).
type Answers struct{}

// Open verifies a's signature with secret and decodes the result.
func (Answers) Open(a connected.SignedAnswer, secret []byte, maxSkew time.Duration, now time.Time) (connected.Answer, error) {
	header := a.Header
	if header == nil {
		header = func(string) string { return "" }
	}
	res, err := webhook.OpenResult(a.Body, header, secret, maxSkew, now)
	if err != nil {
		return connected.Answer{}, err
	}
	return connected.Answer{Task: res.Task, RequestID: res.RequestID, Rows: res.Rows, Affected: res.Affected, Error: res.Error}, nil
}

// Declared types rows as the collection declares its fields.
func (Answers) Declared(c *dataset.Collection, rows []connector.Row) []connector.Row {
	return webhook.Declared(c, rows)
}
