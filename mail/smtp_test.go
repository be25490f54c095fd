package mail

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

const (
	testUser = "custos"
	testPass = "s3cr3t-Pässw0rd"
)

// delivery is one message a test server accepted.
type delivery struct {
	from  string
	rcpts []string
	data  []byte
	user  string // who authenticated ("" when nobody did)
	tls   bool   // whether the connection was encrypted
}

// testServer is a real in-process SMTP server (github.com/emersion/go-smtp)
// that accepts PLAIN authentication for testUser/testPass and records what
// it receives.
type testServer struct {
	addr        string
	requireAuth bool

	mu  sync.Mutex
	got []delivery
}

type serverMode int

const (
	plainText    serverMode = iota // no TLS; AUTH allowed in the clear
	startTLS                       // STARTTLS offered; AUTH only after it
	implicitTLSm                   // TLS from the first byte (smtps)
)

func startTestServer(t *testing.T, mode serverMode, cert *tls.Certificate) *testServer {
	t.Helper()
	ts := &testServer{requireAuth: true}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &testSession{srv: ts, conn: c}, nil
	}))
	s.Domain = "localhost"
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	s.MaxMessageBytes = 1 << 20
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	switch mode {
	case plainText:
		s.AllowInsecureAuth = true
	case startTLS:
		s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}}
	case implicitTLSm:
		s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}}
		ln = tls.NewListener(ln, s.TLSConfig)
	}
	ts.addr = ln.Addr().String()
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Close() })
	return ts
}

func (ts *testServer) deliveries() []delivery {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]delivery(nil), ts.got...)
}

type testSession struct {
	srv  *testServer
	conn *smtp.Conn
	user string
	cur  delivery
}

func (s *testSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *testSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != testUser || password != testPass {
			return smtp.ErrAuthFailed
		}
		s.user = username
		return nil
	}), nil
}

func (s *testSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.srv.requireAuth && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.cur = delivery{from: from, user: s.user}
	return nil
}

func (s *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.rcpts = append(s.cur.rcpts, to)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	_, s.cur.tls = s.conn.TLSConnectionState()
	s.srv.mu.Lock()
	s.srv.got = append(s.srv.got, s.cur)
	s.srv.mu.Unlock()
	return nil
}

func (s *testSession) Reset()        { s.cur = delivery{} }
func (s *testSession) Logout() error { return nil }

// selfSigned returns a certificate for 127.0.0.1, localhost and
// mail.example.com, and a pool that trusts it.
func selfSigned(t *testing.T) (*tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "custos test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost", "mail.example.com"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func smtpURL(scheme, user, pass, addr string) string {
	if user == "" {
		return scheme + "://" + addr
	}
	return scheme + "://" + user + ":" + strings.ReplaceAll(pass, "ä", "%C3%A4") + "@" + addr
}

var testMessage = Message{
	To:      "Åsa Öberg <asa@example.com>",
	From:    "Clientwise Privacy <privacy@clientwise.com>",
	Subject: "Your request – confirmation",
	Text:    "Hello Åsa,\nyour request R-1 is complete.\n",
	HTML:    "<p>Hello Åsa,</p><p>your request <strong>R-1</strong> is complete.</p>",
	Headers: map[string]string{
		"List-Unsubscribe":      "<https://privacy.clientwise.com/u/abc>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"X-Custos-Request":      "R-1",
	},
	ID: "outbox.7",
}

// checkDelivery asserts the envelope and the message a server received.
func checkDelivery(t *testing.T, d delivery, m Message) {
	t.Helper()
	if d.from != "privacy@clientwise.com" {
		t.Errorf("MAIL FROM = %q", d.from)
	}
	if len(d.rcpts) != 1 || d.rcpts[0] != "asa@example.com" {
		t.Errorf("RCPT TO = %q", d.rcpts)
	}
	p := parseMessage(t, d.data)
	if p.parts != 2 || p.text != m.Text || p.html != m.HTML {
		t.Errorf("parts = %d, text %q, html %q", p.parts, p.text, p.html)
	}
	if p.subject != m.Subject {
		t.Errorf("Subject = %q, want %q", p.subject, m.Subject)
	}
	if got := p.header.Get("Message-ID"); got != "<"+m.ID+"@custos>" {
		t.Errorf("Message-ID = %q", got)
	}
	for k, v := range m.Headers {
		if got := p.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if to, err := p.header.AddressList("To"); err != nil || len(to) != 1 || to[0].Name != "Åsa Öberg" {
		t.Errorf("To = %v (%v)", to, err)
	}
}

func TestSMTPSend(t *testing.T) {
	t.Parallel()
	cert, pool := selfSigned(t)
	tests := []struct {
		name     string
		mode     serverMode
		scheme   string
		opts     []SMTPOption
		wantTLS  bool
		wantUser string
		noAuth   bool
	}{
		{name: "cleartext loopback with AUTH PLAIN", mode: plainText, scheme: "smtp", wantUser: testUser},
		{name: "STARTTLS", mode: startTLS, scheme: "smtp", opts: []SMTPOption{WithTLSConfig(&tls.Config{RootCAs: pool})}, wantTLS: true, wantUser: testUser},
		{name: "implicit TLS (smtps)", mode: implicitTLSm, scheme: "smtps", opts: []SMTPOption{WithTLSConfig(&tls.Config{RootCAs: pool})}, wantTLS: true, wantUser: testUser},
		{name: "no credentials", mode: plainText, scheme: "smtp", noAuth: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startTestServer(t, tt.mode, cert)
			user, pass := testUser, testPass
			if tt.noAuth {
				srv.requireAuth = false
				user, pass = "", ""
			}
			s, err := NewSMTP(smtpURL(tt.scheme, user, pass, srv.addr), "", tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Send(context.Background(), testMessage); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := srv.deliveries()
			if len(got) != 1 {
				t.Fatalf("server received %d messages, want 1", len(got))
			}
			if got[0].tls != tt.wantTLS {
				t.Errorf("encrypted = %v, want %v", got[0].tls, tt.wantTLS)
			}
			if got[0].user != tt.wantUser {
				t.Errorf("authenticated as %q, want %q", got[0].user, tt.wantUser)
			}
			checkDelivery(t, got[0], testMessage)
		})
	}
}

func TestSMTPErrors(t *testing.T) {
	t.Parallel()
	cert, _ := selfSigned(t)
	tests := []struct {
		name string
		mode serverMode
		url  func(addr string) string
		// host, when set, is the name the client believes it talks to (the
		// connection still goes to the test server on 127.0.0.1).
		host    string
		wantErr string
	}{
		{
			name:    "wrong password",
			mode:    plainText,
			url:     func(a string) string { return smtpURL("smtp", testUser, "wrong-Secret-42", a) },
			wantErr: "535",
		},
		{
			name:    "untrusted certificate on STARTTLS",
			mode:    startTLS,
			url:     func(a string) string { return smtpURL("smtp", testUser, "wrong-Secret-42", a) },
			wantErr: "certificate",
		},
		{
			name:    "no cleartext password to a remote host without TLS",
			mode:    plainText,
			host:    "mail.example.com",
			url:     func(string) string { return smtpURL("smtp", testUser, "wrong-Secret-42", "mail.example.com:25") },
			wantErr: "safe without TLS",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startTestServer(t, tt.mode, cert)
			s, err := NewSMTP(tt.url(srv.addr), "")
			if err != nil {
				t.Fatal(err)
			}
			if tt.host != "" {
				s.dialAddr = srv.addr
			}
			err = s.Send(context.Background(), testMessage)
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "wrong-Secret-42") {
				t.Errorf("error contains the password: %v", err)
			}
			if n := len(srv.deliveries()); n != 0 {
				t.Errorf("server received %d messages", n)
			}
		})
	}
}

// A remote host that offers STARTTLS gets the password over TLS, chosen by
// auto-discovery.
func TestSMTPRemoteHostAuthAfterSTARTTLS(t *testing.T) {
	t.Parallel()
	cert, pool := selfSigned(t)
	srv := startTestServer(t, startTLS, cert)
	s, err := NewSMTP(smtpURL("smtp", testUser, testPass, "mail.example.com:587"), "", WithTLSConfig(&tls.Config{RootCAs: pool}))
	if err != nil {
		t.Fatal(err)
	}
	s.dialAddr = srv.addr
	if err := s.Send(context.Background(), testMessage); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.deliveries()
	if len(got) != 1 || !got[0].tls || got[0].user != testUser {
		t.Fatalf("deliveries = %+v", got)
	}
}

func TestSMTPContextCancel(t *testing.T) {
	t.Parallel()
	// A server that accepts connections and never says a word.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	s, err := NewSMTP("smtp://"+ln.Addr().String(), "privacy@clientwise.com")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = s.Send(ctx, Message{To: "ana@example.com", Text: "x"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send returned after %v; the context was not honoured", d)
	}
}

func TestNewSMTPURL(t *testing.T) {
	t.Parallel()
	const secret = "hunter2%zz"
	tests := []struct {
		url     string
		wantErr string // "" means valid
		str     string // String() of a valid URL
	}{
		{url: "smtp://user:pass@mail.example.com:587", str: "smtp://user@mail.example.com:587"},
		{url: "smtps://user:p%40ss@mail.example.com", str: "smtps://user@mail.example.com:465"},
		{url: "smtp://mail.example.com", str: "smtp://mail.example.com:25"},
		{url: "smtp://[::1]:2525", str: "smtp://[::1]:2525"},
		{url: "", wantErr: "empty SMTP URL"},
		{url: "http://user:" + "hunter2" + "@mail.example.com", wantErr: "scheme must be smtp or smtps"},
		{url: "mail.example.com:25", wantErr: "scheme must be smtp or smtps"},
		{url: "user:" + "hunter2" + "@mail.example.com:25", wantErr: "scheme must be smtp or smtps"},
		{url: "smtp:" + "hunter2" + "@mail.example.com", wantErr: "followed by //"},
		{url: "smtp://user:" + secret + "@mail.example.com:25", wantErr: "malformed user or password"},
		{url: "smtp://user:" + "hunter2" + "@mail.example.com:port", wantErr: "malformed SMTP URL"},
		{url: "smtp://user:" + "hunter2" + "@mail.example.com:70000", wantErr: "port must be 1-65535"},
		{url: "smtp://user:" + "hunter2" + "@:25", wantErr: "no host"},
		{url: "smtp://user:" + "hunter2" + "@mail.example.com:", wantErr: "empty port"},
		{url: "smtp://user:" + "hunter2" + "@mail.example.com/inbox?x=1", wantErr: "unexpected path"},
		{url: "smtp://:" + "hunter2" + "@mail.example.com", wantErr: "empty user name"},
		{url: "smtp:" + "hunter2", wantErr: "followed by //"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			t.Parallel()
			s, err := NewSMTP(tt.url, "")
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("NewSMTP: %v", err)
				}
				if got := s.String(); got != tt.str {
					t.Errorf("String() = %q, want %q", got, tt.str)
				}
				return
			}
			if err == nil {
				t.Fatal("NewSMTP succeeded")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantErr)
			}
			for _, leak := range []string{"hunter2", "%zz"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("error %q contains the password", err)
				}
			}
		})
	}
	if _, err := NewSMTP("smtp://mail.example.com", "not an address"); !errors.Is(err, ErrInvalidFrom) {
		t.Errorf("bad default From: %v, want ErrInvalidFrom", err)
	}
}

// Both senders build the message with the same code: apart from Date and
// the MIME boundary, the bytes are the same.
func TestSMTPAndMaildirAgree(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, plainText, nil)
	s, err := NewSMTP(smtpURL("smtp", testUser, testPass, srv.addr), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), testMessage); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	d, err := NewMaildir(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Send(context.Background(), testMessage); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "new"))
	if err != nil || len(entries) != 1 {
		t.Fatalf("new/: %v, %v", entries, err)
	}
	file, err := os.ReadFile(filepath.Join(dir, "new", entries[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	wire := srv.deliveries()[0].data
	a, b := parseMessage(t, file), parseMessage(t, wire)
	if a.text != b.text || a.html != b.html || a.subject != b.subject {
		t.Error("Maildir and SMTP messages differ in content")
	}
	for k := range a.header {
		if k == "Date" || k == "Content-Type" {
			continue
		}
		if a.header.Get(k) != b.header.Get(k) {
			t.Errorf("%s: Maildir %q, SMTP %q", k, a.header.Get(k), b.header.Get(k))
		}
	}
	if len(a.header) != len(b.header) {
		t.Errorf("Maildir has %d header fields, SMTP %d", len(a.header), len(b.header))
	}
}

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "127.0.0.1": true, "127.0.0.2": true, "::1": true,
		"mail.example.com": false, "10.0.0.1": false, "localhost.example.com": false,
	} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}
