package banner

import (
	"net/http"
	"strings"

	"golang.org/x/text/language"
)

// The banner speaks the visitor's language: the script passes the page's
// own language (<html lang>), else the browser's Accept-Language decides.
// The texts travel in the config, so the script stays small.

var textLanguages = []language.Tag{language.English, language.Spanish, language.French, language.German}

var textMatcher = language.NewMatcher(textLanguages)

// texts holds the banner's words per language; {org} is the company's name.
var texts = map[string]map[string]string{
	"en": {
		"title":        "Your privacy choices",
		"desc_in":      "{org} would like to use cookies and similar technologies for the purposes below. Nothing beyond what the site needs to work is used until you choose, and you can change your mind at any time. See our ",
		"desc_out":     "{org} uses cookies and similar technologies for the purposes below. You can opt out at any time. See our ",
		"policy":       "Privacy Policy",
		"dns":          "Do Not Sell or Share My Personal Information",
		"choose":       "Choose purposes",
		"legend":       "Purposes",
		"reject_all":   "Reject all",
		"opt_out_all":  "Opt out of all",
		"save":         "Save choices",
		"accept_all":   "Accept all",
		"allow_all":    "Allow all",
		"close":        "Close",
		"gpc_note":     "Your browser sends a Global Privacy Control signal, so this stays off.",
		"saved":        "Your privacy choices are saved.",
		"opted_out":    "You have opted out of the sale and sharing of your personal information.",
		"this_site":    "This site",
		"gpc_honoured": "Opt-out preference signal honored: your browser's Global Privacy Control signal opted you out of the sale and sharing of your personal information.",
		"gpc_link":     "Opt-out preference signal honored",
		"exempt_note":  "On until you turn it off: it only counts how the site is used, to improve it.",
	},
	"es": {
		"title":        "Sus opciones de privacidad",
		"desc_in":      "{org} desea usar cookies y tecnologías similares para los fines siguientes. No se usa nada más allá de lo que el sitio necesita para funcionar hasta que usted elija, y puede cambiar de opinión en cualquier momento. Consulte nuestra ",
		"desc_out":     "{org} usa cookies y tecnologías similares para los fines siguientes. Puede excluirse en cualquier momento. Consulte nuestra ",
		"policy":       "Política de privacidad",
		"dns":          "No vender ni compartir mi información personal",
		"choose":       "Elegir fines",
		"legend":       "Fines",
		"reject_all":   "Rechazar todo",
		"opt_out_all":  "Excluirme de todo",
		"save":         "Guardar opciones",
		"accept_all":   "Aceptar todo",
		"allow_all":    "Permitir todo",
		"close":        "Cerrar",
		"gpc_note":     "Su navegador envía una señal Global Privacy Control, por lo que esto sigue desactivado.",
		"saved":        "Sus opciones de privacidad se han guardado.",
		"opted_out":    "Se ha excluido de la venta y el intercambio de su información personal.",
		"this_site":    "Este sitio",
		"gpc_honoured": "Señal de preferencia de exclusión respetada: la señal Global Privacy Control de su navegador le ha excluido de la venta y el intercambio de su información personal.",
		"gpc_link":     "Señal de preferencia de exclusión respetada",
		"exempt_note":  "Activado hasta que lo desactive: solo cuenta cómo se usa el sitio, para mejorarlo.",
	},
	"fr": {
		"title":        "Vos choix en matière de confidentialité",
		"desc_in":      "{org} souhaite utiliser des cookies et des technologies similaires pour les finalités ci-dessous. Rien d'autre que ce dont le site a besoin pour fonctionner n'est utilisé avant votre choix, et vous pouvez changer d'avis à tout moment. Consultez notre ",
		"desc_out":     "{org} utilise des cookies et des technologies similaires pour les finalités ci-dessous. Vous pouvez vous y opposer à tout moment. Consultez notre ",
		"policy":       "Politique de confidentialité",
		"dns":          "Ne pas vendre ni partager mes informations personnelles",
		"choose":       "Choisir les finalités",
		"legend":       "Finalités",
		"reject_all":   "Tout refuser",
		"opt_out_all":  "M'opposer à tout",
		"save":         "Enregistrer mes choix",
		"accept_all":   "Tout accepter",
		"allow_all":    "Tout autoriser",
		"close":        "Fermer",
		"gpc_note":     "Votre navigateur envoie un signal Global Privacy Control : cette option reste désactivée.",
		"saved":        "Vos choix de confidentialité sont enregistrés.",
		"opted_out":    "Vous vous êtes opposé à la vente et au partage de vos informations personnelles.",
		"this_site":    "Ce site",
		"gpc_honoured": "Signal de préférence d'opposition respecté : le signal Global Privacy Control de votre navigateur vous a opposé à la vente et au partage de vos informations personnelles.",
		"gpc_link":     "Signal de préférence d'opposition respecté",
		"exempt_note":  "Activé jusqu'à ce que vous le désactiviez : il compte seulement comment le site est utilisé, pour l'améliorer.",
	},
	"de": {
		"title":        "Ihre Datenschutz-Entscheidungen",
		"desc_in":      "{org} möchte Cookies und ähnliche Technologien für die unten genannten Zwecke verwenden. Bis Sie entscheiden, wird nur verwendet, was die Website zum Funktionieren braucht, und Sie können Ihre Wahl jederzeit ändern. Siehe unsere ",
		"desc_out":     "{org} verwendet Cookies und ähnliche Technologien für die unten genannten Zwecke. Sie können jederzeit widersprechen. Siehe unsere ",
		"policy":       "Datenschutzerklärung",
		"dns":          "Meine personenbezogenen Daten nicht verkaufen oder weitergeben",
		"choose":       "Zwecke auswählen",
		"legend":       "Zwecke",
		"reject_all":   "Alle ablehnen",
		"opt_out_all":  "Allem widersprechen",
		"save":         "Auswahl speichern",
		"accept_all":   "Alle akzeptieren",
		"allow_all":    "Alle erlauben",
		"close":        "Schließen",
		"gpc_note":     "Ihr Browser sendet ein Global-Privacy-Control-Signal, daher bleibt dies ausgeschaltet.",
		"saved":        "Ihre Datenschutz-Entscheidungen sind gespeichert.",
		"opted_out":    "Sie haben dem Verkauf und der Weitergabe Ihrer personenbezogenen Daten widersprochen.",
		"this_site":    "Diese Website",
		"gpc_honoured": "Opt-out-Präferenzsignal berücksichtigt: Das Global-Privacy-Control-Signal Ihres Browsers hat dem Verkauf und der Weitergabe Ihrer personenbezogenen Daten widersprochen.",
		"gpc_link":     "Opt-out-Präferenzsignal berücksichtigt",
		"exempt_note":  "Eingeschaltet, bis Sie es ausschalten: Es zählt nur, wie die Website genutzt wird, um sie zu verbessern.",
	},
}

// textLanguage picks the banner's language for a config request.
func textLanguage(r *http.Request) string {
	var tags []language.Tag
	if q := strings.TrimSpace(r.URL.Query().Get("lang")); q != "" {
		if t, err := language.Parse(q); err == nil {
			tags = append(tags, t)
		}
	}
	if len(tags) == 0 {
		tags, _, _ = language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	}
	_, i, _ := textMatcher.Match(tags...)
	b, _ := textLanguages[i].Base()
	return b.String()
}
