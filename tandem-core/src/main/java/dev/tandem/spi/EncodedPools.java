package dev.tandem.spi;

import dev.tandem.PoolOptions;

/**
 * The bridge by which {@link EncodedPool#start} reaches the process engine, whose classes are
 * package-private in {@code dev.tandem}: the engine's adapter registers its factory when its class
 * is initialized (the JDK's {@code SharedSecrets} pattern). Internal.
 */
public final class EncodedPools {
    /** Starts encoded pools; implemented by the process engine. */
    public interface Factory {
        /**
         * See {@link EncodedPool#start}.
         *
         * @param options the options
         * @param launch the launch
         * @param replies the replies
         * @return the pool
         */
        EncodedPool start(PoolOptions options, EncodedPool.Launch launch, WorkerListener replies);
    }

    /** The engine's class that registers the factory when it is initialized. */
    private static final String ENGINE = "dev.tandem.EncodedPoolAdapter";

    private static volatile Factory factory;

    private EncodedPools() {}

    /**
     * Registers the engine's factory; called once by the engine.
     *
     * @param f the factory
     */
    public static void register(Factory f) {
        factory = f;
    }

    static Factory factory() {
        Factory f = factory;
        if (f == null) {
            try {
                Class.forName(ENGINE, true, EncodedPools.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("the process engine's " + ENGINE + " is missing", e);
            }
            f = factory;
        }
        return f;
    }
}
