package dev.atoll.examples.kv;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.Arrays;

/** The log lines of one class during a test: {@link #start} before, {@link #stop} after, {@link #assertLogged} between. */
final class LogCapture {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    LogCapture(Class<?> source) {
        this.logger = (Logger) LoggerFactory.getLogger(source);
    }

    void start() {
        logged.start();
        logger.addAppender(logged);
    }

    void stop() {
        logger.detachAppender(logged);
    }

    /** Some line contains every one of {@code parts}. */
    void assertLogged(String... parts) {
        for (ILoggingEvent event : logged.list) {
            String line = event.getFormattedMessage();
            if (Arrays.stream(parts).allMatch(line::contains)) {
                return;
            }
        }
        throw new AssertionError("no log line with " + Arrays.toString(parts) + " in "
                + logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
    }
}
