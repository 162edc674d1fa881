package dev.greeter;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The one way tests read meters: from the registry, or from a Prometheus scrape. A name
 * with tags left out is the sum over them, as {@code sum(...)} in PromQL.
 */
public final class Meters {

	private Meters() {
	}

	/**
	 * The count of a counter, summed over the tags not given. The counter must exist:
	 * every {@code greeter.*} meter is registered at start-up, and a missing one is a
	 * failure, not a zero.
	 * @param registry the registry
	 * @param name the meter's name, for example {@code greeter.connections.closed}
	 * @param tags tag names and values, alternating
	 * @return the sum
	 */
	public static double count(MeterRegistry registry, String name, String... tags) {
		return registry.get(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
	}

	/**
	 * How many events a timer (or a histogram's timer) has recorded.
	 * @param registry the registry
	 * @param name the meter's name, for example {@code greeter.connection.duration}
	 * @return the count
	 */
	public static long timerCount(MeterRegistry registry, String name) {
		return registry.get(name).timer().count();
	}

	public static double gauge(MeterRegistry registry, String name) {
		return registry.get(name).gauge().value();
	}

	/**
	 * A series' value in a scrape, summed over its samples:
	 * {@code greeter_connections_closed_total} adds up every {@code by},
	 * {@code greeter_connections_closed_total{by="linger"}} is one sample.
	 * @param scrape the Prometheus text
	 * @param series a name, or a name with one or more labels exactly as scraped
	 * @return the sum; 0 when absent
	 */
	public static double scraped(String scrape, String series) {
		String name = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
		String labels = series.contains("{") ? series.substring(series.indexOf('{') + 1, series.length() - 1) : "";
		Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{([^}]*)})? (\\S+)$").matcher(scrape);
		double total = 0;
		while (matcher.find()) {
			String sampleLabels = (matcher.group(2) != null) ? matcher.group(2) : "";
			boolean matches = true;
			for (String label : labels.isEmpty() ? new String[0] : labels.split(",")) {
				matches &= ("," + sampleLabels + ",").contains("," + label + ",");
			}
			if (matches) {
				total += Double.parseDouble(matcher.group(3));
			}
		}
		return total;
	}

}
