/**
 * Atoll's JUnit 5 test kit: {@link dev.atoll.testkit.AtollTestKit} starts shards and actors per test or
 * per class, {@link dev.atoll.testkit.TestProbe}s receive what the actors under test send, and a
 * {@link dev.atoll.testkit.ManualClock} moves timers without sleeping.
 */
package dev.atoll.testkit;
