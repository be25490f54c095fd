// Package browsertest starts the one headless Chromium a test binary's
// browser tests share: Debian's /usr/bin/chromium with the flags this
// machine's closed network needs. Each test opens its own browser context
// (chromedp.WithNewBrowserContext) on it.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// Path is where Debian installs Chromium; CI installs it there.
const Path = "/usr/bin/chromium"

var shared struct {
	once    sync.Once
	ctx     context.Context
	err     error
	dir     string
	cancels []context.CancelFunc
}

// Browser returns the shared browser, starting it on first use. Without
// Chromium the test fails, saying how to install it.
func Browser(t testing.TB) context.Context {
	t.Helper()
	if _, err := os.Stat(Path); err != nil {
		t.Fatalf("the browser tests need Debian's chromium at %s; install it with `apt-get install chromium` (CI does): %v", Path, err)
	}
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "custos-chromium-")
		if err != nil {
			shared.err = fmt.Errorf("user data dir: %w", err)
			return
		}
		shared.dir = dir
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(Path),
			chromedp.Flag("headless", true),
			chromedp.Flag("no-sandbox", true),
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("no-first-run", true),
			chromedp.Flag("disable-sync", true),
			chromedp.UserDataDir(dir),
		)
		ctx, cancel := chromedp.NewContext(alloc)
		shared.cancels = []context.CancelFunc{cancelAlloc, cancel}
		if err := chromedp.Do(ctx); err != nil {
			shared.err = fmt.Errorf("start %s: %w", Path, err)
			return
		}
		shared.ctx = ctx
	})
	if shared.err != nil {
		t.Fatalf("chromium: %v", shared.err)
	}
	return shared.ctx
}

// Close stops the browser and removes its profile; call it from TestMain
// after m.Run.
func Close() {
	for i := len(shared.cancels) - 1; i >= 0; i-- {
		shared.cancels[i]()
	}
	if shared.dir != "" {
		_ = os.RemoveAll(shared.dir)
	}
}
