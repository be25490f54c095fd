package requests

import "testing"

// A CSV cell a spreadsheet would run as a formula is quoted; numbers and
// phone numbers are left as they are.
func TestSafeCell(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"", ""}, {"Ana Lima", "Ana Lima"}, {"-12.5", "-12.5"}, {"+351 900 000 000", "+351 900 000 000"},
		{"+1 (555) 010-9999", "+1 (555) 010-9999"}, {"=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"}, {"@SUM(A1)", "'@SUM(A1)"},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"}, {"-2+3", "'-2+3"}, {"\tx", "'\tx"},
	} {
		if got := safeCell(tc.in); got != tc.want {
			t.Errorf("safeCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Names in the archive stay one path segment.
func TestFileName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"shop", "shop"}, {"../etc", ".._etc"}, {"..", "_"}, {"", "_"}, {"a:b\\c", "a_b_c"},
	} {
		if got := fileName(tc.in); got != tc.want {
			t.Errorf("fileName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
