package io.externalmetrics.adapter.provider;

/**
 * Bounds on a provider's Fetch reply, so one provider's bad reply cannot exhaust the adapter.
 *
 * @param maxSeries          series per reply
 * @param maxLabelsPerSeries labels per series
 */
record ReplyLimits(int maxSeries, int maxLabelsPerSeries) {

    ReplyLimits {
        if (maxSeries < 1 || maxLabelsPerSeries < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }
}
