package io.externalmetrics.adapter.testing;

import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** A plaintext gRPC server of a fake provider or scaler on 127.0.0.1. */
public final class LoopbackGrpc {

    private LoopbackGrpc() {
    }

    /** Serves {@code service} on 127.0.0.1:{@code port} (0: a free port), started. */
    public static Server listen(int port, BindableService service) {
        try {
            return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port),
                            InsecureServerCredentials.create())
                    .addService(service)
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
    }

    /** Stops {@code server} at once, as a crash would: its port is free again when this returns. */
    public static void kill(Server server) {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
