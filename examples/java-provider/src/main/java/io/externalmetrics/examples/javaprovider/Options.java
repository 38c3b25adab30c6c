package io.externalmetrics.examples.javaprovider;

/**
 * The example's command line.
 *
 * @param address the address to listen on
 * @param port the port to listen on; 0 picks a free one
 * @param help whether {@code --help} was given
 */
record Options(String address, int port, boolean help) {

    static final String USAGE = """
            usage: java -jar externalmetrics-example-java-provider-*-all.jar [--port N] [--address HOST] [--help]

              --port N         port to listen on (default 50051; 0 picks a free port)
              --address HOST   address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
              --help           print this help""";

    static final Options DEFAULTS = new Options("127.0.0.1", 50051, false);

    /**
     * Parses {@code --port N}, {@code --address HOST} (also as {@code --name=value}) and
     * {@code --help}.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    static Options parse(String... args) {
        String address = DEFAULTS.address();
        int port = DEFAULTS.port();
        boolean help = false;
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
                default -> throw new IllegalArgumentException("unknown argument: " + arg);
            }
        }
        return new Options(address, port, help);
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
