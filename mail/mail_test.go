package mail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"testing"
	"time"
)

// parsed is a message read back with the standard library only.
type parsed struct {
	header  netmail.Header
	subject string // RFC 2047 decoded
	text    string // decoded text/plain part
	html    string // decoded text/html part ("" when absent)
	parts   int    // 1 for a single-part message
}

// parseMessage parses raw as a receiving mail client would and checks the
// MIME structure the package promises: text/plain (or multipart/alternative
// with a text and an html part), UTF-8, quoted-printable.
func parseMessage(t *testing.T, raw []byte) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot parse the message: %v\n%s", err, raw)
	}
	p := parsed{header: msg.Header}
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("Subject: %v", err)
	}
	if got := msg.Header.Get("MIME-Version"); got != "1.0" {
		t.Errorf("MIME-Version = %q, want 1.0", got)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type: %v", err)
	}
	switch mediaType {
	case "text/plain":
		p.parts = 1
		p.text = decodePart(t, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	case "multipart/alternative":
		mr := multipart.NewReader(msg.Body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("multipart: %v", err)
			}
			p.parts++
			ct := part.Header.Get("Content-Type")
			body := decodePart(t, ct, part.Header.Get("Content-Transfer-Encoding"), part)
			switch mt, _, _ := mime.ParseMediaType(ct); mt {
			case "text/plain":
				if p.parts != 1 {
					t.Errorf("text/plain is part %d, want the first (least preferred) part", p.parts)
				}
				p.text = body
			case "text/html":
				p.html = body
			default:
				t.Errorf("unexpected part %q", ct)
			}
		}
	default:
		t.Fatalf("Content-Type %q, want text/plain or multipart/alternative", mediaType)
	}
	return p
}

func decodePart(t *testing.T, contentType, cte string, r io.Reader) string {
	t.Helper()
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatalf("part Content-Type %q: %v", contentType, err)
	}
	if cs := params["charset"]; !strings.EqualFold(cs, "utf-8") {
		t.Errorf("charset %q, want utf-8", cs)
	}
	if !strings.EqualFold(cte, "quoted-printable") {
		t.Errorf("Content-Transfer-Encoding %q, want quoted-printable", cte)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(r))
	if err != nil {
		t.Fatalf("quoted-printable: %v", err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

func TestMessageValidation(t *testing.T) {
	t.Parallel()
	ok := Message{To: "ana@example.com", From: "Privacy <privacy@example.com>", Subject: "s", Text: "t"}
	tests := []struct {
		name   string
		edit   func(m *Message)
		from   string // sender default
		target error
	}{
		{"no from at all", func(m *Message) { m.From = "" }, "", ErrNoFrom},
		{"bad from", func(m *Message) { m.From = "not an address" }, "", ErrInvalidFrom},
		{"bad to", func(m *Message) { m.To = "ana" }, "", ErrInvalidTo},
		{"two recipients", func(m *Message) { m.To = "ana@example.com, bo@example.com" }, "", ErrInvalidTo},
		{"no text", func(m *Message) { m.Text = " \n" }, "", ErrNoText},
		{"reserved header", func(m *Message) { m.Headers = map[string]string{"bcc": "x@example.com"} }, "", ErrBadHeader},
		{"header injection", func(m *Message) { m.Headers = map[string]string{"X-Custos-Request": "1\r\nBcc: x@example.com"} }, "", ErrBadHeader},
		{"bad header name", func(m *Message) { m.Headers = map[string]string{"X Bad": "1"} }, "", ErrBadHeader},
		{"bad id", func(m *Message) { m.ID = "a b@c" }, "", ErrBadID},
		{"id with angle", func(m *Message) { m.ID = "<1>" }, "", ErrBadID},
		{"default from used", func(m *Message) { m.From = "" }, "Privacy <privacy@example.com>", nil},
		{"ok", func(*Message) {}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := ok
			tt.edit(&m)
			_, err := m.render(tt.from, time.Now())
			if !errors.Is(err, tt.target) || (tt.target == nil) != (err == nil) {
				t.Fatalf("render() error = %v, want %v", err, tt.target)
			}
			if err != nil && strings.Contains(err.Error(), "example.com") && tt.target == ErrInvalidTo {
				t.Errorf("error repeats the recipient's address: %v", err)
			}
		})
	}
}

func TestMaildirSendRefusesInvalid(t *testing.T) {
	t.Parallel()
	d, err := NewMaildir(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Send(context.Background(), Message{To: "ana@example.com", Text: "x"}); !errors.Is(err, ErrNoFrom) {
		t.Fatalf("Send without any From = %v, want ErrNoFrom", err)
	}
	if _, err := NewMaildir(t.TempDir(), "nope"); !errors.Is(err, ErrInvalidFrom) {
		t.Fatalf("NewMaildir with a bad default From = %v, want ErrInvalidFrom", err)
	}
}

func TestIsDotAtom(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"42": true, "outbox.42": true, "a-b_c+d": true, "0f8fad5b-d9cb-469f-a165-70867728950e": true,
		"": false, ".a": false, "a.": false, "a..b": false, "a b": false, "a@b": false, "<a>": false, "é": false,
	} {
		if got := isDotAtom(s); got != want {
			t.Errorf("isDotAtom(%q) = %v, want %v", s, got, want)
		}
	}
}

var parseAddr = netmail.ParseAddress
