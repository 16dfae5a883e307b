package dev.atoll.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A child process for {@link IdleConnectionsTest}: opens {@code args[2]} connections to {@code args[0]:args[1]}
 * and keeps them idle. Answers on stdout start with {@code @@}: {@code @@CONNECTED n}; {@code echo} sends one
 * byte on each and reads it back ({@code @@ECHOED n}); {@code close} closes them all ({@code @@CLOSED}).
 */
public final class IdleClientsMain {
    private IdleClientsMain() {
    }

    public static void main(String[] args) throws IOException {
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int count = Integer.parseInt(args[2]);
        List<SocketChannel> channels = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                channels.add(SocketChannel.open(server));
            }
            System.out.println("@@CONNECTED " + channels.size());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("echo")) {
                    ByteBuffer one = ByteBuffer.allocate(1);
                    for (int i = 0; i < count; i++) {
                        one.clear().put((byte) i).flip();
                        channels.get(i).write(one);
                    }
                    int echoed = 0;
                    for (int i = 0; i < count; i++) {
                        one.clear();
                        if (channels.get(i).read(one) == 1 && one.get(0) == (byte) i) {
                            echoed++;
                        }
                    }
                    System.out.println("@@ECHOED " + echoed);
                } else if (line.equals("close") || line.equals("quit")) {
                    break;
                }
            }
        } finally {
            for (SocketChannel channel : channels) {
                channel.close();
            }
            System.out.println("@@CLOSED");
        }
    }
}
