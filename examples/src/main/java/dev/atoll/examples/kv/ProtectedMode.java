package dev.atoll.examples.kv;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

/**
 * Redis's protected mode ({@code kv.protected-mode}): when no password is set and the server listens
 * on an address other than loopback, a peer that is not on this host gets Redis's {@code -DENIED}
 * error and is closed, so that a server started with {@code --host 0.0.0.0} and no password does not
 * serve the network. Loopback peers (127.0.0.0/8, ::1) and Unix-socket peers are served, as in Redis.
 */
final class ProtectedMode {
    /** Redis 7's reply, with the remedies this server offers (it has no CONFIG SET). */
    static final byte[] DENIED = ("-DENIED Redis is running in protected mode because protected mode is enabled and "
            + "no password is set for the default user. In this mode connections are only accepted from the "
            + "loopback interface. If you want to connect from external computers to Redis you may adopt one of "
            + "the following solutions: 1) Disable protected mode by setting kv.protected-mode = no in the "
            + "configuration file and restarting the server, however MAKE SURE it is not publicly accessible "
            + "from internet if you do so. 2) If you started the server manually just for testing, restart it "
            + "with the '--protected-mode no' option. 3) Set up an authentication password for the default user "
            + "(kv.password, or --requirepass). NOTE: You only need to do one of the above things in order for "
            + "the server to start accepting connections from the outside.\r\n").getBytes(StandardCharsets.US_ASCII);

    /** Serves every peer: a password is set, protected mode is off, or the bind is loopback only. */
    static final ProtectedMode OFF = new ProtectedMode(false, address -> true, null);

    private final boolean active;
    private final Predicate<InetAddress> local;
    private final String warning;

    private ProtectedMode(boolean active, Predicate<InetAddress> local, String warning) {
        this.active = active;
        this.local = local;
        this.warning = warning;
    }

    /** As the server decides it for a listener on {@code bind}: loopback is what the host's kernel calls it. */
    static ProtectedMode of(KvSettings settings, InetAddress bind) {
        return of(settings, bind, InetAddress::isLoopbackAddress);
    }

    /**
     * The decision for a listener on {@code bind}, with {@code local} telling the addresses of this host
     * (the bind's and the peers'); tests pass one that calls only 127.0.0.1 local, to play a remote
     * peer from another loopback address.
     */
    static ProtectedMode of(KvSettings settings, InetAddress bind, Predicate<InetAddress> local) {
        if (!settings.password().isEmpty() || local.test(bind)) {
            return OFF;
        }
        String where = bind.getHostAddress();
        if (!settings.protectedMode()) {
            return new ProtectedMode(false, local, "listening on " + where + " with no password (kv.password) and "
                    + "kv.protected-mode = no: every peer that reaches this port is served");
        }
        return new ProtectedMode(true, local, "protected mode: listening on " + where + " with no password "
                + "(kv.password): peers from other hosts are refused with -DENIED; set a password, or "
                + "kv.protected-mode = no (--protected-mode no), to serve them");
    }

    /** True when connections must be checked at all. */
    boolean active() {
        return active;
    }

    /** True when {@code peer} may be served: protected mode is off, or the peer is on this host. */
    boolean admits(SocketAddress peer) {
        if (!active) {
            return true;
        }
        if (peer instanceof InetSocketAddress inet) {
            InetAddress address = inet.getAddress();
            return address != null && local.test(address);
        }
        return peer != null; // a Unix socket's peer is on this host; no address at all: already closed
    }

    /** What to log at start, or null: the server is reachable from other hosts without a password. */
    String warning() {
        return warning;
    }
}
