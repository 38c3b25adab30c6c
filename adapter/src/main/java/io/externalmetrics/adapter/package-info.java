/**
 * The adapter application: {@link io.externalmetrics.adapter.Main} reads the configuration and
 * {@link io.externalmetrics.adapter.Adapter} wires the cache, the provider clients and the HTTPS
 * server together and owns their lifecycle.
 */
package io.externalmetrics.adapter;
