package io.externalmetrics.adapter.cache;

/**
 * A metric's last few values, oldest first, for the status page's sparkline: at most {@link #CAPACITY},
 * so memory per metric stays bounded however long the adapter runs. Immutable: a fetch that records a
 * value makes a new one (copying at most {@value #CAPACITY} numbers), published with the metric's state.
 */
public final class Recent {

    /** How many values are kept. */
    public static final int CAPACITY = 60;
    static final Recent NONE = new Recent(new double[0]);

    private final double[] values;

    private Recent(double[] values) {
        this.values = values;
    }

    /** These values and {@code value} after them, dropping the oldest when full. */
    Recent appended(double value) {
        int kept = Math.min(values.length, CAPACITY - 1);
        double[] next = new double[kept + 1];
        System.arraycopy(values, values.length - kept, next, 0, kept);
        next[kept] = value;
        return new Recent(next);
    }

    /** How many values there are. */
    public int size() {
        return values.length;
    }

    /** The values, oldest first (a copy). */
    public double[] values() {
        return values.clone();
    }
}
