package client_test

import (
	"context"
	"log"
	"os"

	"github.com/custos-privacy/custos/client"
)

// A web shop records a sign-up, then asks before it sends a marketing
// mail. docs/integrating.md shows the same code.
func Example() {
	ctx := context.Background()
	c, err := client.New("https://privacy.example.com", os.Getenv("CUSTOS_TOKEN")) // an ingest token
	if err != nil {
		log.Fatal(err)
	}
	ana := client.Subject{Email: "ana@example.com"}
	if _, err := c.RecordEvent(ctx, client.Event{Kind: "collection", Subject: ana, Category: "user.contact.email",
		Source: "online_channels", Purpose: "essential.service", Value: "ana@example.com"}); err != nil {
		log.Fatal(err) // a 422 (an undeclared purpose, …) is a bug to fix, not a retry
	}
	d, err := c.Decide(ctx, client.DecisionRequest{Subject: &ana, Purpose: "marketing.communications.email", Jurisdiction: "DE"})
	switch {
	case client.IsCode(err, "unauthorized"):
		log.Fatal("the token is missing or revoked")
	case err != nil:
		log.Fatal(err)
	case d.Allowed:
		// send the mail
	default:
		log.Printf("not mailing: %s", d.Reason)
	}
}
