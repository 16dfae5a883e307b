package dev.atoll.examples;

/** Placeholder so the launcher's branch compiles; the real demo arrives with the shards module. */
public final class Hello {
    private Hello() { }

    public static void main(String[] args) throws Exception {
        throw new UnsupportedOperationException("Hello lands with the shards module");
    }
}
