package dev.tandem.cluster;

import java.util.Map;

/** Hazelcast settings shared by nodes and callers. */
final class HazelcastSettings {
    /** The executor of Tandem's short requests (HELLO, UPLOAD, OPEN, SUBMIT). */
    static final String EXECUTOR = "tandem";

    /** The executor of polls, which wait on the node for replies. */
    static final String POLL_EXECUTOR = "tandem-poll";

    private HazelcastSettings() {}

    /** {@return properties for every member and client: no phone-home, logging through java.util.logging} */
    static Map<String, String> common() {
        return Map.of(
                "hazelcast.phone.home.enabled", "false",
                "hazelcast.logging.type", "jdk");
    }
}
