#!/usr/bin/env python3
"""Pipelines N requests in one write on one connection and reads every answer.

Usage: benchmarks/pipeline.py [--host 127.0.0.1] [--port 8080] [--count 10000] [--route healthz|recommend|events]...
Prints a table: route, requests sent, answers read, statuses seen, seconds, and whether every
answer came back in order (each request carries its index where the route can echo it).
Stops by itself: the socket times out after --timeout seconds without a byte.
"""
import argparse, json, socket, threading, time


def build(route, index):
    if route == "healthz":
        return b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    if route == "recommend":
        return f"GET /recommend?user=pipeline-{index}&k={1 + index % 20} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    body = json.dumps({"events": [{"user": f"pipeline-{index}", "item": "sku-00007", "type": "view"}]}).encode()
    return (b"POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)


def read_answers(sock, count, timeout):
    sock.settimeout(timeout)
    buffer = b""
    statuses = {}
    answers = []
    while len(answers) < count:
        head_end = buffer.find(b"\r\n\r\n")
        if head_end < 0:
            try:
                chunk = sock.recv(1 << 20)
            except socket.timeout:
                break
            if not chunk:
                break
            buffer += chunk
            continue
        head = buffer[:head_end].decode("latin-1").split("\r\n")
        length = 0
        for line in head[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        while len(buffer) < head_end + 4 + length:
            try:
                chunk = sock.recv(1 << 20)
            except socket.timeout:
                chunk = b""
            if not chunk:
                return answers, statuses
            buffer += chunk
        status = int(head[0].split()[1])
        statuses[status] = statuses.get(status, 0) + 1
        answers.append((status, buffer[head_end + 4:head_end + 4 + length]))
        buffer = buffer[head_end + 4 + length:]
    return answers, statuses


def run(host, port, route, count, timeout):
    payload = b"".join(build(route, index) for index in range(count))
    sock = socket.create_connection((host, port))
    started = time.monotonic()
    sender = threading.Thread(target=sock.sendall, args=(payload,))
    sender.start()
    answers, statuses = read_answers(sock, count, timeout)
    seconds = time.monotonic() - started
    sender.join(timeout)
    sock.close()
    in_order = "n/a"
    if route == "recommend" and len(answers) == count:
        in_order = all(status != 200 or body.count(b'"item":') == 1 + index % 20
                       for index, (status, body) in enumerate(answers))
    return len(answers), statuses, seconds, in_order


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--timeout", type=float, default=15)
    parser.add_argument("--route", action="append", choices=["healthz", "recommend", "events"])
    args = parser.parse_args()
    print(f"{'route':<10} {'sent':>6} {'answered':>8} {'seconds':>8}  in_order  statuses")
    for route in args.route or ["healthz", "recommend", "events"]:
        answered, statuses, seconds, in_order = run(args.host, args.port, route, args.count, args.timeout)
        print(f"{route:<10} {args.count:>6} {answered:>8} {seconds:>8.2f}  {str(in_order):<8}  {statuses}")


if __name__ == "__main__":
    main()
