// Package banner serves the consent banner a company adds to its own site
// with one tag, <script src="https://CUSTOS/consent.js" defer></script>, and
// the two public endpoints it talks to across origins: the banner's config
// for a jurisdiction (GET /api/v1/banner) and the recording of a choice in
// the consent ledger (POST /api/v1/banner/consents).
//
// The script and its styles are plain files in this directory (consent.js,
// consent.css), embedded at build time; Register puts the styles into the
// script, minifies trivially and gzips once, so every request is served
// from memory.
package banner

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/http/httpjson"
	"github.com/custos-privacy/custos/internal/ratelimit"
)

var (
	//go:embed consent.js
	scriptSource []byte
	//go:embed consent.css
	styleSource []byte
	// consent-iab.js answers the IAB CMP APIs; the banner loads it only
	// where the policy turns one on and it applies, so the base script
	// stays small.
	//go:embed consent-iab.js
	iabSource []byte
)

// Budget is the most consent.js may weigh, gzipped, styles included: a
// banner on every page of a company's site must cost next to nothing.
const Budget = 10 * 1024

// cssMarker is the string literal in consent.js that Register replaces
// with the styles.
const cssMarker = `"__CUSTOS_CSS__"`

// Deps is what the banner's endpoints need.
type Deps struct {
	Policies Policies
	Consent  Consent
	Logger   *slog.Logger
	Clock    custos.Clock
	// BaseURL is Custos' public address, for the privacy-policy link; empty
	// derives it from each request.
	BaseURL string
	// RecordsPerMinute caps the choices one client address may record;
	// zero means DefaultRecordsPerMinute.
	RecordsPerMinute int
	// GlobalRecordsPerMinute caps the choices all clients together may
	// record, against many addresses filling the ledger at once; zero
	// means DefaultGlobalRecordsPerMinute.
	GlobalRecordsPerMinute int
	// Devices and DeviceKey issue and check device tokens: only the
	// browser that holds a device's token may change its choices. Without
	// them nothing is recorded.
	Devices   DeviceClaims
	DeviceKey []byte
	// ClientIP names the client a request comes from, for the rate limit.
	// Nil uses the connection's address; behind a reverse proxy or CDN,
	// the server should pass one that reads the header that proxy sets
	// (only it can be trusted not to be forged).
	ClientIP func(*http.Request) string
}

// DefaultRecordsPerMinute is generous for a person clicking through a
// banner on several tabs, and small for a script filling the ledger.
const DefaultRecordsPerMinute = 30

// DefaultGlobalRecordsPerMinute is a hundred choices a second across all
// visitors: far above a busy site's banner traffic, and a bound on how
// fast anyone with many addresses can grow the ledger.
const DefaultGlobalRecordsPerMinute = 6000

// Routes lists the patterns Register adds, for the documentation test.
func Routes() []string {
	return []string{
		"GET /consent.js",
		"GET /consent-iab.js",
		"GET /api/v1/banner",
		"POST /api/v1/banner/consents",
		"OPTIONS /api/v1/banner/consents",
	}
}

// Register adds the banner's routes to mux. The embedded script is built
// here; a build failure is a defect of this package (the tests catch it),
// so it panics like template.Must.
func Register(mux *http.ServeMux, d Deps) {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Clock == nil {
		d.Clock = custos.SystemClock{}
	}
	if d.RecordsPerMinute <= 0 {
		d.RecordsPerMinute = DefaultRecordsPerMinute
	}
	if d.GlobalRecordsPerMinute <= 0 {
		d.GlobalRecordsPerMinute = DefaultGlobalRecordsPerMinute
	}
	if d.ClientIP == nil {
		d.ClientIP = remoteIP
	}
	js, err := Build()
	if err != nil {
		panic(err)
	}
	module, err := BuildIAB()
	if err != nil {
		panic(err)
	}
	h := &handler{d: d, js: js, iab: module, limit: ratelimit.NewBucket(d.Clock, d.RecordsPerMinute, time.Minute), global: ratelimit.NewBucket(d.Clock, d.GlobalRecordsPerMinute, time.Minute)}
	mux.HandleFunc("GET /consent.js", h.script)
	mux.HandleFunc("GET /consent-iab.js", h.iabScript)
	mux.HandleFunc("GET /api/v1/banner", h.config)
	mux.HandleFunc("POST /api/v1/banner/consents", h.record)
	mux.HandleFunc("OPTIONS /api/v1/banner/consents", h.preflight)
}

type handler struct {
	d      Deps
	js     Script
	iab    Script
	limit  *ratelimit.Bucket // per client address
	global *ratelimit.Bucket // all clients, under the one key ""
}

// Script is consent.js as served: plain and gzipped, each with its strong
// ETag (two encodings are two representations, so two tags).
type Script struct {
	Plain, Gzip         []byte
	PlainETag, GzipETag string
}

// Build assembles consent.js from the embedded sources.
func Build() (Script, error) {
	css, err := json.Marshal(minifyCSS(styleSource))
	if err != nil {
		return Script{}, fmt.Errorf("banner: encode styles: %w", err)
	}
	js := minifyJS(scriptSource)
	if n := bytes.Count(js, []byte(cssMarker)); n != 1 {
		return Script{}, fmt.Errorf("banner: consent.js must hold the marker %s once, holds it %d times", cssMarker, n)
	}
	return pack(bytes.Replace(js, []byte(cssMarker), css, 1))
}

// BuildIAB assembles consent-iab.js, the module of the IAB CMP APIs.
func BuildIAB() (Script, error) { return pack(minifyJS(iabSource)) }

// pack gzips a script and tags both encodings.
func pack(js []byte) (Script, error) {
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return Script{}, fmt.Errorf("banner: gzip: %w", err)
	}
	if _, err := zw.Write(js); err != nil {
		return Script{}, fmt.Errorf("banner: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return Script{}, fmt.Errorf("banner: gzip: %w", err)
	}
	sum := sha256.Sum256(js)
	tag := base64.RawURLEncoding.EncodeToString(sum[:15])
	return Script{Plain: js, Gzip: gz.Bytes(), PlainETag: `"` + tag + `"`, GzipETag: `"` + tag + `-gz"`}, nil
}

// minifyJS drops what the browser never needs: whole-line comments,
// indentation and blank lines. Anything cleverer would need a JavaScript
// parser; gzip takes care of the rest.
func minifyJS(src []byte) []byte {
	var out bytes.Buffer
	inBlock := false
	for _, line := range strings.Split(string(src), "\n") {
		t := strings.TrimSpace(line)
		switch {
		case inBlock:
			inBlock = !strings.Contains(t, "*/")
			continue
		case strings.HasPrefix(t, "/*"):
			inBlock = !strings.Contains(t, "*/")
			continue
		case t == "" || strings.HasPrefix(t, "//"):
			continue
		}
		out.WriteString(t)
		out.WriteByte('\n')
	}
	return out.Bytes()
}

// minifyCSS drops comments and the whitespace around punctuation.
func minifyCSS(src []byte) string {
	s := string(src)
	var b strings.Builder
	for {
		i := strings.Index(s, "/*")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.Index(s[i+2:], "*/")
		if j < 0 {
			break
		}
		s = s[i+2+j+2:]
	}
	s = strings.Join(strings.Fields(b.String()), " ")
	for _, p := range []string{"{", "}", ";", ","} {
		s = strings.ReplaceAll(s, " "+p, p)
		s = strings.ReplaceAll(s, p+" ", p)
	}
	s = strings.ReplaceAll(s, ": ", ":")
	return strings.ReplaceAll(s, ";}", "}")
}

// script serves consent.js. Sites embed it on every page, so it is cached
// for an hour and revalidated by ETag after.
func (h *handler) script(w http.ResponseWriter, r *http.Request) {
	serveScript(w, r, "consent.js", h.js)
}

func (h *handler) iabScript(w http.ResponseWriter, r *http.Request) {
	serveScript(w, r, "consent-iab.js", h.iab)
}

func serveScript(w http.ResponseWriter, r *http.Request, name string, js Script) {
	hd := w.Header()
	hd.Set("Content-Type", "text/javascript; charset=utf-8")
	hd.Set("Cache-Control", "public, max-age=3600")
	hd.Set("Vary", "Accept-Encoding")
	// Sites may load it with crossorigin and integrity, or under COEP.
	hd.Set("Access-Control-Allow-Origin", "*")
	hd.Set("Cross-Origin-Resource-Policy", "cross-origin")
	body, tag := js.Plain, js.PlainETag
	if acceptsGzip(r.Header.Values("Accept-Encoding")) {
		body, tag = js.Gzip, js.GzipETag
		hd.Set("Content-Encoding", "gzip")
	}
	hd.Set("ETag", tag)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reads Accept-Encoding, where "gzip;q=0" is a refusal.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			if c := strings.ToLower(strings.TrimSpace(coding)); c != "gzip" && c != "*" {
				continue
			}
			refused := false
			for _, p := range strings.Split(params, ";") {
				k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(k, "q") {
					q, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
					refused = err != nil || q <= 0
				}
			}
			if !refused {
				return true
			}
		}
	}
	return false
}

// cors marks an answer readable by any site. Credentials are never
// allowed: the banner sends no cookies and Custos reads none.
func cors(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "Retry-After, ETag")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
}

func writeJSON(w http.ResponseWriter, status int, v any) { httpjson.Write(w, status, v) }

func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := custos.AsError(err)
	if status := httpjson.WriteError(w, e); status >= 500 {
		h.d.Logger.ErrorContext(r.Context(), "banner request failed", "pattern", r.Pattern, "code", e.Code, "err", err)
	}
}

// noConsent answers when the server was built without the consent
// service (some benchmarks build a partial API).
func noConsent() error {
	return custos.Errorf(custos.KindUnavailable, custos.CodeUnavailable, "Consent is not available on this server.")
}

func invalid(field, format string, args ...any) *custos.Error {
	e := custos.Errorf(custos.KindInvalid, custos.CodeInvalidRequest, format, args...)
	e.Field = field
	return e
}
