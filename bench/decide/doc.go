// Package decide measures consent decisions in process: Custos's engine
// (consent.Engine.Decide) against the same policy written in Rego and run by
// OPA, and written in Cedar and run by cedar-go, over the same subjects and
// the same questions. TestSameAnswers checks the three agree before any
// figure counts.
//
//	cd bench/decide && go test -run SameAnswers . && go test -run '^$' -bench . -benchtime 1s -count 3
//
// It is a module of its own so that OPA and cedar-go never enter the main
// module's dependencies.
package decide
