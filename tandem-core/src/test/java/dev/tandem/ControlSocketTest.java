package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 3: an error on the acceptor thread (there, NoClassDefFoundError of jdk.net) ended it
 * silently, and every launch waited out its start timeout. Now whatever ends the acceptor fails
 * the pending launches and every later one at once, with the cause.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ControlSocketTest {

    @Test
    void anAcceptorThatDiesFailsPendingAndLaterLaunchesAtOnceWithTheCause(@TempDir Path base) throws Exception {
        PoolFolder folder = PoolFolder.create(base);
        try (ControlSocket socket = new ControlSocket(folder.path())) {
            var pending = socket.expect("a-token");
            Thread acceptor = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName()
                            .equals("tandem-acceptor-" + folder.path().getFileName()))
                    .findFirst()
                    .orElseThrow();
            // Interrupting accept() closes the channel under it: the acceptor's loop ends with an
            // exception while the socket is not closed, as it did with the NoClassDefFoundError.
            acceptor.interrupt();
            acceptor.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(acceptor.isAlive()).isFalse();

            ExecutionException e =
                    catchThrowableOfType(ExecutionException.class, () -> pending.get(60, TimeUnit.SECONDS));
            assertThat(e).isNotNull();
            assertThat(e.getCause()).hasMessageContaining("the pool's control socket stopped accepting workers");
            assertThat(socket.expect("a-later-token"))
                    .as("a later launch fails at once too")
                    .isCompletedExceptionally();
        } finally {
            folder.delete();
        }
    }
}
