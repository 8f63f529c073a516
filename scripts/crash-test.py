#!/usr/bin/env python3
"""kill -9 the server while clients write: no acknowledged event may be lost.

Each trial starts `cartwise serve` on the same data directory, lets --clients threads stream
batches of --batch events (each batch's events share a user id naming the batch, and carry its
index), kills the server with SIGKILL at a random moment, and then checks the log with
`cartwise export events` (read-only):
  - every acknowledged batch is present, every event exactly once and with identical content;
  - no batch is present only in part (a batch is one record: all or nothing);
  - export changed nothing in the data directory.
The next trial restarts on the same directory, so each restart also recovers the previous kill's
torn tail, and a restart that refuses the directory (damage that is not a torn tail) fails the run.

Usage: scripts/crash-test.py [--trials 20] [--clients 4] [--batch 200] [--binary .build/release/cartwise]
Prints one line per trial and a summary; exits 1 on any loss, change, partial batch or refused start.
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_digest(directory):
    digest = hashlib.sha256()
    for root, dirs, files in sorted(os.walk(directory)):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            digest.update(path.encode())
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()


def wait_healthy(port, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.05)
    return False


def batch_events(batch_id, size):
    return [{"user": batch_id, "item": f"i{index}", "type": "purchase", "value": index + 1,
             "price": 1.5, "timestamp": 1_700_000_000 + index,
             "context": {"n": index, "b": batch_id}} for index in range(size)]


def client(port, name, size, stop, acknowledged, lock):
    sequence = 0
    while not stop.is_set():
        batch_id = f"{name}-{sequence}"
        sequence += 1
        body = json.dumps({"events": batch_events(batch_id, size)}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/events", data=body,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                if answer.status == 200 and json.load(answer).get("accepted") == size:
                    with lock:
                        acknowledged.add(batch_id)
        except (urllib.error.URLError, ConnectionError, OSError, ValueError):
            return  # the server died: whatever was not answered was not acknowledged


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--binary", default=".build/release/cartwise")
    parser.add_argument("--data", help="data directory (default: a new temporary one, removed afterwards)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    data = args.data or tempfile.mkdtemp(prefix="cartwise-crash-")
    acknowledged = set()
    lock = threading.Lock()
    failures = []
    total_events = 0
    try:
        for trial in range(args.trials):
            port = free_port()
            process = subprocess.Popen(
                [args.binary, "serve", "--port", str(port), "--data-dir", data, "--log-level", "error"],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if not wait_healthy(port, process):
                process.kill()
                error = process.communicate()[1].decode(errors="replace")[-2000:]
                failures.append(f"trial {trial}: the server did not start on the directory: {error}")
                break
            stop = threading.Event()
            threads = [threading.Thread(target=client, args=(port, f"t{trial}c{index}", args.batch, stop,
                                                             acknowledged, lock))
                       for index in range(args.clients)]
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(0.2, 1.5))
            process.send_signal(signal.SIGKILL)
            process.wait()
            stop.set()
            for thread in threads:
                thread.join()

            before = tree_digest(data)
            export = subprocess.run([args.binary, "export", "events", "--data-dir", data],
                                    capture_output=True, timeout=300)
            if export.returncode != 0:
                failures.append(f"trial {trial}: export failed: {export.stderr.decode(errors='replace')[-2000:]}")
                break
            if tree_digest(data) != before:
                failures.append(f"trial {trial}: export changed the data directory")
            stored = {}
            for line in export.stdout.splitlines():
                event = json.loads(line)
                stored.setdefault(event["user"], []).append(event)
            with lock:
                acked = set(acknowledged)
            lost = changed = partial = 0
            for batch_id, events in stored.items():
                if len(events) != args.batch:
                    partial += 1
            for batch_id in acked:
                events = stored.get(batch_id)
                if events is None:
                    lost += args.batch
                    continue
                expected = batch_events(batch_id, args.batch)
                for got, want in zip(sorted(events, key=lambda e: e["value"]), expected):
                    same = (got["item"] == want["item"] and got["type"] == want["type"]
                            and got["value"] == want["value"] and got.get("price") == want["price"]
                            and got.get("context") == want["context"])
                    if not same:
                        changed += 1
            total_events = sum(len(events) for events in stored.values())
            print(f"trial {trial + 1:>2}: {len(acked) * args.batch:>8} acknowledged events, "
                  f"{total_events:>8} stored, lost {lost}, changed {changed}, partial batches {partial}", flush=True)
            if lost or changed or partial:
                failures.append(f"trial {trial}: lost {lost}, changed {changed}, partial {partial}")
                break
        # A last start must accept the directory the last kill left.
        port = free_port()
        process = subprocess.Popen([args.binary, "serve", "--port", str(port), "--data-dir", data,
                                    "--log-level", "error"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if not wait_healthy(port, process):
            failures.append("final start refused the directory: "
                            + process.communicate()[1].decode(errors="replace")[-2000:])
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    finally:
        if not args.data:
            shutil.rmtree(data, ignore_errors=True)
    print(f"{args.trials} trials: {len(acknowledged) * args.batch} acknowledged events, "
          f"{'FAILED: ' + '; '.join(failures) if failures else '0 lost, 0 changed, 0 batches present only in part'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
