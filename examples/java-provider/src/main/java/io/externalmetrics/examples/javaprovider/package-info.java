/**
 * The seed's incrementing-counter example, served with the externalmetrics provider SDK: run
 * {@link io.externalmetrics.examples.javaprovider.ExampleProvider#main(String[])}.
 */
package io.externalmetrics.examples.javaprovider;
