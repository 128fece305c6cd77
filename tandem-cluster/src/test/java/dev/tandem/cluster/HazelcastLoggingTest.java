package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What Hazelcast prints on a caller after Tandem already reported what happened (fresh user, session
 * 16): a seed frozen during {@code start()}, {@code close()} with both nodes frozen, and a node resumed
 * (SIGCONT) mid-run each printed "Future.complete(Object) on completed future" and a 27-line stack;
 * a {@code tandem node --local 2} stopped by SIGTERM printed a 17-line RejectedExecutionException.
 * The records are logged as Hazelcast's {@code StandardLoggerFactory} does (a record of the logger
 * named after the class, handed to {@link Logger#log(LogRecord)}), with the words the user saw.
 */
class HazelcastLoggingTest {
    private static final String INVOCATIONS = "com.hazelcast.client.impl.spi.ClientInvocationService";
    private static final String CONNECTIONS = "com.hazelcast.client.impl.connection.ClientConnectionManager";
    private static final String DOUBLE = "hz.client_1 [tandem] [5.7.0] Future.complete(Object) on completed future."
            + " Request: ClientMessage{connection=null, length=115, operation=Client.Authentication,"
            + " isRetryable=true, correlationId=45, messageType=100, isEvent=false, isfragmented=false},"
            + " current value: ExceptionalResult{cause=java.lang.InterruptedException}, offered value: ";

    /** Held here: java.util.logging keeps only weak references to its loggers. */
    private final Logger hazelcast = Logger.getLogger("com.hazelcast");

    private final List<LogRecord> printed = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            printed.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void capture() {
        HazelcastLogging.quiet();
        hazelcast.addHandler(capture);
    }

    @AfterEach
    void release() {
        hazelcast.removeHandler(capture);
    }

    @Test
    void aDoubleCompletionByTheClientsOwnShutdownPrintedAStackTrace() {
        log(
                INVOCATIONS,
                Level.WARNING,
                DOUBLE + "ExceptionalResult{cause=com.hazelcast.client."
                        + "HazelcastClientNotActiveException: Client is shutting down}",
                new Exception("stack"));
        assertThat(printed).isEmpty();
    }

    @Test
    void aLifecycleEventRejectedAfterTheClientShutDownPrintedAStackTrace() {
        String rejected = "Task com.hazelcast.client.impl.clientside.LifecycleServiceImpl$$Lambda/0x00000000431c4468"
                + "@2c3b94d rejected from java.util.concurrent.ThreadPoolExecutor@1554909b[Terminated, pool size ="
                + " 0, active threads = 0, queued tasks = 0, completed tasks = 5]";
        log(
                CONNECTIONS,
                Level.SEVERE,
                "hz.client_1 [tandem] [5.7.0] " + rejected,
                new RejectedExecutionException(rejected));
        assertThat(printed).isEmpty();
    }

    /** Real errors of the same loggers still print: another double completion, another rejection, another error. */
    @Test
    void otherWarningsAndErrorsOfTheSameLoggersStillPrint() {
        log(INVOCATIONS, Level.WARNING, DOUBLE + "ClientMessage{length=22}", new Exception("stack"));
        log(
                CONNECTIONS,
                Level.SEVERE,
                "hz.client_1 rejected",
                new RejectedExecutionException(
                        "Task com.hazelcast.Other rejected from java.util.concurrent.ThreadPoolExecutor@1[Running]"));
        log(CONNECTIONS, Level.SEVERE, "hz.client_1 something broke", new IllegalStateException("broke"));
        assertThat(printed).hasSize(3);
    }

    private static void log(String logger, Level level, String message, Throwable thrown) {
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName(logger);
        r.setThrown(thrown);
        r.setSourceClassName(logger);
        Logger.getLogger(logger).log(r);
    }
}
