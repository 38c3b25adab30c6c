#!/usr/bin/python3
"""An externalmetrics metric provider in Python: the seed's counters, plus a pushed metric.

Metrics, all in namespace "*" (served to every namespace):
  python-incrementable  polled every second: base value A; series some-key=A, B, C.
                        Each second A grows by 1, B by 5, and C shrinks by 1.
  python-pushed         pushed: grows by 1 for each line "bump" on stdin, announced on Watch.

Run ./generate.sh first; see README.md.
"""

import argparse
import os
import signal
import sys
import threading
from concurrent import futures

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "generated"))
try:
    import grpc
    from google.protobuf import duration_pb2
except ImportError as e:
    sys.exit(f"error: {e}: run this with Debian's /usr/bin/python3 and "
             "apt-get install python3-grpcio python3-protobuf")
try:
    from externalmetrics.v1 import provider_pb2 as pb
    from externalmetrics.v1 import provider_pb2_grpc as pb_grpc
except ImportError as e:
    sys.exit(f"error: {e}: generate the stubs first with ./generate.sh")

NAMESPACE = "*"
INCREMENTABLE = "python-incrementable"
PUSHED = "python-pushed"
INTERVAL_SECONDS = 1


class Counters:
    """The seed's counters, moved as a whole so a fetch never sees half a tick."""

    def __init__(self):
        self._lock = threading.Lock()
        self._abc = (0, 0, 0)

    def tick(self):
        with self._lock:
            a, b, c = self._abc
            self._abc = (a + 1, b + 5, c - 1)

    def get(self):
        with self._lock:
            return self._abc


class PushedCount:
    """A count that grows on an event; Watch streams wait for it to change."""

    def __init__(self):
        self._changed = threading.Condition()
        self.value = 0

    def bump(self):
        with self._changed:
            self.value += 1
            self._changed.notify_all()

    def wait_past(self, seen, timeout):
        """Returns the value once it differs from `seen`, or `seen` after `timeout` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self.value != seen, timeout)
            return self.value


class Provider(pb_grpc.MetricProviderServicer):

    def __init__(self, counters, pushed, stopping):
        self._counters = counters
        self._pushed = pushed
        self._stopping = stopping

    def Fetch(self, request, context):
        ref = request.metric
        if ref.namespace == NAMESPACE and ref.name == INCREMENTABLE:
            a, b, c = self._counters.get()
            return pb.FetchResponse(value=a, series=[
                pb.Series(labels={"some-key": "A"}, value=a),
                pb.Series(labels={"some-key": "B"}, value=b),
                pb.Series(labels={"some-key": "C"}, value=c),
            ])
        if ref.namespace == NAMESPACE and ref.name == PUSHED:
            return pb.FetchResponse(value=self._pushed.value)
        context.abort(grpc.StatusCode.NOT_FOUND,
                      f'no metric "{ref.name}" in namespace "{ref.namespace}" here: the Python '
                      f'provider serves "{INCREMENTABLE}" and "{PUSHED}" in namespace "{NAMESPACE}"')

    def Describe(self, request, context):
        return pb.DescribeResponse(metrics=[
            pb.MetricDescriptor(metric=pb.MetricRef(namespace=NAMESPACE, name=INCREMENTABLE),
                                interval=duration_pb2.Duration(seconds=INTERVAL_SECONDS)),
            pb.MetricDescriptor(metric=pb.MetricRef(namespace=NAMESPACE, name=PUSHED),
                                push=pb.Push()),
        ])

    def Watch(self, request, context):
        wanted = {(m.namespace, m.name) for m in request.metrics}
        announce = not wanted or (NAMESPACE, PUSHED) in wanted
        seen = self._pushed.value
        if announce:
            # One event as the stream opens: a bump between the adapter's connect-time Fetch and
            # this point would otherwise reach no stream.
            yield pb.WatchEvent(metric=pb.MetricRef(namespace=NAMESPACE, name=PUSHED))
        # The stream stays open for the life of the provider; check now and then for its end.
        while context.is_active() and not self._stopping.is_set():
            value = self._pushed.wait_past(seen, timeout=0.5)
            if value != seen:
                seen = value
                if announce:
                    yield pb.WatchEvent(metric=pb.MetricRef(namespace=NAMESPACE, name=PUSHED))


def tick_forever(counters, interval, stopping):
    while not stopping.wait(interval):
        counters.tick()


def read_events(pushed):
    """Each line "bump" on stdin is one event for the pushed metric."""
    for line in sys.stdin:
        if line.strip() == "bump":
            pushed.bump()
        elif line.strip():
            print(f'ignored stdin line {line.strip()!r}: only "bump" is an event', file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description="externalmetrics example provider in Python")
    parser.add_argument("--address", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=50053, help="port to listen on, 0 for any free one (50053)")
    parser.add_argument("--tick-interval", type=float, default=1.0,
                        help="seconds between counter ticks, 0 to never tick (1)")
    args = parser.parse_args()

    counters, pushed, stopping = Counters(), PushedCount(), threading.Event()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    pb_grpc.add_MetricProviderServicer_to_server(Provider(counters, pushed, stopping), server)
    host = f"[{args.address}]" if ":" in args.address else args.address
    try:
        port = server.add_insecure_port(f"{host}:{args.port}")
    except RuntimeError:
        port = 0  # newer grpcio raises where older returns 0
    if port == 0:
        sys.exit(f"error: cannot listen on {host}:{args.port}")
    server.start()

    if args.tick_interval > 0:
        threading.Thread(target=tick_forever, args=(counters, args.tick_interval, stopping),
                         name="ticker", daemon=True).start()
    threading.Thread(target=read_events, args=(pushed,), name="stdin", daemon=True).start()

    def stop(signum, frame):
        stopping.set()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    print(f'python provider listening on {host}:{port} (metrics "{INCREMENTABLE}" every '
          f'{INTERVAL_SECONDS}s and "{PUSHED}" on each "bump" line on stdin, namespace "{NAMESPACE}")',
          flush=True)
    stopping.wait()
    server.stop(grace=1).wait()


if __name__ == "__main__":
    main()
