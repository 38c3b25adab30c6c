/**
 * How the adapter logs: {@link io.externalmetrics.adapter.logging.RateLimitedLog} keeps a problem
 * that recurs with every request or retry to a line per state change and then one per interval, and
 * {@link io.externalmetrics.adapter.logging.LogOutput} writes records as text or as one JSON object
 * per line ({@code logFormat}).
 */
package io.externalmetrics.adapter.logging;
