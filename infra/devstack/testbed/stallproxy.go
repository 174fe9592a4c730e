package testbed

import (
	"net"
	"net/url"
	"sync"
	"testing"
)

// StallProxy is a TCP proxy in front of an emulator that can be paused:
// while stalled it still accepts connections but forwards no byte either
// way, as a dependency that hangs does (a DynamoDB partition or SQS that
// stops answering, a network that drops packets). Resume lets the bytes
// held back flow again. Tests point a client's endpoint at URL.
type StallProxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	flowing chan struct{} // closed while bytes flow; a fresh one while stalled
	conns   map[net.Conn]bool
	closed  bool
}

// NewStallProxy starts a proxy to the endpoint (an http:// URL or a
// host:port) and stops it when the test ends.
func NewStallProxy(t testing.TB, endpoint string) *StallProxy {
	t.Helper()
	target := endpoint
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" {
		target = u.Host
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &StallProxy{ln: ln, target: target, flowing: make(chan struct{}), conns: map[net.Conn]bool{}}
	close(p.flowing)
	go p.serve()
	t.Cleanup(p.Close)
	return p
}

// URL is the proxy's endpoint.
func (p *StallProxy) URL() string { return "http://" + p.ln.Addr().String() }

// Stall stops forwarding bytes (connections are still accepted).
func (p *StallProxy) Stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.flowing:
		p.flowing = make(chan struct{})
	default: // stalled already
	}
}

// Resume forwards bytes again, those held back first.
func (p *StallProxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.flowing:
	default:
		close(p.flowing)
	}
}

// Close stops the proxy and drops its connections.
func (p *StallProxy) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	p.Resume() // release pumps waiting for the stall to end
	_ = p.ln.Close()
	for c := range conns {
		_ = c.Close()
	}
}

func (p *StallProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.proxy(c)
	}
}

func (p *StallProxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	for _, c := range cs {
		p.conns[c] = true
	}
	return true
}

func (p *StallProxy) proxy(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()
	if !p.track(client, server) {
		return
	}
	done := make(chan struct{}, 2)
	go func() { p.pump(server, client); done <- struct{}{} }()
	go func() { p.pump(client, server); done <- struct{}{} }()
	<-done // either side closing ends both
}

// pump copies src to dst, holding each chunk back while stalled.
func (p *StallProxy) pump(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			gate := p.flowing
			p.mu.Unlock()
			<-gate
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return // EOF or a closed connection: the other side is closed by the defers
		}
	}
}
