//go:build unix

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// chromium is a headless Chromium driven over the DevTools protocol, through the pipe
// of --remote-debugging-pipe (file descriptors 3 and 4, JSON messages ended by NUL),
// which needs no WebSocket client. It drives one page.
type chromium struct {
	send    *os.File // its descriptor 3, which it reads
	recv    *os.File // its descriptor 4, which it writes
	in      *bufio.Reader
	next    int
	session string // the page's
	stderr  *lockedBuffer
}

// startChromium starts $CHROMIUM, or chromium, headless with a page of width×height
// pixels. Without Chromium the test fails when CI=true, and is skipped otherwise.
func startChromium(t *testing.T, width, height int) *chromium {
	t.Helper()
	bin := os.Getenv("CHROMIUM")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("chromium"); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("Chromium is needed for this test and was not found: %v\n(scripts/test.sh installs it with apt-get install -y chromium; $CHROMIUM names another binary)", err)
			}
			t.Skipf("Chromium not found, skipping (set CI=true to make this a failure): %v", err)
		}
	}
	theirIn, ourOut, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ourIn, theirOut, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &chromium{send: ourOut, recv: ourIn, in: bufio.NewReader(ourIn), stderr: &lockedBuffer{}}
	cmd := exec.Command(bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--no-first-run", "--no-default-browser-check", "--user-data-dir="+t.TempDir(),
		"--remote-debugging-pipe", "about:blank")
	cmd.ExtraFiles = []*os.File{theirIn, theirOut}
	cmd.Stderr = c.stderr
	// Its own process group, so that its helper processes go with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	theirIn.Close()
	theirOut.Close()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		ourIn.Close()
		ourOut.Close()
	})

	var target struct{ TargetID string }
	c.call(t, "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var attached struct{ SessionID string }
	c.call(t, "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached)
	c.session = attached.SessionID
	c.call(t, "Emulation.setDeviceMetricsOverride", map[string]any{"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}, nil)
	return c
}

// call sends a command to the page (or, before there is one, to the browser) and
// decodes its result into result, unless result is nil.
func (c *chromium) call(t *testing.T, method string, params any, result any) {
	t.Helper()
	c.next++
	msg := map[string]any{"id": c.next, "method": method, "params": params}
	if c.session != "" {
		msg["sessionId"] = c.session
	}
	data, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.send.Write(append(data, 0)); err != nil {
		t.Fatalf("%s: writing to Chromium: %v\n%s", method, err, c.stderr)
	}
	c.recv.SetReadDeadline(time.Now().Add(time.Minute))
	for {
		line, err := c.in.ReadBytes(0)
		if err != nil {
			t.Fatalf("%s: reading from Chromium: %v\n%s", method, err, c.stderr)
		}
		var answer struct {
			ID     int
			Result json.RawMessage
			Error  *struct{ Message string }
		}
		if err := json.Unmarshal(line[:len(line)-1], &answer); err != nil {
			t.Fatalf("%s: %v in %q", method, err, line)
		}
		if answer.ID != c.next {
			continue // an event, which no test asks for
		}
		if answer.Error != nil {
			t.Fatalf("%s: %s", method, answer.Error.Message)
		}
		if result != nil {
			if err := json.Unmarshal(answer.Result, result); err != nil {
				t.Fatalf("%s: %v in %s", method, err, answer.Result)
			}
		}
		return
	}
}

// eval evaluates a JavaScript expression in the page and decodes its value (JSON) into
// result. An exception fails the test.
func (c *chromium) eval(t *testing.T, expr string, result any) {
	t.Helper()
	var r struct {
		Result struct {
			Value json.RawMessage
		}
		ExceptionDetails *struct {
			Text      string
			Exception struct{ Description string }
		}
	}
	c.call(t, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &r)
	if r.ExceptionDetails != nil {
		t.Fatalf("evaluating %s: %s %s", expr, r.ExceptionDetails.Text, r.ExceptionDetails.Exception.Description)
	}
	if result != nil {
		if err := json.Unmarshal(r.Result.Value, result); err != nil {
			t.Fatalf("evaluating %s: %v in %s", expr, err, r.Result.Value)
		}
	}
}

// open loads url and waits until the page says it is ready (data-state="ready" on its
// body, which app.js sets once it shows decisions) or failed, up to a minute.
func (c *chromium) open(t *testing.T, url string) {
	t.Helper()
	// The page it leaves is no longer ready.
	c.eval(t, `document.body && delete document.body.dataset.state`, nil)
	c.call(t, "Page.navigate", map[string]any{"url": url}, nil)
	const check = `[document.body?.dataset.state ?? "", document.getElementById("status")?.textContent ?? ""]`
	for deadline := time.Now().Add(time.Minute); ; {
		var state [2]string
		c.eval(t, check, &state)
		switch state[0] {
		case "ready":
			return
		case "error":
			t.Fatalf("%s: %s", url, state[1])
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not ready after a minute (status %q)\n%s", url, state[1], c.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// screenshot returns a PNG of the page's viewport.
func (c *chromium) screenshot(t *testing.T) []byte {
	t.Helper()
	var shot struct{ Data []byte } // base64 in JSON, which encoding/json decodes
	c.call(t, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot)
	return shot.Data
}

// lockedBuffer collects Chromium's standard error, written by exec's goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String is the last lines Chromium wrote, for failure messages.
func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(b.buf.String()), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return "chromium's standard error:\n" + strings.Join(lines, "\n")
}
