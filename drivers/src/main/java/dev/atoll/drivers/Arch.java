package dev.atoll.drivers;

import java.util.Locale;

/** The CPU architectures Atoll tells apart (the JVM's {@code os.arch} normalised). */
public enum Arch {
    X86_64, AARCH64, OTHER;

    private static final Arch CURRENT = detect(System.getProperty("os.arch", ""));

    /** The architecture this JVM runs on. */
    public static Arch current() {
        return CURRENT;
    }

    /** The spelling used in logs: {@code x86_64}, {@code aarch64}, {@code other}. */
    public String displayName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Arch detect(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64", "x64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            default -> OTHER;
        };
    }
}
