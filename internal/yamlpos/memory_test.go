package yamlpos_test

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos/dataset"
	"github.com/custos-privacy/custos/policy"
)

// heapCeiling is what reading the 200 kB bodies below may take. Without the
// guard the parser took 20 GB for the first one.
const heapCeiling = 100 << 20

// TestDeepYAMLMemory reads hostile documents through the real loaders in a
// child process and fails when the child's heap ever goes over heapCeiling:
// the child watches its own heap and exits as soon as it does, so a parser
// that runs away fails the test instead of taking the machine with it.
func TestDeepYAMLMemory(t *testing.T) {
	if os.Getenv("CUSTOS_YAML_MEMORY_CHILD") == "1" {
		memoryChild()
		return
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDeepYAMLMemory$", "-test.count=1")
	cmd.Env = append(os.Environ(), "CUSTOS_YAML_MEMORY_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "peak heap") {
		t.Fatalf("child: %v\n%s", err, out)
	}
	t.Logf("%s", strings.TrimSpace(string(out)))
}

func memoryChild() {
	debug.SetMemoryLimit(heapCeiling)
	done, stopped := make(chan struct{}), make(chan struct{})
	var peak uint64
	go func() {
		defer close(stopped)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			if m.HeapInuse > heapCeiling {
				fmt.Printf("heap %d MB is over %d MB\n", m.HeapInuse>>20, heapCeiling>>20)
				os.Exit(3)
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	loader, err := policy.NewLoader()
	if err != nil {
		fmt.Println(err)
		os.Exit(4)
	}
	flow := []byte(strings.Repeat("[", 100_000))
	block := []byte(strings.Repeat("- ", 100_000))
	for _, src := range [][]byte{flow, block} {
		if _, err := loader.Parse("deep.yaml", src); err == nil || !strings.Contains(err.Error(), "nesting deeper than") {
			fmt.Println("manifest:", err)
			os.Exit(5)
		}
		if _, err := dataset.Load("deep.yml", src); err == nil || !strings.Contains(err.Error(), "nesting deeper than") {
			fmt.Println("dataset:", err)
			os.Exit(5)
		}
	}
	close(done)
	<-stopped
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Printf("peak heap in use %d MB (ceiling %d MB)\n", max(peak, m.HeapInuse)>>20, heapCeiling>>20)
}
