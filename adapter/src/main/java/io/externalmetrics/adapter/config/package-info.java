/**
 * The adapter's configuration: immutable records read from one YAML file and validated at load
 * time, with errors that name the offending field.
 */
package io.externalmetrics.adapter.config;
