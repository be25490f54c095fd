# The two commands of the README: `make run` and `make test`.
GO ?= go

.PHONY: run test build vet fuzz bench

run:
	$(GO) run ./cmd/custos serve

# The whole suite, on SQLite and on the PostgreSQL at 127.0.0.1:5432
# (CUSTOS_TEST_POSTGRES to point elsewhere). .ci/run runs exactly this.
test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...

build:
	$(GO) build -buildvcs=auto -o custos ./cmd/custos

# Each parser's fuzz target for a short while (FUZZTIME=1m for longer).
FUZZTIME ?= 20s
fuzz:
	$(GO) test ./policy -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)
	$(GO) test ./internal/yamlpos -run '^$$' -fuzz FuzzGuard -fuzztime $(FUZZTIME)
	$(GO) test ./http/api -run '^$$' -fuzz FuzzDecode -fuzztime $(FUZZTIME)
	$(GO) test ./http/httpjson -run '^$$' -fuzz FuzzDecode -fuzztime $(FUZZTIME)
	$(GO) test ./records -run '^$$' -fuzz FuzzDecodeEvent -fuzztime $(FUZZTIME)
	$(GO) test ./records -run '^$$' -fuzz FuzzNormalisePhone -fuzztime $(FUZZTIME)
	$(GO) test ./requests -run '^$$' -fuzz FuzzIntake -fuzztime $(FUZZTIME)
	$(GO) test ./consent -run '^$$' -fuzz FuzzChoice -fuzztime $(FUZZTIME)
	$(GO) test ./consent/iab -run '^$$' -fuzz FuzzParseTCF -fuzztime $(FUZZTIME)
	$(GO) test ./consent/iab -run '^$$' -fuzz FuzzParseGPP -fuzztime $(FUZZTIME)
	$(GO) test ./jurisdiction -run '^$$' -fuzz FuzzPeriodAfter -fuzztime $(FUZZTIME)
	$(GO) test ./store -run '^$$' -fuzz FuzzRebind -fuzztime $(FUZZTIME)
	$(GO) test ./dataset -run '^$$' -fuzz FuzzLoad -fuzztime $(FUZZTIME)
