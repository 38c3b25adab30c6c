package io.externalmetrics.adapter.provider;

import java.util.random.RandomGenerator;

/** Random sources for backoff tests. */
final class Jitter {

    /** A "random" source that always picks the top of the range: every backoff wait at its ceiling. */
    static final RandomGenerator HIGHEST = new RandomGenerator() {
        @Override
        public long nextLong() {
            return Long.MAX_VALUE;
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    };

    private Jitter() {
    }
}
