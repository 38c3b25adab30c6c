// Command go-provider is an externalmetrics metric provider in Go: the seed's counters, plus a
// pushed metric.
//
// Metrics, all in namespace "*" (served to every namespace):
//
//	go-incrementable  polled every second: base value A; series some-key=A, B, C.
//	                  Each second A grows by 1, B by 5, and C shrinks by 1.
//	go-pushed         pushed: grows by 1 for each line "bump" on stdin, announced on Watch.
//
// Build with ./build.sh (generates the stubs from proto/ first); see README.md.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	pb "externalmetrics.io/proto/externalmetrics/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

const (
	namespace     = "*"
	incrementable = "go-incrementable"
	pushedName    = "go-pushed"
	interval      = time.Second
)

// counters are the seed's counters, moved as a whole so a fetch never sees half a tick.
type counters struct{ a, b, c int64 }

type provider struct {
	pb.UnimplementedMetricProviderServer

	mu       sync.Mutex
	counters counters
	pushed   int64
	changed  chan struct{} // closed and replaced on each push event: wakes every Watch stream
	stopping chan struct{}
}

func newProvider() *provider {
	return &provider{changed: make(chan struct{}), stopping: make(chan struct{})}
}

func (p *provider) tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.counters
	p.counters = counters{c.a + 1, c.b + 5, c.c - 1}
}

// bump is one push event: the new value first, so the adapter's Fetch after the event sees it.
func (p *provider) bump() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pushed++
	close(p.changed)
	p.changed = make(chan struct{})
}

func (p *provider) Fetch(_ context.Context, req *pb.FetchRequest) (*pb.FetchResponse, error) {
	ref := req.GetMetric()
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case ref.GetNamespace() == namespace && ref.GetName() == incrementable:
		c := p.counters
		return &pb.FetchResponse{
			Value: proto.Float64(float64(c.a)),
			Series: []*pb.Series{
				{Labels: map[string]string{"some-key": "A"}, Value: float64(c.a)},
				{Labels: map[string]string{"some-key": "B"}, Value: float64(c.b)},
				{Labels: map[string]string{"some-key": "C"}, Value: float64(c.c)},
			},
		}, nil
	case ref.GetNamespace() == namespace && ref.GetName() == pushedName:
		return &pb.FetchResponse{Value: proto.Float64(float64(p.pushed))}, nil
	}
	return nil, status.Errorf(codes.NotFound,
		"no metric %q in namespace %q here: the Go provider serves %q and %q in namespace %q",
		ref.GetName(), ref.GetNamespace(), incrementable, pushedName, namespace)
}

func (p *provider) Describe(context.Context, *pb.DescribeRequest) (*pb.DescribeResponse, error) {
	return &pb.DescribeResponse{Metrics: []*pb.MetricDescriptor{
		{
			Metric:  &pb.MetricRef{Namespace: namespace, Name: incrementable},
			Trigger: &pb.MetricDescriptor_Interval{Interval: durationpb.New(interval)},
		},
		{
			Metric:  &pb.MetricRef{Namespace: namespace, Name: pushedName},
			Trigger: &pb.MetricDescriptor_Push{Push: &pb.Push{}},
		},
	}}, nil
}

// Watch stays open until the adapter cancels it or the provider stops.
func (p *provider) Watch(req *pb.WatchRequest, stream pb.MetricProvider_WatchServer) error {
	announce := len(req.GetMetrics()) == 0
	for _, m := range req.GetMetrics() {
		announce = announce || (m.GetNamespace() == namespace && m.GetName() == pushedName)
	}
	event := &pb.WatchEvent{Metric: &pb.MetricRef{Namespace: namespace, Name: pushedName}}
	p.mu.Lock()
	changed := p.changed
	p.mu.Unlock()
	// One event as the stream opens: a bump between the adapter's connect-time Fetch and this
	// point would otherwise reach no stream.
	if announce {
		if err := stream.Send(event); err != nil {
			return err
		}
	}
	for {
		select {
		case <-changed:
			// the next channel before sending: a bump from now on wakes the next round
			p.mu.Lock()
			changed = p.changed
			p.mu.Unlock()
			if announce {
				if err := stream.Send(event); err != nil {
					return err
				}
			}
		case <-stream.Context().Done():
			return stream.Context().Err()
		case <-p.stopping:
			return nil
		}
	}
}

// readEvents counts each line "bump" on stdin as one event for the pushed metric.
func (p *provider) readEvents() {
	lines := bufio.NewScanner(os.Stdin)
	for lines.Scan() {
		switch line := strings.TrimSpace(lines.Text()); line {
		case "bump":
			p.bump()
		case "":
		default:
			log.Printf("ignored stdin line %q: only \"bump\" is an event", line)
		}
	}
}

func main() {
	address := flag.String("address", "127.0.0.1", "address to listen on")
	port := flag.Int("port", 50055, "port to listen on, 0 for any free one")
	tickInterval := flag.Duration("tick-interval", interval, "time between counter ticks, 0 to never tick")
	flag.Parse()
	log.SetFlags(0)

	listener, err := net.Listen("tcp", net.JoinHostPort(*address, strconv.Itoa(*port)))
	if err != nil {
		log.Fatalf("error: cannot listen: %v", err)
	}
	p := newProvider()
	server := grpc.NewServer()
	pb.RegisterMetricProviderServer(server, p)

	if *tickInterval > 0 {
		go func() {
			for range time.Tick(*tickInterval) {
				p.tick()
			}
		}()
	}
	go p.readEvents()

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		close(p.stopping) // ends the Watch streams, which GracefulStop would otherwise wait for
		server.GracefulStop()
	}()

	fmt.Printf("go provider listening on %s (metrics %q every %s and %q on each \"bump\" line on stdin, namespace %q)\n",
		listener.Addr(), incrementable, interval, pushedName, namespace)
	if err := server.Serve(listener); err != nil {
		log.Fatalf("error: %v", err)
	}
}
