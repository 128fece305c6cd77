package dev.tandem;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What Tandem logs ({@code java.util.logging}, logger {@code dev.tandem}) during each test, from the given level
 * up; register it with {@code @RegisterExtension}. The logger's level is restored after each test.
 */
final class CapturedLog implements BeforeEachCallback, AfterEachCallback {
    /** Held here: java.util.logging keeps only weak references to its loggers. */
    private final Logger jul = Logger.getLogger("dev.tandem");

    private final Level level;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    private Level saved;

    CapturedLog(Level level) {
        this.level = level;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        records.clear();
        saved = jul.getLevel();
        jul.setLevel(level);
        jul.addHandler(capture);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        jul.removeHandler(capture);
        jul.setLevel(saved);
    }

    /** {@return the records whose message starts with {@code prefix}, in the order logged} */
    List<LogRecord> startingWith(String prefix) {
        return records.stream().filter(r -> r.getMessage().startsWith(prefix)).toList();
    }
}
