#!/usr/bin/python3
"""The performance table of `make bench`.

Every figure is printed beside a baseline measured in the same run, on the
same machine, so ratios stay meaningful on a noisy host; the comparisons of
one server's requests (issuance, RequestCertificate, DescribeCertificate)
run each side in turns, round after round (interleave), and give the median
of the rounds' ratios:
  - IssueCertificate over HTTP (RSA-2048 and P-256 CAs, concurrency 1/2/8)
    against the in-process OpenSSL rate (bench/inproc_issue.c) and against
    CFSSL's `cfssl serve` signing the same CSR over HTTP.
  - The trivial request (GET /ping) rate of the same server.
  - ACM RequestCertificate (private: key generated and certificate issued in
    the call; RSA_2048 and EC_prime256v1, concurrency 1/2) against the
    in-process rate of generating the same key and issuing
    (bench/inproc_issue.c --leaf-key).
  - ACM DescribeCertificate (concurrency 1/2/8) against GET /ping on the same
    connections and against moto_server (the AWS emulator) describing the
    same imported certificate.
  - Scale: DescribeCertificate and ListCertificates pages with 10,000,
    100,000 and 1,000,000 certificates in the store (bench/populate.c fills
    the data folder), the larger stores against the 10,000 one; the ratio
    should stay near 1. On the same stores, scheduler passes through the
    test clock's AdvanceClock: one with nothing due and one step in which
    about 1 in 5,000 certificates falls due, against the 10,000 store.
  - Peak resident memory of the server: after the rows above, and after
    the rows on each store size.
  - CRL generation with 100,000 and 1,000,000 entries against
    `openssl ca -gencrl` on the same entries (bench/crl_gen.c; --no-crl skips).
  - OCSP responses per second on the public listener, pre-signed (no nonce)
    and signed per request (nonce), against `openssl ocsp` as a responder for
    an equivalent CA (--no-ocsp skips).
Results go to stdout as a Markdown table; --out FILE also writes them there.
"""
import argparse
import base64
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
# CERTAIN_BIN picks another server binary (say, a saved "before" build).
CERTAIN = os.environ.get("CERTAIN_BIN") or os.path.join(BUILD, "certain")
LOADGEN = os.path.join(BUILD, "bench-loadgen")
INPROC = os.path.join(BUILD, "bench-inproc_issue")
POPULATE = os.path.join(BUILD, "bench-populate")
ACM_TARGET = "CertificateManager."
# Store sizes of the scale rows; the first is the baseline of the others.
SCALE_SIZES = (10_000, 100_000, 1_000_000)

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


class Cfssl:
    """`cfssl serve` with a CA of the given key type, signing one CSR over HTTP:
    started once, then measured round after round beside the others."""

    def __init__(self, workdir, kind, csr_path):
        self.proc, self.body = None, None
        if shutil.which("cfssl") is None:
            return
        ca_key = os.path.join(workdir, f"cfssl-{kind}.key")
        ca_pem = os.path.join(workdir, f"cfssl-{kind}.pem")
        newkey = ["-newkey", "rsa:2048"] if kind == "rsa" else [
            "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        subprocess.run(["openssl", "req", "-x509", *newkey, "-nodes", "-keyout", ca_key,
                        "-subj", "/CN=cfssl bench CA", "-days", "3650", "-out", ca_pem,
                        "-addext", "basicConstraints=critical,CA:TRUE",
                        "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
                       check=True, capture_output=True)
        config = write_json(workdir, "cfssl-config.json", {"signing": {"default": {
            "expiry": "720h",
            "usages": ["digital signature", "key encipherment", "server auth",
                       "client auth"]}}})
        self.port = harness.free_port()
        self.proc = subprocess.Popen(["cfssl", "serve", "-address", "127.0.0.1", "-port",
                                      str(self.port), "-ca", ca_pem, "-ca-key", ca_key,
                                      "-config", config],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, 15)
        with open(csr_path) as f:
            self.body = write_json(workdir, f"cfssl-body-{kind}.json",
                                   {"certificate_request": f.read()})

    def measure(self, threads, secs):
        if self.body is None:
            return None
        return run_json([LOADGEN, "--port", str(self.port), "--path", "/api/v1/cfssl/sign",
                         "--body", self.body, "--content-type", "application/json",
                         "--threads", str(threads), "--seconds", str(secs)])

    def stop(self):
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)
            self.proc, self.body = None, None


# Rounds per comparison: every measurement and its baselines run in turns,
# ROUNDS times for 1/ROUNDS of the time each, so a burst of load from the
# host's neighbours falls on one round of each, not on one side.
ROUNDS = 5


def interleave(measures, secs, rounds=ROUNDS):
    """Runs each measure (a function of seconds returning loadgen's JSON, or
    None when that peer is missing) in turns, round after round. Returns one
    result per measure: requests per second over all rounds, the median of
    the rounds' p50 and p99, the errors summed, and each round's rate
    (None for a missing peer)."""
    runs = [[] for _ in measures]
    for _ in range(rounds):
        for i, measure in enumerate(measures):
            runs[i].append(measure(secs / rounds))
    out = []
    for rs in runs:
        if any(r is None for r in rs):
            out.append(None)
            continue
        done = sum(r.get("requests", r.get("issued", 0)) for r in rs)  # inproc: issued
        res = {"rps": done / sum(r["seconds"] for r in rs),
               "errors": sum(r.get("errors", 0) for r in rs),
               "rounds": [r["rps"] for r in rs]}
        if "p50_ms" in rs[0]:
            res["p50_ms"] = statistics.median(r["p50_ms"] for r in rs)
            res["p99_ms"] = statistics.median(r["p99_ms"] for r in rs)
        out.append(res)
    return out


def ratio(a, b):
    """a's rate over b's: the median of the rounds' ratios (each round's pair
    ran back to back)."""
    return statistics.median(x / y if y else 0.0 for x, y in zip(a["rounds"], b["rounds"]))


def latency(r):
    return f"p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms"


def write_json(workdir, name, obj):
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        json.dump(obj, f)
    return path


def acm_load(server, creds, op, body, threads, secs, bodies=False):
    """loadgen against one ACM operation; body is a file (bodies: one per line)."""
    return run_json([LOADGEN, "--port", str(server.port), "--akid", creds.access_key_id,
                     "--secret", creds.secret_access_key, "--service", "acm",
                     "--target", ACM_TARGET + op, "--bodies" if bodies else "--body", body,
                     "--threads", str(threads), "--seconds", str(secs)])


def make_import_pair(workdir):
    """A self-signed P-256 certificate and key that both Certain and moto import."""
    key = os.path.join(workdir, "import.key")
    pem = os.path.join(workdir, "import.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                    "-subj", "/CN=import.bench.example.com",
                    "-addext", "subjectAltName=DNS:import.bench.example.com",
                    "-days", "365", "-out", pem], check=True, capture_output=True)
    with open(pem, "rb") as f, open(key, "rb") as g:
        return f.read(), g.read()


def moto_command():
    """moto_server, or an interpreter that has moto (not necessarily this one)."""
    exe = shutil.which("moto_server")
    if exe:
        return [exe]
    for py in dict.fromkeys(filter(None, (shutil.which("python3"), sys.executable))):
        if subprocess.run([py, "-c", "import moto.server"], capture_output=True).returncode == 0:
            return [py, "-m", "moto.server"]
    return None


class Moto:
    """moto_server on a free port with one certificate imported: the peer for
    DescribeCertificate. Any credentials are accepted; loadgen signs anyway."""

    def __init__(self, workdir, cert, key):
        self.proc, self.body = None, None
        cmd = moto_command()
        if cmd is None:
            return
        self.port = harness.free_port()
        self.proc = subprocess.Popen(cmd + ["-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(self.port, 30)
            self.creds = harness.Creds("bench", "bench")
            acm = harness.make_client(f"http://127.0.0.1:{self.port}", self.creds,
                                      service="acm")
            arn = acm.import_certificate(Certificate=cert, PrivateKey=key)["CertificateArn"]
            self.body = write_json(workdir, "describe-moto.json", {"CertificateArn": arn})
        except Exception as e:  # a broken moto is "n/a", not a failed benchmark
            print(f"bench: moto_server unusable: {e}", file=sys.stderr)
            self.stop()

    def describe(self, threads, secs):
        if self.body is None:
            return None
        return run_json([LOADGEN, "--port", str(self.port), "--akid", "bench", "--secret",
                         "bench", "--service", "acm", "--target",
                         ACM_TARGET + "DescribeCertificate", "--body", self.body,
                         "--threads", str(threads), "--seconds", str(secs)])

    def stop(self):
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc, self.body = None, None


def request_rows(workdir, server, creds, roots, secs):
    """RequestCertificate (private) beside generating the same key and issuing in-process."""
    rows = []
    # One round for RSA: a key takes 0.1-0.5 s to generate, and a round
    # must hold many requests.
    for key_alg in ("RSA_2048", "EC_prime256v1"):
        # No IdempotencyToken: every request creates (and issues) a new certificate.
        body = write_json(workdir, f"request-{key_alg}.json",
                          {"DomainName": "bench.example.com", "KeyAlgorithm": key_alg,
                           "CertificateAuthorityArn": roots[key_alg]})
        for threads in (1, 2):
            inproc, http = interleave([
                lambda t: run_json([INPROC, "--key", key_alg, "--leaf-key", key_alg,
                                    "--threads", str(min(threads, os.cpu_count() or 2)),
                                    "--seconds", str(t)]),
                lambda t: acm_load(server, creds, "RequestCertificate", body, threads, t)],
                secs, rounds=1 if key_alg == "RSA_2048" else ROUNDS)
            rows.append((f"RequestCertificate {key_alg} (private), concurrency {threads}",
                         f"{http['rps']:.1f}/s", f"{latency(http)}, errors {http['errors']}",
                         f"{ratio(http, inproc):.2f}x in-process key generation + "
                         f"issue ({inproc['rps']:.1f}/s)"))
    return rows


def describe_rows(workdir, server, creds, secs):
    """DescribeCertificate beside /ping on the same connections and beside moto."""
    cert, key = make_import_pair(workdir)
    acm = harness.make_client(server.url, creds, service="acm")
    arn = acm.import_certificate(Certificate=cert, PrivateKey=key)["CertificateArn"]
    body = write_json(workdir, "describe.json", {"CertificateArn": arn})
    moto = Moto(workdir, cert, key)
    rows = []
    try:
        for threads in (1, 2, 8):
            ping, http, peer = interleave([
                lambda t: run_json([LOADGEN, "--port", str(server.port), "--method", "GET",
                                    "--path", "/ping", "--threads", str(threads),
                                    "--seconds", str(t)]),
                lambda t: acm_load(server, creds, "DescribeCertificate", body, threads, t),
                lambda t: moto.describe(threads, t)], secs)
            moto_text = (f"{ratio(http, peer):.1f}x moto ({peer['rps']:.0f}/s, "
                         f"{latency(peer)})" if peer and peer["rps"] else "moto: n/a")
            rows.append((f"DescribeCertificate, concurrency {threads}", f"{http['rps']:.0f}/s",
                         f"{latency(http)}, errors {http['errors']}",
                         f"{ratio(http, ping):.2f}x GET /ping ({ping['rps']:.0f}/s, "
                         f"{latency(ping)}); {moto_text}"))
    finally:
        moto.stop()
    return rows


def populate(server, account, templates, count, sample):
    return run_json([POPULATE, "--data", server.data, "--account", account,
                     "--count", str(count), "--sample", sample, "--settled"]
                    + [a for t in templates for a in ("--template", t)])


def scale_measure(workdir, server, creds, pop, sample, secs):
    """Describe (random sampled ARNs) and three ListCertificates pages, concurrency 1."""
    acm = harness.make_client(server.url, creds, service="acm")
    first = acm.list_certificates(MaxItems=100)["CertificateSummaryList"]
    deep = acm.list_certificates(MaxItems=100, NextToken=pop["middle_token"])
    deep = deep["CertificateSummaryList"]
    if len(first) != 100 or len(deep) != 100 or deep[0] == first[0]:
        raise RuntimeError("bench: the deep ListCertificates page is not where expected")
    prefix = first[0]["CertificateArn"].rsplit("/", 1)[0]
    bodies = os.path.join(workdir, "describe-bodies.txt")
    with open(sample) as f, open(bodies, "w") as out:
        for line in f:
            out.write(json.dumps({"CertificateArn": f"{prefix}/{line.strip()}"}) + "\n")
    lists = {"first": {"MaxItems": 100},
             "deep": {"MaxItems": 100, "NextToken": pop["middle_token"]},
             "issued": {"MaxItems": 100, "CertificateStatuses": ["ISSUED"]}}
    # Warm-up, unmeasured: every worker thread opens its SQLite connection lazily.
    acm_load(server, creds, "DescribeCertificate", bodies, 4, 1, True)
    res = {"describe": acm_load(server, creds, "DescribeCertificate", bodies, 1, secs, True)}
    for name, req in lists.items():
        res[name] = acm_load(server, creds, "ListCertificates",
                             write_json(workdir, f"list-{name}.json", req), 1, secs)
    return res


# The scheduler rows: the server runs with the test clock and no periodic
# pass, so every pass is one that AdvanceClock asks for and waits for.
SCHED_ARGS = ("--test-clock", "--scan-interval", str(100 * 86400))
SCHED_IDLE_PASSES = 20
# populate.c spreads not_after evenly over two years, so about 100 of a million
# certificates reach their renewal window (their scan_due_at) in this step,
# and as many their not_after. The step is the same for every store size, so
# the number due grows with the store; the per-certificate cost should not.
SCHED_STEP = 100 * 2 * 365 * 86400 // SCALE_SIZES[-1]


def advance_clock(server, creds, seconds):
    """One AdvanceClock (the test clock moves, then a scheduler pass and a
    delivery pass run before the answer): (seconds taken, the server's Now)."""
    t0 = time.perf_counter()
    r = harness.raw_request(server.url, "Certain.AdvanceClock", {"Seconds": seconds},
                            creds=creds, service="certain", timeout=900)
    took = time.perf_counter() - t0
    if r.status != 200:
        raise RuntimeError(f"bench: AdvanceClock answered {r.status}: {r.body[:200]!r}")
    return took, json.loads(r.body)["Now"]


def due_count(server, since, until):
    """(due, expiring): ISSUED certificates with since < scan_due_at <= until,
    read the way src/store/acm_due.c reads them (the (status, scan_due_at, id)
    index), and how many of them reach their not_after by until."""
    import sqlite3
    db = sqlite3.connect(f"file:{os.path.join(server.data, 'certain.db')}?mode=ro", uri=True)
    try:
        return db.execute("SELECT count(*), coalesce(sum(not_after <= ?2), 0) "
                          "FROM acm_certificates WHERE status = 'ISSUED' "
                          "AND scan_due_at > ?1 AND scan_due_at <= ?2", (since, until)).fetchone()
    finally:
        db.close()


def scheduler_measure(server, creds):
    """Scheduler passes on the store as it is (populate.c --settled):
    SCHED_IDLE_PASSES advances of 1 s (almost nothing due; median) and one
    advance of SCHED_STEP seconds, kept short of the server's next UTC midnight
    (at midnight every certificate inside its 60-day window is due again)."""
    _, now = advance_clock(server, creds, 1)  # waits out the pass run at start
    idle = sorted(advance_clock(server, creds, 1)[0] for _ in range(SCHED_IDLE_PASSES))
    now += SCHED_IDLE_PASSES
    midnight = (now // 86400 + 1) * 86400
    step = max(1, min(SCHED_STEP, midnight - now - 60))
    due, expiring = due_count(server, now, now + step)
    took, now = advance_clock(server, creds, step)
    # Then across midnight: the daily pass, where every certificate inside its
    # 60-day window is due (its day's warning or renewal look).
    midnight = (now // 86400 + 1) * 86400
    daily_due, _ = due_count(server, now, midnight + 60)
    daily_s, _ = advance_clock(server, creds, midnight + 60 - now)
    return {"idle": idle[len(idle) // 2], "idle_max": idle[-1], "step": step, "due": due,
            "expiring": expiring, "step_s": took, "daily_due": daily_due, "daily_s": daily_s}


def vs_base(base_n, text):
    """The baseline column of a scale row: the first store's row is the baseline."""
    return f"{text} the {base_n:,}-certificate store" if text else "baseline"


def scheduler_rows(sched):
    """Rows from scheduler_measure, one per store size per pass kind, each
    beside the smallest store's figure."""
    ms = lambda s: f"{s * 1000:.1f} ms"  # noqa: E731
    per_due = lambda r: (r["step_s"] - r["idle"]) / r["due"] if r["due"] else None  # noqa: E731
    base_n = SCALE_SIZES[0]
    base = sched[base_n]
    idle, some, daily = [], [], []
    for n in SCALE_SIZES:
        r = sched[n]
        idle.append((f"Scheduler pass, 0 due of {n:,} (AdvanceClock 1 s, median of "
                     f"{SCHED_IDLE_PASSES}, HTTP and SigV4 included)", ms(r["idle"]),
                     f"max {ms(r['idle_max'])}",
                     vs_base(base_n, n != base_n and f"{r['idle'] / base['idle']:.2f}x")))
        each = per_due(r)
        ratio = ""
        if n != base_n:
            ratio = f"pass {r['step_s'] / base['step_s']:.2f}x"
            if each is not None and per_due(base) is not None:
                ratio += f", per due certificate {each / per_due(base):.2f}x"
        some.append((f"Scheduler pass, {r['due']} due of {n:,} (AdvanceClock {r['step']} s: "
                     f"{r['expiring']} expire, {r['due'] - r['expiring']} reach their renewal "
                     f"window)", ms(r["step_s"]),
                     f"{each * 1000:.2f} ms per due certificate over the 0-due pass"
                     if each is not None else "nothing due", vs_base(base_n, ratio)))
        daily_each = (r["daily_s"] - r["idle"]) / r["daily_due"] if r["daily_due"] else None
        daily_ratio = ""
        if n != base_n and base["daily_due"]:
            daily_ratio = f"pass {r['daily_s'] / base['daily_s']:.2f}x"
        daily.append((f"Scheduler pass at UTC midnight, {r['daily_due']:,} due of {n:,} (the "
                      "daily warnings and renewal looks of the certificates in their last "
                      "60 days)", ms(r["daily_s"]),
                      f"{daily_each * 1000:.3f} ms per due certificate"
                      if daily_each is not None else "nothing due", vs_base(base_n, daily_ratio)))
    return idle + some + daily


SCALE_LABELS = {"describe": "DescribeCertificate (1,000 random ARNs)",
                "first": "ListCertificates first page (MaxItems 100)",
                "deep": "ListCertificates page from the middle (NextToken)",
                "issued": "ListCertificates CertificateStatuses=[ISSUED] first page"}


def scale_rows(workdir, secs):
    """The same requests with each of SCALE_SIZES certificates in the store
    (one server, filled up between sizes and restarted on the folder), the
    scheduler passes and the server's peak memory on each store."""
    server = harness.Server(os.path.join(workdir, "scale"))
    server.start(SCHED_ARGS)
    pops, results, sched, rss = {}, {}, {}, {}
    try:
        creds = server.admin_creds()
        pca = harness.make_client(server.url, creds)
        acm = harness.make_client(server.url, creds, service="acm")
        templates = []
        for key_alg, sig_alg in (("RSA_2048", "SHA256WITHRSA"),
                                 ("EC_prime256v1", "SHA256WITHECDSA")):
            root = harness.build_root(pca, key_alg, sig_alg).arn
            arn = acm.request_certificate(DomainName="template.bench.example.com",
                                          CertificateAuthorityArn=root,
                                          KeyAlgorithm=key_alg)["CertificateArn"]
            templates.append(arn.rsplit("/", 1)[1])
        have = len(templates)
        for total in SCALE_SIZES:
            server.stop()
            sample = os.path.join(workdir, f"sample-{total}.txt")
            pops[total] = populate(server, creds.account, templates, total - have, sample)
            have = total
            server.start(SCHED_ARGS)
            results[total] = scale_measure(workdir, server, creds, pops[total], sample, secs)
            sched[total] = scheduler_measure(server, creds)
            rss[total] = peak_rss_kib(server.pid)
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)
    base_n = SCALE_SIZES[0]
    rows = [(f"populate.c: {p['inserted']:,} rows into the store (to {n:,})",
             f"{p['rows_per_s']:.0f}/s", f"{p['seconds']:.1f} s", "")
            for n, p in pops.items()]
    for name, label in SCALE_LABELS.items():
        base = results[base_n][name]
        for n in SCALE_SIZES:
            r = results[n][name]
            ratio = n != base_n and (f"p50 {r['p50_ms'] / base['p50_ms']:.2f}x, "
                                     f"p99 {r['p99_ms'] / base['p99_ms']:.2f}x")
            rows.append((f"{label}, {n:,} certificates, concurrency 1", f"{r['rps']:.0f}/s",
                         f"{latency(r)}, errors {r['errors']}", vs_base(base_n, ratio)))
    rows += scheduler_rows(sched)
    rows += [(f"Server peak resident memory, {n:,} certificates stored (its server, after "
               "its rows)",
              f"{rss[n] / 1024:.1f} MiB", "",
              vs_base(base_n, n != base_n and f"{rss[n] / rss[base_n]:.2f}x"))
             for n in SCALE_SIZES]
    return rows


def crl_rows():
    """CRL generation (issue 7): bench/crl_gen.c builds CRLs of 100,000 and
    1,000,000 random entries with P-256 and RSA-2048 CAs, and times
    `openssl ca -gencrl` and OpenSSL's X509_CRL object API on the same entries."""
    crl_gen = os.path.join(BUILD, "bench-crl_gen")
    if not os.path.exists(crl_gen):
        subprocess.run(["make", "-s", "build/bench-crl_gen"], cwd=ROOT, check=True)
    out = subprocess.run([crl_gen], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        r = json.loads(line)
        ca = (f"{r['ratio_ca']:.1f}x faster than openssl ca -gencrl ({r['openssl_ca_s']:.2f} s)"
              if r["openssl_ca_s"] > 0 else "openssl ca -gencrl failed")
        rows.append((f"CRL generation, {r['entries']:,} entries, {r['key']} CA",
                     f"{r['certain_s']:.3f} s", f"{r['bytes'] / 1e6:.1f} MB DER",
                     f"{ca}; {r['ratio_api']:.1f}x OpenSSL X509_CRL API "
                     f"({r['openssl_api_s']:.2f} s)"))
    return rows


OCSP_LEAVES = 100  # certificates each responder knows (Certain's store, openssl's index.txt)


def ocsp_openssl_responder(workdir, port):
    """`openssl ocsp` as a responder (issue 7's baseline): its own P-256 CA (the
    key type of Certain's), an index.txt of OCSP_LEAVES valid entries, one
    process per concurrent client (-multi). Returns (process, issuer PEM, a
    leaf PEM it knows)."""
    ossl = harness.OpenSSL(os.path.join(workdir, "ocsp-openssl"))
    ca_key = ossl.genkey()
    ca = ossl.write(ossl.self_signed(ca_key, "/CN=OpenSSL OCSP Bench CA",
                                     exts=["basicConstraints = critical,CA:TRUE",
                                           "keyUsage = critical,keyCertSign,cRLSign"]), "ca")
    index, leaf = [], None
    for i in range(OCSP_LEAVES):
        serial = f"{0x1000 + i:X}"
        index.append(f"V\t301231235959Z\t\t{serial}\tunknown\t/CN=leaf{i}.example\n")
    leaf_key = ossl.genkey()
    leaf = ossl.path("leaf")
    ossl.run("x509", "-req", "-in", ossl.write(ossl.csr(leaf_key), "csr"), "-CA", ca,
             "-CAkey", ca_key, "-set_serial", "0x1000", "-days", "30", "-out", leaf)
    index_path = ossl.write("".join(index), "index", "txt")
    proc = subprocess.Popen([harness.OPENSSL_BIN, "ocsp", "-index", index_path, "-port",
                             str(port), "-rsigner", ca, "-rkey", ca_key, "-CA", ca,
                             "-nmin", "60", "-ignore_err", "-multi", "4"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, 10)
    return proc, ossl, ca, leaf


def ocsp_request(ossl, issuer, leaf, nonce):
    """The DER of an OCSP request for leaf, with or without a nonce."""
    out = ossl.path("ocsp-req", "der")
    ossl.run("ocsp", "-issuer", issuer, "-cert", leaf, "-reqout", out,
             *(() if nonce else ("-no_nonce",)))
    return out


def ocsp_certain(workdir):
    """A Certain server with a public listener and a P-256 root with OCSP enabled
    that issued OCSP_LEAVES leaves. Returns (server, public port, issuer, leaf)."""
    port = harness.free_port()
    server = harness.Server(os.path.join(workdir, "ocsp-certain"))
    server.start(extra_args=("--public-listen", f"127.0.0.1:{port}"))
    pca = harness.make_client(server.url, server.admin_creds())
    root = harness.build_root(pca, RevocationConfiguration={
        "OcspConfiguration": {"Enabled": True}})
    ossl = harness.OpenSSL(os.path.join(workdir, "ocsp-certain-files"))
    csr = ossl.csr(ossl.genkey())
    leaf = None
    for _ in range(OCSP_LEAVES):
        _, pem, _ = harness.issue_and_get(pca, root.arn, csr)
        leaf = leaf or ossl.write(pem, "leaf")
    return server, port, ossl, ossl.write(root.cert, "root"), leaf


def ocsp_rows(workdir, secs):
    """OCSP responses per second over HTTP (issue 7): Certain's pre-signed path
    (POST, no nonce: a cache lookup, no signature) and its signed-on-demand
    path (with a nonce), each against `openssl ocsp` as a responder for an
    equivalent P-256 CA with an index of the same size, on the same machine."""
    rows, procs = [], []
    server = None
    try:
        server, port, c_ossl, c_issuer, c_leaf = ocsp_certain(workdir)
        o_port = harness.free_port()
        proc, o_ossl, o_issuer, o_leaf = ocsp_openssl_responder(workdir, o_port)
        procs.append(proc)
        for nonce in (False, True):
            c_req = ocsp_request(c_ossl, c_issuer, c_leaf, nonce)
            o_req = ocsp_request(o_ossl, o_issuer, o_leaf, nonce)
            for threads in (1, 4):
                common = ["--method", "POST", "--content-type", "application/ocsp-request",
                          "--threads", str(threads), "--seconds", str(secs)]
                c = run_json([LOADGEN, "--port", str(port), "--path", "/ocsp", "--body", c_req]
                             + common)
                o = run_json([LOADGEN, "--port", str(o_port), "--path", "/", "--body", o_req]
                             + common)
                what = "with nonce (signed per request)" if nonce else "no nonce (pre-signed)"
                rows.append((f"OCSP POST {what}, P-256 CA, concurrency {threads}",
                             f"{c['rps']:.0f}/s",
                             f"{latency(c)}, errors {c['errors']}",
                             f"{c['rps'] / o['rps']:.1f}x openssl ocsp -multi 4 "
                             f"({o['rps']:.0f}/s, {latency(o)}, errors {o['errors']})"
                             if o["rps"] else "openssl ocsp answered nothing"))
    finally:
        for p in procs:
            # The -multi parent waits on its children through SIGTERM; it
            # made itself a process group (pgid = its pid): kill that group.
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        if server is not None:
            server.stop()
    return rows


def issue_rows(loadgen, key_alg, csr, body, cfssl, secs):
    """IssueCertificate beside the in-process rate and CFSSL, in turns."""
    rows = []
    for threads in (1, 2, 8):
        inproc, http, cf = interleave([
            lambda t: run_json([INPROC, "--csr", csr, "--key", key_alg,
                                "--threads", str(min(threads, os.cpu_count() or 2)),
                                "--seconds", str(t)]),
            lambda t: run_json(loadgen + ["--target", "ACMPrivateCA.IssueCertificate",
                                          "--body", body, "--threads", str(threads),
                                          "--seconds", str(t)]),
            lambda t: cfssl.measure(threads, t)], secs)
        cf_text = (f"{ratio(http, cf):.2f}x CFSSL ({cf['rps']:.0f}/s)"
                   if cf and cf["rps"] else "CFSSL not installed")
        rows.append((f"IssueCertificate {key_alg}, concurrency {threads}",
                     f"{http['rps']:.0f}/s", f"{latency(http)}, errors {http['errors']}",
                     f"{ratio(http, inproc):.2f}x in-process ({inproc['rps']:.0f}/s); "
                     f"{cf_text}"))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="duration of each measurement")
    ap.add_argument("--out", help="also write the table to this file")
    ap.add_argument("--no-scale", action="store_true",
                    help=f"skip the scale rows (stores of {', '.join(f'{n:,}' for n in SCALE_SIZES)} "
                         "certificates: about 2-3 minutes, 4 GB of disk)")
    ap.add_argument("--no-crl", action="store_true",
                    help="skip the CRL generation rows (about 1 minute)")
    ap.add_argument("--issue-only", action="store_true",
                    help="only the IssueCertificate rows (and GET /ping)")
    ap.add_argument("--no-ocsp", action="store_true",
                    help="skip the OCSP responder rows (about 1 minute)")
    args = ap.parse_args()
    if args.issue_only:
        args.no_scale = args.no_crl = args.no_ocsp = True
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
        roots = {}
        for kind, key_alg, sig_alg in (("rsa", "RSA_2048", "SHA256WITHRSA"),
                                       ("ec", "EC_prime256v1", "SHA256WITHECDSA")):
            root = roots[key_alg] = harness.build_root(pca, key_alg, sig_alg).arn
            csr = make_csr(workdir, kind)
            body = os.path.join(workdir, f"issue-{kind}.json")
            with open(csr, "rb") as f:
                json.dump({"CertificateAuthorityArn": root,
                           "Csr": base64.b64encode(f.read()).decode(),
                           "SigningAlgorithm": sig_alg,
                           "Validity": {"Value": 30, "Type": "DAYS"}}, open(body, "w"))
            cfssl = Cfssl(workdir, kind, csr)
            try:
                rows += issue_rows(loadgen, key_alg, csr, body, cfssl, secs)
            finally:
                cfssl.stop()
        if not args.issue_only:
            rows += request_rows(workdir, server, creds, roots, secs)
            rows += describe_rows(workdir, server, creds, secs)
        rows.append(("Server peak resident memory",
                     f"{peak_rss_kib(server.pid) / 1024:.1f} MiB", "", ""))
        server.stop()
        if not args.no_scale:
            rows += scale_rows(workdir, secs)
        if not args.no_crl:
            rows += crl_rows()
        if not args.no_ocsp:
            rows += ocsp_rows(workdir, secs)
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
