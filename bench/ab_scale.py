#!/usr/bin/python3
"""Compares builds on the scale reads (Describe, three ListCertificates pages), interleaved.

Each build populates a store of its own (its bench-populate, so each gets
its own schema) to --count certificates, with the RSA-2048 and P-256
templates `make bench` uses, and serves it with its own server. The rows
are then measured in turns, round after round, at concurrency 1, and the
median p50 of each cell is printed. NAME=DIR names a build folder holding
`certain` and `bench-populate`. Usage:
  bench/ab_scale.py --count 100000 --rounds 3 before=/work/wt-before/build after=build
"""
import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (harness, populate, acm_load, write_json, SCHED_ARGS)

LISTS = {"first": {"MaxItems": 100},
         "deep": {"MaxItems": 100},  # NextToken filled in from populate's middle_token
         "issued": {"MaxItems": 100, "CertificateStatuses": ["ISSUED"]}}


def templates(server, creds):
    """Issues the two template certificates; their ids."""
    pca = bench.harness.make_client(server.url, creds)
    acm = bench.harness.make_client(server.url, creds, service="acm")
    ids = []
    for key_alg, sig_alg in (("RSA_2048", "SHA256WITHRSA"), ("EC_prime256v1", "SHA256WITHECDSA")):
        root = bench.harness.build_root(pca, key_alg, sig_alg).arn
        arn = acm.request_certificate(DomainName="template.bench.example.com",
                                      CertificateAuthorityArn=root,
                                      KeyAlgorithm=key_alg)["CertificateArn"]
        ids.append(arn.rsplit("/", 1)[1])
    return ids


def side(workdir, name, build, count):
    """One build's populated, running server and its request bodies:
    (name, server, creds, describe bodies, {list row: body})."""
    os.environ["CERTAIN_BIN"] = os.path.abspath(os.path.join(build, "certain"))
    bench.POPULATE = os.path.abspath(os.path.join(build, "bench-populate"))
    d = os.path.join(workdir, name)
    server = bench.harness.Server(d)
    server.start(bench.SCHED_ARGS)
    try:
        return (name, server) + ready(server, d, count)
    except BaseException:
        server.stop()
        raise


def ready(server, d, count):
    """Populates the store and writes the request bodies: (creds, describe
    bodies, {list row: body})."""
    creds = server.admin_creds()
    ids = templates(server, creds)
    server.stop()
    sample = os.path.join(d, "sample.txt")
    pop = bench.populate(server, creds.account, ids, count - len(ids), sample)
    server.start(bench.SCHED_ARGS)
    acm = bench.harness.make_client(server.url, creds, service="acm")
    prefix = acm.list_certificates(MaxItems=1)["CertificateSummaryList"][0]["CertificateArn"]
    prefix = prefix.rsplit("/", 1)[0]
    bodies = os.path.join(d, "describe.txt")
    with open(sample) as f, open(bodies, "w") as out:
        for line in f:
            out.write(json.dumps({"CertificateArn": f"{prefix}/{line.strip()}"}) + "\n")
    files = {}
    for row, req in LISTS.items():
        if row == "deep":
            req = dict(req, NextToken=pop["middle_token"])
        files[row] = bench.write_json(d, f"list-{row}.json", req)
    bench.acm_load(server, creds, "DescribeCertificate", bodies, 4, 1, True)  # warm-up
    return creds, bodies, files


def measure(sides, rounds, secs):
    cells = {}
    for _ in range(rounds):
        for name, server, creds, bodies, files in sides:
            r = bench.acm_load(server, creds, "DescribeCertificate", bodies, 1, secs, True)
            cells.setdefault(("describe", name), []).append(r["p50_ms"])
            for row, body in files.items():
                r = bench.acm_load(server, creds, "ListCertificates", body, 1, secs)
                cells.setdefault((row, name), []).append(r["p50_ms"])
    return cells


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=100000)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("builds", nargs="+", help="NAME=DIR")
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="certain-ab-scale-", dir="/var/tmp")
    sides = []
    try:
        for spec in args.builds:
            name, build = spec.split("=", 1)
            sides.append(side(workdir, name, build, args.count))
        cells = measure(sides, args.rounds, args.seconds)
        for (row, name), v in cells.items():
            print(f"{row:9s} {name:10s} p50 median {statistics.median(v):.3f} ms  rounds {v}")
    finally:
        for s in sides:
            s[1].stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
