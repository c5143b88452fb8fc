"""Test harness for Certain's integration tests.

What lives here, so that test modules only state behaviour:
  * Server         -- one `certain serve` on a free loopback port with its own
                      data folder; stderr captured to a file; stopped by PID with
                      SIGTERM and checked for a clean exit and sanitizer reports.
  * CertainTestCase -- a unittest.TestCase whose class owns one Server, an admin
                      boto3 client, the aws CLI and openssl helpers.
  * raw_request    -- a SigV4-signed (or deliberately mis-signed) JSON 1.1 request
                      sent with http.client, so the exact status / __type can be
                      checked for bodies and headers no SDK would send.
  * OpenSSL        -- keys, CSRs, self-signed and openssl-signed certificates,
                      `x509 -text` parsing (extensions with criticality), verify.
  * build_root / build_sub -- an ACTIVE CA hierarchy through the public API.

Only Debian's interpreter and clients are used: /usr/bin/python3 with
python3-boto3/botocore 1.29, /usr/bin/aws 2.9.19 and openssl 3.0.
"""
import base64
import calendar
import configparser
import dataclasses
import datetime
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import warnings
from typing import Optional
from urllib.parse import urlsplit

# Isolate every client (boto3 in this process, the aws CLI in children) from the
# caller's AWS configuration, credentials and proxies before anything reads them.
_PROXY_VARS = ('http_proxy', 'https_proxy', 'all_proxy', 'no_proxy', 'ftp_proxy')
for _name in list(os.environ):
    if _name.startswith('AWS_') or _name.lower() in _PROXY_VARS:
        del os.environ[_name]
os.environ['AWS_CONFIG_FILE'] = os.devnull
os.environ['AWS_SHARED_CREDENTIALS_FILE'] = os.devnull
os.environ['AWS_EC2_METADATA_DISABLED'] = 'true'
os.environ['NO_PROXY'] = os.environ['no_proxy'] = '127.0.0.1,localhost'

import boto3  # noqa: E402  (after the environment is cleaned)
import botocore.exceptions  # noqa: E402
from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
AWS_CLI = '/usr/bin/aws'
OPENSSL_BIN = '/usr/bin/openssl' if os.path.exists('/usr/bin/openssl') else 'openssl'
REGION = 'us-east-1'
SERVICE = 'acm-pca'
TARGET_PREFIX = 'ACMPrivateCA.'
ACM_SERVICE = 'acm'
ACM_TARGET_PREFIX = 'CertificateManager.'
START_TIMEOUT = float(os.environ.get('CERTAIN_START_TIMEOUT', '10'))
STOP_TIMEOUT = 20.0
SANITIZER_MARKERS = ('ERROR: AddressSanitizer', 'runtime error:', 'LeakSanitizer')

ARN_CA_RE = re.compile(
    r'^arn:aws:acm-pca:us-east-1:(?P<account>[0-9]{12}):certificate-authority/'
    r'(?P<uuid>[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})$')

# openssl 3.0 `x509 -text` names of the extensions the tests look at.
EXT_BC = 'X509v3 Basic Constraints'
EXT_KU = 'X509v3 Key Usage'
EXT_EKU = 'X509v3 Extended Key Usage'
EXT_SKI = 'X509v3 Subject Key Identifier'
EXT_AKI = 'X509v3 Authority Key Identifier'
EXT_SAN = 'X509v3 Subject Alternative Name'
EXT_CDP = 'X509v3 CRL Distribution Points'
EXT_AIA = 'Authority Information Access'
EXT_CP = 'X509v3 Certificate Policies'


def template_arn(name):
    """arn:aws:acm-pca:::template/<name>/V1"""
    return f'arn:aws:acm-pca:::template/{name}/V1'


def certain_bin():
    path = os.environ.get('CERTAIN_BIN', 'build/certain')
    if not os.path.isabs(path):
        cand = os.path.abspath(path)
        path = cand if os.path.exists(cand) else os.path.join(REPO_ROOT, path)
    if not os.access(path, os.X_OK):
        raise RuntimeError(f'CERTAIN_BIN {path!r} is not an executable (build it first)')
    return path


def free_port():
    """A port that was free a moment ago (bind port 0, read it, release it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------
# Credentials and the server process
# --------------------------------------------------------------------------

@dataclasses.dataclass
class Creds:
    access_key_id: str
    secret_access_key: str
    account: Optional[str] = None
    credentials_file: Optional[str] = None

    def file(self, directory):
        """A shared-credentials file with profile `certain` for the aws CLI."""
        if self.credentials_file is None:
            path = os.path.join(directory, f'credentials-{self.access_key_id}')
            with open(path, 'w') as f:
                f.write(f'[certain]\naws_access_key_id = {self.access_key_id}\n'
                        f'aws_secret_access_key = {self.secret_access_key}\n')
            os.chmod(path, 0o600)
            self.credentials_file = path
        return self.credentials_file


KEYS_CREATE_RE = re.compile(
    r'^account=(?P<account>[0-9]{12}) access_key_id=(?P<akid>\S+) secret_access_key=(?P<secret>\S+)$')


class Server:
    """One `certain serve` process on 127.0.0.1:<free port> with data folder root/data."""

    def __init__(self, root, region=REGION):
        self.root = root
        self.data = os.path.join(root, 'data')
        self.region = region
        self.bin = certain_bin()
        self.proc = None
        self.port = None
        self.logs = []  # stderr files of every start, checked for sanitizer reports
        os.makedirs(root, exist_ok=True)

    @property
    def url(self):
        return f'http://127.0.0.1:{self.port}'

    @property
    def credentials_path(self):
        return os.path.join(self.data, 'credentials')

    def start(self, extra_args=()):
        if not os.path.isdir(self.data):
            os.mkdir(self.data, 0o700)
        self.port = free_port()
        log = os.path.join(self.root, f'server.{len(self.logs)}.stderr')
        self.logs.append(log)
        args = [self.bin, 'serve', '--listen', f'127.0.0.1:{self.port}', '--data', self.data,
                '--region', self.region, *extra_args]
        with open(log, 'wb') as err, open(log[:-len('stderr')] + 'stdout', 'wb') as out:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            rc = self.proc.poll()
            if rc is not None:
                self.proc = None
                raise RuntimeError(f'certain serve exited with {rc} before listening:\n'
                                   + self.stderr_tail())
            try:
                with socket.create_connection(('127.0.0.1', self.port), timeout=0.5):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.proc.kill()
                self.proc.wait()
                self.proc = None
                raise RuntimeError(f'certain serve did not listen on {self.port} within '
                                   f'{START_TIMEOUT} s:\n' + self.stderr_tail())
            time.sleep(0.05)
        return self

    @property
    def pid(self):
        return self.proc.pid if self.proc is not None else None

    def stop(self):
        """SIGTERM by PID, wait. Returns (exit status, timed_out); (None, False) if not running."""
        if self.proc is None:
            return None, False
        proc, self.proc = self.proc, None
        timed_out = False
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                timed_out = True
                proc.kill()
                proc.wait()
        return proc.returncode, timed_out

    def stderr_text(self):
        text = []
        for log in self.logs:
            try:
                with open(log, 'rb') as f:
                    text.append(f.read().decode('utf-8', 'replace'))
            except OSError:
                pass
        return '\n'.join(text)

    def stderr_tail(self, n=40):
        return '\n'.join(self.stderr_text().splitlines()[-n:])

    def sanitizer_reports(self):
        """Excerpts of the captured stderr around each sanitizer marker."""
        found = []
        lines = self.stderr_text().splitlines()
        for marker in SANITIZER_MARKERS:
            for i, line in enumerate(lines):
                if marker in line:
                    found.append('\n'.join(lines[max(0, i - 2):i + 40]))
                    break
        return found

    def stop_and_check(self):
        """Stop and fail (AssertionError) unless exit 0 and no sanitizer report."""
        running = self.proc is not None
        rc, timed_out = self.stop()
        problems = []
        if running and timed_out:
            problems.append(f'did not exit within {STOP_TIMEOUT} s of SIGTERM (killed)')
        elif running and rc != 0:
            problems.append(f'exited with status {rc} after SIGTERM')
        problems += [f'sanitizer report:\n{r}' for r in self.sanitizer_reports()]
        if problems:
            raise AssertionError('certain serve: ' + '\n'.join(problems)
                                 + '\n--- stderr tail ---\n' + self.stderr_tail())

    # -- `certain keys` -----------------------------------------------------

    def keys(self, verb, *args, timeout=30):
        return subprocess.run([self.bin, 'keys', verb, '--data', self.data, *args],
                              capture_output=True, text=True, timeout=timeout)

    def keys_create(self, *args):
        p = self.keys('create', *args)
        if p.returncode != 0:
            raise AssertionError(f'certain keys create failed ({p.returncode}): {p.stderr}')
        lines = [ln for ln in p.stdout.splitlines() if ln.strip()]
        if len(lines) != 1:
            raise AssertionError(f'keys create printed {len(lines)} lines: {p.stdout!r}')
        m = KEYS_CREATE_RE.match(lines[0].strip())
        if m is None:
            raise AssertionError(f'unexpected keys create output: {lines[0]!r}')
        return Creds(m['akid'], m['secret'], m['account'])

    def keys_list(self):
        """[(account, access_key_id)] parsed from `keys list`, plus the raw output."""
        p = self.keys('list')
        if p.returncode != 0:
            raise AssertionError(f'certain keys list failed ({p.returncode}): {p.stderr}')
        rows = []
        for line in p.stdout.splitlines():
            acct = re.search(r'\baccount=([0-9]{12})\b', line)
            akid = re.search(r'\baccess_key_id=(\S+)', line)
            if acct and akid:
                rows.append((acct.group(1), akid.group(1)))
        return rows, p.stdout

    def admin_creds(self):
        """The key the first start wrote to DIR/credentials, with its account."""
        deadline = time.monotonic() + START_TIMEOUT
        while not os.path.exists(self.credentials_path) and time.monotonic() < deadline:
            time.sleep(0.05)
        cp = configparser.ConfigParser()
        cp.read(self.credentials_path)
        sec = cp['certain']
        creds = Creds(sec['aws_access_key_id'].strip(), sec['aws_secret_access_key'].strip(),
                      credentials_file=self.credentials_path)
        rows, _ = self.keys_list()
        for acct, akid in rows:
            if akid == creds.access_key_id:
                creds.account = acct
        return creds


# --------------------------------------------------------------------------
# Clients: boto3, the aws CLI, raw signed requests
# --------------------------------------------------------------------------

def make_client(url, creds, validate=True, service=SERVICE):
    """A boto3 client with no retries (a 5xx shows up at once) and optional
    client-side parameter validation (off: let the server judge min/required)."""
    session = boto3.session.Session(aws_access_key_id=creds.access_key_id,
                                    aws_secret_access_key=creds.secret_access_key,
                                    region_name=REGION)
    cfg = Config(retries={'mode': 'standard', 'total_max_attempts': 1},
                 parameter_validation=validate, connect_timeout=5, read_timeout=120)
    return session.client(service, endpoint_url=url, config=cfg)


def cli_env(credentials_file):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith('AWS_') and k.lower() not in _PROXY_VARS}
    env.update({
        'AWS_SHARED_CREDENTIALS_FILE': credentials_file,
        'AWS_PROFILE': 'certain',
        'AWS_DEFAULT_REGION': REGION,
        'AWS_CONFIG_FILE': '/dev/null',
        'AWS_PAGER': '',
        'AWS_EC2_METADATA_DISABLED': 'true',
        'AWS_MAX_ATTEMPTS': '1',
        'AWS_RETRY_MODE': 'standard',
        'NO_PROXY': '127.0.0.1,localhost',
        'no_proxy': '127.0.0.1,localhost',
    })
    return env


def run_cli(url, credentials_file, *args, timeout=120):
    """/usr/bin/aws --endpoint-url URL --output json ARGS -> (rc, parsed JSON | stderr)."""
    cmd = [AWS_CLI, '--endpoint-url', url, '--output', 'json', *args]
    p = subprocess.run(cmd, env=cli_env(credentials_file), capture_output=True, text=True,
                       timeout=timeout)
    if p.returncode == 0:
        out = p.stdout.strip()
        return 0, (json.loads(out) if out else {})
    return p.returncode, p.stderr


CLI_ERROR_RE = re.compile(r'An error occurred \((?P<code>[A-Za-z0-9_.]+)\)')


def cli_error_code(stderr):
    m = CLI_ERROR_RE.search(stderr or '')
    return m.group('code') if m else None


class FixedTimeSigV4Auth(SigV4Auth):
    """botocore's SigV4 signer with a chosen X-Amz-Date (to test clock skew)."""

    def __init__(self, credentials, service_name, region_name, timestamp=None):
        super().__init__(credentials, service_name, region_name)
        self._timestamp = timestamp

    def add_auth(self, request):
        ts = self._timestamp or datetime.datetime.utcnow()
        request.context['timestamp'] = ts.strftime(SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        canonical = self.canonical_request(request)
        string_to_sign = self.string_to_sign(request, canonical)
        self._inject_signature_to_request(request, self.signature(string_to_sign, request))


@dataclasses.dataclass
class RawResponse:
    status: int
    headers: dict  # lower-cased names
    body: bytes

    @property
    def json(self):
        try:
            return json.loads(self.body.decode('utf-8'))
        except (ValueError, UnicodeDecodeError):
            return None

    @property
    def error_type(self):
        """__type the way botocore reads it (drop up to '#', after ':')."""
        j = self.json
        if not isinstance(j, dict) or '__type' not in j:
            return None
        t = str(j['__type'])
        return t.split('#')[-1].split(':')[0]

    @property
    def message(self):
        j = self.json
        if not isinstance(j, dict):
            return ''
        return str(j.get('message', j.get('Message', '')))

    @property
    def request_id(self):
        return self.headers.get('x-amzn-requestid')

    def __str__(self):
        return f'HTTP {self.status} {self.body[:500]!r}'


def raw_request(url, target, body=b'{}', creds=None, service=SERVICE, region=REGION,
                timestamp=None, headers=None, authorization=None, body_after_signing=None,
                timeout=60):
    """POST / with a JSON 1.1 body, SigV4-signed when creds are given.

    target: full X-Amz-Target or None for no header; body: bytes/str/dict;
    timestamp: datetime (UTC) used for X-Amz-Date and the scope;
    authorization: replaces the Authorization header after signing (or adds one);
    body_after_signing: bytes sent instead of the signed body.
    """
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    elif isinstance(body, str):
        body = body.encode()
    host = urlsplit(url).netloc
    hdrs = {'Host': host, 'Content-Type': 'application/x-amz-json-1.1'}
    if target is not None:
        hdrs['X-Amz-Target'] = target
    hdrs.update(headers or {})
    req = AWSRequest(method='POST', url=url + '/', data=body, headers=hdrs)
    if creds is not None:
        FixedTimeSigV4Auth(Credentials(creds.access_key_id, creds.secret_access_key),
                           service, region, timestamp).add_auth(req)
    final = {k: v for k, v in req.headers.items()}
    if authorization is not None:
        final['Authorization'] = authorization
        if 'X-Amz-Date' not in final:
            final['X-Amz-Date'] = (timestamp or datetime.datetime.utcnow()).strftime(
                SIGV4_TIMESTAMP)
    if body_after_signing is not None:
        body = body_after_signing
    conn = http.client.HTTPConnection(host, timeout=timeout)
    try:
        conn.request('POST', '/', body=body, headers=final)
        resp = conn.getresponse()
        data = resp.read()
        return RawResponse(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    finally:
        conn.close()


def client_error_code(exc):
    return exc.response.get('Error', {}).get('Code')


# --------------------------------------------------------------------------
# PEM, DER and time helpers
# --------------------------------------------------------------------------

PEM_RE = re.compile(rb'-----BEGIN ([A-Z0-9 ]+)-----\s*(.*?)\s*-----END \1-----', re.S)


def to_bytes(x):
    return x.encode() if isinstance(x, str) else x


def pem_blocks(pem):
    """DER of every PEM block, in order."""
    return [base64.b64decode(b''.join(m.group(2).split())) for m in PEM_RE.finditer(to_bytes(pem))]


def der_to_pem(der, label='CERTIFICATE'):
    b64 = base64.b64encode(der).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return f'-----BEGIN {label}-----\n' + '\n'.join(lines) + f'\n-----END {label}-----\n'


def der_read(buf, off):
    """(tag, content, next offset) of the DER TLV at off."""
    tag = buf[off]
    length = buf[off + 1]
    off += 2
    if length & 0x80:
        n = length & 0x7F
        length = int.from_bytes(buf[off:off + n], 'big')
        off += n
    return tag, buf[off:off + length], off + length


def spki_key_id(pubkey_pem):
    """RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING value."""
    der = pem_blocks(pubkey_pem)[0]
    _, spki, _ = der_read(der, 0)
    _, _, off = der_read(spki, 0)           # AlgorithmIdentifier
    tag, bits, _ = der_read(spki, off)      # subjectPublicKey
    assert tag == 0x03, 'SubjectPublicKeyInfo without a BIT STRING'
    return hashlib.sha1(bits[1:]).hexdigest().upper()


def openssl_time(s):
    """'Nov  7 01:13:21 2026 GMT' -> epoch seconds."""
    return calendar.timegm(time.strptime(s.strip(), '%b %d %H:%M:%S %Y GMT'))


def add_months(epoch, months):
    """UTC calendar arithmetic; a day past the month end clamps to the last day."""
    t = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc)
    total = t.year * 12 + (t.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    dim = calendar.monthrange(year, month)[1]
    return calendar.timegm(t.replace(year=year, month=month, day=min(t.day, dim)).timetuple())


def colon_hex(n, nbytes=None):
    """Serial as openssl -text prints it: lowercase hex pairs joined by ':'."""
    h = f'{n:x}'
    if len(h) % 2:
        h = '0' + h
    if nbytes is not None:
        h = h.rjust(2 * nbytes, '0')
    return ':'.join(h[i:i + 2] for i in range(0, len(h), 2))


# --------------------------------------------------------------------------
# openssl
# --------------------------------------------------------------------------

@dataclasses.dataclass
class Ext:
    critical: bool
    value: str  # the value lines joined by '\n'

    def items(self):
        """Comma-separated single-line values as a set (KU, EKU, SAN)."""
        return {p.strip() for p in self.value.replace('\n', ',').split(',') if p.strip()}


def parse_extensions(text):
    """{name: Ext} from the 'X509v3 extensions:' / 'Requested Extensions:'
    section of `openssl x509|req -text` output."""
    lines = text.splitlines()

    def indent(s):
        return len(s) - len(s.lstrip(' '))

    for i, line in enumerate(lines):
        if line.strip() not in ('X509v3 extensions:', 'Requested Extensions:'):
            continue
        base = indent(line)
        exts, current, name_indent = {}, None, None
        for ln in lines[i + 1:]:
            if not ln.strip():
                continue
            ind = indent(ln)
            if ind <= base:
                break
            if name_indent is None:
                name_indent = ind
            if ind == name_indent:
                m = re.match(r'^(.*?):\s*(critical)?\s*$', ln.strip())
                name = m.group(1) if m else ln.strip()
                current = exts[name] = Ext(bool(m and m.group(2)), '')
            elif current is not None:
                current.value = (current.value + '\n' + ln.strip()) if current.value else ln.strip()
        return exts
    return {}


def key_id_hex(value):
    """'keyid:AB:CD' / 'AB:CD' (first line) -> 'ABCD'."""
    first = value.splitlines()[0].strip() if value else ''
    if first.lower().startswith('keyid:'):
        first = first[len('keyid:'):]
    return first.replace(':', '').upper()


@dataclasses.dataclass
class CertInfo:
    text: str
    version: int
    serial: int
    signature_algorithm: str
    issuer: str
    subject: str
    not_before: int
    not_after: int
    extensions: dict

    @property
    def serial_hex(self):
        """Lowercase hex of the serial's octets (even length, as in colon form)."""
        return colon_hex(self.serial).replace(':', '')

    def ski(self):
        e = self.extensions.get(EXT_SKI)
        return key_id_hex(e.value) if e else None

    def aki(self):
        e = self.extensions.get(EXT_AKI)
        return key_id_hex(e.value) if e else None


def parse_cert_text(text):
    lines = text.splitlines()

    def after(prefix, start=0):
        for ln in lines[start:]:
            s = ln.strip()
            if s.startswith(prefix):
                return s[len(prefix):].strip()
        return None

    serial = None
    for i, ln in enumerate(lines):
        s = ln.strip()
        if s.startswith('Serial Number:'):
            rest = s[len('Serial Number:'):].strip()
            if rest:  # small serial: "4660 (0x1234)"
                neg = rest.startswith('(Negative)')
                m = re.search(r'\(0x([0-9a-fA-F]+)\)', rest)
                serial = int(m.group(1), 16) * (-1 if neg else 1)
            else:
                nxt = lines[i + 1].strip()
                neg = nxt.startswith('(Negative)')
                serial = int(nxt.replace('(Negative)', '').replace(':', ''), 16) * (-1 if neg else 1)
            break
    version = int(re.search(r'Version:\s*(\d+)', text).group(1))
    return CertInfo(
        text=text,
        version=version,
        serial=serial,
        signature_algorithm=after('Signature Algorithm:'),
        issuer=after('Issuer:') or '',
        subject=after('Subject:') or '',
        not_before=openssl_time(after('Not Before:')),
        not_after=openssl_time(after('Not After :') or after('Not After:')),
        extensions=parse_extensions(text),
    )


class OpenSSL:
    """openssl 3.0 driven through files in one work directory."""

    def __init__(self, workdir):
        self.dir = workdir
        os.makedirs(workdir, exist_ok=True)
        self._n = 0

    def path(self, stem, ext='pem'):
        self._n += 1
        return os.path.join(self.dir, f'{self._n:04d}-{stem}.{ext}')

    def write(self, data, stem='blob', ext='pem'):
        p = self.path(stem, ext)
        with open(p, 'wb') as f:
            f.write(to_bytes(data))
        return p

    def run(self, *args, input=None, check=True):
        p = subprocess.run([OPENSSL_BIN, *args], input=input, capture_output=True, timeout=120)
        if check and p.returncode != 0:
            raise AssertionError(f'openssl {" ".join(args)} failed: '
                                 f'{p.stderr.decode(errors="replace")}')
        return p

    def _config(self, exts, stem):
        """A minimal openssl config: no distro defaults, exactly `exts` in [ext]."""
        lines = ['[req]', 'distinguished_name = dn', 'string_mask = utf8only', 'utf8 = yes']
        if exts:
            lines += ['req_extensions = ext', 'x509_extensions = ext']
        lines += ['[dn]']
        if exts:
            lines += ['[ext]', *exts]
        return self.write('\n'.join(lines) + '\n', stem, 'cnf')

    def genkey(self, alg='ec', curve='P-256', bits=2048):
        p = self.path(f'{alg}-key')
        if alg == 'ec':
            self.run('genpkey', '-algorithm', 'EC', '-pkeyopt', f'ec_paramgen_curve:{curve}',
                     '-out', p)
        else:
            self.run('genpkey', '-algorithm', 'RSA', '-pkeyopt', f'rsa_keygen_bits:{bits}',
                     '-out', p)
        return p

    def csr(self, key, subject='/CN=leaf.example.com', exts=(), digest='sha256'):
        """PEM bytes of a CSR for key with exactly the requested extensions `exts`
        (openssl config lines, e.g. 'subjectAltName = DNS:a.example.com')."""
        out = self.path('csr')
        self.run('req', '-new', '-key', key, '-subj', subject, f'-{digest}',
                 '-config', self._config(list(exts), 'csr'), '-out', out)
        with open(out, 'rb') as f:
            return f.read()

    def self_signed(self, key, subject, exts=(), days=365, digest='sha256'):
        out = self.path('selfsigned')
        self.run('req', '-new', '-x509', '-key', key, '-subj', subject, '-days', str(days),
                 f'-{digest}', '-set_serial', str(secrets.randbits(63) | 1),
                 '-config', self._config(list(exts), 'x509'), '-out', out)
        with open(out, 'rb') as f:
            return f.read()

    def sign(self, csr_pem, ca_cert_pem, ca_key, exts=(), days=365, digest='sha256'):
        """openssl x509 -req: sign csr_pem with an openssl CA, adding exactly `exts`."""
        out = self.path('signed')
        self.run('x509', '-req', '-in', self.write(csr_pem, 'csr'),
                 '-CA', self.write(ca_cert_pem, 'ca'), '-CAkey', ca_key,
                 '-set_serial', str(secrets.randbits(63) | 1), '-days', str(days),
                 f'-{digest}', '-extfile', self._config(list(exts), 'sign'),
                 '-extensions', 'ext', '-out', out)
        with open(out, 'rb') as f:
            return f.read()

    def x509_text(self, pem):
        return self.run('x509', '-noout', '-text', input=to_bytes(pem)).stdout.decode()

    def cert(self, pem):
        return parse_cert_text(self.x509_text(pem))

    def req_text(self, pem):
        return self.run('req', '-noout', '-text', input=to_bytes(pem)).stdout.decode()

    def req_verify(self, pem):
        # openssl 3.0 `req -verify` exits 0 even on a bad signature: read what it says.
        p = self.run('req', '-noout', '-verify', input=to_bytes(pem), check=False)
        out = (p.stdout + p.stderr).decode(errors='replace')
        return p.returncode == 0 and 'verify OK' in out and 'failure' not in out, out

    def req_subject(self, pem):
        out = self.run('req', '-noout', '-subject', input=to_bytes(pem)).stdout.decode()
        return out.strip()[len('subject='):].strip()

    def req_pubkey(self, pem):
        return self.run('req', '-noout', '-pubkey', input=to_bytes(pem)).stdout

    def cert_pubkey(self, pem):
        return self.run('x509', '-noout', '-pubkey', input=to_bytes(pem)).stdout

    def key_pubkey(self, key_path):
        return self.run('pkey', '-in', key_path, '-pubout').stdout

    def verify(self, root_pem, leaf_pem, untrusted=()):
        """openssl verify -CAfile root [-untrusted chain] leaf -> (ok, output)."""
        args = ['verify', '-CAfile', self.write(root_pem, 'root')]
        if untrusted:
            args += ['-untrusted', self.write(''.join(
                u if isinstance(u, str) else u.decode() for u in untrusted), 'untrusted')]
        leaf = self.write(leaf_pem, 'leaf')
        p = self.run(*args, leaf, check=False)
        out = (p.stdout + p.stderr).decode(errors='replace')
        return p.returncode == 0 and out.strip().endswith(': OK'), out

    def asn1_times(self, pem):
        """[(type, value)] of the first two time values (the validity) of a certificate."""
        out = self.run('asn1parse', input=to_bytes(pem)).stdout.decode()
        times = []
        for ln in out.splitlines():
            m = re.search(r'prim:\s*(UTCTIME|GENERALIZEDTIME)\s*:(\S+)', ln)
            if m:
                times.append((m.group(1), m.group(2)))
        return times[:2]


# --------------------------------------------------------------------------
# CA hierarchy through the API
# --------------------------------------------------------------------------

@dataclasses.dataclass
class CA:
    arn: str
    cert: str                 # PEM of the CA certificate
    chain: Optional[str]      # PEM of its issuers, parent first, root last; None for a root
    key_algorithm: str
    signing_algorithm: str

    @property
    def bundle(self):
        """The CA certificate followed by its chain (what a child imports as chain)."""
        cert = self.cert if self.cert.endswith('\n') else self.cert + '\n'
        return cert + (self.chain or '')


def retry_in_progress(fn, timeout=60, **kwargs):
    """Call fn(**kwargs), retrying while the server answers RequestInProgressException."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn(**kwargs)
        except botocore.exceptions.ClientError as e:
            if client_error_code(e) != 'RequestInProgressException' or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


# -- ACM ------------------------------------------------------------------------

ACM_KEY_TYPES = ['RSA_1024', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_prime256v1',
                 'EC_secp384r1', 'EC_secp521r1']
ARN_ACM_RE = re.compile(
    r'^arn:aws:acm:us-east-1:(?P<account>[0-9]{12}):certificate/'
    r'(?P<uuid>[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})$')


def concurrently(fn, n):
    """fn(i) for i in 0..n-1 on n threads released together (so requests
    race each other on the server); their results in order. The first
    exception raised in a thread is raised here."""
    import threading
    gate = threading.Barrier(n)
    results, errors = [None] * n, []

    def run(i):
        try:
            gate.wait(timeout=30)
            results[i] = fn(i)
        except Exception as e:  # noqa: BLE001 - handed to the caller
            errors.append(e)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    if errors:
        raise errors[0]
    return results


def acm_list_all(acm, **kwargs):
    """Every CertificateSummary ListCertificates pages through (any key type
    unless Includes is given)."""
    kwargs.setdefault('Includes', {'keyTypes': ACM_KEY_TYPES})
    out, token = [], None
    for _ in range(10000):
        args = dict(kwargs)
        if token:
            args['NextToken'] = token
        page = acm.list_certificates(**args)
        out += page['CertificateSummaryList']
        token = page.get('NextToken')
        if not token:
            return out
    raise AssertionError('ListCertificates never stopped returning a NextToken')


def wait_acm_status(acm, arn, timeout=60, leave=('PENDING_VALIDATION',)):
    """Poll DescribeCertificate until Status is not in `leave`; the Certificate dict."""
    deadline = time.monotonic() + timeout
    while True:
        cert = acm.describe_certificate(CertificateArn=arn)['Certificate']
        if cert['Status'] not in leave or time.monotonic() > deadline:
            return cert
        time.sleep(0.1)


def wait_ca_status(pca, arn, timeout=60):
    """Poll Describe until the CA has left CREATING; returns the status."""
    deadline = time.monotonic() + timeout
    while True:
        st = pca.describe_certificate_authority(CertificateAuthorityArn=arn)[
            'CertificateAuthority']['Status']
        if st != 'CREATING' or time.monotonic() > deadline:
            return st
        time.sleep(0.1)


def ca_configuration(key_algorithm='EC_prime256v1', signing_algorithm='SHA256WITHECDSA',
                     common_name='Certain Test CA', subject=None):
    return {'KeyAlgorithm': key_algorithm, 'SigningAlgorithm': signing_algorithm,
            'Subject': subject if subject is not None else {'CommonName': common_name}}


def create_ca(pca, ca_type='ROOT', key_algorithm='EC_prime256v1',
              signing_algorithm='SHA256WITHECDSA', common_name='Certain Test CA',
              subject=None, **kwargs):
    arn = pca.create_certificate_authority(
        CertificateAuthorityConfiguration=ca_configuration(key_algorithm, signing_algorithm,
                                                           common_name, subject),
        CertificateAuthorityType=ca_type, **kwargs)['CertificateAuthorityArn']
    wait_ca_status(pca, arn)
    return arn


def get_ca_csr(pca, arn):
    return retry_in_progress(pca.get_certificate_authority_csr, CertificateAuthorityArn=arn)['Csr']


def get_certificate(pca, ca_arn, cert_arn):
    return retry_in_progress(pca.get_certificate, CertificateAuthorityArn=ca_arn,
                             CertificateArn=cert_arn)


def issue(pca, ca_arn, csr, signing_algorithm='SHA256WITHECDSA', template=None,
          validity=None, **kwargs):
    """IssueCertificate -> certificate ARN. template: a short name or a full ARN."""
    args = dict(CertificateAuthorityArn=ca_arn, Csr=to_bytes(csr),
                SigningAlgorithm=signing_algorithm,
                Validity=validity or {'Type': 'DAYS', 'Value': 30}, **kwargs)
    if template is not None:
        args['TemplateArn'] = template if template.startswith('arn:') else template_arn(template)
    return pca.issue_certificate(**args)['CertificateArn']


def issue_and_get(pca, ca_arn, csr, **kwargs):
    """(certificate ARN, Certificate PEM, CertificateChain PEM or None)."""
    arn = issue(pca, ca_arn, csr, **kwargs)
    got = get_certificate(pca, ca_arn, arn)
    return arn, got['Certificate'], got.get('CertificateChain')


def build_root(pca, key_algorithm='EC_prime256v1', signing_algorithm='SHA256WITHECDSA',
               common_name='Certain Test Root CA', validity=None, subject=None, **create_kwargs):
    """Create -> CSR -> self-sign with RootCACertificate/V1 -> import: an ACTIVE root."""
    arn = create_ca(pca, 'ROOT', key_algorithm, signing_algorithm, common_name, subject,
                    **create_kwargs)
    csr = get_ca_csr(pca, arn)
    cert_arn = issue(pca, arn, csr, signing_algorithm, 'RootCACertificate',
                     validity or {'Type': 'YEARS', 'Value': 10})
    cert = get_certificate(pca, arn, cert_arn)['Certificate']
    pca.import_certificate_authority_certificate(CertificateAuthorityArn=arn,
                                                 Certificate=to_bytes(cert))
    return CA(arn, cert, None, key_algorithm, signing_algorithm)


def build_sub(pca, parent, template='SubordinateCACertificate_PathLen0',
              key_algorithm='EC_prime256v1', signing_algorithm='SHA256WITHECDSA',
              common_name='Certain Test Subordinate CA', validity=None, subject=None):
    """A SUBORDINATE CA signed by `parent` (a CA) and imported with parent's bundle."""
    arn = create_ca(pca, 'SUBORDINATE', key_algorithm, signing_algorithm, common_name, subject)
    csr = get_ca_csr(pca, arn)
    cert_arn = issue(pca, parent.arn, csr, parent.signing_algorithm, template,
                     validity or {'Type': 'YEARS', 'Value': 5})
    cert = get_certificate(pca, parent.arn, cert_arn)['Certificate']
    chain = parent.bundle
    pca.import_certificate_authority_certificate(CertificateAuthorityArn=arn,
                                                 Certificate=to_bytes(cert),
                                                 CertificateChain=to_bytes(chain))
    return CA(arn, cert, chain, key_algorithm, signing_algorithm)


ACM_PRINCIPAL = 'acm.amazonaws.com'
ACM_RENEWAL_ACTIONS = ['IssueCertificate', 'GetCertificate', 'ListPermissions']


def grant_acm_renewal(pca, ca_arn):
    """CreatePermission for ACM on the CA: managed renewal (and RenewCertificate) of
    its private certificates needs all three actions (pca.md §6.10)."""
    pca.create_permission(CertificateAuthorityArn=ca_arn, Principal=ACM_PRINCIPAL,
                          Actions=ACM_RENEWAL_ACTIONS)


# --------------------------------------------------------------------------
# The test case base class
# --------------------------------------------------------------------------

class CertainTestCase(unittest.TestCase):
    """Each subclass gets its own server (started in setUpClass, stopped by PID
    in a class cleanup that fails the class on a non-zero exit or a sanitizer
    report), an admin boto3 client `pca`, a non-validating one `pca_nv`, an
    admin `acm` client (more via acm_client), and `openssl`. Override
    setUpFixtures (a classmethod) for shared read-only state."""

    maxDiff = None
    server = None
    server_args = ()  # extra `certain serve` arguments, e.g. ('--test-clock',)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # boto3 clients keep pooled connections; their GC is not a test failure.
        warnings.filterwarnings('ignore', category=ResourceWarning)
        cls.tmp = tempfile.mkdtemp(prefix=f'certain-it-{cls.__name__}-')
        if not os.environ.get('CERTAIN_KEEP_TMP'):
            cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.openssl = OpenSSL(os.path.join(cls.tmp, 'openssl'))
        cls.server = Server(os.path.join(cls.tmp, 'server'))
        cls.addClassCleanup(cls.server.stop_and_check)
        cls.server.start(extra_args=cls.server_args)
        cls.admin = cls.server.admin_creds()
        cls.account = cls.admin.account
        cls.pca = cls.client()
        cls.pca_nv = cls.client(validate=False)
        cls.acm = cls.client(service=ACM_SERVICE)
        cls.setUpFixtures()

    @classmethod
    def setUpFixtures(cls):
        pass

    @classmethod
    def client(cls, creds=None, validate=True, service=SERVICE):
        return make_client(cls.server.url, creds or cls.admin, validate=validate,
                           service=service)

    @classmethod
    def acm_client(cls, creds=None, validate=True):
        """A boto3 `acm` client (ACM, SigV4 service `acm`)."""
        return cls.client(creds, validate, ACM_SERVICE)

    # -- aws CLI ---------------------------------------------------------------

    def cli(self, *args, creds=None):
        creds = creds or self.admin
        return run_cli(self.server.url, creds.file(self.tmp), *args)

    def cli_ok(self, *args, creds=None):
        rc, out = self.cli(*args, creds=creds)
        self.assertEqual(rc, 0, f'aws {" ".join(args)} failed: {out}')
        return out

    def assertCliError(self, result, code):
        rc, out = result
        self.assertNotEqual(rc, 0, f'expected {code}, the command succeeded: {out}')
        self.assertEqual(cli_error_code(out), code, f'aws CLI stderr: {out}')

    # -- raw requests ------------------------------------------------------------

    def raw(self, op, body=b'{}', creds='admin', **kwargs):
        """A signed request for ACMPrivateCA.<op> (op None: no X-Amz-Target)."""
        if creds == 'admin':
            creds = self.admin
        target = None if op is None else (op if '.' in op else TARGET_PREFIX + op)
        return raw_request(self.server.url, target, body, creds=creds, **kwargs)

    def raw_acm(self, op, body=b'{}', creds='admin', **kwargs):
        """A request for CertificateManager.<op> signed for service `acm`."""
        if creds == 'admin':
            creds = self.admin
        target = None if op is None else (op if '.' in op else ACM_TARGET_PREFIX + op)
        kwargs.setdefault('service', ACM_SERVICE)
        return raw_request(self.server.url, target, body, creds=creds, **kwargs)

    def assertRawError(self, resp, code, status=400):
        self.assertEqual((resp.status, resp.error_type), (status, code), str(resp))
        self.assertTrue(resp.request_id, f'no x-amzn-RequestId on {resp}')
        return resp

    def assertRawOk(self, resp):
        self.assertEqual(resp.status, 200, str(resp))
        return resp.json

    # -- boto3 -------------------------------------------------------------------

    def assertClientError(self, code, fn, *args, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError,
                               msg=f'expected {code}') as cm:
            fn(*args, **kwargs)
        err = cm.exception
        self.assertEqual(client_error_code(err), code, str(err.response.get('Error')))
        self.assertEqual(err.response['ResponseMetadata']['HTTPStatusCode'], 400,
                         str(err.response.get('Error')))
        return err

    def describe(self, arn, pca=None):
        return (pca or self.pca).describe_certificate_authority(
            CertificateAuthorityArn=arn)['CertificateAuthority']


# --------------------------------------------------------------------------
# The certain CLI against a running server, and a webhook receiver
# --------------------------------------------------------------------------

def run_certain(server, *args, creds=None, timeout=120):
    """`certain ARGS --endpoint <server> --data <server data>` ->
    (returncode, parsed JSON stdout or None, stderr). With creds, they are
    passed as AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (the first place the CLI
    looks); without, the CLI falls back to the data folder's credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('AWS_')}
    env['AWS_SHARED_CREDENTIALS_FILE'] = os.devnull
    if creds is not None:
        env['AWS_ACCESS_KEY_ID'] = creds.access_key_id
        env['AWS_SECRET_ACCESS_KEY'] = creds.secret_access_key
    cmd = [server.bin, *args, '--endpoint', server.url, '--data', server.data,
           '--region', server.region]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    out = None
    if p.returncode == 0 and p.stdout.strip():
        out = json.loads(p.stdout)
    return p.returncode, out, p.stderr


class WebhookReceiver:
    """A local HTTP server on a free loopback port that records every POST and
    checks Certain's signature on it:
        X-Certain-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
    `status` is the HTTP status it answers (change it to make deliveries fail);
    `expected_time()` (optional) is the time the server's clock should stamp,
    checked within `tolerance` seconds. `port` reopens a receiver where a closed
    one was (a target's URL outlives a receiver restart). Each record:
    dict(event_id, t, body, event, signature_ok, time_ok, arrived, status)."""

    def __init__(self, secret, status=200, expected_time=None, tolerance=300, port=None):
        import http.server
        import threading
        self.secret = secret.encode() if isinstance(secret, str) else secret
        self.status = status
        self.expected_time = expected_time
        self.tolerance = tolerance
        self.received = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get('Content-Length', '0'))
                body = self.rfile.read(length)
                receiver._record(self.headers, body)
                self.send_response(receiver.status)
                self.send_header('Content-Length', '0')
                self.end_headers()

            def log_message(self, *args):
                pass

        self.port = port or free_port()
        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', self.port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f'http://127.0.0.1:{self.port}/hook'

    def _record(self, headers, body):
        import hmac
        sig = headers.get('X-Certain-Signature', '')
        parts = dict(p.split('=', 1) for p in sig.split(',') if '=' in p)
        t = parts.get('t', '')
        want = hmac.new(self.secret, t.encode() + b'.' + body, hashlib.sha256).hexdigest()
        ok = t.isdigit() and hmac.compare_digest(want, parts.get('v1', ''))
        time_ok = True
        if self.expected_time is not None and t.isdigit():
            time_ok = abs(int(t) - self.expected_time()) <= self.tolerance
        try:
            event = json.loads(body)
        except ValueError:
            event = None
        rec = dict(event_id=headers.get('X-Certain-Event-Id'), t=t, body=body, event=event,
                   signature_ok=ok, time_ok=time_ok, arrived=time.time(),
                   content_type=headers.get('Content-Type'), status=self.status)
        with self.lock:
            self.received.append(rec)

    def accepted(self):
        """Records of the POSTs answered with a 2xx."""
        with self.lock:
            return [r for r in self.received if 200 <= r['status'] < 300]

    def wait_for(self, predicate, timeout=30):
        """Polls until predicate(accepted records) is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate(self.accepted())
            if value or time.monotonic() > deadline:
                return value
            time.sleep(0.05)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
