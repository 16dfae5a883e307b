package dev.atoll.examples.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The RESP parser alone: commands, inline commands, any split, errors. */
class RespParserTest {
    /** Parses {@code input} fed in pieces of {@code step} bytes as a connection does; errors as "ERROR: text". */
    static List<List<String>> parseInPieces(byte[] input, int step, int maxRequest) {
        RespParser parser = new RespParser(maxRequest);
        Request r = new Request();
        List<List<String>> commands = new ArrayList<>();
        byte[] buffer = new byte[0];
        int start = 0;
        for (int fed = 0; fed < input.length; ) {
            int n = Math.min(step, input.length - fed);
            byte[] grown = Arrays.copyOfRange(buffer, start, buffer.length + n);
            System.arraycopy(input, fed, grown, buffer.length - start, n);
            buffer = grown;
            start = 0;
            fed += n;
            while (start < buffer.length) {
                int next = parser.parse(buffer, start, buffer.length, r);
                if (next == RespParser.INCOMPLETE) {
                    break;
                }
                if (next == RespParser.ERROR) {
                    commands.add(List.of("ERROR: " + parser.error()));
                    return commands;
                }
                assertTrue(next > start && next <= buffer.length, "parse must advance within the input");
                if (r.count() > 0) {
                    List<String> args = new ArrayList<>();
                    for (int i = 0; i < r.count(); i++) {
                        args.add(new String(r.bytes, r.offset(i), r.length(i), StandardCharsets.ISO_8859_1));
                    }
                    commands.add(args);
                }
                start = next;
            }
        }
        return commands;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aPipelineParsesTheSameWhereverItIsCut() {
        byte[] input = bytes("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n*1\r\n$4\r\nPING\r\n"
                + "GET key\r\n\r\n*0\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n  mget  a\tb \"c d\" 'e f'\n");
        List<List<String>> expected = List.of(List.of("SET", "key", "va\r\nl"), List.of("PING"), List.of("GET", "key"),
                List.of("ECHO", ""), List.of("mget", "a", "b", "c d", "e f"));
        for (int step = 1; step <= input.length; step++) {
            assertEquals(expected, parseInPieces(input, step, 1024), "cut every " + step + " bytes");
        }
    }

    @Test
    void inlineQuotesDecodeRedisEscapes() {
        assertEquals(List.of(List.of("set", "k", "a\n\t\"b\\", "x\u00ffy", "it's", "")),
                parseInPieces(bytes("set k \"a\\n\\t\\\"b\\\\\" \"x\\xffy\" 'it\\'s' \"\"\r\n"), 100, 1024));
    }

    @Test
    void errorsUseRedisTexts() {
        assertEquals(List.of(List.of("ERROR: ERR Protocol error: invalid multibulk length")),
                parseInPieces(bytes("*abc\r\n"), 100, 1024));
        assertEquals(List.of(List.of("ERROR: ERR Protocol error: invalid multibulk length")),
                parseInPieces(bytes("*" + (RespParser.MAX_ARGUMENTS + 1) + "\r\n"), 100, 1024));
        assertEquals(List.of(List.of("ERROR: ERR Protocol error: expected '$', got ':'")),
                parseInPieces(bytes("*1\r\n:1\r\n"), 100, 1024));
        assertEquals(List.of(List.of("ERROR: ERR Protocol error: invalid bulk length")),
                parseInPieces(bytes("*1\r\n$2000\r\n"), 100, 1024));
        assertEquals(List.of(List.of("ERROR: ERR Protocol error: unbalanced quotes in request")),
                parseInPieces(bytes("get \"a\r\n"), 100, 1024));
        assertEquals(List.of(List.of("ERROR: ERR Protocol error: unbalanced quotes in request")),
                parseInPieces(bytes("get \"a\"b\r\n"), 100, 1024));
        String overQuery = "ERROR: ERR Protocol error: max query buffer length reached (client-query-buffer-limit 1024)";
        assertEquals(List.of(List.of(overQuery)),
                parseInPieces(bytes("*3\r\n$3\r\nSET\r\n$600\r\n" + "k".repeat(600) + "\r\n$600\r\n" + "v".repeat(600)
                        + "\r\n"), 100, 1024));
        // Refused at the header that announces it, before the bytes arrive.
        assertEquals(List.of(List.of(overQuery)), parseInPieces(bytes("*2\r\n$3\r\nSET\r\n$1020\r\n"), 100, 1024));
        // Many small arguments: refused once the bytes held pass the bound.
        assertEquals(List.of(List.of(overQuery)),
                parseInPieces(bytes("*1000\r\n" + "$1\r\nx\r\n".repeat(300)), 100, 1024));
    }

    /**
     * Issue 19, item 5: a command cut by the end of the input is resumed where its parse stopped, not
     * parsed again from its start, so that a command of a million arguments costs linear time. Shown
     * without a clock: once a part of the command was parsed, its header bytes are overwritten with
     * junk; a parser that read them again would report an error.
     */
    @Test
    void aCutCommandResumesWhereItsParseStopped() {
        int arguments = 1000;
        StringBuilder command = new StringBuilder("*" + arguments + "\r\n");
        for (int i = 0; i < arguments; i++) {
            command.append("$4\r\n").append("%04d".formatted(i)).append("\r\n");
        }
        byte[] whole = bytes(command.toString());
        RespParser parser = new RespParser(1 << 20);
        Request r = new Request();
        byte[] buffer = new byte[whole.length + 64];
        int start = 64; // the command moves to the front of the array halfway, as a connection's buffer does
        int fed = 0;
        int step = 997;
        while (true) {
            int n = Math.min(step, whole.length - fed);
            System.arraycopy(whole, fed, buffer, start + fed, n);
            fed += n;
            int next = parser.parse(buffer, start, start + fed, r);
            if (next != RespParser.INCOMPLETE) {
                assertEquals(start + whole.length, next, parser.error());
                break;
            }
            assertTrue(r.count() > 0 || fed < step, "arguments parsed so far are kept");
            // Junk over every header already parsed: only the payloads stay as they were.
            for (int i = 0; i < r.count(); i++) {
                buffer[r.offset(i) - 4] = 'x';
                buffer[r.offset(i) - 3] = 'x';
            }
            if (fed > whole.length / 2 && start != 0) {
                System.arraycopy(buffer, start, buffer, 0, fed);
                start = 0;
            }
        }
        assertEquals(arguments, r.count());
        for (int i = 0; i < arguments; i++) {
            assertEquals("%04d".formatted(i), new String(r.bytes, r.offset(i), r.length(i), StandardCharsets.US_ASCII));
        }
        // The next command starts afresh.
        byte[] ping = bytes("*1\r\n$4\r\nPING\r\n");
        assertEquals(ping.length, parser.parse(ping, 0, ping.length, r));
        assertEquals(1, r.count());
    }
}
