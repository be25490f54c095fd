package requests

import (
	"html/template"
	"io"
)

var resultPage = template.Must(template.New("result").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your privacy request {{.Request.ID}}</title>
<style>body{font:1rem/1.6 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border:1px solid #c4c4c4;padding:.4rem .6rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}caption{text-align:left;font-weight:600;padding-bottom:.5rem}</style></head>
<body><main>
<h1>Your privacy request</h1>
<p>{{.Summary}}</p>
<dl><dt>Request</dt><dd>{{.Request.ID}} ({{.Request.Type}})</dd><dt>Received</dt><dd>{{.Request.ReceivedAt.Format "2 January 2006"}}</dd>
<dt>Answered</dt><dd>{{.Request.CompletedAt.Format "2 January 2006"}}</dd>{{with .Request.Period}}<dt>Period</dt><dd>{{.}}</dd>{{end}}</dl>
{{with .Identities}}<h2>How we know you</h2><ul>{{range .}}<li>{{.Kind}}: {{.Value}}</li>{{end}}</ul>{{end}}
{{with .Pieces}}<table><caption>The personal information we hold</caption>
<thead><tr><th scope="col">What</th><th scope="col">Value</th><th scope="col">From or to</th><th scope="col">Why</th><th scope="col">When</th></tr></thead><tbody>
{{range .}}<tr><td>{{.Description}}</td><td>{{if .Withheld}}Held, not shown for your security{{else if .Value}}{{.Value}}{{else}}—{{end}}</td>
<td>{{if .Source}}{{.Source}}{{else}}disclosed to {{.Recipient}}{{end}}</td><td>{{.Purpose}}</td><td>{{.At.Format "2006-01-02"}}</td></tr>{{end}}
</tbody></table>{{end}}
{{with .Categories}}<h2>Categories of personal information</h2><ul>{{range .}}<li>{{.Description}}</li>{{end}}</ul>{{end}}
{{with .Sources}}<h2>Where it came from</h2><ul>{{range .}}<li>{{.Description}}</li>{{end}}</ul>{{end}}
{{with .Purposes}}<h2>Why we use it</h2><ul>{{range .}}<li>{{.Description}}</li>{{end}}</ul>{{end}}
{{with .Recipients}}<h2>Who we disclosed it to</h2><ul>{{range .}}<li>{{.Description}}</li>{{end}}</ul>{{end}}
{{with .SoldShared}}<h2>Sold or shared</h2><ul>{{range .}}<li>{{.Description}}</li>{{end}}</ul>{{end}}
{{with .Consents}}<h2>Your choices</h2><ul>{{range .}}<li>{{.Scope}}: {{if .Granted}}yes{{else}}no{{end}} ({{.At.Format "2006-01-02"}})</li>{{end}}</ul>{{end}}
{{with .Disclosures}}<h2>Disclosed for their direct marketing</h2><ul>{{range .}}<li>{{.Name}}: {{range $i, $c := .Categories}}{{if $i}}, {{end}}{{$c}}{{end}}</li>{{end}}</ul>{{end}}
{{with .Actions}}<h2>What we did</h2><ul>{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{with .Kept}}<h2>What we kept, and why</h2><ul>{{range .}}<li>{{.What}}: {{.Why}}{{with .Ground}} Ground: {{.}}{{end}}{{with .Citations}} ({{range $i, $c := .}}{{if $i}}; {{end}}{{$c}}{{end}}){{end}}{{with .Until}} Kept until {{.}}, then deleted.{{end}}</li>{{end}}</ul>{{end}}
<h2>Questions</h2><p>Contact {{.Organisation.Name}} at <a href="mailto:{{.Organisation.Email}}">{{.Organisation.Email}}</a>.</p>
</main></body></html>`))

// RenderHTML writes the readable form of a package.
func RenderHTML(w io.Writer, p Package) error { return resultPage.Execute(w, p) }
