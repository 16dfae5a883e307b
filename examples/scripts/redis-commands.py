#!/usr/bin/env python3
"""Writes what redis-server 7.0.15 answers to COMMAND INFO and COMMAND DOCS, every command, in RESP3,
as the kv's resource kv/redis-commands.json (CommandDocs serves its key specs, tips, subcommands and
docs from it). Run once against a redis-server of that version:

    redis-server --port 6391 --save '' --appendonly no &
    examples/scripts/redis-commands.py 6391 > examples/src/main/resources/kv/redis-commands.json

The JSON keeps RESP3's types: a bulk string is "$text", a simple string "+text", an integer a number,
an array a list, a map {"%": [key, value, ...]}, a set {"~": [...]}, a null null.
"""
import json
import socket
import sys


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 6379
    conn = socket.create_connection(("127.0.0.1", port))
    reader = conn.makefile("rb")

    def call(*words):
        data = b"*%d\r\n" % len(words)
        for w in words:
            w = w.encode()
            data += b"$%d\r\n%s\r\n" % (len(w), w)
        conn.sendall(data)
        return read(reader)

    call("HELLO", "3")
    version = [line for line in call("INFO", "server").split("\n") if line.startswith("redis_version:")]
    if version != ["redis_version:7.0.15\r"]:
        sys.exit("expected redis-server 7.0.15, found " + repr(version))
    info = call("COMMAND", "INFO")
    docs = call("COMMAND", "DOCS")
    docs_by_name = dict(zip(docs["%"][0::2], docs["%"][1::2]))
    commands = {}
    for entry in sorted(info, key=lambda e: e[0]):
        name = entry[0][1:]
        commands[name] = {"info": entry, "docs": docs_by_name["$" + name]}
    lines = [json.dumps(name) + ":" + json.dumps(facts, separators=(",", ":")) for name, facts in commands.items()]
    sys.stdout.write("{\n" + ",\n".join(lines) + "\n}\n")  # a command a line: its changes diff by command


def read(reader):
    """One RESP3 reply as the JSON tree described above (verbatim text and bulk strings alike)."""
    line = reader.readline()
    kind, rest = line[:1], line[1:-2].decode()
    if kind == b"+":
        return "+" + rest
    if kind == b"-":
        raise RuntimeError(rest)
    if kind == b":":
        return int(rest)
    if kind == b"_":
        return None
    if kind in (b"$", b"="):
        n = int(rest)
        if n < 0:
            return None
        text = reader.read(n + 2)[:-2].decode()
        return "$" + (text[4:] if kind == b"=" else text)
    if kind in (b"*", b"~", b">"):
        items = [read(reader) for _ in range(int(rest))]
        return {"~": items} if kind == b"~" else items
    if kind == b"%":
        items = [read(reader) for _ in range(2 * int(rest))]
        return {"%": items}
    raise RuntimeError("unexpected reply type " + repr(line))


if __name__ == "__main__":
    main()
