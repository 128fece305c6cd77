/**
 * A Micrometer {@code MeterBinder} for Tandem's task pools: {@link dev.tandem.micrometer.TaskPoolMetrics}.
 *
 * <p>Optional: only an application that already uses Micrometer adds this module, and brings its own
 * {@code micrometer-core}; {@code dev.tandem} itself depends on nothing.
 */
module dev.tandem.micrometer {
    requires transitive dev.tandem;
    requires micrometer.core;

    exports dev.tandem.micrometer;
}
