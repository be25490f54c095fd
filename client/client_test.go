package client_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/client"
	"github.com/custos-privacy/custos/internal/openapicheck"
	"github.com/custos-privacy/custos/internal/wire/wiretest"
	"github.com/custos-privacy/custos/mail"
	"github.com/custos-privacy/custos/notify"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// server is a real Custos, in process, whose every request from the
// client and every answer to it is held to openapi.json.
type server struct {
	url     string
	tokens  map[custos.Role]string
	outbox  *notify.Outbox
	maildir string
	check   *openapicheck.Checker
}

func start(t *testing.T, s *store.Store) *server {
	t.Helper()
	spec, err := os.ReadFile(filepath.Join("..", "http", "api", "openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	check, err := openapicheck.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	clock := &custos.FixedClock{T: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	hs := wiretest.StartServer(t, wiretest.Options{Store: s, Clock: clock, BaseURL: "http://custos.test", Mail: true,
		Wrap: func(h http.Handler) http.Handler { return check.Handler(t, h) }}, nil)
	srv := &server{tokens: hs.Tokens(t), outbox: hs.Outbox, maildir: hs.MailDir, check: check, url: hs.URL}
	return srv
}

// checking is a transport that holds each request the client sends to
// openapi.json before it leaves, and counts the calls.
type checking struct {
	t     *testing.T
	check *openapicheck.Checker
	calls int
}

func (c *checking) RoundTrip(r *http.Request) (*http.Response, error) {
	c.calls++
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		body = b
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	if err := c.check.Request(r.Method, r.URL.Path, r.Header.Get("Content-Type"), body); err != nil {
		c.t.Errorf("client request: %v", err)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func (s *server) client(t *testing.T, role custos.Role) (*client.Client, *checking) {
	t.Helper()
	tr := &checking{t: t, check: s.check}
	c, err := client.New(s.url, s.tokens[role], client.WithHTTPClient(&http.Client{Transport: tr, Timeout: time.Minute}))
	if err != nil {
		t.Fatal(err)
	}
	return c, tr
}

var sixDigits = regexp.MustCompile(`\b(\d{6})\b`)

// code delivers the outbox and reads the code mailed to addr.
func (s *server) code(t *testing.T, addr string) string {
	t.Helper()
	if _, err := s.outbox.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	m, err := mail.Latest(s.maildir, addr)
	if err != nil {
		t.Fatal(err)
	}
	code := sixDigits.FindString(m.Text)
	if code == "" {
		t.Fatalf("no code in %q", m.Text)
	}
	return code
}

func TestShop(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		srv := start(t, s)
		shop, tr := srv.client(t, custos.RoleIngest)
		ana := client.Subject{Email: "ana@example.com"}

		rec, err := shop.RecordEvent(ctx, client.Event{Kind: "collection", Subject: ana, Category: "user.contact.email",
			Source: "online_channels", Purpose: "essential.service", Value: "ana@example.com"})
		if err != nil || rec.ID == 0 {
			t.Fatalf("event: %+v %v", rec, err)
		}
		n, err := shop.RecordEvents(ctx, []client.Event{
			{Kind: "collection", Subject: ana, Category: "user.name", Source: "online_channels", Purpose: "essential.service", Value: "Ana Lima"},
			{Kind: "collection", Subject: client.Subject{Email: "bo@example.com"}, Category: "user.contact.email", Source: "online_channels", Purpose: "essential.service"},
		})
		if err != nil || n != 2 {
			t.Fatalf("batch: %d %v", n, err)
		}
		// An undeclared purpose is refused with its code: the notice never
		// promised it.
		_, err = shop.RecordEvent(ctx, client.Event{Kind: "collection", Subject: ana, Category: "user.contact.email",
			Source: "online_channels", Purpose: "marketing.nonsense"})
		var apiErr *client.Error
		if !errors.As(err, &apiErr) || apiErr.Status != 422 || apiErr.Code == "" || apiErr.Message == "" {
			t.Fatalf("undeclared purpose: %v", err)
		}

		mailing := client.DecisionRequest{Subject: &ana, Purpose: "marketing.communications.email", Jurisdiction: "DE"}
		d, err := shop.Decide(ctx, mailing)
		if err != nil || d.Allowed || d.Reason != "no_consent" || d.PolicyVersion != 1 {
			t.Fatalf("decision before consent: %+v %v", d, err)
		}
		receipt, err := shop.RecordConsent(ctx, client.Consent{Subject: &ana, Purpose: "marketing.communications.email", Granted: true,
			Jurisdiction: "DE", Method: "web_form"})
		if err != nil || receipt.ReceiptID == "" || receipt.JWS == "" || len(receipt.Receipt) == 0 {
			t.Fatalf("consent: %+v %v", receipt, err)
		}
		d, err = shop.Decide(ctx, mailing)
		if err != nil || !d.Allowed || d.Reason != "consent_given" {
			t.Fatalf("decision after consent: %+v %v", d, err)
		}
		ds, err := shop.DecideMany(ctx, []client.DecisionRequest{mailing,
			{Subject: &client.Subject{Email: "bo@example.com"}, Purpose: "marketing.communications.email", Jurisdiction: "DE"}})
		if err != nil || len(ds) != 2 || !ds[0].Allowed || ds[1].Allowed || ds[1].PolicyVersion != 1 {
			t.Fatalf("batch decisions: %+v %v", ds, err)
		}
		// The shop's token reads nothing: the queue is refused, typed.
		if _, err := shop.Requests(ctx, ""); !client.IsCode(err, "forbidden") {
			t.Fatalf("ingest reading the queue: %v", err)
		}
		if tr.calls != 8 {
			t.Fatalf("%d calls went through the checking transport", tr.calls)
		}
	})
}

func TestOfficer(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		srv := start(t, s)
		shop, _ := srv.client(t, custos.RoleIngest)
		form, _ := srv.client(t, "") // the public privacy form: no token
		officer, _ := srv.client(t, custos.RolePrivacyOfficer)
		// Bo's record outlives Ana's deletion: the RoPA below counts it.
		for _, who := range []string{"ana@example.com", "bo@example.com"} {
			if _, err := shop.RecordEvent(ctx, client.Event{Kind: "collection", Subject: client.Subject{Email: who},
				Category: "user.contact.email", Source: "online_channels", Purpose: "essential.service"}); err != nil {
				t.Fatal(err)
			}
		}

		// Three requests: one denied, one extended, one approved.
		var ids []string
		for _, typ := range []string{"access", "deletion", "categories"} {
			sub, err := form.SubmitRequest(ctx, client.NewRequest{Type: typ, Email: "ana@example.com", Jurisdiction: "US-CA"})
			if err != nil || sub.ID == "" || sub.Status != "awaiting_verification" {
				t.Fatalf("submit %s: %+v %v", typ, sub, err)
			}
			v, err := form.Verify(ctx, sub.ID, srv.code(t, "ana@example.com"))
			if err != nil || v.AccessToken == "" {
				t.Fatalf("verify %s: %+v %v", typ, v, err)
			}
			ids = append(ids, sub.ID)
		}
		if _, err := form.Verify(ctx, ids[0], "000000"); err == nil {
			t.Fatal("a verified request verified again")
		}

		var apiErr *client.Error
		queue, err := officer.Requests(ctx, "")
		if err != nil || len(queue) != 3 {
			t.Fatalf("queue: %d %v", len(queue), err)
		}
		got, err := officer.Request(ctx, ids[0])
		if err != nil || got.ID != ids[0] || got.Type != "access" || got.DueAt.IsZero() || len(got.History) == 0 || len(got.LawRules) == 0 {
			t.Fatalf("request: %+v %v", got, err)
		}
		ext, err := officer.Extend(ctx, ids[2], "The categories span three systems.")
		if err != nil || ext.ExtendedUntil == nil || !ext.ExtendedUntil.After(got.DueAt) {
			t.Fatalf("extend: %+v %v", ext, err)
		}
		denied, err := officer.Deny(ctx, ids[0], client.Denial{ReasonCode: "other", Reason: "Sent twice by mistake."})
		if err != nil || denied.Status != "denied" || denied.Decision == nil || denied.Decision.Code != "other" {
			t.Fatalf("deny: %+v %v", denied, err)
		}
		if _, err := officer.Deny(ctx, ids[0], client.Denial{Reason: "It was denied already, so this must be refused."}); !errors.As(err, &apiErr) || apiErr.Status != 409 || apiErr.Code == "" {
			t.Fatalf("denying twice: %v", err)
		}
		// No connected system is configured: the plan reaches none.
		pv, err := officer.ErasurePreview(ctx, ids[1])
		if err != nil || len(pv.Collections) != 0 || pv.Pending {
			t.Fatalf("erasure preview: %+v %v", pv, err)
		}
		if _, err := officer.ErasurePreview(ctx, ids[0]); !errors.As(err, &apiErr) || apiErr.Status != 409 {
			t.Fatalf("erasure preview of an access request: %v", err)
		}
		approved, err := officer.Approve(ctx, ids[1], client.Approval{})
		if err != nil || approved.ID != ids[1] || approved.Status == "pending_review" {
			t.Fatalf("approve: %+v %v", approved, err)
		}
		if _, err := officer.Request(ctx, "req_nothere"); !client.IsCode(err, "not_found") {
			t.Fatalf("unknown request: %v", err)
		}

		ropa, err := officer.RoPA(ctx, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))
		if err != nil || len(ropa) == 0 {
			t.Fatalf("ropa: %d %v", len(ropa), err)
		}
		found := false
		for _, a := range ropa {
			if a.Purpose == "essential.service" && a.Events == 1 && a.Declared && a.Controller.Name != "" &&
				len(a.DataCategories) == 1 && a.DataCategories[0].Key == "user.contact.email" {
				found = true
			}
		}
		if !found {
			t.Fatalf("ropa lacks the recorded purpose among %d activities", len(ropa))
		}
	})
}

func TestNew(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"", "custos.example", "ftp://custos.example", "http://"} {
		if _, err := client.New(base, "t"); err == nil {
			t.Errorf("New(%q) accepted", base)
		}
	}
	if _, err := client.New("https://custos.example/", "t"); err != nil {
		t.Error(err)
	}
}

// TestBoundedAnswer: an answer larger than MaxResponse is refused, not
// read whole into memory.
func TestBoundedAnswer(t *testing.T) {
	t.Parallel()
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		chunk := bytes.Repeat([]byte(" "), 1<<20)
		for i := 0; i <= client.MaxResponse>>20; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(big.Close)
	c, err := client.New(big.URL, "t")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Decide(context.Background(), client.DecisionRequest{Purpose: "x"}); err == nil || errors.As(err, new(*client.Error)) {
		t.Fatalf("an over-large answer: %v", err)
	}
}
