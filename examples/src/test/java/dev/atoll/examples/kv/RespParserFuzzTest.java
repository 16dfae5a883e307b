package dev.atoll.examples.kv;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property-based tests of the RESP parser (jqwik): arbitrary bytes never make it throw or read out
 * of bounds, and any command encoded in RESP parses back exactly however the stream is cut. Bounded
 * by the number of tries (a few seconds in all).
 */
class RespParserFuzzTest {

    @Property(tries = 3000)
    void arbitraryBytesEndInCommandsAnErrorOrAWaitNeverAnException(
            @ForAll("junk") byte[] input, @ForAll @IntRange(min = 1, max = 64) int step) {
        List<List<String>> parsed = RespParserTest.parseInPieces(input, step, 4096);
        for (List<String> command : parsed) {
            assertTrue(!command.isEmpty());
        }
    }

    @Property(tries = 2000)
    void encodedCommandsParseBackAtAnyCut(@ForAll("commands") List<List<byte[]>> commands,
                                          @ForAll @IntRange(min = 1, max = 200) int step) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<List<String>> expected = new ArrayList<>();
        for (List<byte[]> command : commands) {
            stream.writeBytes(("*" + command.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
            List<String> args = new ArrayList<>();
            for (byte[] arg : command) {
                stream.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                stream.writeBytes(arg);
                stream.writeBytes(new byte[] {'\r', '\n'});
                args.add(new String(arg, StandardCharsets.ISO_8859_1));
            }
            expected.add(args);
        }
        assertEquals(expected, RespParserTest.parseInPieces(stream.toByteArray(), step, 1 << 20));
    }

    /** Random bytes, and random bytes shaped like RESP (headers, CRLFs, digits) to reach deeper states. */
    @Provide
    Arbitrary<byte[]> junk() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(512);
        Arbitrary<byte[]> shaped = Arbitraries.of("*", "$", "\r\n", "\r", "\n", "-1", "0", "3", "12", "99999999999",
                        "\"", "'", "\\", "\\x4", " ", "GET", "*2\r\n", "$3\r\n", "abc", "\u00ff", "\u0000")
                .list().ofMaxSize(60)
                .map(parts -> String.join("", parts).getBytes(StandardCharsets.ISO_8859_1));
        return Arbitraries.oneOf(random, shaped);
    }

    @Provide
    Arbitrary<List<List<byte[]>>> commands() {
        Arbitrary<byte[]> argument = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        return argument.list().ofMinSize(1).ofMaxSize(6).list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 500)
    void aCommandCutAnywhereIsIncompleteNotWrong(@ForAll @Size(min = 1, max = 5) List<@Size(max = 40) String> args,
                                                 @ForAll @IntRange(min = 0, max = 1000) int cut) {
        byte[] full = RespClient.encode(args.toArray(String[]::new));
        int at = cut % full.length;
        RespParser parser = new RespParser(1 << 20);
        Request r = new Request();
        assertEquals(RespParser.INCOMPLETE, at == 0 ? RespParser.INCOMPLETE
                : parser.parse(java.util.Arrays.copyOf(full, at), 0, at, r));
        assertEquals(full.length, parser.parse(full, 0, full.length, r));
        assertEquals(args.size(), r.count());
    }
}
