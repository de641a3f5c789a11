// Package pgtest runs a throw-away PostgreSQL server for tests: initdb into a fresh
// directory, postgres listening only on a unix socket inside it, stopped and removed
// when the test binary is done.
//
// PostgreSQL refuses to run as root. When the tests run as root (as in CI
// containers), the server runs as the "postgres" system user that Debian's package
// creates (or PERMC_PG_USER), and the directory is handed to that user.
//
// When PostgreSQL cannot be found or started, tests fail if the environment variable
// CI is "true" (scripts/test.sh installs PostgreSQL there) and are skipped otherwise.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Server is a running throw-away cluster.
type Server struct {
	// ConnString connects to the "postgres" database as the superuser.
	ConnString string
	dir        string
	cmd        *exec.Cmd
	done       chan error
}

var (
	once    sync.Once
	shared  *Server
	initErr error
)

// TB is the part of testing.TB that Start uses.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
}

// Start returns the package's shared server, starting it on first use. Call Stop
// from TestMain after the tests have run.
func Start(t TB) *Server {
	t.Helper()
	once.Do(func() { shared, initErr = start() })
	if initErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is needed for this test and could not be started: %v\n(scripts/test.sh installs it with apt-get install -y postgresql)", initErr)
		}
		t.Skipf("PostgreSQL not available, skipping (set CI=true to make this a failure): %v", initErr)
	}
	return shared
}

// Pool opens a connection pool to the shared server.
func Pool(t TB) *pgxpool.Pool {
	t.Helper()
	s := Start(t)
	pool, err := pgxpool.New(context.Background(), s.ConnString)
	if err != nil {
		t.Fatalf("connecting to PostgreSQL: %v", err)
	}
	return pool
}

// Stop stops the shared server, if it was started, and removes its files.
func Stop() {
	if shared != nil {
		shared.stop()
	}
}

// binDir finds the directory holding initdb and postgres: PERMC_PG_BIN, the newest
// /usr/lib/postgresql/*/bin (Debian), or the PATH.
func binDir() (string, error) {
	if d := os.Getenv("PERMC_PG_BIN"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("postgres"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("postgres not found (looked in $PERMC_PG_BIN, /usr/lib/postgresql/*/bin and $PATH)")
}

func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func start() (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	removeStale()
	dir, err := os.MkdirTemp("", "permc-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(dir)
		}
	}()
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		name := os.Getenv("PERMC_PG_USER")
		if name == "" {
			name = "postgres"
		}
		u, err := user.Lookup(name)
		if err != nil {
			return nil, fmt.Errorf("running as root, and PostgreSQL refuses to: no user %q to run it as (%v)", name, err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	run := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL}
		return cmd
	}
	out, err := run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	logPath := filepath.Join(dir, "postgres.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	if cred != nil {
		os.Chown(logPath, int(cred.Uid), int(cred.Gid))
	}
	s.cmd = run("postgres", "-D", data, "-k", dir, "-c", "listen_addresses=", "-p", "5432",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "shared_buffers=64MB", "-c", "max_connections=20")
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting postgres: %v", err)
	}
	s.done = make(chan error, 1)
	go func() { s.done <- s.cmd.Wait() }()
	s.ConnString = fmt.Sprintf("host=%s port=5432 user=postgres dbname=postgres sslmode=disable", dir)
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		pool, err := pgxpool.New(ctx, s.ConnString)
		if err == nil {
			err = pool.Ping(ctx)
			pool.Close()
		}
		cancel()
		if err == nil {
			break
		}
		select {
		case werr := <-s.done:
			log, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("postgres exited (%v):\n%s", werr, strings.TrimSpace(string(log)))
		default:
		}
		if time.Now().After(deadline) {
			s.stop()
			log, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("postgres did not accept connections within a minute: %v\n%s", err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	ok = true
	return s, nil
}

// removeStale removes the directories of earlier runs that were killed before they
// could stop their server: older than an hour, and with no postmaster alive.
func removeStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "permc-pg-*"))
	for _, d := range dirs {
		fi, err := os.Stat(d)
		if err != nil || time.Since(fi.ModTime()) < time.Hour {
			continue
		}
		if pid, err := os.ReadFile(filepath.Join(d, "data", "postmaster.pid")); err == nil {
			line, _, _ := strings.Cut(string(pid), "\n")
			if n, err := strconv.Atoi(strings.TrimSpace(line)); err == nil {
				if err := syscall.Kill(n, 0); err == nil || err == syscall.EPERM {
					continue // still running
				}
			}
		}
		os.RemoveAll(d)
	}
}

func (s *Server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		// SIGINT is PostgreSQL's fast shutdown.
		s.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			s.cmd.Process.Kill()
			<-s.done
		}
	}
	os.RemoveAll(s.dir)
}
