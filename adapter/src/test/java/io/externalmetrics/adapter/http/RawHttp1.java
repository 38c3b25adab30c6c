package io.externalmetrics.adapter.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * An HTTP/1.1 client over TLS that sends requests byte for byte as given (NUL, raw spaces, bare
 * UTF-8, malformed escapes: what {@link java.net.http.HttpClient} refuses to send), keeping the
 * connection open while the server does. Not thread-safe: one per worker.
 */
final class RawHttp1 implements AutoCloseable {

    /** What came back: the status, headers (names in lower case, last one wins) and the de-chunked body. */
    record Answer(int status, Map<String, String> headers, String body) {
    }

    private static final int MAX_HEAD_BYTES = 1 << 20;

    private final SSLContext tls;
    private final int port;
    private SSLSocket socket;
    private boolean used;

    RawHttp1(SSLContext tls, int port) {
        this.tls = tls;
        this.port = port;
    }

    /**
     * Sends {@code request} and reads the answer. A connection the server closed while idle is
     * opened again once, as a browser would; an answer cut off before its status line is empty.
     *
     * @throws IOException only when the connection cannot be opened
     */
    Optional<Answer> send(byte[] request, boolean head) throws IOException {
        for (int attempt = 0; ; attempt++) {
            if (socket == null) {
                open();
            }
            boolean reused = used;
            used = true;
            try {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
            } catch (IOException e) {
                // the server may have answered (say 431) and closed before reading all of it: read on
            }
            Optional<Answer> answer;
            try {
                answer = read(socket.getInputStream(), head);
            } catch (SocketTimeoutException e) {
                close();
                return Optional.empty();
            } catch (IOException e) {
                answer = Optional.empty();
            }
            if (answer.isEmpty()) {
                close();
                if (reused && attempt == 0) {
                    continue;
                }
                return answer;
            }
            if ("close".equalsIgnoreCase(answer.get().headers().getOrDefault("connection", ""))) {
                close();
            }
            return answer;
        }
    }

    private void open() throws IOException {
        socket = (SSLSocket) tls.getSocketFactory().createSocket("localhost", port);
        socket.setSoTimeout(10_000);
        var params = socket.getSSLParameters();
        params.setApplicationProtocols(new String[] {"http/1.1"});
        socket.setSSLParameters(params);
        socket.startHandshake();
        used = false;
    }

    private Optional<Answer> read(InputStream in, boolean head) throws IOException {
        byte[] headBytes = readHead(in);
        if (headBytes.length == 0) {
            return Optional.empty();
        }
        String[] lines = new String(headBytes, StandardCharsets.ISO_8859_1).split("\r\n");
        if (!lines[0].startsWith("HTTP/1.1 ") || lines[0].length() < 12) {
            throw new IOException("not a status line: " + lines[0]);
        }
        int status = Integer.parseInt(lines[0].substring(9, 12));
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).strip());
            }
        }
        byte[] body;
        if (head || status == 204 || status == 304 || status < 200) {
            body = new byte[0];
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = readChunked(in);
        } else if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else {
            body = in.readAllBytes();
            headers.put("connection", "close");
        }
        return Optional.of(new Answer(status, Map.copyOf(headers), new String(body, StandardCharsets.UTF_8)));
    }

    /** The status line and headers, without the blank line; empty when the stream ended first. */
    private static byte[] readHead(InputStream in) throws IOException {
        var head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    return new byte[0];
                }
                throw new IOException("the answer ended inside its headers");
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (head.size() > MAX_HEAD_BYTES) {
                throw new IOException("answer headers longer than " + MAX_HEAD_BYTES);
            }
        }
        byte[] bytes = head.toByteArray();
        return Arrays.copyOf(bytes, bytes.length - 4);
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        var body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip(), 16);
            if (size == 0) {
                while (!readLine(in).isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        var line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b < 0) {
            throw new IOException("the answer ended inside its body");
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
            socket = null;
        }
    }

    /** Writes a request as an HTTP/1.1 client would, but byte for byte as given (UTF-8). */
    static byte[] encode(FuzzRequests.Request request, int port) {
        var text = new StringBuilder();
        text.append(request.method()).append(' ').append(request.target()).append(" HTTP/1.1\r\n");
        text.append("Host: localhost:").append(port).append("\r\n");
        for (Map.Entry<String, String> header : request.headers()) {
            text.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
        }
        byte[] body = request.body().getBytes(StandardCharsets.UTF_8);
        if (body.length > 0) {
            text.append("Content-Length: ").append(body.length).append("\r\n");
        }
        text.append("\r\n");
        byte[] head = text.toString().getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

}
