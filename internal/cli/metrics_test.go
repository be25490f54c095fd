package cli

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMetricsListener: /metrics on the main address wants a token; with
// --metrics-addr a second listener serves it without one, starts with the
// server and stops with it. Without the flag there is no second listener.
func TestMetricsListener(t *testing.T) {
	t.Parallel()
	for _, withListener := range []bool{true, false} {
		t.Run(map[bool]string{true: "metrics-addr", false: "off"}[withListener], func(t *testing.T) {
			t.Parallel()
			dir, vars := dataDir(t)
			if withListener {
				vars["CUSTOS_METRICS_ADDR"] = "127.0.0.1:0"
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			addrc, metricsc := make(chan string, 1), make(chan string, 1)
			done := make(chan int, 1)
			var logs syncBuffer
			go func() {
				done <- Main(ctx, []string{"serve"}, Env{Stdout: io.Discard, Stderr: &logs,
					Getenv: func(k string) string { return vars[k] }, Ready: func(a string) { addrc <- a },
					MetricsReady: func(a string) { metricsc <- a }})
			}()
			var base string
			select {
			case a := <-addrc:
				base = "http://" + a
			case code := <-done:
				t.Fatalf("serve exited %d: %s", code, logs.String())
			case <-time.After(60 * time.Second):
				t.Fatal("serve did not start")
			}
			if status, _ := get(t, base+"/metrics", ""); status != 401 {
				t.Fatalf("main address /metrics without a token: %d", status)
			}
			adminTok, err := os.ReadFile(filepath.Join(dir, "admin.token"))
			if err != nil {
				t.Fatal(err)
			}
			if status, b := get(t, base+"/metrics", strings.TrimSpace(string(adminTok))); status != 200 || !strings.Contains(string(b), "custos_http_requests_total") {
				t.Fatalf("main address /metrics as admin: %d", status)
			}
			var maddr string
			if withListener {
				// The listener is ready before the main address is announced.
				select {
				case maddr = <-metricsc:
				default:
					t.Fatal("no metrics listener")
				}
				status, b := get(t, "http://"+maddr+"/metrics", "")
				if status != 200 || !strings.Contains(string(b), `custos_http_requests_total{code="401",pattern="GET /metrics"} 1`) {
					t.Fatalf("metrics listener: %d %.300s", status, b)
				}
				// It serves metrics and nothing else.
				if status, _ := get(t, "http://"+maddr+"/api/v1/policy", ""); status != 404 {
					t.Fatalf("metrics listener served the API: %d", status)
				}
			} else if len(metricsc) != 0 || strings.Contains(logs.String(), "metrics listener") {
				t.Fatal("a metrics listener started without --metrics-addr")
			}
			cancel()
			select {
			case code := <-done:
				if code != 0 {
					t.Fatalf("serve exited %d: %s", code, logs.String())
				}
			case <-time.After(15 * time.Second):
				t.Fatal("serve did not stop")
			}
			if withListener {
				if resp, err := http.Get("http://" + maddr + "/metrics"); err == nil {
					resp.Body.Close()
					t.Fatal("the metrics listener outlived the server")
				}
			}
		})
	}
}
