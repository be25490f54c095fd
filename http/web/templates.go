package web

import (
	"embed"
	"html/template"
)

// The pages' templates are files beside the code, as the notice's and the
// mails' are: a page is edited as HTML, and its words and markup are in one
// place. The public pages share the brand header (brand.html.tmpl) and
// their inline styles (public.css, table.css: inline, since the strict CSP
// allows no stylesheet from elsewhere); the console's pages share its head
// and foot (admin.html.tmpl).
//
//go:embed templates/*.html.tmpl templates/*.css
var templateFS embed.FS

// pageTemplate parses a page from its file and the shared files it uses.
// The template is named for the page's file, so Execute runs the page.
func pageTemplate(funcs template.FuncMap, file string, shared ...string) *template.Template {
	files := []string{"templates/" + file}
	for _, s := range shared {
		files = append(files, "templates/"+s)
	}
	return template.Must(template.New(file).Funcs(funcs).ParseFS(templateFS, files...))
}
