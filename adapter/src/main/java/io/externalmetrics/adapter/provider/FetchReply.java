package io.externalmetrics.adapter.provider;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import io.externalmetrics.adapter.cache.SeriesTable;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A provider's Fetch reply as {@link FetchReplyReader} read it: its fields, and its series already in the
 * sample's compact form, checked one by one as they were read. {@link FetchResponses} decides from this
 * whether the reply can be served, in the order and with the words it always had.
 *
 * @param value         the base value, if the reply has one (not yet checked to be finite)
 * @param seriesCount   how many series the reply has
 * @param series        the series, when there are at most maxSeries and all are valid; else null
 * @param seriesProblem why the first invalid series is so, when one is (and there are at most maxSeries);
 *                      else null
 * @param observedAt    the reply's observation time, if given (not yet checked)
 * @param window        the reply's window, if given (not yet checked)
 */
record FetchReply(OptionalDouble value, int seriesCount, SeriesTable series, String seriesProblem,
                  Optional<Timestamp> observedAt, Optional<Duration> window) {
}
