package dev.atoll.cluster;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/** Records what a {@link MembershipProvider} tells its listeners, and waits (bounded) for what a test expects. */
final class MembershipRecorder implements MembershipListener {
    static final Duration WAIT = Duration.ofSeconds(20);

    /** One call of the listener. */
    sealed interface Event permits Members, Self {
    }

    record Members(List<Member> members) implements Event {
    }

    record Self(SelfState state, Member self, boolean isMemberDuringCall, List<Member> membersDuringCall) implements Event {
    }

    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final MembershipProvider provider;

    MembershipRecorder(MembershipProvider provider) {
        this.provider = provider;
        provider.subscribe(this);
    }

    @Override
    public void onMembers(List<Member> members) {
        events.add(new Members(members));
    }

    @Override
    public void onSelf(SelfState state, Member self) {
        events.add(new Self(state, self, provider.isMember(), provider.members()));
    }

    /** Waits for the first event (from now on, in order) that matches, and returns it; every event before it is passed to {@code seen}. */
    <E extends Event> E await(Class<E> type, Predicate<E> matches, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (;;) {
            long left = deadline - System.nanoTime();
            Event next = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
            if (next == null) {
                return fail("no " + what + " within " + WAIT + "; member list now " + provider.members() + ", state " + provider.state());
            }
            if (type.isInstance(next) && matches.test(type.cast(next))) {
                return type.cast(next);
            }
        }
    }

    /** Waits until the member list holds exactly these names. */
    List<Member> awaitNames(String... names) throws InterruptedException {
        List<String> wanted = List.of(names);
        return await(Members.class, m -> m.members().stream().map(Member::name).sorted().toList().equals(wanted),
                "member list " + wanted).members();
    }
}
