package dev.atoll.examples.kv;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;

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
        List<String> lines = lines();
        for (String line : lines) {
            if (Arrays.stream(parts).allMatch(line::contains)) {
                return;
            }
        }
        throw new AssertionError("no log line with " + Arrays.toString(parts) + " in " + lines);
    }

    /**
     * The lines so far. A shard's thread may be logging meanwhile: the appender adds to its list holding its own
     * lock ({@code AppenderBase.doAppend} is synchronized), so the list is copied holding it (iterated without it,
     * CI met a ConcurrentModificationException).
     */
    private List<String> lines() {
        synchronized (logged) {
            return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }
}
