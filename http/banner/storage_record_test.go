package banner_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/http/banner"
)

// "Reject all" covers analytics on legitimate interests too, and that
// refusal lands in the ledger with its receipt like any other choice.
func TestRecordRefusalOfAnalyticsStorage(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	const dev = "ZyXwVuTsRqPoNmLkJiHgFe"
	body := `{"device_id":"` + dev + `","jurisdiction":"DE","choices":{"analytics.reporting":false,"third_party_sharing":false}}`
	resp, b := get(t, "POST", c.url+"/api/v1/banner/consents", body, "Content-Type", "application/json")
	var rec banner.RecordResponse
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(b, &rec) != nil || rec.Choices[0] != (consent.ScopeChoice{Scope: "analytics.reporting"}) {
		t.Fatalf("record %d %s", resp.StatusCode, b)
	}
	st := c.ledger(t, dev)
	if a, ok := current(st)["analytics.reporting"]; !ok || a.Granted || a.Method != "banner" || a.ReceiptID != rec.ReceiptID {
		t.Errorf("ledger %+v", st)
	}
	// A strictly necessary purpose is no choice.
	body = `{"device_id":"` + dev + `","device_token":"` + rec.DeviceToken + `","jurisdiction":"DE","choices":{"essential.service.authentication":false}}`
	if resp, b := get(t, "POST", c.url+"/api/v1/banner/consents", body, "Content-Type", "application/json"); resp.StatusCode != 422 || errorCode(t, b) != "not_a_consent_purpose" {
		t.Errorf("strictly necessary: %d %s", resp.StatusCode, b)
	}
}
