package connected

import (
	"errors"
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
	"github.com/custos-privacy/custos/store"
)

func TestMask(t *testing.T) {
	t.Parallel()
	s := New(Config{MaskSecret: []byte("instance secret")})
	other := New(Config{MaskSecret: []byte("another instance")})
	field := func(length int) *dataset.Field { return &dataset.Field{Name: "f", Length: length} }
	letters := regexp.MustCompile(`^[A-Za-z]*$`)
	hexRE := regexp.MustCompile(`^[0-9a-f]+$`)
	cases := []struct {
		name  string
		m     dataset.Masking
		f     *dataset.Field
		v     any
		check func(t *testing.T, got any)
	}{
		{"null", dataset.Masking{Strategy: dataset.MaskNull}, field(0), "Ana", func(t *testing.T, got any) {
			if got != nil {
				t.Errorf("null_rewrite = %v", got)
			}
		}},
		{"no strategy is null", dataset.Masking{}, field(0), int64(7), func(t *testing.T, got any) {
			if got != nil {
				t.Errorf("empty strategy = %v", got)
			}
		}},
		{"string rewrite with suffix", dataset.Masking{Strategy: dataset.MaskString, Value: "redacted", Suffix: "@example.invalid"}, field(0), "ana@example.com",
			func(t *testing.T, got any) {
				if got != "redacted@example.invalid" {
					t.Errorf("string_rewrite = %q", got)
				}
			}},
		{"string rewrite cut to the column", dataset.Masking{Strategy: dataset.MaskString, Value: "redacted", Suffix: "-x"}, field(5), "Ana",
			func(t *testing.T, got any) {
				if got != "redac" {
					t.Errorf("string_rewrite in 5 = %q", got)
				}
			}},
		{"random keeps the length", dataset.Masking{Strategy: dataset.MaskRandomString}, field(0), "Ana Lima", func(t *testing.T, got any) {
			s, _ := got.(string)
			if len(s) != 8 || !letters.MatchString(s) || s == "Ana Lima" {
				t.Errorf("random_string_rewrite of 8 = %q", got)
			}
		}},
		{"random counts characters, not bytes", dataset.Masking{Strategy: dataset.MaskRandomString}, field(0), "Zoë Ørsted", func(t *testing.T, got any) {
			if s, _ := got.(string); utf8.RuneCountInString(s) != 10 || !letters.MatchString(s) {
				t.Errorf("random of 10 characters = %q", got)
			}
		}},
		{"random of a set length", dataset.Masking{Strategy: dataset.MaskRandomString, Length: 4}, field(0), "Ana Lima", func(t *testing.T, got any) {
			if s, _ := got.(string); len(s) != 4 {
				t.Errorf("random of length 4 = %q", got)
			}
		}},
		{"random fits the column", dataset.Masking{Strategy: dataset.MaskRandomString, Length: 30}, field(6), "Ana", func(t *testing.T, got any) {
			if s, _ := got.(string); len(s) != 6 {
				t.Errorf("random in 6 = %q", got)
			}
		}},
		{"random leaves null null", dataset.Masking{Strategy: dataset.MaskRandomString}, field(0), nil, func(t *testing.T, got any) {
			if got != nil {
				t.Errorf("random of null = %q; erasure must not invent data", got)
			}
		}},
		{"hmac", dataset.Masking{Strategy: dataset.MaskHMAC}, field(0), "ana@example.com", func(t *testing.T, got any) {
			if s, _ := got.(string); len(s) != 64 || !hexRE.MatchString(s) {
				t.Errorf("hmac = %q", got)
			}
		}},
		{"hmac fits the column", dataset.Masking{Strategy: dataset.MaskHMAC}, field(16), "ana@example.com", func(t *testing.T, got any) {
			full, _ := s.mask(dataset.Masking{Strategy: dataset.MaskHMAC}, field(0), "ana@example.com")
			if str, _ := got.(string); len(str) != 16 || !strings.HasPrefix(full.(string), str) {
				t.Errorf("hmac in 16 = %q (full %q)", got, full)
			}
		}},
		{"hmac of null", dataset.Masking{Strategy: dataset.MaskHMAC}, field(0), nil, func(t *testing.T, got any) {
			if got != nil {
				t.Errorf("hmac of null = %v", got)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.mask(c.m, c.f, c.v)
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, got)
		})
	}

	t.Run("hmac is deterministic and keyed", func(t *testing.T) {
		t.Parallel()
		m := dataset.Masking{Strategy: dataset.MaskHMAC}
		a1, _ := s.mask(m, field(0), "ana@example.com")
		a2, _ := s.mask(m, field(0), "ana@example.com")
		b, _ := s.mask(m, field(0), "bob@example.com")
		h, _ := s.mask(dataset.Masking{Strategy: dataset.MaskHash}, field(0), "ana@example.com")
		o, _ := other.mask(m, field(0), "ana@example.com")
		if a1 != a2 || a1 == b || h != a1 || o == a1 {
			t.Fatalf("hmac: same %v, other value %v, hash synonym %v, other secret %v", a1 == a2, a1 != b, h == a1, o != a1)
		}
	})
	t.Run("random differs each time", func(t *testing.T) {
		t.Parallel()
		m := dataset.Masking{Strategy: dataset.MaskRandomString}
		x, _ := s.mask(m, field(0), "a long enough value")
		y, _ := s.mask(m, field(0), "a long enough value")
		if x == y {
			t.Fatalf("two random masks agree: %q", x)
		}
	})
	t.Run("unknown strategy", func(t *testing.T) {
		t.Parallel()
		if _, err := s.mask(dataset.Masking{Strategy: "shuffle"}, field(0), "x"); err == nil {
			t.Fatal("an unknown strategy masked")
		}
	})
}

func TestStrategy(t *testing.T) {
	t.Parallel()
	hmac := &dataset.Masking{Strategy: dataset.MaskHMAC}
	rewrite := &dataset.Masking{Strategy: dataset.MaskString, Value: "x"}
	del := &dataset.Masking{Strategy: dataset.MaskDelete}
	cases := []struct {
		name      string
		coll, fld *dataset.Masking
		want      string
	}{
		{"default", nil, nil, dataset.MaskNull},
		{"collection", hmac, nil, dataset.MaskHMAC},
		{"field wins", hmac, rewrite, dataset.MaskString},
		{"collection delete masks fields with null", del, nil, dataset.MaskNull},
		{"field under a deleting collection", del, hmac, dataset.MaskHMAC},
	}
	for _, c := range cases {
		got := strategy(&dataset.Collection{Masking: c.coll}, &dataset.Field{Masking: c.fld})
		if got.Strategy != c.want {
			t.Errorf("%s: strategy %q, want %q", c.name, got.Strategy, c.want)
		}
	}
}

func TestRowsRoundTrip(t *testing.T) {
	t.Parallel()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("CET", 3600)
	}
	at := time.Date(2026, 3, 6, 15, 4, 5, 123456789, time.UTC)
	cases := []struct {
		name string
		in   any
		want any // nil: the same as in
	}{
		{"nil", nil, nil},
		{"int64", int64(42), nil},
		{"int64 max", int64(math.MaxInt64), nil},
		{"int64 min", int64(math.MinInt64), nil},
		{"int64 above 2^53", int64(1<<53 + 1), nil},
		{"int becomes int64", 7, int64(7)},
		{"float64", 0.1, nil},
		{"float64 whole", float64(3), nil},
		{"bool true", true, nil},
		{"bool false", false, nil},
		{"string", "Ana Lima", nil},
		{"empty string", "", nil},
		{"digits stay a string", "0042", nil},
		{"time", at, nil},
		{"bytes become a string", []byte("abc"), "abc"},
		{"a binary key is kept byte for byte", "\xc0\xff\xee\x00\x01", nil},
		{"binary bytes", []byte{0xff, 0xfe, 0}, "\xff\xfe\x00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			want := c.want
			if want == nil {
				want = c.in
			}
			b, err := encodeRows([]connector.Row{{"v": c.in, "k": int64(1)}})
			if err != nil {
				t.Fatal(err)
			}
			rows, err := decodeRows(b)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := rows[0]["v"]
			if !ok || !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip of %#v = %#v (%T), want %#v (%T)", c.in, got, got, want, want)
			}
			if keyOf(got) != keyOf(want) {
				t.Fatalf("key %q, want %q", keyOf(got), keyOf(want))
			}
		})
	}
	t.Run("time in another zone is the same instant", func(t *testing.T) {
		t.Parallel()
		in := at.In(paris)
		b, _ := encodeRows([]connector.Row{{"at": in}})
		rows, err := decodeRows(b)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := rows[0]["at"].(time.Time)
		if !ok || !got.Equal(in) || keyOf(got) != keyOf(in) {
			t.Fatalf("time %v round-tripped to %#v", in, rows[0]["at"])
		}
	})
	t.Run("many rows keep their order", func(t *testing.T) {
		t.Parallel()
		in := []connector.Row{{"id": int64(3)}, {"id": int64(1)}, {}, {"id": int64(2), "x": nil}}
		b, _ := encodeRows(in)
		got, err := decodeRows(b)
		if err != nil || !reflect.DeepEqual(got, in) {
			t.Fatalf("rows = %#v, %v", got, err)
		}
	})
	t.Run("keys tell types apart", func(t *testing.T) {
		t.Parallel()
		if keyOf(int64(1)) == keyOf("1") || keyOf(true) == keyOf("true") || keyOf(nil) == keyOf("") {
			t.Fatal("keyOf confuses an integer, a boolean or null with a string")
		}
	})
	t.Run("garbage is an error", func(t *testing.T) {
		t.Parallel()
		for _, b := range []string{`{`, `[{"v":{"t":"i","v":"x"}}]`, `[{"v":{"t":"t","v":"yesterday"}}]`, `[{"v":{"t":"x","v":"%%"}}]`} {
			if _, err := decodeRows([]byte(b)); err == nil {
				t.Errorf("decodeRows(%s) did not fail", b)
			}
		}
	})
}

func TestCorrectionCategory(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		corrections map[string]string
		categories  []string
		want        string
		ok          bool
	}{
		{"exact", map[string]string{"user.contact.email": "new@example.com"}, []string{"user.contact.email"}, "new@example.com", true},
		{"broader named", map[string]string{"user.contact.address": "2 Right Road"}, []string{"user.contact.address.street"}, "2 Right Road", true},
		{"nearest broader wins", map[string]string{"user.contact": "far", "user.contact.address": "near"}, []string{"user.contact.address.street"}, "near", true},
		{"narrower named does not widen", map[string]string{"user.contact.address.street": "x"}, []string{"user.contact.address"}, "", false},
		{"sibling", map[string]string{"user.contact.phone_number": "+1"}, []string{"user.contact.email"}, "", false},
		{"prefix is not a parent", map[string]string{"user.contact.add": "x"}, []string{"user.contact.address"}, "", false},
		{"any of the field's categories", map[string]string{"user.name": "Ana"}, []string{"system.operations", "user.name.first"}, "Ana", true},
	}
	for _, c := range cases {
		r := &run{job: Job{Corrections: c.corrections}}
		got, ok := r.correction(&dataset.Field{Name: "f", Categories: c.categories})
		if got != c.want || ok != c.ok {
			t.Errorf("%s: correction = %q, %v; want %q, %v", c.name, got, ok, c.want, c.ok)
		}
	}
	// A linking or read-only field is never corrected, whatever its category.
	r := &run{job: Job{Corrections: map[string]string{"user": "x"}}}
	c := &dataset.Collection{Fields: []*dataset.Field{
		{Name: "id", Categories: []string{"user.unique_id"}, PrimaryKey: true},
		{Name: "ref", Categories: []string{"user.unique_id"}, References: []dataset.Reference{{Dataset: "d", Collection: "c", Field: "id"}}},
		{Name: "fixed", Categories: []string{"user.name"}, ReadOnly: true},
		{Name: "name", Categories: []string{"user.name"}},
	}}
	if fs := r.targetFields(PhaseCorrection, c); len(fs) != 1 || fs[0].Name != "name" {
		t.Fatalf("correction targets %v", fs)
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	cases := []struct {
		raw, want, secret string
	}{
		{"postgres://custos:s3cret@db.example:5432/shop?sslmode=require", "postgres://custos:xxxxx@db.example:5432/shop", "s3cret"},
		{"mysql://root@127.0.0.1:3306/shop", "mysql://root@127.0.0.1:3306/shop", ""},
		{"redis://:hunter2@cache:6379/0", "redis://:xxxxx@cache:6379/0", "hunter2"},
		{"sqlite:/var/lib/shop.db", "sqlite:/var/lib/shop.db", ""},
		{"https://hooks.example/custos?token=abc123#frag", "https://hooks.example/custos", "abc123"},
		// Passwords a URL parser reads as something else.
		{"postgres://custos:p%ss@db/shop", "postgres://custos:xxxxx@db/shop", "p%ss"},
		{"postgres://custos:12/ab@db/shop", "postgres://custos:xxxxx@db/shop", "12/ab"},
		{"postgres://custos:12?ab@db/shop", "postgres://custos:xxxxx@db/shop", "12?ab"},
		{"postgres://custos:pa#ss@db/shop", "postgres://custos:xxxxx@db/shop", "pa#ss"},
		{"mysql://root:p@ss@db/shop", "mysql://root:xxxxx@db/shop", "p@ss"},
		// An '@' that is no password's.
		{"https://hooks.example/custos?token=abc123&notify=ops@example.com", "https://hooks.example/custos", "abc123"},
		{"sqlite:/srv/ops@shop/shop.db?mode=ro", "sqlite:/srv/ops@shop/shop.db", ""},
		{"redis://cache:6379/0", "redis://cache:6379/0", ""},
	}
	for _, c := range cases {
		got := Redact(c.raw)
		if got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.raw, got, c.want)
		}
		if c.secret != "" && strings.Contains(got, c.secret) {
			t.Errorf("Redact(%q) shows the secret: %q", c.raw, got)
		}
		if c.secret != "" && strings.Contains(c.raw, ":"+c.secret+"@") { // a password: errors that quote it are scrubbed
			if msg := scrub(errors.New("login failed for "+c.raw), c.raw); strings.Contains(msg, c.secret) {
				t.Errorf("scrub kept the password of %q: %q", c.raw, msg)
			}
		}
	}
}

func TestTaskIDs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		id         string
		ok         bool
		req, phase string
		coll       string
		start, end int64
	}{
		{TaskID("req_1", PhaseAccess, "shop:customer"), true, "req_1", PhaseAccess, "shop:customer", -1, -1},
		{BatchTaskID("req_1", PhaseErasure, "shop:login", 1000, 2000), true, "req_1", PhaseErasure, "shop:login", 1000, 2000},
		{BatchTaskID("req_1", PhaseCorrection, "shop:customer", 0, 1), true, "req_1", PhaseCorrection, "shop:customer", 0, 1},
		{TaskID("req_1", PhaseErasure, "shop:login"), false, "", "", "", 0, 0}, // a write needs its batch
		{"req_1~erasure~shop:login~5-5", false, "", "", "", 0, 0},
		{"req_1~erasure~shop:login~x-5", false, "", "", "", 0, 0},
		{"req_1~deletion~shop:login", false, "", "", "", 0, 0},
		{"req_1~access", false, "", "", "", 0, 0},
		{"~access~shop:customer", false, "", "", "", 0, 0},
		{"req_1~access~nocollection", false, "", "", "", 0, 0},
	}
	for _, c := range cases {
		req, phase, a, start, end, ok := parseTaskID(c.id)
		if ok != c.ok || (ok && (req != c.req || phase != c.phase || a.String() != c.coll || start != c.start || end != c.end)) {
			t.Errorf("parseTaskID(%q) = %q %q %q %d %d %v", c.id, req, phase, a, start, end, ok)
		}
	}
}

func TestKeptNotes(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{KindAccess, KindErasure, KindCorrection} {
		r := &run{job: Job{Kind: kind}, tasks: map[string]*store.Task{}}
		add := func(phase, coll, status, note string, found int64) {
			a, _ := dataset.ParseAddress(coll)
			r.tasks[taskKey(phase, a)] = &store.Task{Phase: phase, Collection: coll, Status: status, Note: note, Found: found}
		}
		add(PhaseAccess, "shop:employee", store.TaskSkipped, "needs identity employee_id, which this person has not given", 0)
		add(PhaseAccess, "crm:contact", store.TaskSkipped, "Dataset crm has no connection.", 0)
		add(PhaseErasure, "shop:address", store.TaskDone, "1 rows kept: other people's records refer to them.", 1)
		add(PhaseCorrection, "shop:visit", store.TaskSkipped, "Not corrected: the dataset declares no primary key for this collection, so its rows cannot be told apart.", 0)
		var out Outcome
		r.keptNotes(&out)
		for _, k := range out.Kept {
			if k.What == "shop:employee" || k.What == "crm:contact" {
				t.Errorf("%s: a collection the person's identities never reached is in the answer: %+v", kind, k)
			}
		}
		if len(out.Kept) != 2 {
			t.Errorf("%s: kept %+v", kind, out.Kept)
		}
	}
}

func TestInvalidDatasetIs422(t *testing.T) {
	t.Parallel()
	_, err := dataset.Load("bad.yml", []byte("dataset:\n  - name: no key\n"))
	if err == nil {
		t.Fatal("a dataset without fides_key loaded")
	}
	e := custos.AsError(invalidDataset(err))
	if e.Kind != custos.KindUnprocessable || e.Code != "invalid_dataset" || !strings.Contains(e.Message, "bad.yml:") {
		t.Fatalf("invalid dataset = kind %d %s %q", e.Kind, e.Code, e.Message)
	}
	var ps dataset.Problems
	if !errors.As(invalidDataset(err), &ps) {
		t.Fatal("the problems are not kept for the command line")
	}
}
