/** Actors on shards: spawn, tell and ask, supervision, death watch (issue 3 builds this module). */
package dev.atoll.actors;
