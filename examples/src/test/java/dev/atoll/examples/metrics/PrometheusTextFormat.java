package dev.atoll.examples.metrics;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4 (what Prometheus's own
 * {@code expfmt.TextParser} accepts, for counters and gauges): every line ends with LF; a comment is
 * {@code # HELP name text} (escapes {@code \\} and {@code \n} only) or {@code # TYPE name counter|gauge|untyped},
 * at most one of each per name and before its samples; a sample is
 * {@code name{label="value",...} value} with the format's name rules, escaped label values, no label
 * twice, a Go float value; the lines of one family are contiguous and no series appears twice.
 * Throws {@link IllegalArgumentException} naming the line at the first violation.
 */
final class PrometheusTextFormat {
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") ((?:[^\\\\\n]|\\\\[\\\\n])*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|untyped)");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(?:\\{(.*)\\})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\n]|\\\\[\\\\\"n])*)\",?");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(?:Inf|NaN|(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)");

    /** A sample series: its name and labels in order, and its value. */
    record Sample(String name, Map<String, String> labels, double value) { }

    private PrometheusTextFormat() {
    }

    /** Parses {@code text}; returns the samples by series key ({@code name{labels}}) and the type of each family. */
    static Map<String, Sample> parse(String text, Map<String, String> typesOut) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the text does not end with a line feed");
        }
        Map<String, Sample> samples = new LinkedHashMap<>();
        Set<String> helped = new HashSet<>();
        Set<String> finished = new HashSet<>();
        Map<String, Boolean> sampled = new HashMap<>();
        String current = null;
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            if (line.isEmpty()) {
                if (number == text.split("\n", -1).length) {
                    break;   // after the final line feed
                }
                throw new IllegalArgumentException("line " + number + ": empty");
            }
            String family;
            Matcher m;
            if ((m = HELP.matcher(line)).matches()) {
                family = m.group(1);
                if (!helped.add(family)) {
                    throw new IllegalArgumentException("line " + number + ": a second HELP for " + family);
                }
            } else if ((m = TYPE.matcher(line)).matches()) {
                family = m.group(1);
                if (typesOut.putIfAbsent(family, m.group(2)) != null) {
                    throw new IllegalArgumentException("line " + number + ": a second TYPE for " + family);
                }
                if (sampled.containsKey(family)) {
                    throw new IllegalArgumentException("line " + number + ": TYPE of " + family + " after its samples");
                }
            } else if (line.startsWith("#")) {
                throw new IllegalArgumentException("line " + number + ": a comment other than HELP or TYPE: " + line);
            } else if ((m = SAMPLE.matcher(line)).matches()) {
                family = m.group(1);
                Map<String, String> labels = labels(m.group(2), number);
                if (!FLOAT.matcher(m.group(3)).matches()) {
                    throw new IllegalArgumentException("line " + number + ": not a float: " + m.group(3));
                }
                String key = family + labels;
                if (samples.put(key, new Sample(family, labels, Double.parseDouble(m.group(3).replace("Inf", "Infinity"))))
                        != null) {
                    throw new IllegalArgumentException("line " + number + ": the series " + key + " twice");
                }
                sampled.put(family, true);
            } else {
                throw new IllegalArgumentException("line " + number + ": not a sample: " + line);
            }
            if (!family.equals(current)) {
                if (current != null) {
                    finished.add(current);
                }
                if (finished.contains(family)) {
                    throw new IllegalArgumentException("line " + number + ": " + family + " again after other families");
                }
                current = family;
            }
        }
        return samples;
    }

    private static Map<String, String> labels(String text, int number) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (text == null) {
            return labels;
        }
        Matcher m = LABEL.matcher(text);
        int at = 0;
        while (at < text.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("line " + number + ": bad labels: {" + text + "}");
            }
            if (labels.put(m.group(1), m.group(2)) != null) {
                throw new IllegalArgumentException("line " + number + ": label " + m.group(1) + " twice");
            }
            at = m.end();
        }
        return labels;
    }
}
