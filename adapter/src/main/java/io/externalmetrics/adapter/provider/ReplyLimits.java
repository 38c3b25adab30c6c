package io.externalmetrics.adapter.provider;

/**
 * Bounds on a provider's Fetch reply, so one provider's bad reply cannot exhaust the adapter. Taken
 * from a {@code ProviderConfig}, which holds the rule for them (at least 1).
 *
 * @param maxSeries          series per reply
 * @param maxLabelsPerSeries labels per series
 */
record ReplyLimits(int maxSeries, int maxLabelsPerSeries) {
}
