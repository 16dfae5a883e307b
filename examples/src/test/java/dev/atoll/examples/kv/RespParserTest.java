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
        assertEquals(List.of(List.of("ERROR: ERR Protocol error: request larger than kv.max-request-bytes (1024)")),
                parseInPieces(bytes("*3\r\n$3\r\nSET\r\n$600\r\n" + "k".repeat(600) + "\r\n$600\r\n" + "v".repeat(600)
                        + "\r\n"), 100, 1024));
    }
}
