/** TCP, UDP and files on shards with off-heap buffer pools (issue 4 builds this module). */
package dev.atoll.io;
