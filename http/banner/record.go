package banner

import (
	"context"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/http/httpjson"
	"github.com/custos-privacy/custos/policy"
)

// maxRecordBody bounds a recording: a device id, a jurisdiction and one
// boolean per consent purpose fit many times over.
const maxRecordBody = 4096

// deviceIDLength is the length of the device ids the script makes: 16
// random bytes in unpadded base64url.
const deviceIDLength = 22

// actor is who the audit log says recorded a banner choice: the person,
// through the banner, known only by a device id.
const actor = "subject:banner"

// RecordRequest is the body of POST /api/v1/banner/consents.
type RecordRequest struct {
	DeviceID string `json:"device_id"`
	// DeviceToken is the token Custos issued for the device; a device
	// that has one must send it.
	DeviceToken  string          `json:"device_token,omitempty"`
	Jurisdiction string          `json:"jurisdiction"`
	Choices      map[string]bool `json:"choices"`
	GPC          bool            `json:"gpc"`
}

// RecordResponse is its answer.
type RecordResponse struct {
	ReceiptID     string                `json:"receipt_id"`
	ReceiptURL    string                `json:"receipt_url"`
	PolicyVersion int64                 `json:"policy_version"`
	GPC           bool                  `json:"gpc"`
	Choices       []consent.ScopeChoice `json:"choices"`
	// DeviceToken is issued with the first choice of a device: the
	// browser keeps it and sends it with every later choice.
	DeviceToken string `json:"device_token,omitempty"`
}

// preflight answers the CORS preflight of a JSON POST from any site.
func (h *handler) preflight(w http.ResponseWriter, r *http.Request) {
	cors(w)
	hd := w.Header()
	hd.Set("Access-Control-Allow-Methods", "POST")
	hd.Set("Access-Control-Allow-Headers", "Content-Type")
	hd.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

// record answers POST /api/v1/banner/consents: one choice of one device,
// recorded in the consent ledger with one signed receipt.
func (h *handler) record(w http.ResponseWriter, r *http.Request) {
	cors(w)
	if ok, wait := h.limit.Allow(h.d.ClientIP(r)); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		h.fail(w, r, custos.Errorf(custos.KindTooMany, "rate_limited", "Too many choices were recorded from this address; try again in a minute."))
		return
	}
	if ok, wait := h.global.Allow(""); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		h.fail(w, r, custos.Errorf(custos.KindTooMany, "rate_limited", "Custos is recording too many choices right now; try again shortly."))
		return
	}
	req, err := decodeRecord(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if h.d.Policies == nil || h.d.Consent == nil || !h.devicesReady() {
		h.fail(w, r, noConsent())
		return
	}
	p, _, err := h.d.Policies.Active(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	scopes, err := checkChoices(p.Manifest, req.Choices)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	gpc := req.GPC || consent.ParseGPC(r.Header.Values("Sec-GPC"))
	sale := SalePurposes(p.Manifest)
	if gpc {
		for _, s := range scopes {
			if s.Granted && sale[s.Scope] {
				e := custos.Errorf(custos.KindUnprocessable, "gpc_conflict",
					"The purpose %q sells or shares personal information, and a Global Privacy Control signal opts out of that.", s.Scope)
				e.Field = "choices." + s.Scope
				h.fail(w, r, e)
				return
			}
		}
	} else if saleChoice, ok := saleSharing(p.Manifest, sale, req.Choices); ok {
		scopes = append(scopes, saleChoice)
	}
	if len(scopes) == 0 && !gpc {
		h.fail(w, r, invalid("choices", "choices must name at least one consent purpose of the policy (or gpc must be true)."))
		return
	}
	// Last of the checks, so a refused body claims nothing.
	issued, err := h.authorizeDevice(r.Context(), req.DeviceID, req.DeviceToken)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rec, err := h.d.Consent.Record(r.Context(), actor, consent.Choice{DeviceID: req.DeviceID, Jurisdiction: req.Jurisdiction,
		Method: "banner", GPC: gpc, Scopes: scopes}, false)
	if err != nil {
		if issued != "" {
			// The token is not going to the browser: let its next try
			// claim the device again.
			if rerr := h.d.Devices.ReleaseBannerDevice(context.WithoutCancel(r.Context()), req.DeviceID); rerr != nil {
				h.d.Logger.ErrorContext(r.Context(), "banner: releasing a device claim failed", "err", rerr)
			}
		}
		h.fail(w, r, err)
		return
	}
	base := h.d.BaseURL
	if base == "" {
		base = strings.TrimSuffix(h.policyURL(r), "/privacy-policy")
	}
	writeJSON(w, http.StatusCreated, RecordResponse{ReceiptID: rec.ReceiptID, PolicyVersion: rec.PolicyVersion, GPC: gpc,
		Choices: rec.Choices, ReceiptURL: strings.TrimRight(base, "/") + "/api/v1/consents/receipts/" + rec.ReceiptID, DeviceToken: issued})
}

// saleSharing derives the ledger's sale-and-sharing scope when the body
// speaks for every purpose that sells or shares: refusing all of them is
// an opt-out of sale and sharing (what the "Do Not Sell or Share" link
// does), granting any lifts an earlier opt-out, which would otherwise
// outrank the grant in decisions.
func saleSharing(m *policy.Manifest, sale, choices map[string]bool) (consent.ScopeChoice, bool) {
	seen, granted := false, false
	for _, p := range m.Purposes {
		if p.LegalBasis != policy.BasisConsent || !sale[p.Key] {
			continue
		}
		g, ok := choices[p.Key]
		if !ok {
			return consent.ScopeChoice{}, false
		}
		seen, granted = true, granted || g
	}
	return consent.ScopeChoice{Scope: consent.ScopeSaleSharing, Granted: granted}, seen
}

func decodeRecord(w http.ResponseWriter, r *http.Request) (RecordRequest, error) {
	var req RecordRequest
	if err := httpjson.DecodeWith(w, r, &req, httpjson.Limits{Bytes: maxRecordBody, TypeRequired: true}); err != nil {
		return req, err
	}
	if !validDeviceID(req.DeviceID) {
		return req, invalid("device_id", "device_id must be %d letters, digits, '-' or '_' (16 random bytes in base64url).", deviceIDLength)
	}
	if !validJurisdiction(req.Jurisdiction) {
		return req, invalid("jurisdiction", "jurisdiction must be an ISO 3166 code such as US-CA, US, GB or DE.")
	}
	return req, nil
}

func validDeviceID(id string) bool {
	return len(id) == deviceIDLength && allIn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
}

// remoteIP is the address the connection came from. Forwarding headers are
// not read: anyone can send them, and a limit keyed on them is no limit.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
