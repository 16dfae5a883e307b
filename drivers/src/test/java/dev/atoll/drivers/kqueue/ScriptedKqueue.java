package dev.atoll.drivers.kqueue;

import dev.atoll.drivers.ffi.Kqueue;
import dev.atoll.drivers.ffi.KqueueCalls;
import dev.atoll.drivers.ffi.LibC;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A kqueue that records every {@code kevent} call (its change list decoded from native memory, its
 * room for events, its timeout) and answers with what the test scripts, written into the event list as
 * the kernel would. Lets the poller's encoding and its handling of results run without a kqueue.
 */
final class ScriptedKqueue implements KqueueCalls {
    static final int KQ = 1_000_001;

    /** One {@code struct kevent}, decoded or to be written. */
    record Kevent(long ident, short filter, int flags, int fflags, long data, long udata) {
        static Kevent event(long ident, short filter, int flags, long udata) {
            return new Kevent(ident, filter, flags, 0, 0, udata);
        }

        /** The {@code EV_ERROR} entry the kernel writes for a change that failed with {@code errno}. */
        Kevent failedWith(long errno) {
            return new Kevent(ident, filter, flags | Kqueue.EV_ERROR, fflags, errno, udata);
        }
    }

    /** One {@code kevent} call: {@code timeoutNanos} is null for a NULL timeout (no limit). */
    record Call(int kq, List<Kevent> changes, int nevents, Long timeoutNanos) {
    }

    /** What a call returns: events to write, or a negative errno. */
    record Answer(List<Kevent> events, int error) {
        static Answer events(Kevent... events) {
            return new Answer(List.of(events), 0);
        }

        static Answer error(int errno) {
            return new Answer(List.of(), -errno);
        }
    }

    private final Kqueue.Flavor flavor;
    final List<Call> calls = new ArrayList<>();
    final List<Integer> closed = new ArrayList<>();
    int kqueueResult = KQ;
    /** Answers each call; by default a receipt (data 0) for each EV_RECEIPT change, else nothing. */
    Function<Call, Answer> answer = ScriptedKqueue::receipts;

    ScriptedKqueue(Kqueue.Flavor flavor) {
        this.flavor = flavor;
    }

    static Answer receipts(Call call) {
        return new Answer(call.changes().stream().filter(c -> (c.flags() & Kqueue.EV_RECEIPT) != 0)
                .map(c -> c.failedWith(0)).toList(), 0);
    }

    Call last() {
        return calls.getLast();
    }

    @Override
    public Kqueue.Flavor flavor() {
        return flavor;
    }

    @Override
    public int kqueue(MemorySegment errno) {
        return kqueueResult;
    }

    @Override
    public synchronized int kevent(MemorySegment errno, int kq, MemorySegment changes, int nchanges,
                                   MemorySegment events, int nevents, MemorySegment timeout) {
        List<Kevent> decoded = new ArrayList<>();
        for (int i = 0; i < nchanges; i++) {
            decoded.add(read(changes, i));
        }
        Long nanos = timeout.address() == 0 ? null
                : (long) LibC.TIMESPEC_SEC.get(timeout, 0L) * 1_000_000_000L + (long) LibC.TIMESPEC_NSEC.get(timeout, 0L);
        Call call = new Call(kq, List.copyOf(decoded), nevents, nanos);
        calls.add(call);
        Answer a = answer.apply(call);
        if (a.error() != 0) {
            return a.error();
        }
        if (a.events().size() > nevents) {
            throw new AssertionError("the kernel would fail this call: " + a.events().size() + " entries, room for "
                    + nevents);
        }
        for (int i = 0; i < a.events().size(); i++) {
            Kevent e = a.events().get(i);
            Kqueue.set(events, i, e.ident(), e.filter(), e.flags(), e.fflags(), e.udata());
            Kqueue.DATA.set(events, i * Kqueue.KEVENT.byteSize(), e.data());
        }
        return a.events().size();
    }

    @Override
    public int close(MemorySegment errno, int fd) {
        closed.add(fd);
        return 0;
    }

    static Kevent read(MemorySegment list, int index) {
        long offset = index * Kqueue.KEVENT.byteSize();
        return new Kevent((long) Kqueue.IDENT.get(list, offset), (short) Kqueue.FILTER.get(list, offset),
                Short.toUnsignedInt((short) Kqueue.FLAGS.get(list, offset)), (int) Kqueue.FFLAGS.get(list, offset),
                (long) Kqueue.DATA.get(list, offset), (long) Kqueue.UDATA.get(list, offset));
    }
}
