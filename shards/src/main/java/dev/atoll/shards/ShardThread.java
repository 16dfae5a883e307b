package dev.atoll.shards;

/** The platform thread of one shard; lets {@link Shard#current()} find its shard without a thread-local. */
final class ShardThread extends Thread {
    final Shard shard;

    ShardThread(Shard shard, String name) {
        super(null, null, name, 0, false);
        this.shard = shard;
    }

    @Override
    public void run() {
        shard.run();
    }
}
