#!/usr/bin/env python3
"""Issue 27's figures (holding up under abuse, round two), on loopback, bounded in count and time.

    python3 bench/round_two.py TALLY_BINARY [--postgres URL]

Prints, for the binary given (a release build):
  1. RSS with 60 near-complete stalled bodies to the token endpoint (1 MiB declared, all but a
     byte sent; and 16 KiB declared, all but a byte sent);
  2. with 40 stalled token bodies at --max-in-flight 32: the status of an authenticated POST and
     of another app's sign-in;
  3. another tenant's insight read time (median, p99) while a big tenant writes and reads in 16
     loops (30,000 feature records);
  4. the time to the answer of a PATCH with a valid token declaring Content-Length: 99999999;
  5. with --postgres (URL at 127.0.0.1:5432): the time to 503 of lists and counts once the
     database goes silent behind a proxy (default --database-timeout 3 s, --query-timeout 10 s).
"""

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

P1_SKU = "078d2b04-f1bd-4111-bbd4-b4b1b354cef4"
P1_PLAN = "41781fb2-bc02-4b7c-bd55-b576c07bb09d"
COLLECTION = "/v1.0/reports/azureADLicenseUsage"


class Server:
    def __init__(self, binary, data_dir, flags=()):
        self.process = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir, *flags],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "TALLY_LOG": "error"},
            text=True,
        )
        line = self.process.stdout.readline().strip()
        address = line.removeprefix("listening on http://")
        host, port = address.rsplit(":", 1)
        self.address = (host, int(port))

    def rss_mib(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)


def request(address, method, path, body=b"", headers=None, timeout=30):
    """One HTTP/1.1 request on a new connection: (status, body, seconds)."""
    headers = dict(headers or {})
    headers.setdefault("Host", "localhost")
    headers["Content-Length"] = str(len(body))
    headers["Connection"] = "close"
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    start = time.monotonic()
    with socket.create_connection(address, timeout=timeout) as conn:
        conn.sendall(head.encode() + b"\r\n" + body)
        status, text = read_answer(conn)
    return status, text, time.monotonic() - start


def read_answer(conn):
    data = b""
    while True:
        try:
            chunk = conn.recv(65536)
        except (socket.timeout, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
        end = data.find(b"\r\n\r\n")
        if end >= 0:
            head = data[:end].decode("latin-1").lower()
            length = 0
            for line in head.split("\r\n"):
                if line.startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            if len(data) >= end + 4 + length:
                break
    if not data:
        return None, ""
    status = int(data.split(b" ", 2)[1])
    end = data.find(b"\r\n\r\n")
    return status, data[end + 4:].decode("utf-8", "replace")


def tally(binary, *args):
    out = subprocess.run([binary, *args], capture_output=True, text=True, check=True)
    return out.stdout


def stalled(address, head, body, settle=0.0):
    conn = socket.create_connection(address, timeout=5)
    conn.sendall(head.encode())
    sent = 0
    conn.setblocking(False)
    deadline = time.monotonic() + 5
    while sent < len(body) and time.monotonic() < deadline:
        try:
            sent += conn.send(body[sent:])
        except BlockingIOError:
            time.sleep(0.005)
        except OSError:
            break
    return conn


def token_head(tenant, length):
    return (
        f"POST /{tenant}/oauth2/v2.0/token HTTP/1.1\r\nHost: localhost\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {length}\r\n\r\n"
    )


def rss_with_stalled_token_bodies(binary):
    figures = {}
    for declared in (1024 * 1024, 16 * 1024):
        with tempfile.TemporaryDirectory() as data:
            server = Server(binary, data)
            tenant = uuid.uuid4()
            time.sleep(0.3)
            before = server.rss_mib()
            held = []
            body = b"grant_type=client_credentials&scope=" + b"x" * (declared - 37)
            for _ in range(60):
                held.append(stalled(server.address, token_head(tenant, declared), body[: declared - 1]))
            time.sleep(0.5)
            during = server.rss_mib()
            for conn in held:
                conn.close()
            server.stop()
            figures[declared] = (before, during)
            print(f"1. 60 stalled token bodies, {declared} B declared, all but a byte sent: "
                  f"RSS {before:.0f} -> {during:.0f} MiB")
    return figures


def starvation(binary):
    with tempfile.TemporaryDirectory() as data:
        tenant = str(uuid.uuid4())
        tally(binary, "serve", "--help")
        lines = tally(binary, "app", "add", "--tenant", tenant, "--role", "Reports.Read.All",
                      "--data-dir", data).splitlines()
        client_id = lines[0].split("=", 1)[1]
        secret = lines[1].split("=", 1)[1]
        token = tally(binary, "token", "--tenant", tenant, "--data-dir", data).strip()
        server = Server(binary, data, ["--max-in-flight", "32"])
        held = [stalled(server.address, token_head(tenant, 1000), b"grant_type=") for _ in range(40)]
        time.sleep(0.2)
        snapshot = json.dumps({"snapshotDateTime": "2025-01-01T00:00:00Z",
                               "licenseInfoDetails": []}).encode()
        post, _, _ = request(server.address, "POST", COLLECTION, snapshot,
                             {"Authorization": f"Bearer {token}",
                              "Content-Type": "application/json"})
        form = urllib.parse.urlencode({
            "grant_type": "client_credentials", "client_id": client_id,
            "client_secret": secret, "scope": "https://graph.microsoft.com/.default"}).encode()
        signin, _, _ = request(server.address, "POST", f"/{tenant}/oauth2/v2.0/token", form,
                               {"Content-Type": "application/x-www-form-urlencoded"})
        for conn in held:
            conn.close()
        server.stop()
        print(f"2. 40 stalled token bodies at --max-in-flight 32: authenticated POST {post}, "
              f"another app's sign-in {signin}")


def insight_contention(binary, records=30_000, loops=16, seconds=10):
    with tempfile.TemporaryDirectory() as data:
        big, small = str(uuid.uuid4()), str(uuid.uuid4())
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

        def record():
            return json.dumps({
                "userId": str(uuid.uuid4()), "lastUpdatedDateTime": now,
                "featureUsageDetails": [
                    {"featureName": "conditionalAccess", "lastUsedDateTime": now},
                    {"featureName": "privateAccess", "lastUsedDateTime": now}]})

        path = os.path.join(data, "records.jsonl")
        with open(path, "w") as file:
            for _ in range(records):
                file.write(record() + "\n")
        tally(binary, "import", path, "--resource", "azureADUserFeatureUsage", "--tenant", big,
              "--data-dir", data)
        roles = ["--role", "Directory.ReadWrite.All", "--role", "Reports.ReadWrite.All",
                 "--role", "Reports.Read.All"]
        tokens = {t: tally(binary, "token", "--tenant", t, "--app", *roles, "--data-dir", data).strip()
                  for t in (big, small)}
        server = Server(binary, data)
        sku = json.dumps({
            "skuId": P1_SKU, "skuPartNumber": "AAD_PREMIUM",
            "prepaidUnits": {"enabled": 10, "suspended": 0, "warning": 0, "lockedOut": 0},
            "servicePlans": [{"servicePlanId": P1_PLAN, "servicePlanName": "AAD_PREMIUM"}]}).encode()
        for t in (big, small):
            auth = {"Authorization": f"Bearer {tokens[t]}", "Content-Type": "application/json"}
            assert request(server.address, "POST", "/v1.0/subscribedSkus", sku, auth)[0] == 201
        auth = {"Authorization": f"Bearer {tokens[small]}", "Content-Type": "application/json"}
        request(server.address, "POST", "/beta/reports/azureADUserFeatureUsage", record().encode(), auth)
        insight = "/beta/reports/azureADPremiumLicenseInsight"
        assert request(server.address, "GET", insight, b"", auth)[0] == 200
        stop = threading.Event()
        big_statuses = []

        def loop():
            auth = {"Authorization": f"Bearer {tokens[big]}", "Content-Type": "application/json"}
            while not stop.is_set():
                request(server.address, "POST", "/beta/reports/azureADUserFeatureUsage",
                        record().encode(), auth)
                big_statuses.append(request(server.address, "GET", insight, b"", auth)[0])

        threads = [threading.Thread(target=loop) for _ in range(loops)]
        for thread in threads:
            thread.start()
        time.sleep(1)
        waits, statuses = [], []
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            status, _, waited = request(server.address, "GET", insight, b"", auth)
            statuses.append(status)
            waits.append(waited)
            time.sleep(0.05)
        stop.set()
        for thread in threads:
            thread.join()
        server.stop()
        waits.sort()
        p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))]
        big_counts = {s: big_statuses.count(s) for s in sorted(set(big_statuses))}
        print(f"3. another tenant's insight under {loops} loops of a big one ({records} records): "
              f"{len(waits)} reads, median {statistics.median(waits) * 1000:.0f} ms, "
              f"p99 {p99 * 1000:.0f} ms, max {waits[-1] * 1000:.0f} ms, statuses "
              f"{ {s: statuses.count(s) for s in set(statuses)} }; the big tenant's reads {big_counts}")


def oversize_patch(binary):
    with tempfile.TemporaryDirectory() as data:
        tenant = str(uuid.uuid4())
        token = tally(binary, "token", "--tenant", tenant, "--data-dir", data).strip()
        server = Server(binary, data)
        snapshot = json.dumps({"snapshotDateTime": "2025-01-01T00:00:00Z",
                               "licenseInfoDetails": []}).encode()
        _, text, _ = request(server.address, "POST", COLLECTION, snapshot,
                             {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        entity = json.loads(text)["id"]
        for name, auth in (("valid token", f"Bearer {token}"), ("no valid token", "Bearer x")):
            head = (f"PATCH {COLLECTION}('{entity}') HTTP/1.1\r\nHost: localhost\r\n"
                    f"Authorization: {auth}\r\nContent-Type: application/json\r\n"
                    f"Content-Length: 99999999\r\n\r\n")
            start = time.monotonic()
            with socket.create_connection(server.address, timeout=30) as conn:
                conn.sendall(head.encode())
                status, _ = read_answer(conn)
            print(f"4. PATCH declaring Content-Length: 99999999, {name}: {status} after "
                  f"{(time.monotonic() - start) * 1000:.0f} ms")
        server.stop()


class StallingProxy:
    """Forwards 127.0.0.1:port -> upstream; once stalled, forwards nothing and answers nothing."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stalled = threading.Event()
        self.sockets = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.sockets.append(client)
            if self.stalled.is_set():
                continue
            server = socket.create_connection(self.upstream)
            self.sockets.append(server)
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self.pipe, args=(a, b), daemon=True).start()

    def pipe(self, source, target):
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                return
            while self.stalled.is_set():
                time.sleep(0.05)
            try:
                target.sendall(data)
            except OSError:
                return

    def close(self):
        self.listener.close()
        for s in self.sockets:
            s.close()


def silent_postgres(binary, url):
    proxy = StallingProxy(("127.0.0.1", 5432))
    schema = "round_two_" + uuid.uuid4().hex[:8]
    through = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    sep = "&" if "?" in through else "?"
    through += f"{sep}options=-csearch_path%3D{schema}"
    subprocess.run(["psql", url, "-qc", f"CREATE SCHEMA {schema}"], check=True)
    try:
        with tempfile.TemporaryDirectory() as data:
            tenant = str(uuid.uuid4())
            token = tally(binary, "token", "--tenant", tenant, "--data-dir", data).strip()
            server = Server(binary, data, ["--database-url", through])
            auth = {"Authorization": f"Bearer {token}"}
            assert request(server.address, "GET", COLLECTION, b"", auth)[0] == 200
            proxy.stalled.set()
            for path in (COLLECTION, COLLECTION + "/$count", COLLECTION + "?$count=true"):
                status, _, waited = request(server.address, "GET", path, b"", auth, timeout=60)
                print(f"5. silent PostgreSQL: GET {path}: {status} after {waited:.2f} s")
            server.stop()
    finally:
        proxy.close()
        subprocess.run(["psql", url, "-qc", f"DROP SCHEMA {schema} CASCADE"], check=True)


def main():
    binary = sys.argv[1]
    postgres = sys.argv[sys.argv.index("--postgres") + 1] if "--postgres" in sys.argv else None
    only = os.environ.get("ONLY", "12345")
    if "1" in only:
        rss_with_stalled_token_bodies(binary)
    if "2" in only:
        starvation(binary)
    if "3" in only:
        insight_contention(binary)
    if "4" in only:
        oversize_patch(binary)
    if "5" in only and postgres:
        silent_postgres(binary, postgres)


if __name__ == "__main__":
    main()
