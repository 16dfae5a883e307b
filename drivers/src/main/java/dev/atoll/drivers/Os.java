package dev.atoll.drivers;

import java.util.Locale;

/** The operating systems Atoll tells apart; everything else is {@link #OTHER}. */
public enum Os {
    LINUX, MACOS, OTHER;

    private static final Os CURRENT = detect(System.getProperty("os.name", ""));

    /** The operating system this JVM runs on. */
    public static Os current() {
        return CURRENT;
    }

    /** The spelling used in logs: {@code linux}, {@code macos}, {@code other}. */
    public String displayName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Os detect(String osName) {
        String name = osName.toLowerCase(Locale.ROOT);
        if (name.startsWith("linux")) {
            return LINUX;
        }
        if (name.startsWith("mac") || name.startsWith("darwin")) {
            return MACOS;
        }
        return OTHER;
    }
}
