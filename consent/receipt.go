package consent

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/custos-privacy/custos/policy"
)

// Receipt is a consent receipt in the field shape of the Kantara Initiative
// Consent Receipt Specification v1.1, plus a "custos" member with the
// machine-readable choices.
type Receipt struct {
	Version          string           `json:"version"`
	Jurisdiction     string           `json:"jurisdiction"`
	ConsentTimestamp int64            `json:"consentTimestamp"`
	CollectionMethod string           `json:"collectionMethod"`
	ConsentReceiptID string           `json:"consentReceiptID"`
	PublicKey        string           `json:"publicKey"`
	Language         string           `json:"language"`
	PIIPrincipalID   string           `json:"piiPrincipalId"`
	PIIControllers   []PIIController  `json:"piiControllers"`
	PolicyURL        string           `json:"policyUrl"`
	Services         []ReceiptService `json:"services"`
	Sensitive        bool             `json:"sensitive"`
	SPICat           []string         `json:"spiCat"`
	Custos           ReceiptChoices   `json:"custos"`
}

// PIIController is the controller named in a receipt.
type PIIController struct {
	PIIController    string `json:"piiController"`
	OnBehalf         bool   `json:"onBehalf"`
	Contact          string `json:"contact"`
	Address          string `json:"address"`
	Email            string `json:"email"`
	Phone            string `json:"phone"`
	PIIControllerURL string `json:"piiControllerUrl,omitempty"`
}

// ReceiptService groups the purposes of a receipt.
type ReceiptService struct {
	Service  string           `json:"service"`
	Purposes []ReceiptPurpose `json:"purposes"`
}

// ReceiptPurpose is one purpose of a receipt.
type ReceiptPurpose struct {
	Purpose              string   `json:"purpose"`
	PurposeCategory      []string `json:"purposeCategory"`
	ConsentType          string   `json:"consentType"`
	PIICategory          []string `json:"piiCategory"`
	PrimaryPurpose       bool     `json:"primaryPurpose"`
	Termination          string   `json:"termination"`
	ThirdPartyDisclosure bool     `json:"thirdPartyDisclosure"`
	ThirdPartyName       string   `json:"thirdPartyName,omitempty"`
}

// ReceiptChoices is what the person chose, by scope.
type ReceiptChoices struct {
	PolicyVersion int64         `json:"policy_version"`
	GPC           bool          `json:"gpc"`
	Choices       []ScopeChoice `json:"choices"`
}

// ScopeChoice is one choice.
type ScopeChoice struct {
	Scope   string `json:"scope"`
	Granted bool   `json:"granted"`
}

// newReceiptID is a random UUID (version 4).
func newReceiptID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// buildReceipt fills a receipt from the manifest in force.
func buildReceipt(m *policy.Manifest, version int64, baseURL, id, principal, jurisdiction, method string, gpc bool,
	choices []ScopeChoice, pub ed25519.PublicKey, at time.Time) Receipt {
	r := Receipt{
		Version: "KI-CR-v1.1.0", Jurisdiction: jurisdiction, ConsentTimestamp: at.Unix(), CollectionMethod: method,
		ConsentReceiptID: id, PublicKey: base64.RawURLEncoding.EncodeToString(pub), Language: languageOf(m),
		PIIPrincipalID: principal,
		PIIControllers: []PIIController{{PIIController: m.Organisation.Name, Contact: m.Contact.Email, Address: m.Contact.PostalAddress,
			Email: m.Contact.Email, Phone: m.Contact.Phone, PIIControllerURL: m.Organisation.Website}},
		PolicyURL: fmt.Sprintf("%s/privacy-policy?version=%d", strings.TrimRight(baseURL, "/"), version),
		SPICat:    []string{},
		Custos:    ReceiptChoices{PolicyVersion: version, GPC: gpc, Choices: choices},
	}
	svc := ReceiptService{Service: m.Organisation.ShortName, Purposes: []ReceiptPurpose{}}
	for _, c := range choices {
		p := ReceiptPurpose{Purpose: c.Scope, PurposeCategory: []string{c.Scope}, ConsentType: "EXPLICIT", PIICategory: []string{},
			Termination: "Withdrawal at any time, as easily as it was given, or the end of the relationship."}
		if !c.Granted {
			p.ConsentType = "WITHDRAWN"
		}
		switch c.Scope {
		case ScopeSaleSharing:
			p.Purpose, p.ThirdPartyDisclosure = "Sale and sharing of personal information", true
		case ScopeDirectMarketing:
			p.Purpose = "Direct marketing"
		case ScopeObjection:
			p.Purpose = "Processing on legitimate interests (objection, GDPR Art. 21(1))"
		case ScopeSensitive:
			p.Purpose = "Use of sensitive personal information"
		default:
			for _, mp := range m.Purposes {
				if mp.Key == c.Scope {
					p.Purpose = mp.Name
				}
			}
			for _, r := range m.Recipients {
				if r.SaleOrShare && (len(r.Purposes) == 0 || slices.Contains(r.Purposes, c.Scope)) && hasPrefix(c.Scope, "third_party_sharing") {
					p.ThirdPartyDisclosure, p.ThirdPartyName = true, r.Name
				}
			}
		}
		svc.Purposes = append(svc.Purposes, p)
	}
	r.Services = []ReceiptService{svc}
	return r
}

func languageOf(m *policy.Manifest) string {
	if m.Language != "" {
		return m.Language
	}
	return "en"
}

// SignJWS signs payload as a compact JWS with EdDSA (RFC 8037), so anyone
// can verify a receipt with the public key, using any JOSE library.
func SignJWS(payload []byte, kid string, sign func([]byte) []byte) string {
	header, _ := json.Marshal(map[string]string{"alg": "EdDSA", "kid": kid, "typ": "custos-receipt+jwt"})
	enc := base64.RawURLEncoding
	signingInput := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	return signingInput + "." + enc.EncodeToString(sign([]byte(signingInput)))
}

// VerifyJWS checks a compact EdDSA JWS and returns its payload.
func VerifyJWS(jws string, pub ed25519.PublicKey) ([]byte, error) {
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return nil, errors.New("consent: a JWS has three parts")
	}
	enc := base64.RawURLEncoding
	header, err := enc.DecodeString(parts[0])
	if err != nil {
		return nil, fmt.Errorf("consent: JWS header: %w", err)
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(header, &h); err != nil || h.Alg != "EdDSA" {
		return nil, errors.New("consent: JWS is not EdDSA")
	}
	sig, err := enc.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("consent: JWS signature: %w", err)
	}
	if !ed25519.Verify(pub, []byte(parts[0]+"."+parts[1]), sig) {
		return nil, errors.New("consent: the receipt's signature does not verify")
	}
	return enc.DecodeString(parts[1])
}

// JWK is the public key in JSON Web Key form (RFC 8037).
func JWK(pub ed25519.PublicKey, kid string) map[string]string {
	return map[string]string{"kty": "OKP", "crv": "Ed25519", "x": base64.RawURLEncoding.EncodeToString(pub), "kid": kid,
		"use": "sig", "alg": "EdDSA"}
}
