package io.externalmetrics.examples.javaprovider;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The example's command line.
 *
 * @param address the address to listen on
 * @param port the port to listen on; 0 picks a free one
 * @param help whether {@code --help} was given
 * @param tlsCert the certificate to serve TLS with; empty: plaintext
 * @param tlsKey the key of {@code tlsCert}; given with it
 * @param clientCa the CA whose client certificates are required (mutual TLS); only with TLS
 */
record Options(String address, int port, boolean help, Optional<Path> tlsCert, Optional<Path> tlsKey,
        Optional<Path> clientCa) {

    static final String USAGE = """
            usage: java -jar externalmetrics-example-java-provider-*-all.jar [--port N] [--address HOST]
                       [--tls-cert FILE --tls-key FILE [--client-ca FILE]] [--help]

              --port N         port to listen on (default 50051; 0 picks a free port)
              --address HOST   address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
              --tls-cert FILE  serve TLS with this PEM certificate chain (default: plaintext)
              --tls-key FILE   the PEM private key (PKCS#8) of --tls-cert
              --client-ca FILE require client certificates signed by this CA (mutual TLS)
              --help           print this help""";

    static final Options DEFAULTS = new Options("127.0.0.1", 50051, false, Optional.empty(), Optional.empty(),
            Optional.empty());

    /**
     * Parses {@code --port N}, {@code --address HOST}, {@code --tls-cert FILE}, {@code --tls-key FILE},
     * {@code --client-ca FILE} (also as {@code --name=value}) and {@code --help}.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    static Options parse(String... args) {
        String address = DEFAULTS.address();
        int port = DEFAULTS.port();
        boolean help = false;
        Optional<Path> tlsCert = Optional.empty();
        Optional<Path> tlsKey = Optional.empty();
        Optional<Path> clientCa = Optional.empty();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 0) {
                name = arg.substring(0, equals);
                value = arg.substring(equals + 1);
            }
            switch (name) {
                case "--help", "-h" -> help = true;
                case "--port" -> {
                    if (value == null) {
                        value = next(args, ++i, name);
                    }
                    port = parsePort(value);
                }
                case "--address" -> {
                    if (value == null) {
                        value = next(args, ++i, name);
                    }
                    if (value.isBlank()) {
                        throw new IllegalArgumentException("--address must not be empty");
                    }
                    address = value;
                }
                case "--tls-cert", "--tls-key", "--client-ca" -> {
                    if (value == null) {
                        value = next(args, ++i, name);
                    }
                    if (value.isBlank()) {
                        throw new IllegalArgumentException(name + " must not be empty");
                    }
                    Optional<Path> file = Optional.of(Path.of(value));
                    switch (name) {
                        case "--tls-cert" -> tlsCert = file;
                        case "--tls-key" -> tlsKey = file;
                        default -> clientCa = file;
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument: " + arg);
            }
        }
        if (tlsCert.isPresent() != tlsKey.isPresent()) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        if (clientCa.isPresent() && tlsCert.isEmpty()) {
            throw new IllegalArgumentException("--client-ca needs --tls-cert and --tls-key");
        }
        return new Options(address, port, help, tlsCert, tlsKey, clientCa);
    }

    private static String next(String[] args, int i, String name) {
        if (i >= args.length) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[i];
    }

    private static int parsePort(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // fall through to the one message below
        }
        throw new IllegalArgumentException("--port must be a number from 0 to 65535, got \""
                + value + "\"");
    }
}
