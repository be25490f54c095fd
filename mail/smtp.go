package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// DefaultSMTPTimeout bounds connecting to the server and each exchange with it.
const DefaultSMTPTimeout = 10 * time.Second

// SMTP sends messages through an SMTP server. It opens one connection per
// message and is safe for concurrent use.
type SMTP struct {
	host        string
	port        int
	implicitTLS bool
	user, pass  string
	auth        bool
	from        string
	tlsConfig   *tls.Config
	timeout     time.Duration
	dialAddr    string // tests: connect here instead of host:port
}

var _ Sender = (*SMTP)(nil)

// SMTPOption configures NewSMTP.
type SMTPOption func(*SMTP)

// WithTLSConfig sets the TLS configuration for STARTTLS and smtps://, e.g.
// to trust a private CA through RootCAs. It is cloned; an empty ServerName
// is set to the URL's host.
func WithTLSConfig(c *tls.Config) SMTPOption {
	return func(s *SMTP) {
		if c != nil {
			s.tlsConfig = c.Clone()
		}
	}
}

// WithTimeout replaces DefaultSMTPTimeout.
func WithTimeout(d time.Duration) SMTPOption {
	return func(s *SMTP) {
		if d > 0 {
			s.timeout = d
		}
	}
}

// NewSMTP returns a Sender for rawURL, which looks like
// smtp://user:pass@host:port (STARTTLS when the server offers it; port 25
// when omitted) or smtps://user:pass@host:port (implicit TLS; port 465 when
// omitted). User and password are optional and must be percent-encoded when
// they contain reserved characters; with them the client authenticates,
// picking the strongest mechanism the server offers. Over a connection
// without TLS it refuses to send a password in the clear (PLAIN, LOGIN),
// except to a loopback address. Errors never contain the password.
// defaultFrom is used for messages without a From; it may be empty.
func NewSMTP(rawURL, defaultFrom string, opts ...SMTPOption) (*SMTP, error) {
	u, err := parseSMTPURL(rawURL)
	if err != nil {
		return nil, err
	}
	if err := parseFrom(defaultFrom); err != nil {
		return nil, err
	}
	s := &SMTP{
		host:        u.Hostname(),
		implicitTLS: u.Scheme == "smtps",
		from:        defaultFrom,
		timeout:     DefaultSMTPTimeout,
	}
	s.port = 25
	if s.implicitTLS {
		s.port = 465
	}
	if p := u.Port(); p != "" {
		s.port, _ = strconv.Atoi(p) // checked by parseSMTPURL
	}
	if u.User != nil {
		s.auth = true
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	for _, o := range opts {
		o(s)
	}
	if s.tlsConfig == nil {
		s.tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if s.tlsConfig.ServerName == "" {
		s.tlsConfig.ServerName = s.host
	}
	return s, nil
}

const smtpURLForm = "smtp://user:pass@host:port or smtps://user:pass@host:port"

// parseSMTPURL parses and checks an SMTP URL without ever putting the user
// information into an error.
func parseSMTPURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, fmt.Errorf("mail: empty SMTP URL (want %s)", smtpURLForm)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse errors quote the URL; report the error of a copy with
		// the user information replaced, or, when that copy parses, say the
		// user information is at fault.
		redacted := redactUserinfo(raw)
		if _, rerr := url.Parse(redacted); rerr != nil {
			var uerr *url.Error
			if errors.As(rerr, &uerr) {
				rerr = uerr.Err
			}
			return nil, fmt.Errorf("mail: malformed SMTP URL %q: %v (want %s)", redacted, rerr, smtpURLForm)
		}
		return nil, fmt.Errorf("mail: malformed user or password in SMTP URL %q: percent-encode reserved characters (want %s)", redacted, smtpURLForm)
	}
	if u.Opaque != "" {
		// "user:pass@host" or "smtp:host" parse as scheme and opaque
		// part, which u.Redacted would not hide: show nothing.
		return nil, fmt.Errorf("mail: malformed SMTP URL: scheme must be smtp or smtps, followed by // (want %s)", smtpURLForm)
	}
	shown := u.Redacted()
	if u.Scheme != "smtp" && u.Scheme != "smtps" {
		return nil, fmt.Errorf("mail: SMTP URL %q: scheme must be smtp or smtps (want %s)", shown, smtpURLForm)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("mail: SMTP URL %q has no host (want %s)", shown, smtpURLForm)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("mail: SMTP URL %q: port must be 1-65535", shown)
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return nil, fmt.Errorf("mail: SMTP URL %q: empty port", shown)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("mail: SMTP URL %q: unexpected path, query or fragment (want %s)", shown, smtpURLForm)
	}
	if u.User != nil && u.User.Username() == "" {
		return nil, fmt.Errorf("mail: SMTP URL %q: empty user name", shown)
	}
	return u, nil
}

// redactUserinfo replaces everything between "://" and the last "@" of the
// authority with "xxxxx".
func redactUserinfo(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		// No authority: "user:pass@host" without a scheme. Hide up to the last @.
		if at := strings.LastIndex(raw, "@"); at >= 0 {
			return "xxxxx" + raw[at:]
		}
		return raw
	}
	rest := raw[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return raw
	}
	return raw[:i+3] + "xxxxx" + rest[at:]
}

// String returns the server's URL without the password.
func (s *SMTP) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(s.host, strconv.Itoa(s.port))}
	if s.implicitTLS {
		u.Scheme = "smtps"
	}
	if s.auth {
		u.User = url.User(s.user)
	}
	return u.String()
}

// Send delivers m over a new connection. ctx bounds the whole exchange:
// when it is done, the connection is closed and Send returns ctx's error.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	msg, err := m.build(s.from, time.Now())
	if err != nil {
		return err
	}
	addr := s.dialAddr
	if addr == "" {
		addr = net.JoinHostPort(s.host, strconv.Itoa(s.port))
	}

	var (
		mu     sync.Mutex
		conn   net.Conn
		closed bool
	)
	dial := func(dctx context.Context, network, _ string) (net.Conn, error) {
		d := &net.Dialer{Timeout: s.timeout}
		var c net.Conn
		var err error
		if s.implicitTLS {
			c, err = (&tls.Dialer{NetDialer: d, Config: s.tlsConfig}).DialContext(dctx, network, addr)
		} else {
			c, err = d.DialContext(dctx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		mu.Lock()
		defer mu.Unlock()
		if closed {
			_ = c.Close()
			return nil, ctx.Err()
		}
		conn = c
		return c, nil
	}
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		closed = true
		if conn != nil {
			_ = conn.Close()
		}
	})
	defer stop()

	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(s.timeout),
		gomail.WithTLSConfig(s.tlsConfig),
		// For smtp:// STARTTLS when offered. For smtps:// the dialer has
		// already done TLS, which go-mail recognises, and servers do not
		// offer STARTTLS on a TLS connection.
		gomail.WithTLSPolicy(gomail.TLSOpportunistic),
		gomail.WithDialContextFunc(dial),
	}
	if s.auth {
		opts = append(opts, gomail.WithUsername(s.user), gomail.WithPassword(s.pass))
		if isLoopback(s.host) {
			// A password to this machine does not cross the network, so
			// PLAIN and LOGIN are fine without TLS (test and relay setups on
			// 127.0.0.1); challenge-response mechanisms are still preferred.
			opts = append(opts, gomail.WithOpportunisticSMTPAuth(
				gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1, gomail.SMTPAuthCramMD5,
				gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc))
		} else {
			// Auto-discovery picks the strongest offered mechanism and
			// offers no cleartext-password mechanism without TLS.
			opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover))
		}
	}
	client, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return fmt.Errorf("mail: smtp %s: %w", s, err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return fmt.Errorf("mail: smtp %s: %w (%v)", s, cerr, err)
		}
		var se *gomail.SendError
		if errors.As(err, &se) && se.Reason == gomail.ErrSMTPRcptTo && !se.IsTemp() && se.ErrorCode() >= 500 {
			// Only the codes: the server's text and go-mail's name the
			// address, which goes no further than the message.
			return fmt.Errorf("mail: smtp %s: %w: the server refused the recipient (%d %s)", s, ErrUndeliverable, se.ErrorCode(), se.EnhancedStatusCode())
		}
		if se != nil {
			// A temporary or other failure of one step: the step and the
			// codes say what went wrong; go-mail's text lists the recipient
			// and the server's reply quotes it, and this error is stored
			// with the message and logged.
			return fmt.Errorf("mail: smtp %s: %s failed (%d %s, temporary: %t)", s, se.Reason, se.ErrorCode(), se.EnhancedStatusCode(), se.IsTemp())
		}
		if errors.Is(err, gomail.ErrNoSupportedAuthDiscovered) {
			return fmt.Errorf("mail: smtp %s: no authentication mechanism the server offers is safe without TLS (the server did not offer STARTTLS; use smtps:// or enable STARTTLS): %w", s, err)
		}
		return fmt.Errorf("mail: smtp %s: %w", s, err)
	}
	return nil
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
