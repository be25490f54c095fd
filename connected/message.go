package connected

import "encoding/json"

// Message is a note (why a collection was skipped or rows kept) as the
// catalogue (internal/i18n, keys answer.system.*) holds it: the person's
// answer writes it in their language, where the English note beside it
// stays for operators and JSON consumers. Its JSON is that of
// requests.Message, which reads it: Args are written as they are
// (collection and field names), Numbers as the language groups digits,
// and a key with .one/.other forms is chosen by Numbers["count"]. A note
// of several sentences is a message of Parts, said one after the other.
type Message struct {
	Key     string            `json:"key,omitempty"`
	Args    map[string]string `json:"args,omitempty"`
	Numbers map[string]int64  `json:"numbers,omitempty"`
	Parts   []Message         `json:"parts,omitempty"`
}

// note builds a message from key and pairs of placeholder name and value:
// a string is written as it is, an int as a number.
func note(key string, pairs ...any) Message {
	m := Message{Key: key}
	for i := 0; i+1 < len(pairs); i += 2 {
		name, _ := pairs[i].(string)
		switch v := pairs[i+1].(type) {
		case string:
			if m.Args == nil {
				m.Args = map[string]string{}
			}
			m.Args[name] = v
		case int:
			if m.Numbers == nil {
				m.Numbers = map[string]int64{}
			}
			m.Numbers[name] = int64(v)
		}
	}
	return m
}

// zero reports a message that says nothing.
func (m Message) zero() bool { return m.Key == "" && len(m.Parts) == 0 }

// and is m followed by n, as the English notes are joined by a space.
func (m Message) and(n Message) Message {
	switch {
	case m.zero():
		return n
	case n.zero():
		return m
	}
	var parts []Message
	for _, x := range []Message{m, n} {
		if x.Key == "" {
			parts = append(parts, x.Parts...)
		} else {
			parts = append(parts, x)
		}
	}
	return Message{Parts: parts}
}

// encode is the message as a task stores it ("" for none).
func (m Message) encode() string {
	if m.zero() {
		return ""
	}
	b, _ := json.Marshal(m) // strings and numbers: cannot fail
	return string(b)
}

// decodeMessage reads a task's stored message; a task written before
// messages existed (or an unreadable one) has none.
func decodeMessage(s string) Message {
	var m Message
	if s != "" {
		_ = json.Unmarshal([]byte(s), &m)
	}
	return m
}
