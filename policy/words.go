package policy

import "strings"

// Words says a change as the public notice tells people about it: the
// section as a heading, the item by its name in the manifest rather than
// its key ("Who we share it with — Data brokers: new recipient", not
// "recipients data_brokers: new recipient"). old and new are the manifests
// the change is between; the item's name is looked up in new, then old.
func (c Change) Words(old, new *Manifest) string {
	section := sectionWords[c.Section]
	if section == "" {
		section = humanKey(c.Section)
	}
	what := c.What
	for k, w := range flagWords {
		what = strings.ReplaceAll(what, k+" ", w+": ")
	}
	what = strings.NewReplacer(" → ", " becomes ", "true", "yes", "false", "no").Replace(what)
	item := ""
	if c.Key != "" {
		item = itemName(c.Section, c.Key, new)
		if item == "" {
			item = itemName(c.Section, c.Key, old)
		}
		if item == "" {
			item = humanKey(c.Key)
		}
	}
	if item == "" {
		return section + ": " + what
	}
	return section + " — " + item + ": " + what
}

var sectionWords = map[string]string{
	"organisation": "Who we are", "contact": "How to contact us", "last_updated": "Last updated",
	"notice": "The wording of this policy", "categories": "What we collect", "information_types": "What we collect",
	"sources": "Where it comes from", "purposes": "How we use it", "recipients": "Who we share it with",
	"rights": "Your rights", "cookies": "Cookies", "banner": "Cookie choices", "children": "Children",
	"retention": "How long we keep it", "laws": "How we apply the law", "changes": "How we tell you of changes",
}

var flagWords = map[string]string{
	"sale_or_share": "sold or shared", "direct_marketing": "used for their own direct marketing",
	"contract_required": "bound by contract", "sensitive": "sensitive", "withheld": "withheld from copies",
	"purposes": "purposes", "categories": "kinds of information",
}

func itemName(section, key string, m *Manifest) string {
	if m == nil {
		return ""
	}
	switch section {
	case "categories":
		for _, c := range m.Categories {
			if c.Key == key {
				return c.Description
			}
		}
	case "sources":
		for _, s := range m.Sources {
			if s.Key == key {
				return first(s.Name, s.Description)
			}
		}
	case "purposes":
		for _, p := range m.Purposes {
			if p.Key == key {
				return p.Name
			}
		}
	case "recipients":
		for _, r := range m.Recipients {
			if r.Key == key {
				return first(r.Name, r.Description)
			}
		}
	case "cookies":
		for _, c := range m.Cookies {
			if c.Name == key {
				return c.Name
			}
		}
	}
	return ""
}

func first(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// humanKey is the last resort for a key with no name: "data_brokers" →
// "data brokers".
func humanKey(k string) string { return strings.NewReplacer("_", " ", ".", " ").Replace(k) }
