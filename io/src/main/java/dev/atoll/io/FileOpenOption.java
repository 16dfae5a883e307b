package dev.atoll.io;

import java.nio.file.OpenOption;

/** Open options of {@link AsyncFile#open} beyond {@link java.nio.file.StandardOpenOption}. */
public enum FileOpenOption implements OpenOption {
    /**
     * Bypass the page cache: reads and writes go to the device (Linux {@code O_DIRECT}; macOS
     * {@code F_NOCACHE}). Buffer addresses, file positions and lengths must then be multiples of the
     * device's logical block size (512 or 4096 bytes) or the call fails with {@code EINVAL}: pool buffers
     * of 4 KiB and more are page-aligned. Some file systems (tmpfs) refuse it when the file is opened.
     */
    DIRECT
}
