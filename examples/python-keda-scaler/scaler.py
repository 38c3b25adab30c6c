#!/usr/bin/python3
"""A KEDA external scaler in Python, written from KEDA's externalscaler.proto alone: the adapter
serves its metric to HPAs as it serves any provider's (protocol: kedaExternalScaler).

It reports the depth of named queues, kept in memory and changed by lines on stdin:
  set QUEUE DEPTH    e.g. "set orders 2.5": the queue's depth is now 2.5
Each change is announced on the StreamIsActive streams of that queue.

A ScaledObjectRef's scalerMetadata says which queue: {queueName: orders}, and optionally the
HPA's target per replica: {targetSize: "10"}.
  GetMetricSpec   one metric, "queue-<queueName>", with the target
  GetMetrics      the depth: metricValueFloat, and metricValue rounded down (for old readers)
  IsActive        whether the queue holds anything
  StreamIsActive  one message when the stream opens and one after each change of the queue

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
except ImportError as e:
    sys.exit(f"error: {e}: run this with Debian's /usr/bin/python3 and "
             "apt-get install python3-grpcio python3-protobuf")
try:
    from externalscaler import externalscaler_pb2 as pb
    from externalscaler import externalscaler_pb2_grpc as pb_grpc
except ImportError as e:
    sys.exit(f"error: {e}: generate the stubs first with ./generate.sh")


class Queues:
    """Queue depths; waiters hear of every change."""

    def __init__(self):
        self._changed = threading.Condition()
        self._depths = {}
        self._version = 0

    def set(self, queue, depth):
        with self._changed:
            self._depths[queue] = depth
            self._version += 1
            self._changed.notify_all()

    def depth(self, queue):
        with self._changed:
            return self._depths.get(queue, 0.0)

    def version(self):
        with self._changed:
            return self._version

    def wait_past(self, seen, timeout):
        """Returns the version once it differs from `seen`, or `seen` after `timeout` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self._version != seen, timeout)
            return self._version


def queue_of(ref, context):
    queue = ref.scalerMetadata.get("queueName", "")
    if not queue:
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, "scalerMetadata.queueName is required")
    return queue


class Scaler(pb_grpc.ExternalScalerServicer):

    def __init__(self, queues, stopping):
        self._queues = queues
        self._stopping = stopping

    def IsActive(self, request, context):
        return pb.IsActiveResponse(result=self._queues.depth(queue_of(request, context)) > 0)

    def StreamIsActive(self, request, context):
        queue = queue_of(request, context)
        seen = self._queues.version()
        yield pb.IsActiveResponse(result=self._queues.depth(queue) > 0)
        while context.is_active() and not self._stopping.is_set():
            version = self._queues.wait_past(seen, timeout=0.5)
            if version != seen:
                seen = version
                yield pb.IsActiveResponse(result=self._queues.depth(queue) > 0)

    def GetMetricSpec(self, request, context):
        queue = queue_of(request, context)
        target = float(request.scalerMetadata.get("targetSize", "10"))
        return pb.GetMetricSpecResponse(metricSpecs=[
            pb.MetricSpec(metricName=f"queue-{queue}", targetSize=int(target), targetSizeFloat=target)])

    def GetMetrics(self, request, context):
        queue = queue_of(request.scaledObjectRef, context)
        if request.metricName != f"queue-{queue}":
            context.abort(grpc.StatusCode.NOT_FOUND,
                          f'no metric "{request.metricName}" here: this scaler names it "queue-{queue}"')
        depth = self._queues.depth(queue)
        return pb.GetMetricsResponse(metricValues=[
            pb.MetricValue(metricName=request.metricName, metricValue=int(depth), metricValueFloat=depth)])


def read_commands(queues):
    """Each line "set QUEUE DEPTH" on stdin sets a queue's depth."""
    for line in sys.stdin:
        words = line.split()
        if len(words) == 3 and words[0] == "set":
            try:
                queues.set(words[1], float(words[2]))
                continue
            except ValueError:
                pass
        if words:
            print(f'ignored stdin line {line.strip()!r}: expected "set QUEUE DEPTH"', file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description="KEDA external scaler example in Python")
    parser.add_argument("--address", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=9090, help="port to listen on, 0 for any free one (9090)")
    args = parser.parse_args()

    queues, stopping = Queues(), threading.Event()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    pb_grpc.add_ExternalScalerServicer_to_server(Scaler(queues, stopping), server)
    host = f"[{args.address}]" if ":" in args.address else args.address
    try:
        port = server.add_insecure_port(f"{host}:{args.port}")
    except RuntimeError:
        port = 0  # newer grpcio raises where older returns 0
    if port == 0:
        sys.exit(f"error: cannot listen on {host}:{args.port}")
    server.start()
    threading.Thread(target=read_commands, args=(queues,), name="stdin", daemon=True).start()

    def stop(signum, frame):
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"python KEDA external scaler listening on {host}:{port}", flush=True)
    stopping.wait()
    server.stop(grace=1).wait()


if __name__ == "__main__":
    main()
