/**
 * Atoll's platform layer: FFM bindings, platform facts, thread placement, and the {@code Driver} SPI
 * with its io_uring, epoll and kqueue implementations. The only module that calls restricted FFM
 * methods: on the module path it needs {@code --enable-native-access=dev.atoll.drivers}.
 */
module dev.atoll.drivers {
    requires transitive dev.atoll.config;
    requires org.slf4j;
    exports dev.atoll.drivers;
    // For Atoll's own modules (io, shards, benchmarks): raw system calls and the io_uring ring. The
    // readiness drivers (epoll, kqueue) are reached through Drivers only.
    exports dev.atoll.drivers.ffi;
    exports dev.atoll.drivers.uring;
}
