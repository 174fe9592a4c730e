//go:build linux

package rie

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// EnvPath names an emulator binary to use instead of the SAM CLI's.
const EnvPath = "STACKDESK_RIE"

var (
	findOnce sync.Once
	found    string
	findErr  error
)

// Find returns the Runtime Interface Emulator for this machine's
// architecture: $STACKDESK_RIE if set, else the one inside the SAM CLI's
// Python package (samcli/local/rapid/aws-lambda-rie-<arch>), looked up with
// the interpreter the `sam` command runs with, then with python3.
func Find() (string, error) {
	findOnce.Do(func() { found, findErr = find() })
	return found, findErr
}

func find() (string, error) {
	if p := os.Getenv(EnvPath); p != "" {
		if err := executable(p); err != nil {
			return "", fmt.Errorf("no Lambda Runtime Interface Emulator: %s: %w", EnvPath, err)
		}
		return p, nil
	}
	var arch string
	switch runtime.GOARCH {
	case "amd64":
		arch = "x86_64"
	case "arm64":
		arch = "arm64"
	default:
		return "", fmt.Errorf("the SAM CLI ships no Runtime Interface Emulator for %s", runtime.GOARCH)
	}
	var tried []string
	for _, py := range pythons() {
		dir, err := samcliDir(py)
		if err != nil {
			tried = append(tried, fmt.Sprintf("%s: %v", py, err))
			continue
		}
		p := filepath.Join(dir, "local", "rapid", "aws-lambda-rie-"+arch)
		if err := executable(p); err != nil {
			tried = append(tried, err.Error())
			continue
		}
		return p, nil
	}
	return "", fmt.Errorf("no Lambda Runtime Interface Emulator found (install the SAM CLI, e.g. `infra/emulators.sh install`, or set %s): %s",
		EnvPath, strings.Join(tried, "; "))
}

// pythons lists the interpreters to ask for the samcli package: the one in
// the `sam` script's shebang (pip, pipx and venv installs), then python3.
func pythons() []string {
	var out []string
	if sam, err := exec.LookPath("sam"); err == nil {
		if py := shebangPython(sam); py != "" {
			out = append(out, py)
		}
	}
	return append(out, "python3")
}

func shebangPython(script string) string {
	f, err := os.Open(script)
	if err != nil {
		return ""
	}
	defer f.Close()
	line, _ := bufio.NewReader(io.LimitReader(f, 512)).ReadString('\n')
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if !strings.HasPrefix(line, "#!") || len(fields) == 0 {
		return ""
	}
	py := fields[0]
	if filepath.Base(py) == "env" && len(fields) > 1 {
		py = fields[1]
	}
	if !strings.HasPrefix(filepath.Base(py), "python") {
		return "" // a shell wrapper (pyenv shim, Homebrew): python3 covers it
	}
	return py
}

func samcliDir(python string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, python, "-c", "import os, samcli; print(os.path.dirname(samcli.__file__))")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:] // the exception line
		}
		if msg != "" {
			return "", fmt.Errorf("import samcli: %v: %s", err, msg)
		}
		return "", fmt.Errorf("import samcli: %v", err)
	}
	return strings.TrimSpace(string(out)), nil
}

func executable(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s is not an executable file", p)
	}
	return nil
}

var (
	rootOnce sync.Once
	root     string
	rootErr  error
)

// ModuleRoot returns the directory of the main module's go.mod.
func ModuleRoot() (string, error) {
	rootOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		gomod := strings.TrimSpace(string(out))
		switch {
		case err != nil:
			rootErr = fmt.Errorf("go env GOMOD: %w", err)
		case gomod == "" || gomod == os.DevNull:
			rootErr = errors.New("go env GOMOD: not inside a module")
		default:
			root = filepath.Dir(gomod)
		}
	})
	return root, rootErr
}

// Build compiles ./functions/<name> of the main module into out with the
// flags the Makefile uses for the deployed bootstrap (lambda.norpc, trimmed,
// stripped, static), but for this machine's OS and architecture so that it
// runs here.
func Build(ctx context.Context, name, out string) error {
	dir, err := ModuleRoot()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w",
		"-o", out, "./functions/"+name)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./functions/%s: %v\n%s", name, err, msg)
	}
	return nil
}

// Function is one emulator process serving one bootstrap.
type Function struct {
	Name    string    // the bootstrap's directory name, for logs
	URL     string    // POST an event here to invoke the function
	Started time.Time // when the emulator process was started

	cmd      *exec.Cmd
	out      *buffer
	exited   chan struct{}
	client   *http.Client
	stopOnce sync.Once
}

// Start runs the emulator with bootstrap on free 127.0.0.1 ports and waits
// until it accepts invocations. The function's environment is env and
// nothing else, as in Lambda (the emulator adds the AWS_LAMBDA_* variables of
// the Runtime API). The emulator starts the bootstrap on the first
// invocation, so that invocation is the cold start. The process is stopped
// when the test ends, and its output (the emulator's log and the function's
// stdout and stderr) is logged if the test failed.
func Start(t testing.TB, bootstrap string, env map[string]string) *Function {
	t.Helper()
	bin, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	for attempt := 1; ; attempt++ {
		f, err := start(bin, bootstrap, env)
		if err == nil {
			t.Cleanup(func() {
				f.Stop()
				if t.Failed() {
					t.Logf("%s: emulator and function output:\n%s", f.Name, f.Output())
				}
			})
			return f
		}
		// A free port can be taken between choosing and binding it: retry.
		if attempt < 3 && f != nil && strings.Contains(f.Output(), "address already in use") {
			continue
		}
		if f != nil {
			t.Fatalf("%v; output:\n%s", err, f.Output())
		}
		t.Fatal(err)
	}
}

func start(bin, bootstrap string, env map[string]string) (*Function, error) {
	addrs, err := freeAddrs(2)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(bootstrap)
	if name == "bootstrap" {
		name = filepath.Base(filepath.Dir(bootstrap))
	}
	f := &Function{
		Name:   name,
		URL:    "http://" + addrs[0] + "/2015-03-31/functions/function/invocations",
		out:    &buffer{},
		exited: make(chan struct{}),
		client: &http.Client{Transport: &http.Transport{Proxy: nil}},
	}
	f.cmd = exec.Command(bin,
		"--runtime-interface-emulator-address", addrs[0],
		"--runtime-api-address", addrs[1],
		bootstrap)
	f.cmd.Dir = filepath.Dir(bootstrap)
	f.cmd.Env = environ(env)
	f.cmd.Stdout, f.cmd.Stderr = f.out, f.out
	f.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// The runtime may hold the output pipe after the emulator is gone.
	f.cmd.WaitDelay = 2 * time.Second
	f.Started = time.Now()
	if err := f.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { _ = f.cmd.Wait(); close(f.exited) }()

	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addrs[0], 100*time.Millisecond)
		if err == nil {
			c.Close()
			return f, nil
		}
		select {
		case <-f.exited:
			return f, fmt.Errorf("%s: the emulator exited before listening on %s", f.Name, addrs[0])
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			f.Stop()
			return f, fmt.Errorf("%s: the emulator is not listening on %s after 10 s", f.Name, addrs[0])
		}
	}
}

// freeAddrs returns n distinct free 127.0.0.1 addresses.
func freeAddrs(n int) ([]string, error) {
	var addrs []string
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close() // held until all are chosen, so they differ
		addrs = append(addrs, l.Addr().String())
	}
	return addrs, nil
}

func environ(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// Response is one invocation's result as the Invoke API returns it: 200
// with the handler's JSON response, or an error status (502 when the runtime
// failed to start or crashed).
type Response struct {
	Status  int
	Body    []byte
	Elapsed time.Duration // request sent to response read
	At      time.Time     // when the response was read
}

// Invoke sends one event and waits for the result.
func (f *Function) Invoke(ctx context.Context, event []byte) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.URL, bytes.NewReader(event))
	if err != nil {
		return Response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	t0 := time.Now()
	resp, err := f.client.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("invoke %s: %w", f.Name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, fmt.Errorf("invoke %s: read response: %w", f.Name, err)
	}
	now := time.Now()
	return Response{Status: resp.StatusCode, Body: body, Elapsed: now.Sub(t0), At: now}, nil
}

// Output returns what the emulator and the function wrote so far.
func (f *Function) Output() string { return f.out.String() }

var initReport = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)

// InitDuration returns the runtime's init duration as the emulator reported
// it for the first start (bootstrap exec until its first /next call).
func (f *Function) InitDuration() (time.Duration, bool) {
	m := initReport.FindStringSubmatch(f.Output())
	if m == nil {
		return 0, false
	}
	ms, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	return time.Duration(ms * float64(time.Millisecond)), true
}

// Stop ends the emulator: SIGTERM, on which it SIGKILLs the runtime and
// exits; if it has not exited after 3 s, SIGKILL to its process group and to
// the runtime it started (the emulator puts the runtime in a process group
// of its own).
func (f *Function) Stop() {
	f.stopOnce.Do(func() {
		defer f.client.CloseIdleConnections()
		pid := f.cmd.Process.Pid
		select {
		case <-f.exited:
			return
		default:
		}
		kids := children(pid)
		_ = f.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-f.exited:
			return
		case <-time.After(3 * time.Second):
		}
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		for _, k := range kids {
			if st, ok := procStat(k.pid); ok && st.comm == k.comm && st.state != "Z" {
				_ = syscall.Kill(k.pid, syscall.SIGKILL)
			}
		}
		select {
		case <-f.exited:
		case <-time.After(5 * time.Second):
		}
	})
}

type proc struct {
	pid, ppid   int
	comm, state string
}

// children lists the processes whose parent is pid, from /proc.
func children(pid int) []proc {
	ents, _ := os.ReadDir("/proc")
	var out []proc
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := procStat(n); ok && st.ppid == pid {
			out = append(out, st)
		}
	}
	return out
}

// procStat reads /proc/<pid>/stat: "pid (comm) state ppid ...".
func procStat(pid int) (proc, bool) {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return proc{}, false
	}
	s := string(raw)
	lp, rp := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if lp < 0 || rp < lp {
		return proc{}, false
	}
	rest := strings.Fields(s[rp+1:])
	if len(rest) < 2 {
		return proc{}, false
	}
	ppid, err := strconv.Atoi(rest[1])
	if err != nil {
		return proc{}, false
	}
	return proc{pid: pid, ppid: ppid, comm: s[lp+1 : rp], state: rest[0]}, true
}

// buffer is a bytes.Buffer safe for the concurrent writes of exec's copiers.
type buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
