package custos_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadmeTour runs the README's five-minute tour as a newcomer pastes
// it: the sh block under "## A five-minute tour", read from README.md (so
// a change to the README is tested), top to bottom with bash under
// set -euo pipefail in an empty directory, against the server it starts.
// Only mechanical things are rewritten: go run ./cmd/custos is a binary
// built once, make run & starts that binary's serve in the background on a
// free port (127.0.0.1:8080 becomes that port), open is a no-op,
// $EDITOR is true and head reads to the end. A failing command fails the test, named by its README
// line with its output; then the outcomes the tour's comments promise are
// checked.
func TestReadmeTour(t *testing.T) {
	if testing.Short() {
		t.Skip("builds custos and runs a server")
	}
	for _, tool := range []string{"go", "bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed: the README's tour uses it (.ci/run installs it)", tool)
		}
	}
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	tour, err := tourBlock(string(readme))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "custos")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/custos").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	work := filepath.Join(tmp, "work")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	script, err := tour.script(bin, port)
	if err != nil {
		t.Fatal(err)
	}
	linkCheckout(t, work, script)
	t.Cleanup(func() { stopTourServer(t, work) })

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = work
	cmd.Env = append(tourEnv(), "CUSTOS_ADDR=127.0.0.1:"+port)
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out // one pipe: output stays in order with the line markers
	runErr := cmd.Run()
	run := tour.parse(out.String())
	if runErr != nil {
		serveLog, _ := os.ReadFile(filepath.Join(work, "serve.log"))
		t.Fatalf("the tour failed (%v) at README.md:%d:\n  %s\noutput:\n%s\nserver log (end):\n%s",
			runErr, run.last, tour.readmeLine(run.last), strings.Join(run.out[run.last], "\n"), tail(string(serveLog), 20))
	}
	checkTourOutcomes(t, tour, run, work)
}

// checkTourOutcomes holds the tour to what its comments promise.
func checkTourOutcomes(t *testing.T, tour tour, run tourRun, work string) {
	t.Helper()
	checks := []struct {
		line string // a unique part of a line of the command (as the README has it)
		want []string
	}{
		{`http://127.0.0.1:8080/api/v1/policy        #`, []string{`"code":"unauthorized"`}},
		{`"recipient": "data_brokers"`, []string{`"code":"undeclared_recipient"`}},
		{`"kind": "collection", "subject": {"email": "ana@example.com"}`, []string{`{"id":`}},
		{`/api/v1/decisions -d`, []string{`"allowed":true`, `"reason":"consent_given"`}},
		{`$REQ/approve | jq .status`, []string{`"in_progress"`}},
		{`dataset list`, []string{"postgres_example_test_dataset", "demo-shop"}},
		{`.collections[] |`, []string{"postgres_example_test_dataset:customer mask 1", "postgres_example_test_dataset:orders none 3"}},
		{`$DEL/approve | jq .status`, []string{`"in_progress"`}},
		{`.tasks[] |`, []string{"access postgres_example_test_dataset:orders done: 3 found, 0 written",
			"erasure postgres_example_test_dataset:customer done: 1 found, 1 written", "erasure postgres_example_test_dataset:payment_card done: 1 found, 1 written"}},
	}
	for _, c := range checks {
		line, got := run.outputOf(t, tour, c.line)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("README.md:%d does not print %q:\n  %s\n%s", line, w, tour.readmeLine(line), got)
			}
		}
	}
	if line, got := run.outputOf(t, tour, "audit verify"); !regexp.MustCompile(`(?m)^ok \d+ entries$`).MatchString(got) {
		t.Errorf("README.md:%d: audit verify does not end with ok N entries:\n%s", line, got)
	}
	if zip, err := os.ReadFile(filepath.Join(work, "answer.zip")); err != nil || !bytes.HasPrefix(zip, []byte("PK")) {
		t.Errorf("answer.zip is no zip: %v %.40q", err, zip)
	}
}

// tour is the README's sh block, with the README line its first line is on.
type tour struct {
	lines []string
	first int
}

func tourBlock(readme string) (tour, error) {
	lines := strings.Split(readme, "\n")
	for i, l := range lines {
		if l != "## A five-minute tour" {
			continue
		}
		for j := i + 1; j < len(lines) && !strings.HasPrefix(lines[j], "## "); j++ {
			if lines[j] != "```sh" {
				continue
			}
			for k := j + 1; k < len(lines); k++ {
				if lines[k] == "```" {
					return tour{lines: lines[j+1 : k], first: j + 2}, nil
				}
			}
		}
		return tour{}, fmt.Errorf("README.md: no closed ```sh block under ## A five-minute tour")
	}
	return tour{}, fmt.Errorf("README.md has no ## A five-minute tour")
}

func (tr tour) readmeLine(n int) string {
	if i := n - tr.first; i >= 0 && i < len(tr.lines) {
		return tr.lines[i]
	}
	return "(before the tour)"
}

// script is the tour as bash runs it: a first line that stops at the
// first failure and marks each command with its README line, then the
// block, rewritten line for line.
func (tr tour) script(bin, port string) (string, error) {
	text := strings.Join(tr.lines, "\n")
	for _, need := range []string{"go run ./cmd/custos", "make run &", "127.0.0.1:8080"} {
		if !strings.Contains(text, need) {
			return "", fmt.Errorf("the tour no longer says %q: teach TestReadmeTour what it says instead", need)
		}
	}
	text = strings.ReplaceAll(text, "go run ./cmd/custos", bin)
	text = strings.Replace(text, "make run &", bin+" serve > serve.log 2>&1 & echo $! > serve.pid;", 1)
	text = strings.ReplaceAll(text, "127.0.0.1:8080", "127.0.0.1:"+port)
	text = regexp.MustCompile(`(?m)^open `).ReplaceAllString(text, ": open ")
	text = strings.ReplaceAll(text, "$EDITOR", "true")
	// head stops reading early; under pipefail the writer's broken pipe
	// (curl: exit 23) would fail a line that prints exactly what a person
	// pasting it sees. The rest is read and dropped.
	text = regexp.MustCompile(`\| head(\s|$)`).ReplaceAllString(text, "| (head; cat > /dev/null)$1")
	// The marker's line is the script's; the block starts on its line 2.
	pre := fmt.Sprintf(`set -euo pipefail; trap 'echo "### tour:$((LINENO + %d))"' DEBUG`, tr.first-2)
	return pre + "\n" + text + "\n", nil
}

// tourRun is the tour's output by the README line of the command that
// printed it.
type tourRun struct {
	out  map[int][]string
	last int // the line of the last command that ran
}

var marker = regexp.MustCompile(`^### tour:(\d+)$`)

func (tr tour) parse(out string) tourRun {
	r := tourRun{out: map[int][]string{}}
	for _, l := range strings.Split(out, "\n") {
		if m := marker.FindStringSubmatch(l); m != nil {
			r.last, _ = strconv.Atoi(m[1])
			if _, ok := r.out[r.last]; !ok {
				r.out[r.last] = nil
			}
			continue
		}
		r.out[r.last] = append(r.out[r.last], l)
	}
	return r
}

// outputOf is what the command holding the tour's one line containing
// part printed: a command spanning lines is marked on its first.
func (r tourRun) outputOf(t *testing.T, tr tour, part string) (int, string) {
	t.Helper()
	at := -1
	for i, l := range tr.lines {
		if strings.Contains(l, part) {
			if at >= 0 {
				t.Fatalf("more than one line of the tour says %q", part)
			}
			at = tr.first + i
		}
	}
	if at < 0 {
		t.Fatalf("no line of the tour says %q", part)
	}
	for line := at; line >= tr.first; line-- {
		if out, ok := r.out[line]; ok {
			return line, strings.Join(out, "\n")
		}
	}
	t.Fatalf("README.md:%d (%q) never ran", at, part)
	return 0, ""
}

// linkCheckout links into dir what the tour reads from the checkout by a
// relative path (policy/clientwise.yaml, dataset/…).
func linkCheckout(t *testing.T, dir, script string) {
	t.Helper()
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?:^|[\s=])([a-z]+)/[\w.-]`).FindAllStringSubmatch(script, -1) {
		name := m[1]
		if fi, err := os.Stat(filepath.Join(root, name)); err != nil || !fi.IsDir() {
			continue
		}
		if err := os.Symlink(filepath.Join(root, name), filepath.Join(dir, name)); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
	}
}

// tourEnv is this process's environment without Custos' variables: the
// tour runs on the defaults.
func tourEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CUSTOS_") && !strings.HasPrefix(kv, "EDITOR=") {
			env = append(env, kv)
		}
	}
	return env
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// stopTourServer stops the server the tour started, by the pid it wrote:
// SIGTERM, which drains it, and SIGKILL if it is still there after 15 s.
func stopTourServer(t *testing.T, dir string) {
	b, err := os.ReadFile(filepath.Join(dir, "serve.pid"))
	if err != nil {
		return // the tour stopped before starting it
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		t.Errorf("serve.pid: %q", b)
		return
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return // already gone
	}
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if syscall.Kill(pid, 0) != nil {
			return
		}
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	t.Errorf("the tour's server (pid %d) did not stop within 15 s of SIGTERM", pid)
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
