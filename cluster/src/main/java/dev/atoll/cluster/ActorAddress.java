package dev.atoll.cluster;

/**
 * Where an exported actor lives in the cluster: its node's name and incarnation, its shard there, and
 * the id its node gave it when it was {@link ClusterNode#export exported}. A record: it travels inside
 * messages (and in whatever other channel the application likes) and becomes a reference again with
 * {@link ClusterNode#refFor}.
 *
 * @param node        the node's name
 * @param incarnation the node's incarnation when the actor was exported; a rejoined node does not accept it
 * @param shard       the actor's shard on that node
 * @param id          the actor's export id on that node
 */
public record ActorAddress(String node, long incarnation, int shard, long id) {
}
