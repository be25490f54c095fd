package cli

import (
	"net/http"
	"strings"
	"testing"
)

// TestMetricsListener: /metrics on the main address wants a token; with
// --metrics-addr a second listener serves it without one, starts with the
// server and stops with it. Without the flag there is no second listener.
func TestMetricsListener(t *testing.T) {
	t.Parallel()
	for _, withListener := range []bool{true, false} {
		t.Run(map[bool]string{true: "metrics-addr", false: "off"}[withListener], func(t *testing.T) {
			t.Parallel()
			_, vars := dataDir(t)
			if withListener {
				vars["CUSTOS_METRICS_ADDR"] = "127.0.0.1:0"
			}
			metricsc := make(chan string, 1)
			srv := startServe(t, vars, func(e *Env) { e.MetricsReady = func(a string) { metricsc <- a } })
			base, logs := srv.base, srv.logs
			if status, _ := get(t, base+"/metrics", ""); status != 401 {
				t.Fatalf("main address /metrics without a token: %d", status)
			}
			if status, b := get(t, base+"/metrics", srv.admin); status != 200 || !strings.Contains(string(b), "custos_http_requests_total") {
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
			srv.stop()
			if withListener {
				if resp, err := http.Get("http://" + maddr + "/metrics"); err == nil {
					resp.Body.Close()
					t.Fatal("the metrics listener outlived the server")
				}
			}
		})
	}
}
