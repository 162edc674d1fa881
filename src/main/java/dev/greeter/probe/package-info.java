/**
 * The probe profile: a long-running prober that connects to each target's every resolved
 * address continuously and exports who answered, outcomes, latencies and outages as
 * meters for Prometheus to scrape.
 */
@NullMarked
package dev.greeter.probe;

import org.jspecify.annotations.NullMarked;
