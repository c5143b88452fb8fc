"""The ACME client (issue 8) against a real pebble.

Each test starts its own pebble (tests/integration/pebbleharness.py) with the
knobs it needs and runs the C driver tests in tests/unit/test_acme_pebble.c
(`unit-tests acme_pebble_*`, next to CERTAIN_BIN, so the ASan build is tested
when CERTAIN_BIN points into build/asan), then checks what a user would:
the certificate `openssl verify` accepts, the problem type and FailureReason.
"""
import base64
import http.server
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import unittest

from tests.integration.pebbleharness import OPENSSL_BIN, Pebble, available, free_port

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
NAMES = 'acme.example.com,*.acme.example.com'
EAB_KEYS = {'kid-1': 'zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W'}
SANITIZER_MARKERS = ('ERROR: AddressSanitizer', 'runtime error:', 'LeakSanitizer')


def unit_tests_bin():
    certain = os.environ.get('CERTAIN_BIN', 'build/certain')
    if not os.path.isabs(certain):
        certain = os.path.join(REPO_ROOT, certain)
    return os.path.join(os.path.dirname(certain), 'unit-tests')


@unittest.skipUnless(available(), 'pebble is not installed')
class AcmeClientTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='acme-test-')
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        self.bin = unit_tests_bin()
        if not os.access(self.bin, os.X_OK):
            self.fail(f'{self.bin} is not built')

    def pebble(self, **kw):
        p = Pebble(**kw)
        p.start()
        self.addCleanup(p.stop)
        return p

    def csr(self, names):
        """A DER CSR for names (first one in the CN) with a fresh P-256 key."""
        path = os.path.join(self.dir, 'csr.der')
        san = ','.join(f'DNS:{n}' for n in names.split(','))
        subprocess.run(
            [OPENSSL_BIN, 'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
             '-nodes', '-keyout', os.path.join(self.dir, 'key.pem'), '-subj',
             f'/CN={names.split(",")[0]}', '-addext', f'subjectAltName={san}', '-outform', 'DER',
             '-out', path], check=True, capture_output=True)
        return path

    def drive(self, pebble, test, **env):
        """Runs one C driver test against pebble; returns the files it wrote."""
        full = dict(os.environ, CERTAIN_ACME_DIRECTORY=pebble.directory_url,
                    CERTAIN_ACME_CA_BUNDLE=pebble.ca_bundle, CERTAIN_ACME_OUT=self.dir)
        full.update({k: v for k, v in env.items() if v is not None})
        r = subprocess.run([self.bin, test], env=full, capture_output=True, text=True,
                           timeout=180)
        out = r.stdout + r.stderr
        for marker in SANITIZER_MARKERS:
            self.assertNotIn(marker, out)
        self.assertEqual(r.returncode, 0, f'{out}\n-- pebble:\n{pebble.log_tail()}')
        self.assertIn('1 passed, 0 failed', out)
        self.assertNotIn('skipped', out)
        files = {}
        for name in ('leaf.pem', 'chain.pem', 'kid.txt', 'problem.txt', 'ari.txt'):
            path = os.path.join(self.dir, name)
            if os.path.exists(path):
                with open(path) as f:
                    files[name] = f.read()
                os.unlink(path)
        return files

    def problem(self, files):
        return dict(line.split('=', 1) for line in files['problem.txt'].splitlines() if '=' in line)

    def verify(self, root_pem, files):
        paths = {}
        for name, text in (('root', root_pem), ('chain', files['chain.pem']),
                           ('leaf', files['leaf.pem'])):
            paths[name] = os.path.join(self.dir, f'v-{name}.pem')
            with open(paths[name], 'w') as f:
                f.write(text)
        return subprocess.run(
            [OPENSSL_BIN, 'verify', '-CAfile', paths['root'], '-untrusted', paths['chain'],
             paths['leaf']], capture_output=True, text=True)

    def issue(self, pebble, **env):
        return self.drive(pebble, 'acme_pebble_issue', CERTAIN_ACME_NAMES=NAMES,
                          CERTAIN_ACME_CSR=self.csr(NAMES), **env)

    def san(self, leaf_pem):
        r = subprocess.run([OPENSSL_BIN, 'x509', '-noout', '-ext', 'subjectAltName'],
                           input=leaf_pem, capture_output=True, text=True, check=True)
        return sorted(re.findall(r'DNS:([^,\s]+)', r.stdout))

    def issuer_cn(self, pem):
        r = subprocess.run([OPENSSL_BIN, 'x509', '-noout', '-issuer', '-nameopt', 'multiline'],
                           input=pem, capture_output=True, text=True, check=True)
        return re.search(r'commonName\s*=\s*(.+)', r.stdout).group(1).strip()

    def subject_cn(self, pem):
        r = subprocess.run([OPENSSL_BIN, 'x509', '-noout', '-subject', '-nameopt', 'multiline'],
                           input=pem, capture_output=True, text=True, check=True)
        return re.search(r'commonName\s*=\s*(.+)', r.stdout).group(1).strip()

    # -- the tests ---------------------------------------------------------
    def test_full_issuance_verifies_against_pebble_root(self):
        p = self.pebble(always_valid=True)
        files = self.issue(p)
        self.assertRegex(files['kid.txt'], r'^https://127\.0\.0\.1:\d+/')
        self.assertEqual(self.san(files['leaf.pem']), ['*.acme.example.com', 'acme.example.com'])
        self.assertEqual(files['leaf.pem'].count('BEGIN CERTIFICATE'), 1)
        self.assertGreaterEqual(files['chain.pem'].count('BEGIN CERTIFICATE'), 1)
        r = self.verify(p.roots()[0], files)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_bad_nonce_is_retried(self):
        def posts(pebble):
            with open(pebble.log_path, errors='replace') as f:
                return sum(1 for line in f if ' POST /' in line)
        base = self.pebble(always_valid=True)
        self.issue(base)
        p = self.pebble(always_valid=True, nonce_reject=50)
        files = self.issue(p)
        self.assertEqual(self.verify(p.roots()[0], files).returncode, 0)
        # Half the nonces were refused, so the same flow needed more POSTs.
        self.assertGreater(posts(p), posts(base))

    def test_external_account_binding(self):
        p = self.pebble(always_valid=True, eab_keys=EAB_KEYS)
        # Without EAB: the CA's problem, not transient, not a domain failure.
        prob = self.problem(self.drive(p, 'acme_pebble_register'))
        self.assertEqual(prob['type'], 'urn:ietf:params:acme:error:externalAccountRequired')
        self.assertEqual(prob['transient'], '0')
        self.assertEqual(prob['reason'], 'OTHER')
        # The right kid and key: an account.
        files = self.drive(p, 'acme_pebble_register', CERTAIN_ACME_EAB_KID='kid-1',
                           CERTAIN_ACME_EAB_KEY=EAB_KEYS['kid-1'])
        self.assertRegex(files.get('kid.txt', ''), r'^https://')
        # A wrong key: refused.
        wrong = 'A' + EAB_KEYS['kid-1'][1:]
        files = self.drive(p, 'acme_pebble_register', CERTAIN_ACME_EAB_KID='kid-1',
                           CERTAIN_ACME_EAB_KEY=wrong)
        self.assertNotIn('kid.txt', files)
        prob = self.problem(files)
        self.assertTrue(prob['type'].startswith('urn:ietf:params:acme:error:'), prob)
        self.assertEqual(prob['transient'], '0')
        # An unknown kid: refused.
        files = self.drive(p, 'acme_pebble_register', CERTAIN_ACME_EAB_KID='kid-9',
                           CERTAIN_ACME_EAB_KEY=EAB_KEYS['kid-1'])
        self.assertNotIn('kid.txt', files)

    def test_preferred_chain_picks_the_alternate_root(self):
        p = self.pebble(always_valid=True, alternate_roots=1)
        roots = p.roots()
        self.assertEqual(len(roots), 2)
        names = [self.subject_cn(r) for r in roots]
        self.assertNotEqual(names[0], names[1])
        # Default chain: root 0.
        files = self.issue(p)
        top = files['chain.pem'].split('-----END CERTIFICATE-----')[-2] + \
            '-----END CERTIFICATE-----\n'
        self.assertEqual(self.issuer_cn(top), names[0])
        self.assertEqual(self.verify(roots[0], files).returncode, 0)
        # Preferring root 1: its chain, which verifies against root 1 only.
        files = self.issue(p, CERTAIN_ACME_PREFERRED_CHAIN=names[1])
        top = files['chain.pem'].split('-----END CERTIFICATE-----')[-2] + \
            '-----END CERTIFICATE-----\n'
        self.assertEqual(self.issuer_cn(top), names[1])
        self.assertEqual(self.verify(roots[1], files).returncode, 0)
        self.assertNotEqual(self.verify(roots[0], files).returncode, 0)
        # A preference nobody matches: the default.
        files = self.issue(p, CERTAIN_ACME_PREFERRED_CHAIN='No Such Root')
        self.assertEqual(self.verify(roots[0], files).returncode, 0)

    def test_rejected_identifier_maps_to_a_failure_reason(self):
        p = self.pebble(always_valid=True)
        for names in ('bad_name!.example.com', '*.*.example.com'):
            with self.subTest(names=names):
                prob = self.problem(self.drive(p, 'acme_pebble_order_refused',
                                               CERTAIN_ACME_NAMES=names))
                self.assertTrue(prob['type'].startswith('urn:ietf:params:acme:error:'), prob)
                self.assertIn(prob['reason'], ('INVALID_PUBLIC_DOMAIN', 'DOMAIN_NOT_ALLOWED'),
                              prob)
                self.assertEqual(prob['transient'], '0')


class HostileCa(http.server.BaseHTTPRequestHandler):
    """A plain-http fake CA answering what a broken or hostile CA might.
    The directory path names the behaviour: /<mode>/dir."""
    attempts = {}

    def log_message(self, *args):
        pass

    def _send(self, status, body=b'', ctype='application/json', headers=()):
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        self.send_header('Replay-Nonce', f'nonce{threading.get_ident()}{len(self.attempts)}')
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != 'HEAD':
            try:
                self.wfile.write(body)
            except ConnectionError:
                pass  # the client hung up on an oversized body, as it should

    ari_ids = []

    def _directory(self, mode):
        base = f'http://127.0.0.1:{self.server.server_port}/{mode}'
        d = {'newNonce': f'{base}/nonce', 'newAccount': f'{base}/acct',
             'newOrder': f'{base}/order'}
        if mode == 'ari':
            d['renewalInfo'] = f'{base}/renewal-info'
        return json.dumps(d).encode()

    def do_HEAD(self):
        self._send(200)

    def do_GET(self):
        mode = self.path.split('/')[1]
        if mode == 'big':
            self._send(200, b'{"x":"' + b'a' * (2 * 1024 * 1024) + b'"}')
        elif mode == 'redirect':
            self._send(302, headers=[('Location', 'http://127.0.0.1:1/dir')])
        elif mode == 'garbage':
            self._send(200, b'<html>not json</html>', 'text/html')
        elif mode == 'ari' and '/renewal-info/' in self.path:
            HostileCa.ari_ids.append(self.path.rsplit('/', 1)[1])
            self._send(200, json.dumps({'suggestedWindow': {
                'start': '2025-01-02T04:00:00Z', 'end': '2025-01-03T04:00:00.5+00:00'}}).encode(),
                headers=[('Retry-After', '21600')])
        elif mode == 'httpsonly':
            self._send(200, json.dumps({'newNonce': 'ftp://x/n', 'newAccount': 'https://x/a',
                                        'newOrder': 'https://x/o'}).encode())
        else:
            self._send(200, self._directory(mode))

    def do_POST(self):
        mode = self.path.split('/')[1]
        self.rfile.read(int(self.headers.get('Content-Length', '0')))
        HostileCa.attempts[mode] = HostileCa.attempts.get(mode, 0) + 1
        problem = 'application/problem+json'
        if mode == 'badnonce':
            self._send(400, json.dumps({'type': 'urn:ietf:params:acme:error:badNonce',
                                        'detail': 'stale'}).encode(), problem)
        elif mode == 'unavailable':
            self._send(503, json.dumps({'type': 'urn:ietf:params:acme:error:serverInternal',
                                        'detail': 'later'}).encode(), problem,
                       [('Retry-After', '30')])
        elif mode == 'ratelimited':
            self._send(429, json.dumps({'type': 'urn:ietf:params:acme:error:rateLimited',
                                        'detail': 'slow down'}).encode(), problem,
                       [('Retry-After', '120')])
        elif mode == 'nolocation':
            self._send(201, b'{"status":"valid"}')
        else:
            self._send(500, b'<html>oops</html>', 'text/html')


class AcmeHostileCaTest(unittest.TestCase):
    """What a CA sends is checked: errors, never crashes or endless loops."""

    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), HostileCa)
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def register(self, mode, test='acme_pebble_register', **extra):
        d = tempfile.mkdtemp(prefix='acme-hostile-')
        self.addCleanup(shutil.rmtree, d, ignore_errors=True)
        self.out = d
        url = f'http://127.0.0.1:{self.server.server_port}/{mode}/dir'
        env = dict(os.environ, CERTAIN_ACME_OUT=d, CERTAIN_ACME_DIRECTORY=url)
        env.update(extra)
        r = subprocess.run([unit_tests_bin(), test], env=env,
                           capture_output=True, text=True, timeout=120)
        out = r.stdout + r.stderr
        for marker in SANITIZER_MARKERS:
            self.assertNotIn(marker, out)
        self.assertEqual(r.returncode, 0, out)
        self.assertFalse(os.path.exists(os.path.join(d, 'kid.txt')), mode)
        with open(os.path.join(d, 'problem.txt')) as f:
            return dict(line.split('=', 1) for line in f.read().splitlines() if '=' in line)

    def test_hostile_answers(self):
        cases = {
            # mode: (transient, status, type)
            'big': ('0', '-1', ''),
            'redirect': ('0', '302', ''),
            'garbage': ('0', '-1', ''),
            'httpsonly': ('0', '-1', ''),
            'nolocation': ('0', '-1', ''),
            'other': ('1', '500', ''),
            'badnonce': ('1', '400', 'urn:ietf:params:acme:error:badNonce'),
            'unavailable': ('1', '503', 'urn:ietf:params:acme:error:serverInternal'),
            'ratelimited': ('1', '429', 'urn:ietf:params:acme:error:rateLimited'),
        }
        for mode, (transient, status, ptype) in cases.items():
            with self.subTest(mode=mode):
                prob = self.register(mode)
                self.assertEqual((prob['transient'], prob['status'], prob['type']),
                                 (transient, status, ptype), prob)
                self.assertEqual(prob['reason'], 'OTHER')
        # badNonce is retried, but not forever: 1 + ACME_BADNONCE_RETRIES attempts.
        self.assertEqual(HostileCa.attempts['badnonce'], 17)
        self.assertEqual(self.register('unavailable')['retry_after'], '30')
        self.assertEqual(self.register('ratelimited')['retry_after'], '120')

    def test_network_error_is_transient(self):
        closed = f'http://127.0.0.1:{free_port()}/dir'
        prob = self.register('closed', CERTAIN_ACME_DIRECTORY=closed)
        self.assertEqual((prob['transient'], prob['status'], prob['type']), ('1', '0', ''))

    def test_renewal_info(self):
        """RFC 9773 against the fake CA (Debian's pebble has no renewalInfo)."""
        from cryptography import x509
        d = tempfile.mkdtemp(prefix='acme-ari-')
        self.addCleanup(shutil.rmtree, d, ignore_errors=True)
        cert = os.path.join(d, 'cert.pem')
        subprocess.run(
            [OPENSSL_BIN, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
             '-nodes', '-keyout', os.path.join(d, 'key.pem'), '-out', cert, '-days', '1',
             '-subj', '/CN=ari.example', '-set_serial', '0x00ff00aa',
             '-addext', 'authorityKeyIdentifier=keyid:always'],
            check=True, capture_output=True)
        with open(cert, 'rb') as f:
            c = x509.load_pem_x509_certificate(f.read())
        aki = c.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
        serial = c.serial_number.to_bytes((c.serial_number.bit_length() + 8) // 8, 'big')

        def b64u(b):
            return base64.urlsafe_b64encode(b).rstrip(b'=').decode()
        want = f'{b64u(aki)}.{b64u(serial)}'
        self.assertTrue(want.endswith('.AP8Aqg'), want)
        self.register('ari', 'acme_pebble_ari', CERTAIN_ACME_CERT=cert)
        with open(os.path.join(self.out, 'ari.txt')) as f:
            ari = dict(line.split('=', 1) for line in f.read().splitlines())
        self.assertEqual(ari['id'], want)
        self.assertEqual(HostileCa.ari_ids[-1], want)
        self.assertEqual((ari['start'], ari['end'], ari['retry_after']),
                         ('1735790400', '1735876800', '21600'))
        # A CA without renewalInfo: a local "not supported", not a CA failure.
        prob = self.register('noari', 'acme_pebble_ari', CERTAIN_ACME_CERT=cert)
        self.assertFalse(os.path.exists(os.path.join(self.out, 'ari.txt')))
        self.assertEqual(prob['transient'], '0')


if __name__ == '__main__':
    unittest.main()
