"""Pebble, the ACME test CA (Debian's /usr/bin/pebble), for the ACME tests.

Pebble() writes a config into a temporary folder (a TLS certificate made here
with openssl for 127.0.0.1/localhost, since Debian does not ship pebble's
test/certs), picks free ports, starts pebble with the environment knobs asked
for, waits until the directory answers and stops it by PID.

    with Pebble(always_valid=True, nonce_reject=50) as p:
        p.directory_url, p.ca_bundle, p.roots()

Only the standard library and the openssl CLI are used.
"""
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.request

PEBBLE_BIN = shutil.which('pebble') or '/usr/bin/pebble'
OPENSSL_BIN = '/usr/bin/openssl' if os.path.exists('/usr/bin/openssl') else 'openssl'
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


def free_port():
    """A port that was free a moment ago (bind port 0, read it, release it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def available():
    return os.access(PEBBLE_BIN, os.X_OK)


class Pebble:
    """One pebble process on 127.0.0.1 with its own folder, config and TLS key."""

    def __init__(self, always_valid=True, nonce_reject=0, eab_keys=None,
                 alternate_roots=0, chain_length=None, dns_server=None,
                 domain_blocklist=(), validity_days=None):
        self.always_valid = always_valid
        self.nonce_reject = nonce_reject
        self.eab_keys = eab_keys or {}
        self.alternate_roots = alternate_roots
        self.chain_length = chain_length
        self.dns_server = dns_server
        self.domain_blocklist = list(domain_blocklist)  # refused: rejectedIdentifier
        self.validity_days = validity_days  # None: pebble's default (5 years)
        self.dir = None
        self.proc = None
        self.port = None
        self.mgmt_port = None
        self.log_path = None

    # -- lifecycle ---------------------------------------------------------
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def _make_tls(self):
        key = os.path.join(self.dir, 'tls-key.pem')
        cert = os.path.join(self.dir, 'tls-cert.pem')
        subprocess.run(
            [OPENSSL_BIN, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
             '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost',
             '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
             '-addext', 'basicConstraints=critical,CA:FALSE'],
            check=True, capture_output=True)
        return key, cert

    def start(self):
        self.dir = tempfile.mkdtemp(prefix='pebble-')
        key, cert = self._make_tls()
        self.ca_bundle = cert
        self.port = free_port()
        self.mgmt_port = free_port()
        cfg = {'pebble': {
            'listenAddress': f'127.0.0.1:{self.port}',
            'managementListenAddress': f'127.0.0.1:{self.mgmt_port}',
            'certificate': cert,
            'privateKey': key,
            # The VA ports are only dialled when validating http-01/tls-alpn-01.
            'httpPort': free_port(),
            'tlsPort': free_port(),
            'ocspResponderURL': '',
            'externalAccountBindingRequired': bool(self.eab_keys),
        }}
        if self.eab_keys:
            cfg['pebble']['externalAccountMACKeys'] = dict(self.eab_keys)
        if self.domain_blocklist:
            cfg['pebble']['domainBlocklist'] = self.domain_blocklist
        if self.validity_days is not None:
            cfg['pebble']['certificateValidityPeriod'] = self.validity_days * 86400
        cfg_path = os.path.join(self.dir, 'pebble-config.json')
        with open(cfg_path, 'w') as f:
            json.dump(cfg, f)
        env = {k: v for k, v in os.environ.items() if not k.startswith('PEBBLE_')}
        env['PEBBLE_VA_NOSLEEP'] = '1'
        env['PEBBLE_WFE_NONCEREJECT'] = str(self.nonce_reject)
        if self.always_valid:
            env['PEBBLE_VA_ALWAYS_VALID'] = '1'
        if self.alternate_roots:
            env['PEBBLE_ALTERNATE_ROOTS'] = str(self.alternate_roots)
        if self.chain_length is not None:
            env['PEBBLE_CHAIN_LENGTH'] = str(self.chain_length)
        args = [PEBBLE_BIN, '-config', cfg_path]
        if self.dns_server:
            args += ['-dnsserver', self.dns_server]
        self.log_path = os.path.join(self.dir, 'pebble.log')
        log = open(self.log_path, 'wb')
        try:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env,
                                         cwd=self.dir)
        finally:
            log.close()
        self._wait_ready()

    def _ctx(self):
        return ssl.create_default_context(cafile=self.ca_bundle)

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f'pebble exited ({self.proc.returncode}):\n{self.log_tail()}')
            try:
                with urllib.request.urlopen(self.directory_url, context=self._ctx(),
                                            timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f'pebble did not answer within {START_TIMEOUT} s')

    def stop(self):
        """SIGTERM by PID, then SIGKILL; removes the folder."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def log_tail(self, n=30):
        try:
            with open(self.log_path, errors='replace') as f:
                return ''.join(f.readlines()[-n:])
        except OSError:
            return ''

    # -- what tests use ----------------------------------------------------
    @property
    def directory_url(self):
        return f'https://127.0.0.1:{self.port}/dir'

    def roots(self):
        """The issuing root(s) as PEM text, from the management port: /roots/0, /roots/1..."""
        out = []
        for i in range(1 + max(0, self.alternate_roots)):
            url = f'https://127.0.0.1:{self.mgmt_port}/roots/{i}'
            with urllib.request.urlopen(url, context=self._ctx(), timeout=5) as r:
                out.append(r.read().decode())
        return out

    def write_roots(self, folder):
        """Each root in folder/root-<i>.pem; returns the paths."""
        paths = []
        for i, pem in enumerate(self.roots()):
            p = os.path.join(folder, f'root-{i}.pem')
            with open(p, 'w') as f:
                f.write(pem)
            paths.append(p)
        return paths
