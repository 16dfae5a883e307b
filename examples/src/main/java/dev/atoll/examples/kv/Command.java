package dev.atoll.examples.kv;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The commands the server knows, with Redis's arity (positive: exactly, negative: at least that
 * many arguments, the name included), where their keys are, and the facts COMMAND and COMMAND DOCS
 * report. {@link #lookup} finds one from the name's bytes in any case without a String.
 */
enum Command {
    // Answered by the connection's shard.
    PING(-1, Kind.CONNECTION, "connection", "1.0.0", "Returns the server's liveliness response.", "fast"),
    ECHO(2, Kind.CONNECTION, "connection", "1.0.0", "Returns the given string.", "fast"),
    AUTH(-2, Kind.CONNECTION, "connection", "1.0.0", "Authenticates the connection.", "noscript", "loading", "stale", "fast", "no_auth"),
    HELLO(-1, Kind.CONNECTION, "connection", "6.0.0", "Handshakes with the server: RESP2 or RESP3.", "noscript", "loading", "stale", "fast", "no_auth"),
    SELECT(2, Kind.CONNECTION, "connection", "1.0.0", "Changes the selected database (only 0 exists).", "loading", "stale", "fast"),
    QUIT(-1, Kind.CONNECTION, "connection", "1.0.0", "Closes the connection.", "noscript", "loading", "stale", "fast", "no_auth"),
    CLIENT(-2, Kind.SERVER, "connection", "2.4.0", "CLIENT LIST, INFO, KILL (over all shards), SETNAME, GETNAME, ID, SETINFO, NO-EVICT, TRACKING, CACHING, GETREDIR, TRACKINGINFO (client-side caching).", "noscript", "loading", "stale"),
    COMMAND(-1, Kind.CONNECTION, "server", "2.8.13", "Returns detailed information about all commands.", "loading", "stale"),
    CONFIG(-2, Kind.SERVER, "server", "2.0.0", "CONFIG GET, SET (Redis 7.0's parameters), RESETSTAT, REWRITE, HELP.", "admin", "noscript", "loading", "stale"),
    TIME(1, Kind.CONNECTION, "server", "2.6.0", "Returns the server time: Unix seconds and microseconds.", "loading", "stale", "fast"),
    SHUTDOWN(-1, Kind.CONNECTION, "server", "1.0.0", "Stops the server as SIGTERM does: every shard's log written and synced, then the process exits.", "admin", "noscript", "loading", "stale", "no_multi", "allow_busy"),
    LASTSAVE(1, Kind.CONNECTION, "server", "1.0.0", "Answers when the last successful SAVE or BGSAVE ended (the server's start until one did).", "loading", "stale", "fast"),
    MOVE(3, Kind.CONNECTION, "generic", "1.0.0", "Moves a key to another database: there is only database 0, so Redis's errors.", "write", "fast"),
    SWAPDB(3, Kind.CONNECTION, "server", "4.0.0", "Swaps two databases: only SWAPDB 0 0 (there is one database).", "write", "fast"),
    ROLE(1, Kind.SERVER, "server", "2.8.12", "Answers master, the replication offset and each replica's address and acknowledged offset; as a replica (REPLICAOF) slave, its master and the link's state.", "noscript", "loading", "stale", "fast"),
    REPLICAOF(3, Kind.CONNECTION, "server", "5.0.0", "Makes this server a replica of a Redis master: full sync, then its command stream (NO ONE: a master again).", "admin", "noscript", "stale", "no_async_loading"),
    FAILOVER(-1, Kind.CONNECTION, "server", "6.2.0", "Hands the master's role to a replica in sync: writes paused until it acknowledged the stream, then PSYNC ... FAILOVER (TO host port [FORCE], TIMEOUT ms, ABORT).", "admin", "noscript", "stale"),
    SLAVEOF(3, Kind.CONNECTION, "server", "1.0.0", "REPLICAOF's old name.", "admin", "noscript", "stale", "no_async_loading"),
    WAIT(3, Kind.SERVER, "generic", "3.0.0", "Waits until that many replicas acknowledged the stream up to this client's writes, or the timeout (ms; 0: none).", "noscript"),
    // Redis Cluster's view, the shards as its nodes (ClusterCommands; kv.shard-ports).
    CLUSTER(-2, Kind.CONNECTION, "cluster", "3.0.0", "CLUSTER SLOTS, NODES, SHARDS, INFO, MYID, KEYSLOT: the shards as cluster nodes (kv.shard-ports).", "loading", "stale"),
    READONLY(1, Kind.CONNECTION, "cluster", "3.0.0", "Answers OK (kv.shard-ports): there are no replicas to read from.", "loading", "stale", "fast"),
    READWRITE(1, Kind.CONNECTION, "cluster", "3.0.0", "Answers OK (kv.shard-ports).", "loading", "stale", "fast"),
    ASKING(1, Kind.CONNECTION, "cluster", "3.0.0", "Answers OK (kv.shard-ports): slots never move between shards.", "fast"),
    // Transactions (MultiState): atomic across shards (Transaction).
    MULTI(1, Kind.CONNECTION, "transactions", "1.2.0", "Starts a transaction.", "noscript", "loading", "stale", "fast", "allow_busy"),
    EXEC(1, Kind.CONNECTION, "transactions", "1.2.0", "Executes all commands in a transaction, atomically across shards.", "noscript", "loading", "stale", "skip_slowlog"),
    DISCARD(1, Kind.CONNECTION, "transactions", "2.0.0", "Discards a transaction.", "noscript", "loading", "stale", "fast", "allow_busy"),
    WATCH(-2, Kind.CONNECTION, "transactions", "2.2.0", "Monitors changes to keys to determine the execution of a transaction.", "noscript", "loading", "stale", "fast", "allow_busy"),
    UNWATCH(1, Kind.CONNECTION, "transactions", "2.2.0", "Forgets about watched keys of a transaction.", "noscript", "loading", "stale", "fast", "allow_busy"),
    // Pub/sub and administration: answered on the connection's shard, often after every shard's part (PubSubCommands, AdminCommands).
    SUBSCRIBE(-2, Kind.SERVER, "pubsub", "2.0.0", "Listens for messages published to channels.", "pubsub", "noscript", "loading", "stale"),
    UNSUBSCRIBE(-1, Kind.SERVER, "pubsub", "2.0.0", "Stops listening to messages posted to channels.", "pubsub", "noscript", "loading", "stale"),
    PSUBSCRIBE(-2, Kind.SERVER, "pubsub", "2.0.0", "Listens for messages published to channels that match patterns.", "pubsub", "noscript", "loading", "stale"),
    PUNSUBSCRIBE(-1, Kind.SERVER, "pubsub", "2.0.0", "Stops listening to messages published to channels that match patterns.", "pubsub", "noscript", "loading", "stale"),
    PUBLISH(3, Kind.SERVER, "pubsub", "2.0.0", "Posts a message to a channel; answers its receivers over all shards.", "pubsub", "loading", "stale", "fast"),
    PUBSUB(-2, Kind.SERVER, "pubsub", "2.8.0", "PUBSUB CHANNELS, NUMSUB, NUMPAT, SHARDCHANNELS, SHARDNUMSUB over all shards.", "pubsub", "loading", "stale"),
    SLOWLOG(-2, Kind.SERVER, "server", "2.2.12", "SLOWLOG GET, LEN, RESET over all shards: the commands that executed slowly.", "admin", "loading", "stale"),
    SSUBSCRIBE(-2, Kind.SERVER, "pubsub", "7.0.0", "Listens for messages published to shard channels.", "pubsub", "noscript", "loading", "stale"),
    SUNSUBSCRIBE(-1, Kind.SERVER, "pubsub", "7.0.0", "Stops listening to messages posted to shard channels.", "pubsub", "noscript", "loading", "stale"),
    SPUBLISH(3, Kind.SERVER, "pubsub", "7.0.0", "Posts a message to a shard channel; answers its receivers over all shards.", "pubsub", "loading", "stale", "fast"),
    RESET(1, Kind.SERVER, "connection", "6.2.0", "Resets the connection: subscriptions, protocol, name, authentication.", "noscript", "loading", "stale", "fast", "no_auth"),
    MONITOR(1, Kind.SERVER, "server", "1.0.0", "Streams every command the server runs, on every shard, as it dispatches them (see Monitors).", "admin", "noscript", "loading", "stale"),
    DEBUG(-2, Kind.SERVER, "server", "1.0.0", "DEBUG SLEEP, SET-ACTIVE-EXPIRE, OBJECT, POPULATE, HTSTATS, HTSTATS-KEY, DIGEST, DIGEST-VALUE, RELOAD, LOG.", "admin", "noscript", "loading", "stale"),
    // ACL users (AclCommands), LATENCY (LatencyCommands), and the diagnostics (Diagnostics).
    ACL(-2, Kind.SERVER, "server", "6.0.0", "ACL SETUSER, GETUSER, LIST, USERS, DELUSER, WHOAMI, DRYRUN, CAT, LOG, GENPASS, SAVE, LOAD (kv.aclfile), HELP: Redis 7.0's users, checked on every command.", "admin", "noscript", "loading", "stale"),
    LATENCY(-2, Kind.SERVER, "server", "2.8.13", "LATENCY LATEST, HISTORY, RESET, GRAPH, DOCTOR, HISTOGRAM, HELP: events and per-command histograms of every shard, merged (LatencyCommands).", "admin", "noscript", "loading", "stale"),
    PFSELFTEST(1, Kind.SERVER, "hyperloglog", "2.8.9", "Checks the HyperLogLog register encoding (an internal command).", "admin"),
    MIGRATE(-6, Kind.SERVER, "generic", "2.6.0", "Moves keys to another Redis server (DUMP payloads as RESTOREs), their locks held meanwhile (MigrateCommand).", "write"),
    MODULE(-2, Kind.SERVER, "server", "4.0.0", "MODULE LIST (none), HELP; LOAD, LOADEX, UNLOAD refused as by Redis's default enable-module-command no."),
    LOLWUT(-1, Kind.SERVER, "server", "5.0.0", "Answers the Redis version this server speaks.", "readonly", "fast"),
    // Owned by the shard of their one key (argument 1).
    GET(2, Kind.KEY, "string", "1.0.0", "Returns the string value of a key.", "readonly", "fast"),
    SET(-3, Kind.KEY, "string", "1.0.0", "Sets the string value of a key (EX, PX, EXAT, PXAT, NX, XX, KEEPTTL, GET).", "write", "denyoom"),
    SETNX(3, Kind.KEY, "string", "1.0.0", "Sets the value of a key only when it does not exist.", "write", "denyoom", "fast"),
    GETDEL(2, Kind.KEY, "string", "6.2.0", "Returns the string value of a key after deleting it.", "write", "fast"),
    STRLEN(2, Kind.KEY, "string", "2.2.0", "Returns the length of a string value.", "readonly", "fast"),
    APPEND(3, Kind.KEY, "string", "2.0.0", "Appends a string to the value of a key.", "write", "denyoom", "fast"),
    INCR(2, Kind.KEY, "string", "1.0.0", "Increments the integer value of a key by one.", "write", "denyoom", "fast"),
    DECR(2, Kind.KEY, "string", "1.0.0", "Decrements the integer value of a key by one.", "write", "denyoom", "fast"),
    INCRBY(3, Kind.KEY, "string", "1.0.0", "Increments the integer value of a key by a number.", "write", "denyoom", "fast"),
    DECRBY(3, Kind.KEY, "string", "1.0.0", "Decrements the integer value of a key by a number.", "write", "denyoom", "fast"),
    EXPIRE(-3, Kind.KEY, "generic", "1.0.0", "Sets a key's time to live in seconds (NX, XX, GT, LT).", "write", "fast"),
    PEXPIRE(-3, Kind.KEY, "generic", "2.6.0", "Sets a key's time to live in milliseconds (NX, XX, GT, LT).", "write", "fast"),
    EXPIREAT(-3, Kind.KEY, "generic", "1.2.0", "Sets a key's expiry as a Unix time in seconds.", "write", "fast"),
    PEXPIREAT(-3, Kind.KEY, "generic", "2.6.0", "Sets a key's expiry as a Unix time in milliseconds.", "write", "fast"),
    TTL(2, Kind.KEY, "generic", "1.0.0", "Returns a key's time to live in seconds.", "readonly", "fast"),
    PTTL(2, Kind.KEY, "generic", "2.6.0", "Returns a key's time to live in milliseconds.", "readonly", "fast"),
    PERSIST(2, Kind.KEY, "generic", "2.2.0", "Removes a key's expiry.", "write", "fast"),
    TYPE(2, Kind.KEY, "generic", "1.0.0", "Returns the type of the value of a key (string, hash or none).", "readonly", "fast"),
    SETEX(4, Kind.KEY, "string", "2.0.0", "Sets the string value and expiry (seconds) of a key.", "write", "denyoom"),
    PSETEX(4, Kind.KEY, "string", "2.6.0", "Sets the string value and expiry (milliseconds) of a key.", "write", "denyoom"),
    GETEX(-2, Kind.KEY, "string", "6.2.0", "Returns the string value of a key after setting its expiry (EX, PX, EXAT, PXAT, PERSIST).", "write", "fast"),
    // DUMP and RESTORE (DumpCommands): Redis's RDB payload of one value.
    DUMP(2, Kind.KEY, "generic", "2.6.0", "Returns a serialized representation of the value stored at a key (Redis's DUMP payload).", "readonly"),
    RESTORE(-4, Kind.KEY, "generic", "2.6.0", "Creates a key from a DUMP payload (REPLACE, ABSTTL, IDLETIME, FREQ).", "write", "denyoom"),
    RESTORE_ASKING(-4, Kind.KEY, "server", "3.0.0", "RESTORE as a cluster migration sends it to the node importing the slot: the same arguments and replies.", "write", "denyoom", "asking"),
    GETSET(3, Kind.KEY, "string", "1.0.0", "Returns the previous string value of a key after setting it to a new value.", "write", "denyoom", "fast"),
    SETRANGE(4, Kind.KEY, "string", "2.2.0", "Overwrites a part of a string value from an offset, zero-padded.", "write", "denyoom"),
    PFDEBUG(3, Kind.KEY, "hyperloglog", "2.8.9", "PFDEBUG GETREG, DECODE, ENCODING, TODENSE of a HyperLogLog key (argument 2).", "write", "denyoom", "admin"),
    PFADD(-2, Kind.KEY, "hyperloglog", "2.8.9", "Adds elements to a HyperLogLog key; creates it when absent.", "write", "denyoom", "fast"),
    GETRANGE(4, Kind.KEY, "string", "2.4.0", "Returns a substring of the string value of a key.", "readonly"),
    SUBSTR(4, Kind.KEY, "string", "1.0.0", "Returns a substring of the string value of a key (as GETRANGE).", "readonly"),
    INCRBYFLOAT(3, Kind.KEY, "string", "2.6.0", "Increments the floating point value of a key by a number.", "write", "denyoom", "fast"),
    SETBIT(4, Kind.KEY, "bitmap", "2.2.0", "Sets or clears the bit at an offset of a string value.", "write", "denyoom"),
    GETBIT(3, Kind.KEY, "bitmap", "2.2.0", "Returns the bit at an offset of a string value.", "readonly", "fast"),
    BITCOUNT(-2, Kind.KEY, "bitmap", "2.6.0", "Counts the set bits of a string value, in a range of bytes or bits.", "readonly"),
    BITPOS(-3, Kind.KEY, "bitmap", "2.8.7", "Finds the first set or clear bit of a string value.", "readonly"),
    BITFIELD(-2, Kind.KEY, "bitmap", "3.2.0", "Reads, writes and increments integers of 1 to 64 bits at any offset of a string (OVERFLOW WRAP, SAT, FAIL).", "write", "denyoom"),
    BITFIELD_RO(-2, Kind.KEY, "bitmap", "6.0.0", "Reads integers of 1 to 64 bits at any offset of a string.", "readonly", "fast"),
    SORT(-2, Kind.KEY, "generic", "1.0.0", "Sorts the elements of a list, set or sorted set (BY, LIMIT, GET, ASC/DESC, ALPHA, STORE); pattern keys and STORE on the key's shard.", "write", "denyoom", "movablekeys"),
    SORT_RO(-2, Kind.KEY, "generic", "7.0.0", "Returns the sorted elements of a list, set or sorted set (BY, LIMIT, GET, ASC/DESC, ALPHA).", "readonly", "movablekeys"),
    EXPIRETIME(2, Kind.KEY, "generic", "7.0.0", "Returns a key's expiry as a Unix time in seconds.", "readonly", "fast"),
    PEXPIRETIME(2, Kind.KEY, "generic", "7.0.0", "Returns a key's expiry as a Unix time in milliseconds.", "readonly", "fast"),
    OBJECT(-2, Kind.KEY, "generic", "2.2.3", "OBJECT ENCODING, FREQ, IDLETIME, REFCOUNT of a key; OBJECT HELP.", "readonly"),
    MEMORY(-2, Kind.KEY, "server", "4.0.0", "MEMORY USAGE of a key (what maxmemory counts for it), STATS, PURGE, MALLOC-STATS, HELP.", "readonly"),
    HSET(-4, Kind.KEY, "hash", "2.0.0", "Sets fields of a hash; returns how many are new.", "write", "denyoom", "fast"),
    HMSET(-4, Kind.KEY, "hash", "2.0.0", "Sets fields of a hash (as HSET, answering OK).", "write", "denyoom", "fast"),
    HSETNX(4, Kind.KEY, "hash", "2.0.0", "Sets a field of a hash only when it does not exist.", "write", "denyoom", "fast"),
    HGET(3, Kind.KEY, "hash", "2.0.0", "Returns the value of a field of a hash.", "readonly", "fast"),
    HMGET(-3, Kind.KEY, "hash", "2.0.0", "Returns the values of fields of a hash.", "readonly", "fast"),
    HDEL(-3, Kind.KEY, "hash", "2.0.0", "Deletes fields of a hash; the key goes with its last field.", "write", "fast"),
    HLEN(2, Kind.KEY, "hash", "2.0.0", "Returns the number of fields of a hash.", "readonly", "fast"),
    HEXISTS(3, Kind.KEY, "hash", "2.0.0", "Tells whether a field exists in a hash.", "readonly", "fast"),
    HGETALL(2, Kind.KEY, "hash", "2.0.0", "Returns every field and value of a hash.", "readonly"),
    HKEYS(2, Kind.KEY, "hash", "2.0.0", "Returns every field of a hash.", "readonly"),
    HVALS(2, Kind.KEY, "hash", "2.0.0", "Returns every value of a hash.", "readonly"),
    HINCRBY(4, Kind.KEY, "hash", "2.0.0", "Increments the integer value of a field of a hash.", "write", "denyoom", "fast"),
    HINCRBYFLOAT(4, Kind.KEY, "hash", "2.6.0", "Increments the floating point value of a field of a hash.", "write", "denyoom", "fast"),
    HSTRLEN(3, Kind.KEY, "hash", "3.2.0", "Returns the length of the value of a field of a hash.", "readonly", "fast"),
    HRANDFIELD(-2, Kind.KEY, "hash", "6.2.0", "Returns random fields of a hash (count, WITHVALUES).", "readonly"),
    HSCAN(-3, Kind.KEY, "hash", "2.8.0", "Iterates over the fields of a hash (MATCH, COUNT).", "readonly"),
    // Lists (ListCommands); LMOVE and RPOPLPUSH across shards, LMPOP and the blocking pops: ListPop.
    LPUSH(-3, Kind.KEY, "list", "1.0.0", "Prepends elements to a list; creates it when absent.", "write", "denyoom", "fast"),
    RPUSH(-3, Kind.KEY, "list", "1.0.0", "Appends elements to a list; creates it when absent.", "write", "denyoom", "fast"),
    LPUSHX(-3, Kind.KEY, "list", "2.2.0", "Prepends elements to a list only when it exists.", "write", "denyoom", "fast"),
    RPUSHX(-3, Kind.KEY, "list", "2.2.0", "Appends elements to a list only when it exists.", "write", "denyoom", "fast"),
    LPOP(-2, Kind.KEY, "list", "1.0.0", "Returns and removes the first elements of a list (count).", "write", "fast"),
    RPOP(-2, Kind.KEY, "list", "1.0.0", "Returns and removes the last elements of a list (count).", "write", "fast"),
    LLEN(2, Kind.KEY, "list", "1.0.0", "Returns the length of a list.", "readonly", "fast"),
    LRANGE(4, Kind.KEY, "list", "1.0.0", "Returns a range of elements of a list.", "readonly"),
    LINDEX(3, Kind.KEY, "list", "1.0.0", "Returns an element of a list by its index.", "readonly"),
    LSET(4, Kind.KEY, "list", "1.0.0", "Sets the element of a list at an index.", "write", "denyoom"),
    LINSERT(5, Kind.KEY, "list", "2.2.0", "Inserts an element before or after another in a list.", "write", "denyoom"),
    LREM(4, Kind.KEY, "list", "1.0.0", "Removes elements equal to a value from a list.", "write"),
    LTRIM(4, Kind.KEY, "list", "1.0.0", "Keeps only a range of elements of a list.", "write"),
    LPOS(-3, Kind.KEY, "list", "6.0.6", "Returns the index of matching elements of a list (RANK, COUNT, MAXLEN).", "readonly"),
    LMOVE(5, Kind.ONE_SHARD, "list", "6.2.0", "Moves an element from one list to another (across shards: through the mesh).", "write", "denyoom"),
    RPOPLPUSH(3, Kind.ONE_SHARD, "list", "1.2.0", "Moves the last element of a list to the head of another (as LMOVE RIGHT LEFT).", "write", "denyoom"),
    LMPOP(-4, Kind.TAKES, "list", "7.0.0", "Pops elements from the first non-empty list of several.", "write", "movablekeys"),
    BLPOP(-3, Kind.TAKES, "list", "2.0.0", "Pops the first element of the first non-empty list, or waits for one.", "write", "noscript", "blocking"),
    BRPOP(-3, Kind.TAKES, "list", "2.0.0", "Pops the last element of the first non-empty list, or waits for one.", "write", "noscript", "blocking"),
    BLMOVE(6, Kind.TAKES, "list", "6.2.0", "Moves an element from one list to another, or waits for one.", "write", "denyoom", "noscript", "blocking"),
    BRPOPLPUSH(4, Kind.TAKES, "list", "2.2.0", "Moves the last element of a list to the head of another, or waits for one.", "write", "denyoom", "noscript", "blocking"),
    BLMPOP(-5, Kind.TAKES, "list", "7.0.0", "Pops elements from the first non-empty list of several, or waits for one.", "write", "blocking", "movablekeys"),
    // Streams (StreamCommands), owned by the shard of their key; XINFO's key is argument 2.
    XADD(-5, Kind.KEY, "stream", "5.0.0", "Appends an entry to a stream (*, ms-* or explicit IDs; NOMKSTREAM; MAXLEN/MINID with = or ~ and LIMIT).", "write", "denyoom", "fast"),
    XLEN(2, Kind.KEY, "stream", "5.0.0", "Returns the number of entries of a stream.", "readonly", "fast"),
    XRANGE(-4, Kind.KEY, "stream", "5.0.0", "Returns the entries of a stream in a range of IDs (exclusive bounds, COUNT).", "readonly"),
    XREVRANGE(-4, Kind.KEY, "stream", "5.0.0", "Returns the entries of a stream in a range of IDs, in reverse order.", "readonly"),
    XDEL(-3, Kind.KEY, "stream", "5.0.0", "Deletes entries of a stream by ID; an emptied stream stays a key.", "write", "fast"),
    XTRIM(-4, Kind.KEY, "stream", "5.0.0", "Trims a stream by length or minimal ID (= or ~, LIMIT).", "write"),
    XSETID(-3, Kind.KEY, "stream", "5.0.0", "Sets the last ID of a stream (ENTRIESADDED, MAXDELETEDID).", "write", "denyoom", "fast"),
    XREAD(-4, Kind.TAKES, "stream", "5.0.0", "Returns the entries after given IDs of streams on any shards (COUNT), or waits for one (BLOCK ms): StreamRead.", "readonly", "blocking", "movablekeys"),
    XINFO(-2, Kind.KEY, "stream", "5.0.0", "XINFO STREAM [FULL [COUNT n]], GROUPS, CONSUMERS of a stream; XINFO HELP.", "readonly"),
    // Consumer groups (StreamGroupCommands); XGROUP's key is argument 2, XREADGROUP's keys on any shards (StreamGroupRead).
    XGROUP(-2, Kind.KEY, "stream", "5.0.0", "XGROUP CREATE (MKSTREAM, ENTRIESREAD), SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP.", "write"),
    XREADGROUP(-7, Kind.ONE_SHARD, "stream", "5.0.0", "Reads new entries (>) for a consumer of a group, or its pending history (COUNT, NOACK, BLOCK); keys on any shards.", "write", "blocking", "movablekeys"),
    XACK(-4, Kind.KEY, "stream", "5.0.0", "Acknowledges pending entries of a consumer group.", "write", "fast"),
    XCLAIM(-6, Kind.KEY, "stream", "5.0.0", "Changes the owner of pending entries of a consumer group (IDLE, TIME, RETRYCOUNT, FORCE, JUSTID, LASTID).", "write", "fast"),
    XAUTOCLAIM(-6, Kind.KEY, "stream", "6.2.0", "Claims the pending entries idle longer than a time from a start (COUNT, JUSTID); also answers the deleted ones.", "write", "fast"),
    XPENDING(-3, Kind.KEY, "stream", "5.0.0", "Returns a consumer group's pending entries: a summary, or by range (IDLE, consumer).", "readonly"),
    // Sets (SetCommands), owned by the shard of their key.
    SADD(-3, Kind.KEY, "set", "1.0.0", "Adds members to a set; returns how many are new.", "write", "denyoom", "fast"),
    SREM(-3, Kind.KEY, "set", "1.0.0", "Removes members from a set; the key goes with its last member.", "write", "fast"),
    SCARD(2, Kind.KEY, "set", "1.0.0", "Returns the number of members of a set.", "readonly", "fast"),
    SISMEMBER(3, Kind.KEY, "set", "1.0.0", "Tells whether a member belongs to a set.", "readonly", "fast"),
    SMISMEMBER(-3, Kind.KEY, "set", "6.2.0", "Tells whether each of several members belongs to a set.", "readonly", "fast"),
    SMEMBERS(2, Kind.KEY, "set", "1.0.0", "Returns every member of a set.", "readonly"),
    SRANDMEMBER(-2, Kind.KEY, "set", "1.0.0", "Returns random members of a set (count; negative: repeats allowed).", "readonly"),
    SPOP(-2, Kind.KEY, "set", "1.0.0", "Removes and returns random members of a set (count).", "write", "fast"),
    SSCAN(-3, Kind.KEY, "set", "2.8.0", "Iterates over the members of a set (MATCH, COUNT).", "readonly"),
    // Sets of several keys: whole on their shard; across shards gathered or moved through the mesh (SetsAcrossShards).
    SMOVE(4, Kind.ONE_SHARD, "set", "1.0.0", "Moves a member from one set to another.", "write", "fast"),
    SINTER(-2, Kind.ONE_SHARD, "set", "1.0.0", "Returns the intersection of sets.", "readonly"),
    SINTERCARD(-3, Kind.ONE_SHARD, "set", "7.0.0", "Returns the number of members of the intersection of sets (LIMIT).", "readonly", "movablekeys"),
    SUNION(-2, Kind.ONE_SHARD, "set", "1.0.0", "Returns the union of sets.", "readonly"),
    SDIFF(-2, Kind.ONE_SHARD, "set", "1.0.0", "Returns the members of the first set that are in none of the others.", "readonly"),
    SINTERSTORE(-3, Kind.ONE_SHARD, "set", "1.0.0", "Stores the intersection of sets in a key; returns its size.", "write", "denyoom"),
    SUNIONSTORE(-3, Kind.ONE_SHARD, "set", "1.0.0", "Stores the union of sets in a key; returns its size.", "write", "denyoom"),
    SDIFFSTORE(-3, Kind.ONE_SHARD, "set", "1.0.0", "Stores the difference of sets in a key; returns its size.", "write", "denyoom"),
    ZADD(-4, Kind.KEY, "sorted-set", "1.2.0", "Adds members to a sorted set, or updates their scores (NX, XX, GT, LT, CH, INCR).", "write", "denyoom", "fast"),
    ZINCRBY(4, Kind.KEY, "sorted-set", "1.2.0", "Increments the score of a member of a sorted set.", "write", "denyoom", "fast"),
    ZREM(-3, Kind.KEY, "sorted-set", "1.2.0", "Removes members of a sorted set; the key goes with its last member.", "write", "fast"),
    ZCARD(2, Kind.KEY, "sorted-set", "1.2.0", "Returns the number of members of a sorted set.", "readonly", "fast"),
    ZSCORE(3, Kind.KEY, "sorted-set", "1.2.0", "Returns the score of a member of a sorted set.", "readonly", "fast"),
    ZMSCORE(-3, Kind.KEY, "sorted-set", "6.2.0", "Returns the scores of members of a sorted set.", "readonly", "fast"),
    ZRANK(3, Kind.KEY, "sorted-set", "2.0.0", "Returns the rank of a member of a sorted set, by ascending scores.", "readonly", "fast"),
    ZREVRANK(3, Kind.KEY, "sorted-set", "2.0.0", "Returns the rank of a member of a sorted set, by descending scores.", "readonly", "fast"),
    ZCOUNT(4, Kind.KEY, "sorted-set", "2.0.0", "Counts the members of a sorted set within a range of scores.", "readonly", "fast"),
    ZLEXCOUNT(4, Kind.KEY, "sorted-set", "2.8.9", "Counts the members of a sorted set within a lexicographical range.", "readonly", "fast"),
    ZRANGE(-4, Kind.KEY, "sorted-set", "1.2.0", "Returns members of a sorted set in a range of ranks, scores or members (BYSCORE, BYLEX, REV, LIMIT, WITHSCORES).", "readonly"),
    ZREVRANGE(-4, Kind.KEY, "sorted-set", "1.2.0", "Returns members of a sorted set in a range of ranks, highest scores first.", "readonly"),
    ZRANGEBYSCORE(-4, Kind.KEY, "sorted-set", "1.0.5", "Returns members of a sorted set in a range of scores.", "readonly"),
    ZREVRANGEBYSCORE(-4, Kind.KEY, "sorted-set", "2.2.0", "Returns members of a sorted set in a range of scores, highest first.", "readonly"),
    ZRANGEBYLEX(-4, Kind.KEY, "sorted-set", "2.8.9", "Returns members of a sorted set in a lexicographical range.", "readonly"),
    ZREVRANGEBYLEX(-4, Kind.KEY, "sorted-set", "2.8.9", "Returns members of a sorted set in a lexicographical range, in reverse.", "readonly"),
    ZPOPMIN(-2, Kind.KEY, "sorted-set", "5.0.0", "Removes and returns the members of a sorted set with the lowest scores.", "write", "fast"),
    ZPOPMAX(-2, Kind.KEY, "sorted-set", "5.0.0", "Removes and returns the members of a sorted set with the highest scores.", "write", "fast"),
    ZRANDMEMBER(-2, Kind.KEY, "sorted-set", "6.2.0", "Returns random members of a sorted set (count, WITHSCORES).", "readonly"),
    ZREMRANGEBYRANK(4, Kind.KEY, "sorted-set", "2.0.0", "Removes the members of a sorted set in a range of ranks.", "write"),
    ZREMRANGEBYSCORE(4, Kind.KEY, "sorted-set", "1.2.0", "Removes the members of a sorted set in a range of scores.", "write"),
    ZREMRANGEBYLEX(4, Kind.KEY, "sorted-set", "2.8.9", "Removes the members of a sorted set in a lexicographical range.", "write"),
    ZSCAN(-3, Kind.KEY, "sorted-set", "2.8.0", "Iterates over the members and scores of a sorted set (MATCH, COUNT).", "readonly"),
    // Sorted-set commands of several keys: whole on their shard when they share one, else gathered (ZSetGather).
    ZRANGESTORE(-5, Kind.GATHER, "sorted-set", "6.2.0", "Stores a range of a sorted set in a key (BYSCORE, BYLEX, REV, LIMIT).", "write", "denyoom"),
    ZUNION(-3, Kind.GATHER, "sorted-set", "6.2.0", "Returns the union of sorted sets and sets (WEIGHTS, AGGREGATE, WITHSCORES).", "readonly", "movablekeys"),
    ZINTER(-3, Kind.GATHER, "sorted-set", "6.2.0", "Returns the intersection of sorted sets and sets (WEIGHTS, AGGREGATE, WITHSCORES).", "readonly", "movablekeys"),
    ZDIFF(-3, Kind.GATHER, "sorted-set", "6.2.0", "Returns the members of the first sorted set in none of the others (WITHSCORES).", "readonly", "movablekeys"),
    ZINTERCARD(-3, Kind.GATHER, "sorted-set", "7.0.0", "Counts the members of the intersection of sorted sets and sets (LIMIT).", "readonly", "movablekeys"),
    ZUNIONSTORE(-4, Kind.GATHER, "sorted-set", "2.0.0", "Stores the union of sorted sets and sets in a key (WEIGHTS, AGGREGATE).", "write", "denyoom", "movablekeys"),
    ZINTERSTORE(-4, Kind.GATHER, "sorted-set", "2.0.0", "Stores the intersection of sorted sets and sets in a key (WEIGHTS, AGGREGATE).", "write", "denyoom", "movablekeys"),
    ZDIFFSTORE(-4, Kind.GATHER, "sorted-set", "6.2.0", "Stores the difference of sorted sets and sets in a key.", "write", "denyoom", "movablekeys"),
    BZPOPMIN(-3, Kind.TAKES, "sorted-set", "5.0.0", "Removes and returns the member with the lowest score of the first non-empty sorted set, or waits for one.", "write", "noscript", "fast", "blocking"),
    BZPOPMAX(-3, Kind.TAKES, "sorted-set", "5.0.0", "Removes and returns the member with the highest score of the first non-empty sorted set, or waits for one.", "write", "noscript", "fast", "blocking"),
    BZMPOP(-5, Kind.TAKES, "sorted-set", "7.0.0", "Removes and returns members of the first non-empty sorted set of the keys, or waits for one (MIN, MAX, COUNT).", "write", "blocking", "movablekeys"),
    ZMPOP(-4, Kind.GATHER, "sorted-set", "7.0.0", "Removes and returns members of the first non-empty sorted set of the keys (MIN, MAX, COUNT).", "write", "movablekeys"),
    // Geo (GeoCommands): points as sorted-set scores; the searches that store are GATHER (across shards: ZSetGather).
    GEOADD(-5, Kind.KEY, "geo", "3.2.0", "Adds points (longitude, latitude, member) to a sorted set as geohash scores (NX, XX, CH).", "write", "denyoom"),
    GEOPOS(-2, Kind.KEY, "geo", "3.2.0", "Returns the longitude and latitude of members of a geospatial index.", "readonly"),
    GEODIST(-4, Kind.KEY, "geo", "3.2.0", "Returns the distance between two members of a geospatial index (M, KM, FT, MI).", "readonly"),
    GEOHASH(-2, Kind.KEY, "geo", "3.2.0", "Returns members of a geospatial index as 11-character geohash strings.", "readonly"),
    GEOSEARCH(-7, Kind.KEY, "geo", "6.2.0", "Queries a geospatial index for members inside a circle or a box (FROMMEMBER, FROMLONLAT, BYRADIUS, BYBOX, ASC, DESC, COUNT, ANY, WITHCOORD, WITHDIST, WITHHASH).", "readonly"),
    GEORADIUS_RO(-6, Kind.KEY, "geo", "3.2.10", "Returns members of a geospatial index within a distance of a point.", "readonly"),
    GEORADIUSBYMEMBER_RO(-5, Kind.KEY, "geo", "3.2.10", "Returns members of a geospatial index within a distance of a member.", "readonly"),
    GEORADIUS(-6, Kind.GATHER, "geo", "3.2.0", "Returns or stores (STORE, STOREDIST) members of a geospatial index within a distance of a point.", "write", "denyoom", "movablekeys"),
    GEORADIUSBYMEMBER(-5, Kind.GATHER, "geo", "3.2.0", "Returns or stores (STORE, STOREDIST) members of a geospatial index within a distance of a member.", "write", "denyoom", "movablekeys"),
    GEOSEARCHSTORE(-8, Kind.GATHER, "geo", "6.2.0", "Stores the result of a GEOSEARCH in a key (STOREDIST).", "write", "denyoom"),
    // Several keys, executed whole on their shard; across shards RENAME and COPY move, MSETNX and LCS are transactions.
    MSETNX(-3, Kind.ONE_SHARD, "string", "1.0.1", "Sets keys only when none exists (atomic across shards).", "write", "denyoom"),
    BITOP(-4, Kind.ONE_SHARD, "bitmap", "2.6.0", "Combines strings with AND, OR, XOR or NOT into a key (atomic across shards).", "write", "denyoom"),
    // HyperLogLog (HllCommands): Redis's string bytes; PFCOUNT and PFMERGE across shards are transactions.
    PFCOUNT(-2, Kind.ONE_SHARD, "hyperloglog", "2.8.9", "Returns the approximated cardinality of the union of HyperLogLogs (atomic across shards).", "readonly", "may_replicate"),
    PFMERGE(-2, Kind.ONE_SHARD, "hyperloglog", "2.8.9", "Merges HyperLogLogs into a key (atomic across shards).", "write", "denyoom"),
    LCS(-3, Kind.ONE_SHARD, "string", "7.0.0", "Finds the longest common subsequence of two strings (LEN, IDX, MINMATCHLEN, WITHMATCHLEN).", "readonly"),
    RENAME(3, Kind.ONE_SHARD, "generic", "1.0.0", "Renames a key, replacing the destination (across shards: a move through the mesh).", "write"),
    RENAMENX(3, Kind.ONE_SHARD, "generic", "1.0.0", "Renames a key only when the new name does not exist (across shards: a move).", "write", "fast"),
    COPY(-3, Kind.ONE_SHARD, "generic", "6.2.0", "Copies a key's value and expiry to another key (REPLACE; across shards: through the mesh).", "write", "denyoom"),
    // Scripting (ScriptEngine, ScriptCommands): a script runs whole on the shard of its declared keys.
    EVAL(-3, Kind.ONE_SHARD, "scripting", "2.6.0", "Executes a Lua script on the shard of its keys (keys on several shards: CROSSSHARD).", "noscript", "skip_monitor", "may_replicate", "no_mandatory_keys", "stale", "movablekeys"),
    EVALSHA(-3, Kind.ONE_SHARD, "scripting", "2.6.0", "Executes a cached Lua script by its SHA1 on the shard of its keys.", "noscript", "skip_monitor", "may_replicate", "no_mandatory_keys", "stale", "movablekeys"),
    EVAL_RO(-3, Kind.ONE_SHARD, "scripting", "7.0.0", "Executes a read-only Lua script on the shard of its keys.", "noscript", "skip_monitor", "no_mandatory_keys", "stale", "readonly", "movablekeys"),
    EVALSHA_RO(-3, Kind.ONE_SHARD, "scripting", "7.0.0", "Executes a cached read-only Lua script by its SHA1.", "noscript", "skip_monitor", "no_mandatory_keys", "stale", "readonly", "movablekeys"),
    FCALL(-3, Kind.ONE_SHARD, "scripting", "7.0.0", "Invokes a function of a loaded library on the shard of its keys.", "noscript", "skip_monitor", "may_replicate", "no_mandatory_keys", "stale", "movablekeys"),
    FCALL_RO(-3, Kind.ONE_SHARD, "scripting", "7.0.0", "Invokes a read-only function (no-writes) on the shard of its keys.", "noscript", "skip_monitor", "no_mandatory_keys", "stale", "readonly", "movablekeys"),
    SCRIPT(-2, Kind.SERVER, "scripting", "2.6.0", "SCRIPT LOAD, EXISTS, FLUSH, KILL (NOTBUSY: scripts are bounded in time), HELP: one cache for all shards.", "noscript"),
    FUNCTION(-2, Kind.SERVER, "scripting", "7.0.0", "FUNCTION LOAD, DELETE, FLUSH, LIST, STATS, KILL, HELP: libraries on every shard, kept in the log.", "noscript"),
    // Several keys, possibly on several shards: across shards, a Transaction.
    MGET(-2, Kind.MULTI_KEY, "string", "1.0.0", "Returns the values of keys (each read on its owning shard).", "readonly", "fast"),
    MSET(-3, Kind.MULTI_KEY, "string", "1.0.1", "Sets keys (atomic across shards).", "write", "denyoom"),
    DEL(-2, Kind.MULTI_KEY, "generic", "1.0.0", "Deletes keys; returns how many existed.", "write"),
    UNLINK(-2, Kind.MULTI_KEY, "generic", "4.0.0", "Deletes keys (as DEL).", "write", "fast"),
    EXISTS(-2, Kind.MULTI_KEY, "generic", "1.0.0", "Counts how many of the keys exist.", "readonly", "fast"),
    TOUCH(-2, Kind.MULTI_KEY, "generic", "3.2.1", "Marks keys as accessed; returns how many exist.", "readonly", "fast"),
    // Every shard takes part.
    KEYS(2, Kind.ALL_SHARDS, "generic", "1.0.0", "Returns the keys that match a glob pattern, from all shards.", "readonly"),
    SCAN(-2, Kind.ALL_SHARDS, "generic", "2.8.0", "Iterates over the keys of all shards (MATCH, COUNT, TYPE).", "readonly"),
    RANDOMKEY(1, Kind.ALL_SHARDS, "generic", "1.0.0", "Returns a random key (each shard's chance as its share of the keys).", "readonly"),
    DBSIZE(1, Kind.ALL_SHARDS, "server", "1.0.0", "Returns the number of keys over all shards.", "readonly", "fast"),
    FLUSHALL(-1, Kind.ALL_SHARDS, "server", "1.0.0", "Removes all keys from all shards.", "write"),
    FLUSHDB(-1, Kind.ALL_SHARDS, "server", "1.0.0", "Removes all keys (the only database).", "write"),
    SAVE(1, Kind.SERVER, "server", "1.0.0", "Writes every shard's keys to the RDB file (kv.dir/kv.dbfilename); answers once it is in place, serving meanwhile.", "admin", "noscript", "no_async_loading", "no_multi"),
    BGSAVE(-1, Kind.SERVER, "server", "1.0.0", "Writes every shard's keys to the RDB file in the background (SCHEDULE: after a log rewrite in progress).", "admin", "noscript", "no_async_loading"),
    // Replication, Atoll as the master (ReplicationMaster, ReplicaLink): a redis-server replica syncs from it.
    SYNC(1, Kind.SERVER, "server", "1.0.0", "Turns the connection into a replica: a full sync (the RDB file), then the stream.", "admin", "noscript", "no_async_loading", "no_multi"),
    PSYNC(-3, Kind.SERVER, "server", "2.8.0", "Turns the connection into a replica: +CONTINUE and what it missed when the backlog has it, else a full sync.", "admin", "noscript", "no_async_loading", "no_multi"),
    REPLCONF(-1, Kind.SERVER, "server", "3.0.0", "A replica's settings (listening-port, ip-address, capa) and acknowledgements (ACK).", "admin", "noscript", "loading", "stale", "allow_busy"),
    BGREWRITEAOF(1, Kind.ALL_SHARDS, "server", "1.0.0", "Compacts every shard's append-only log now.", "admin", "noscript"),
    INFO(-1, Kind.ALL_SHARDS, "server", "1.0.0", "Returns information and statistics, per shard too.", "loading", "stale");

    /**
     * Where a command runs. TAKES: a command that takes from keys possibly on several shards and may
     * wait for them (the blocking pops, LMPOP): a {@link BlockedClient} walks their owners. GATHER: the
     * sorted-set commands of several keys, whole on their shard or a {@link ZSetGather} across shards.
     * SERVER: pub/sub and administration, answered on the connection's shard, often after every
     * shard's part.
     */
    enum Kind { CONNECTION, KEY, ONE_SHARD, MULTI_KEY, ALL_SHARDS, TAKES, GATHER, SERVER }

    /** Its name as Redis spells it: lower case, RESTORE-ASKING's with a hyphen (the {@code _RO} commands keep their underscore). */
    final String lowerName = this.name().equals("RESTORE_ASKING") ? "restore-asking" : name().toLowerCase(Locale.ROOT);
    final byte[] nameBytes = lowerName.getBytes(StandardCharsets.US_ASCII);
    final int arity;
    final Kind kind;
    final String group;
    final String since;
    final String summary;
    final String[] flags;
    final boolean writes;
    /** Whether it may add memory (Redis's denyoom flag): refused with OOM on a shard over its maxmemory share. */
    final boolean denyOom;
    /** Refused inside MULTI (Redis's no_multi flag: SHUTDOWN), which makes EXEC abort. */
    final boolean noMulti;
    /** Redis's {@code admin} flag: not shown to MONITOR. */
    final boolean admin;
    /** Redis's {@code readonly} flag: it reads keys (refused to a monitoring connection, as writes are). */
    final boolean reads;
    /** Redis's {@code no_auth} flag (AUTH, HELLO, QUIT, RESET): runs before authentication, and whatever a user's ACL says. */
    final boolean noAuth;
    /** Redis's {@code may_replicate} flag (EVAL, FCALL, PFCOUNT): held by CLIENT PAUSE WRITE as writes are. */
    final boolean mayReplicate;
    /** {@link #keySpec()}, computed once: first key, last key (-1: the last argument), step. */
    private int[] keys;

    Command(int arity, Kind kind, String group, String since, String summary, String... flags) {
        this.arity = arity;
        this.kind = kind;
        this.group = group;
        this.since = since;
        this.summary = summary;
        this.flags = flags;
        this.writes = flags.length > 0 && flags[0].equals("write");
        this.denyOom = java.util.Arrays.asList(flags).contains("denyoom");
        this.noMulti = java.util.Arrays.asList(flags).contains("no_multi");
        this.admin = java.util.Arrays.asList(flags).contains("admin");
        this.reads = java.util.Arrays.asList(flags).contains("readonly");
        this.noAuth = java.util.Arrays.asList(flags).contains("no_auth");
        this.mayReplicate = java.util.Arrays.asList(flags).contains("may_replicate");
    }

    /** Where its first key is by {@link #keySpec()}; 0: it names none. */
    int firstKey() {
        return keys[0];
    }

    /** Where its last key is among {@code count} arguments by {@link #keySpec()}. */
    int lastKey(int count) {
        return keys[1] < 0 ? count + keys[1] : Math.min(keys[1], count - 1);
    }

    /** The distance between its keys by {@link #keySpec()}. */
    int keyStep() {
        return keys[2];
    }

    /** Checks Redis's arity rule for {@code count} arguments, the name included. */
    boolean arityOk(int count) {
        return arity > 0 ? count == arity : count >= -arity;
    }

    /** First key, last key (-1: the last argument) and step, as COMMAND reports them. */
    int[] keySpec() {
        return switch (kind) {
            case KEY -> this == OBJECT || this == MEMORY || this == PFDEBUG || this == XINFO || this == XGROUP ? new int[] {2, 2, 1} : new int[] {1, 1, 1};
            case CONNECTION -> this == WATCH ? new int[] {1, -1, 1} : this == MOVE ? new int[] {1, 1, 1} : new int[] {0, 0, 0};
            case ONE_SHARD -> switch (this) {
                case MSETNX -> new int[] {1, -1, 2};
                case BITOP -> new int[] {2, -1, 1};
                case PFCOUNT, PFMERGE -> new int[] {1, -1, 1};
                case SINTERCARD, XREADGROUP, EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, FCALL, FCALL_RO ->
                        new int[] {0, 0, 0}; // movablekeys: numkeys (STREAMS) says where they are
                case SINTER, SUNION, SDIFF, SINTERSTORE, SUNIONSTORE, SDIFFSTORE -> new int[] {1, -1, 1};
                default -> new int[] {1, 2, 1};
            };
            case MULTI_KEY -> this == MSET ? new int[] {1, -1, 2} : new int[] {1, -1, 1};
            case TAKES -> this == BLPOP || this == BRPOP || this == BZPOPMIN || this == BZPOPMAX ? new int[] {1, -2, 1}
                    : this == BLMOVE || this == BRPOPLPUSH ? new int[] {1, 2, 1} : new int[] {0, 0, 0};
            case GATHER -> this == ZRANGESTORE || this == GEOSEARCHSTORE ? new int[] {1, 2, 1}
                    : ZSetAlgebra.stores(this) || GeoCommands.stores(this) ? new int[] {1, 1, 1}
                    : new int[] {0, 0, 0}; // as Redis: the other keys follow numkeys
            case SERVER -> this == SPUBLISH ? new int[] {1, 1, 1}   // shard channels, placed by slot as keys are
                    : this == SSUBSCRIBE || this == SUNSUBSCRIBE ? new int[] {1, -1, 1} : new int[] {0, 0, 0};
            default -> new int[] {0, 0, 0};
        };
    }

    /** Where the key of a KEY command with {@code count} arguments is; -1: it has none (OBJECT HELP). */
    int keyIndex(int count) {
        return this != OBJECT && this != MEMORY && this != PFDEBUG && this != XINFO && this != XGROUP ? 1 : count >= 3 ? 2 : -1;
    }

    /** The first key of a ONE_SHARD command (SINTERCARD's follow its numkeys, XREADGROUP's its STREAMS; 0: none found). */
    int oneShardFirstKey(Request r) {
        return this == XREADGROUP ? StreamGroupCommands.streamsAt(r) : this == SINTERCARD || this == BITOP ? 2
                : runsAScript() ? 3 : 1;
    }

    /** The last key of a ONE_SHARD command with the arguments of {@code r}; below {@link #oneShardFirstKey} when there is none. */
    int oneShardLastKey(Request r) {
        return switch (this) {
            case MSETNX -> r.count() - 2;
            case BITOP, PFCOUNT, PFMERGE -> r.count() - 1;
            case SMOVE, SINTER, SINTERCARD, SUNION, SDIFF, SINTERSTORE, SUNIONSTORE, SDIFFSTORE -> SetCommands.lastKey(this, r);
            case XREADGROUP -> StreamGroupCommands.streamsAt(r) == 0 ? -1 : (r.count() + StreamGroupCommands.streamsAt(r)) / 2 - 1;
            case EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, FCALL, FCALL_RO -> // numkeys's keys; none when it is not valid
                    r.longAt(2) && r.number >= 0 && r.number <= r.count() - 3 ? 2 + (int) r.number : -1;
            default -> 2;
        };
    }

    /** EVAL, EVALSHA, their _RO forms, FCALL, FCALL_RO: their keys follow numkeys (argument 2). */
    boolean runsAScript() {
        return this == EVAL || this == EVALSHA || this == EVAL_RO || this == EVALSHA_RO || this == FCALL || this == FCALL_RO;
    }

    /** RENAME, RENAMENX, COPY: across shards, a {@link KeyMove}. */
    boolean movesAKey() {
        return this == RENAME || this == RENAMENX || this == COPY;
    }

    /** LMOVE, RPOPLPUSH: across shards, a {@link ListPop} that pops on one and pushes on the other. */
    boolean movesAnElement() {
        return this == LMOVE || this == RPOPLPUSH;
    }

    /** Whether {@code count} arguments are not a whole number of key-value pairs after the name (MSET, MSETNX). */
    boolean pairsIncomplete(int count) {
        return (this == MSET || this == MSETNX) && count % 2 == 0;
    }

    private static final Command[] TABLE = new Command[512]; // under half full: short probes
    private static final int LONGEST_NAME;

    static {
        int longest = 0;
        for (Command c : values()) {
            longest = Math.max(longest, c.nameBytes.length);
            int slot = slot(c.nameBytes, 0, c.nameBytes.length);
            while (TABLE[slot] != null) {
                slot = (slot + 1) & (TABLE.length - 1);
            }
            TABLE[slot] = c;
        }
        LONGEST_NAME = longest;
        for (Command c : values()) {
            c.keys = c.keySpec(); // here: keySpec compares with constants not yet made in the constructor
        }
    }

    private static int slot(byte[] bytes, int offset, int length) {
        int h = length;
        for (int i = offset; i < offset + length; i++) {
            h = h * 31 + (bytes[i] | 0x20);
        }
        return (h ^ (h >>> 7)) & (TABLE.length - 1);
    }

    /** The command named by argument 0 of {@code request} (any case), or null. */
    static Command lookup(Request request) {
        if (request.length(0) > LONGEST_NAME) {
            return null;
        }
        byte[] bytes = request.bytes;
        int offset = request.offset(0);
        int length = request.length(0);
        for (int slot = slot(bytes, offset, length); TABLE[slot] != null; slot = (slot + 1) & (TABLE.length - 1)) {
            if (request.is(0, TABLE[slot].nameBytes)) {
                return TABLE[slot];
            }
        }
        return null;
    }
}
