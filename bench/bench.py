#!/usr/bin/python3
"""The performance table of `make bench`.

Every figure is printed beside a baseline measured in the same run, on the
same machine, so ratios stay meaningful on a noisy host:
  - IssueCertificate over HTTP (RSA-2048 and P-256 CAs, concurrency 1/2/8)
    against the in-process OpenSSL rate (bench/inproc_issue.c) and against
    CFSSL's `cfssl serve` signing the same CSR over HTTP.
  - The trivial request (GET /ping) rate of the same server.
  - Peak resident memory of the server.
Results go to stdout as a Markdown table; --out FILE also writes them there.
"""
import argparse
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
CERTAIN = os.path.join(BUILD, "certain")
LOADGEN = os.path.join(BUILD, "bench-loadgen")
INPROC = os.path.join(BUILD, "bench-inproc_issue")

sys.path.insert(0, ROOT)
from tests.integration import harness  # noqa: E402  (server start/stop, CA helpers)


def wait_for_port(port, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def make_csr(workdir, kind):
    key = os.path.join(workdir, f"leaf-{kind}.key")
    csr = os.path.join(workdir, f"leaf-{kind}.csr")
    newkey = ["-newkey", "rsa:2048"] if kind == "rsa" else [
        "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    subprocess.run(["openssl", "req", "-new", *newkey, "-nodes", "-keyout", key,
                    "-subj", "/CN=bench.example.com",
                    "-addext", "subjectAltName=DNS:bench.example.com", "-out", csr],
                   check=True, capture_output=True)
    return csr


def cfssl_rate(workdir, kind, csr_path, threads, seconds):
    """Starts `cfssl serve` with a CA of the same key type; measures /sign."""
    if shutil.which("cfssl") is None:
        return None
    ca_key = os.path.join(workdir, f"cfssl-{kind}.key")
    ca_pem = os.path.join(workdir, f"cfssl-{kind}.pem")
    newkey = ["-newkey", "rsa:2048"] if kind == "rsa" else [
        "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    subprocess.run(["openssl", "req", "-x509", *newkey, "-nodes", "-keyout", ca_key,
                    "-subj", "/CN=cfssl bench CA", "-days", "3650", "-out", ca_pem,
                    "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
                   check=True, capture_output=True)
    config = os.path.join(workdir, "cfssl-config.json")
    with open(config, "w") as f:
        json.dump({"signing": {"default": {"expiry": "720h",
                                           "usages": ["digital signature", "key encipherment",
                                                      "server auth", "client auth"]}}}, f)
    port = harness.free_port()
    proc = subprocess.Popen(["cfssl", "serve", "-address", "127.0.0.1", "-port", str(port),
                             "-ca", ca_pem, "-ca-key", ca_key, "-config", config],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, 15)
        body = os.path.join(workdir, f"cfssl-body-{kind}.json")
        with open(csr_path) as f:
            json.dump({"certificate_request": f.read()}, open(body, "w"))
        return run_json([LOADGEN, "--port", str(port), "--path", "/api/v1/cfssl/sign",
                         "--body", body, "--content-type", "application/json",
                         "--threads", str(threads), "--seconds", str(seconds)])
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="duration of each measurement")
    ap.add_argument("--out", help="also write the table to this file")
    args = ap.parse_args()
    secs = args.seconds
    workdir = tempfile.mkdtemp(prefix="certain-bench-")
    os.environ["CERTAIN_BIN"] = CERTAIN
    server = harness.Server(workdir)
    server.start()
    rows = []
    try:
        creds = server.admin_creds()
        akid, secret = creds.access_key_id, creds.secret_access_key
        pca = harness.make_client(server.url, creds)
        loadgen = [LOADGEN, "--port", str(server.port), "--akid", akid, "--secret", secret]
        ping = run_json([LOADGEN, "--port", str(server.port), "--method", "GET", "--path",
                         "/ping", "--threads", "2", "--seconds", str(secs)])
        rows.append(("GET /ping (trivial request), concurrency 2",
                     f"{ping['rps']:.0f}/s", f"p50 {ping['p50_ms']:.2f} ms, "
                     f"p99 {ping['p99_ms']:.2f} ms", "baseline"))
        for kind, key_alg, sig_alg in (("rsa", "RSA_2048", "SHA256WITHRSA"),
                                       ("ec", "EC_prime256v1", "SHA256WITHECDSA")):
            root = harness.build_root(pca, key_alg, sig_alg).arn
            csr = make_csr(workdir, kind)
            body = os.path.join(workdir, f"issue-{kind}.json")
            with open(csr, "rb") as f:
                json.dump({"CertificateAuthorityArn": root,
                           "Csr": base64.b64encode(f.read()).decode(),
                           "SigningAlgorithm": sig_alg,
                           "Validity": {"Value": 30, "Type": "DAYS"}}, open(body, "w"))
            for threads in (1, 2, 8):
                inproc = run_json([INPROC, "--csr", csr, "--key", key_alg,
                                   "--threads", str(min(threads, os.cpu_count() or 2)),
                                   "--seconds", str(secs)])
                http = run_json(loadgen + ["--target", "ACMPrivateCA.IssueCertificate",
                                           "--body", body, "--threads", str(threads),
                                           "--seconds", str(secs)])
                cf = cfssl_rate(workdir, kind, csr, threads, secs)
                cf_text = (f"{http['rps'] / cf['rps']:.2f}x CFSSL ({cf['rps']:.0f}/s)"
                           if cf and cf["rps"] else "CFSSL not installed")
                rows.append((f"IssueCertificate {key_alg}, concurrency {threads}",
                             f"{http['rps']:.0f}/s",
                             f"p50 {http['p50_ms']:.2f} ms, p99 {http['p99_ms']:.2f} ms, "
                             f"errors {http['errors']}",
                             f"{http['rps'] / inproc['rps']:.2f}x in-process "
                             f"({inproc['rps']:.0f}/s); {cf_text}"))
        rows.append(("Server peak resident memory",
                     f"{peak_rss_kib(server.pid) / 1024:.1f} MiB", "", ""))
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    lines = ["| measurement | rate | latency | against the baseline |",
             "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    table = "\n".join(lines)
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table + "\n")


if __name__ == "__main__":
    main()
