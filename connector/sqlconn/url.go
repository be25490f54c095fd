package sqlconn

import (
	"database/sql"
	"errors"
	"fmt"
	"net"
	neturl "net/url"
	"strings"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

const redacted = "xxxxx"

func openPostgres(url string, readOnly bool) (*conn, error) {
	display := redact(url)
	if err := parseURL(url); err != nil {
		return nil, fmt.Errorf("sqlconn: %s is not a valid PostgreSQL URL: %w", display, err)
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx redacts the URL it quotes, but only as well as it can parse it.
		return nil, &safeError{msg: fmt.Sprintf("sqlconn: %s is not a valid PostgreSQL URL: %s", display, scrub(err.Error(), password(url))), err: err}
	}
	// pgx's default statement cache serves here: connectors stay open from
	// one request to the next (dsr keeps them), so each statement is
	// prepared once per connection and then costs one round trip that the
	// server need not parse. Behind a pooler in transaction mode the URL
	// can ask for default_query_exec_mode=exec, which is tested too.
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "custos"
	}
	if readOnly {
		// A second guard behind the refusal in Update and Delete: the server
		// itself rejects writes on this session.
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
	}
	return &conn{db: stdlib.OpenDB(*cfg), dialect: postgres, display: display, secret: cfg.Password}, nil
}

// openMySQL turns mysql://USER:PASS@HOST:PORT/DB?PARAMS into the driver's
// own DSN. The query parameters are the driver's; the few that would break
// what this package promises are overridden.
func openMySQL(url string, readOnly bool) (*conn, error) {
	display := redact(url)
	u, err := neturl.Parse(url)
	if err != nil {
		return nil, fmt.Errorf("sqlconn: %s is not a valid MySQL URL: %w", display, urlErr(err))
	}
	if u.Opaque != "" {
		return nil, fmt.Errorf("sqlconn: %s is not a valid MySQL URL: write mysql://USER:PASS@HOST:PORT/DB", display)
	}
	base := mysqldriver.NewConfig()
	base.User = u.User.Username()
	base.Passwd, _ = u.User.Password()
	base.Net = "tcp"
	host, port := u.Hostname(), u.Port()
	if host == "" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "3306"
	}
	base.Addr = net.JoinHostPort(host, port)
	base.DBName = strings.TrimPrefix(u.Path, "/")
	q := u.Query()
	if sock := q.Get("socket"); sock != "" {
		base.Net, base.Addr = "unix", sock
	}
	q.Del("socket")
	dsn := base.FormatDSN()
	if len(q) > 0 {
		dsn += "?" + q.Encode()
	}
	cfg, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		return nil, &safeError{msg: fmt.Sprintf("sqlconn: %s has parameters the MySQL driver refuses: %s", display, scrub(err.Error(), base.Passwd)), err: err}
	}
	// Times come back as time.Time in UTC; counts are rows matched, as on
	// PostgreSQL and SQLite, so applying an update twice reports the same.
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.ClientFoundRows = true
	// Values travel as placeholders, never spliced into the text; one
	// statement per call; and the server may not make the client read files.
	cfg.InterpolateParams = false
	cfg.MultiStatements = false
	cfg.AllowAllFiles = false
	// The driver logs some failures itself; connectors never log.
	cfg.Logger = &mysqldriver.NopLogger{}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	_ = readOnly // refused in Update and Delete; MySQL and MariaDB name the session variable differently
	cn, err := mysqldriver.NewConnector(cfg)
	if err != nil {
		return nil, &safeError{msg: fmt.Sprintf("sqlconn: %s: %s", display, scrub(err.Error(), cfg.Passwd)), err: err}
	}
	return &conn{db: sql.OpenDB(cn), dialect: mysql, display: display, secret: cfg.Passwd}, nil
}

// openSQLite opens sqlite:PATH. The file must exist: a connector reads the
// company's database and never creates an empty one by mistake.
func openSQLite(url string, readOnly bool) (*conn, error) {
	path := url[len("sqlite:"):]
	path = strings.TrimPrefix(path, "//") // sqlite:///abs/path
	if path == "" {
		return nil, errors.New("sqlconn: sqlite: needs a file path, e.g. sqlite:/var/lib/shop.db")
	}
	if strings.ContainsAny(path, "?#\x00") {
		return nil, fmt.Errorf("sqlconn: the SQLite path %q must not contain '?', '#' or NUL", path)
	}
	mode := "rw&_txlock=immediate"
	if readOnly {
		mode = "ro&_query_only=1"
	}
	// _dqs=0: otherwise SQLite reads a quoted column name that does not
	// exist as a string literal, and Test could not notice a missing column.
	dsn := "file:" + strings.ReplaceAll(path, "%", "%25") + "?mode=" + mode +
		"&_busy_timeout=10000&_dqs=0&_time_format=sqlite"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlconn: sqlite:%s: %w", path, err)
	}
	return &conn{db: db, dialect: sqlite, display: "sqlite:" + path}, nil
}

// parseURL checks that url parses, reporting the reason without the URL
// (which net/url would quote whole, password included).
func parseURL(url string) error {
	if _, err := neturl.Parse(url); err != nil {
		return urlErr(err)
	}
	return nil
}

func urlErr(err error) error {
	var ue *neturl.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// password is the password of a URL, or "" when it has none or does not
// parse.
func password(url string) string {
	u, err := neturl.Parse(url)
	if err != nil || u.User == nil {
		return ""
	}
	p, _ := u.User.Password()
	return p
}

// redact removes the password from a URL, from its user info and from
// password=… parameters. A URL that does not parse is masked from the
// scheme to its last '@', which may hide more than the password but never
// less.
func redact(url string) string {
	if u, err := neturl.Parse(url); err == nil {
		if u.User != nil {
			if _, ok := u.User.Password(); ok {
				u.User = neturl.UserPassword(u.User.Username(), redacted)
			}
		}
		q := u.Query()
		changed := false
		for k := range q {
			if strings.Contains(strings.ToLower(k), "password") {
				q.Set(k, redacted)
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
		return u.String()
	}
	i := strings.Index(url, "://")
	if i < 0 {
		return url
	}
	rest := url[i+3:]
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return url
	}
	user, _, _ := strings.Cut(rest[:at], ":")
	return url[:i+3] + user + ":" + redacted + rest[at:]
}

// scrub removes secret from a message that may echo it.
func scrub(msg, secret string) string {
	if secret == "" {
		return msg
	}
	return strings.ReplaceAll(msg, secret, redacted)
}
