#!/usr/bin/python3
"""Compares server binaries on IssueCertificate, interleaved.

On a shared, noisy machine two runs of `make bench` minutes apart differ by
more than most changes gain. This starts one server per binary (each with an
RSA-2048 and a P-256 root), then measures them in turns, round after round,
with the in-process rate beside them in every round, and prints the median
of each cell. Usage:
  bench/ab_issue.py --seconds 3 --rounds 3 before=/tmp/certain-old after=build/certain
"""
import argparse
import base64
import json
import os
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (LOADGEN, INPROC, make_csr, run_json, harness)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", default="1,2,8")
    ap.add_argument("binaries", nargs="+", help="NAME=PATH")
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    workdir = tempfile.mkdtemp(prefix="certain-ab-")
    kinds = (("rsa", "RSA_2048", "SHA256WITHRSA"), ("ec", "EC_prime256v1", "SHA256WITHECDSA"))
    csrs = {kind: bench.make_csr(workdir, kind) for kind, _, _ in kinds}
    servers = []
    try:
        for spec in args.binaries:
            name, path = spec.split("=", 1)
            os.environ["CERTAIN_BIN"] = os.path.abspath(path)
            d = os.path.join(workdir, name)
            os.mkdir(d)
            server = bench.harness.Server(d)
            server.start()
            creds = server.admin_creds()
            pca = bench.harness.make_client(server.url, creds)
            bodies = {}
            for kind, key_alg, sig_alg in kinds:
                root = bench.harness.build_root(pca, key_alg, sig_alg).arn
                body = os.path.join(d, f"issue-{kind}.json")
                with open(csrs[kind], "rb") as f, open(body, "w") as out:
                    json.dump({"CertificateAuthorityArn": root,
                               "Csr": base64.b64encode(f.read()).decode(),
                               "SigningAlgorithm": sig_alg,
                               "Validity": {"Value": 30, "Type": "DAYS"}}, out)
                bodies[kind] = body
            servers.append((name, server, creds, bodies))
        cells = {}
        for _ in range(args.rounds):
            for kind, key_alg, _ in kinds:
                for t in threads:
                    inproc = bench.run_json([bench.INPROC, "--csr", csrs[kind], "--key", key_alg,
                                             "--threads", str(min(t, os.cpu_count() or 2)),
                                             "--seconds", str(args.seconds)])
                    cells.setdefault((key_alg, t, "in-process"), []).append(inproc["rps"])
                    for name, server, creds, bodies in servers:
                        r = bench.run_json([bench.LOADGEN, "--port", str(server.port),
                                            "--akid", creds.access_key_id,
                                            "--secret", creds.secret_access_key,
                                            "--target", "ACMPrivateCA.IssueCertificate",
                                            "--body", bodies[kind], "--threads", str(t),
                                            "--seconds", str(args.seconds)])
                        cells.setdefault((key_alg, t, name), []).append(r["rps"])
                        cells.setdefault((key_alg, t, name + "/inproc"), []).append(
                            r["rps"] / inproc["rps"])
        names = [s[0] for s in servers]
        print("| key, concurrency | in-process | " +
              " | ".join(f"{n} (x in-process)" for n in names) + " |")
        print("|---|---|" + "---|" * len(names))
        for _, key_alg, _ in kinds:
            for t in threads:
                med = statistics.median
                row = [f"{key_alg}, {t}", f"{med(cells[(key_alg, t, 'in-process')]):.0f}/s"]
                row += [f"{med(cells[(key_alg, t, n)]):.0f}/s "
                        f"({med(cells[(key_alg, t, n + '/inproc')]):.2f}x)" for n in names]
                print("| " + " | ".join(row) + " |")
    finally:
        for _, server, _, _ in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
