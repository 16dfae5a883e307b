package dev.atoll.testkit;
