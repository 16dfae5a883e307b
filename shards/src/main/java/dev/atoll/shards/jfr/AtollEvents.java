package dev.atoll.shards.jfr;

import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * Whether a JFR recording is running in this JVM: the one check every emitter of Atoll's events
 * makes before it builds an event, so that with no recording an event costs one read of a field —
 * no allocation, no clock read. Kept current by a {@link FlightRecorderListener}; adding that
 * listener does not start the flight recorder.
 */
public final class AtollEvents {
    /** Written by the listener (JFR's thread, or whoever starts a recording), read on the hot paths: volatile. */
    private static volatile boolean recording;

    static {
        FlightRecorder.addListener(new FlightRecorderListener() {
            @Override
            public void recorderInitialized(FlightRecorder recorder) {
                update(recorder);
            }

            @Override
            public void recordingStateChanged(Recording changed) {
                update(FlightRecorder.getFlightRecorder());
            }
        });
    }

    private AtollEvents() {
    }

    /** True while at least one recording runs; an event may then be built and offered to JFR. */
    public static boolean recording() {
        return recording;
    }

    private static void update(FlightRecorder recorder) {
        boolean any = false;
        for (Recording r : recorder.getRecordings()) {
            any |= r.getState() == RecordingState.RUNNING;
        }
        recording = any;
    }
}
