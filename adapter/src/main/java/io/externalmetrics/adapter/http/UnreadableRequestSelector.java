package io.externalmetrics.adapter.http;

import io.externalmetrics.adapter.k8s.StatusJson;
import io.externalmetrics.adapter.k8s.StatusReason;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.Bytes;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

/**
 * Answers a connection whose first line is neither an HTTP/1.1 request line nor HTTP/2's preface
 * (a bare LF inside the request target, {@code HTTP/1.0}, noise): a 400 {@code Status} (505 for
 * HTTP/1.0), then the connection is closed. Helidon picks a connection's protocol from its first
 * line and, when none claims it, closes the connection without a word; Go's server, and so every
 * other API server a client meets, answers such a request 400. Only the first request of a
 * connection is chosen this way: later ones are parsed, and rejected, by Helidon's HTTP/1.1 parser.
 */
public final class UnreadableRequestSelector implements ServerConnectionSelector {

    private static final int VERSION_NOT_SUPPORTED = 505;

    @Override
    public int bytesToIdentifyConnection() {
        return 0; // looks at whatever arrived; waits (UNKNOWN) until a whole line has
    }

    @Override
    public Support supports(BufferData request) {
        int lf = request.indexOf(Bytes.LF_BYTE);
        if (lf == -1) {
            return Support.UNKNOWN; // HTTP/1.1 claims a line longer than its limit, to answer 414
        }
        String line = request.readString(lf);
        if (line.endsWith(" HTTP/1.1\r") || line.startsWith("PRI * HTTP/2.0")) {
            return Support.UNSUPPORTED; // HTTP/1.1's or HTTP/2's
        }
        return Support.SUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return Set.of();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        return new Answer(ctx);
    }

    /** Writes one answer, chosen by the first line, and ends (the server then closes the connection). */
    private static final class Answer implements ServerConnection {

        private final ConnectionContext ctx;

        Answer(ConnectionContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void handle(Limit limit) {
            int available = ctx.dataReader().available();
            BufferData buffer = available > 0 ? ctx.dataReader().getBuffer(available) : BufferData.empty();
            int lf = buffer.indexOf(Bytes.LF_BYTE);
            String line = lf < 0 ? "" : buffer.readString(lf);
            byte[] body;
            String statusLine;
            if (line.endsWith(" HTTP/1.0\r")) {
                statusLine = "505 HTTP Version Not Supported";
                body = StatusJson.failure(VERSION_NOT_SUPPORTED, StatusReason.forCode(VERSION_NOT_SUPPORTED),
                        "HTTP/1.0 is not supported; use HTTP/1.1 or HTTP/2");
            } else {
                statusLine = "400 Bad Request";
                body = StatusJson.failure(StatusReason.BAD_REQUEST, "the request line cannot be read: it must be "
                        + "METHOD, a space, the target, a space and HTTP/1.1, ended by CR LF");
            }
            byte[] head = ("HTTP/1.1 " + statusLine + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            ctx.dataWriter().writeNow(BufferData.create(BufferData.create(head), BufferData.create(body)));
        }

        @Override
        public Duration idleTime() {
            return Duration.ZERO;
        }

        @Override
        public void close(boolean interrupt) {
            // nothing to stop: handle returns as soon as the answer is written
        }
    }
}
