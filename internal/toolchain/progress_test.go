package toolchain

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// signalWriter records what is written and signals the first write.
type signalWriter struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{}
	once    sync.Once
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.once.Do(func() { close(w.written) })
	return w.b.Write(p)
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func TestProgressNote(t *testing.T) {
	defer func(d time.Duration) { NoteAfter = d }(NoteAfter)

	t.Run("a slow build says what it builds", func(t *testing.T) {
		NoteAfter = time.Millisecond
		w := &signalWriter{written: make(chan struct{})}
		done := note(WithProgress(context.Background(), w, "the Wasm module of spec.yaml"))
		<-w.written // the build is still running when the note comes
		done()
		if got, want := w.String(), "permc: building the Wasm module of spec.yaml\n"; got != want {
			t.Errorf("note %q, want %q", got, want)
		}
	})
	t.Run("a quick build says nothing", func(t *testing.T) {
		NoteAfter = time.Hour
		w := &signalWriter{written: make(chan struct{})}
		note(WithProgress(context.Background(), w, "the Wasm module of spec.yaml"))()
		if got := w.String(); got != "" {
			t.Errorf("a quick build wrote %q", got)
		}
	})
	t.Run("without WithProgress, nothing", func(t *testing.T) {
		NoteAfter = 0
		note(context.Background())()
	})
	t.Run("the go command notes through its context", func(t *testing.T) {
		NoteAfter = time.Millisecond
		var b strings.Builder
		var mu sync.Mutex
		w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return b.Write(p) })
		// go help build reads no module and always takes longer than a millisecond.
		if err := Go(WithProgress(context.Background(), w, "a test"), t.TempDir(), Env(), "help", "build"); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if b.String() != "permc: building a test\n" {
			t.Errorf("Go wrote %q", b.String())
		}
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
