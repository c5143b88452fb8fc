"""Public certificates from an ACME CA (issue 8), end to end.

A real BIND (named, bindharness) serves the user's zone `user.test.` and
Certain's validation zone `validation.test.` on loopback; a real pebble (the
ACME test CA, pebbleharness) resolves through that BIND; `certain serve
--acme-config` points at both. The plain aws CLI requests a public
certificate; the test creates the CNAME records Describe shows, in the user's
zone, as a user would; Certain publishes the dns-01 TXT values by RFC 2136
(TSIG), pebble validates, and the certificate becomes ISSUED with a chain
that `openssl verify` accepts against pebble's root. Then: a missing CNAME
keeps it pending (per-name status), the CA's refusal becomes a
FailureReason, the hook publisher, managed renewal by the test clock that
reaches a deployment target, and External Account Binding.
"""
import json
import os
import re
import subprocess
import time
import unittest

from tests.integration import bindharness, pebbleharness
from tests.integration.harness import OPENSSL_BIN, CertainTestCase, run_certain

WAIT = 90  # seconds a validation and issuance may take on a slow, sanitized build
VALIDITY_DAYS = 90  # pebble's certificates live as long as Let's Encrypt's
EAB_KEY = 'zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W'


def acme_available():
    return bindharness.available() and pebbleharness.available()


class AcmeCase(CertainTestCase):
    """One BIND, one pebble and one Certain per class. Subclasses say how
    Certain publishes (RFC 2136 or a hook) and what pebble requires."""

    pebble_options = {}
    use_hook = False
    blocked = ('blocked.user.test',)

    @classmethod
    def setUpClass(cls):
        if not acme_available():
            raise unittest.SkipTest('named, dig, nsupdate or pebble missing')
        cls.bind = bindharness.BindServer().start()
        cls.addClassCleanup(cls.bind.stop)
        cls.pebble = pebbleharness.Pebble(always_valid=False, dns_server=cls.bind.server,
                                          domain_blocklist=cls.blocked,
                                          validity_days=VALIDITY_DAYS, **cls.pebble_options)
        cls.addClassCleanup(cls.pebble.stop)
        cls.pebble.start()
        cls.conf_dir = os.path.join(cls.bind.root, 'certain-conf')
        os.makedirs(cls.conf_dir, exist_ok=True)
        cls.deploy_dir = os.path.join(cls.bind.root, 'deploy')
        os.makedirs(cls.deploy_dir, exist_ok=True)
        path = cls.write_config()
        cls.server_args = ('--acme-config', path, '--test-clock', '--deploy-allow',
                           cls.deploy_dir)
        super().setUpClass()

    @classmethod
    def ca_entry(cls):
        entry = {'name': 'pebble', 'directory': cls.pebble.directory_url,
                 'contact': 'ops@user.test', 'ca_bundle': cls.pebble.ca_bundle}
        return entry

    @classmethod
    def ca_entries(cls):
        return [cls.ca_entry()]

    @classmethod
    def write_config(cls):
        validation = {'zone': cls.bind.validation_zone, 'resolver': cls.bind.server,
                      'recheck_seconds': 1}
        if cls.use_hook:
            validation['hook'] = cls.write_hook()
        else:
            validation['dns_server'] = cls.bind.server
            validation['tsig'] = {'name': cls.bind.key_name, 'algorithm': 'hmac-sha256',
                                  'secret': cls.bind.key_secret}
        conf = {'certificate_authorities': cls.ca_entries(), 'validation': validation}
        path = os.path.join(cls.conf_dir, 'acme.json')
        with open(path, 'w') as f:
            json.dump(conf, f)
        os.chmod(path, 0o600)
        return path

    @classmethod
    def write_hook(cls):
        raise NotImplementedError

    # -- helpers -----------------------------------------------------------------

    def request(self, *names, key='RSA_2048', tags=None):
        args = ['acm', 'request-certificate', '--domain-name', names[0],
                '--validation-method', 'DNS', '--key-algorithm', key]
        if len(names) > 1:
            args += ['--subject-alternative-names', *names]
        if tags:
            args += ['--tags', *[f'Key={k},Value={v}' for k, v in tags.items()]]
        return self.cli_ok(*args)['CertificateArn']

    def certain(self, *args):
        rc, out, err = run_certain(self.server, *args)
        self.assertEqual(rc, 0, f'certain {" ".join(args)}: {err}')
        return out

    def describe(self, arn):
        return self.cli_ok('acm', 'describe-certificate', '--certificate-arn',
                           arn)['Certificate']

    def wait_for(self, arn, pred, what, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while True:
            c = self.describe(arn)
            if pred(c):
                return c
            if time.monotonic() > deadline:
                self.fail(f'{what}: still {json.dumps(c, indent=1)[:3000]}\n'
                          f'{self.server.stderr_tail(30)}')
            time.sleep(0.3)

    def wait_status(self, arn, status, timeout=WAIT):
        return self.wait_for(arn, lambda c: c['Status'] == status, f'waiting for {status}',
                             timeout)

    def create_cnames(self, cert):
        """What a user does once per name: the CNAME records Describe shows."""
        done = set()
        for dvo in cert['DomainValidationOptions']:
            rr = dvo['ResourceRecord']
            if rr['Name'] not in done:
                self.bind.add_cname(rr['Name'], rr['Value'])
                done.add(rr['Name'])

    def pending_records(self, arn):
        """Describe until every name shows its record (a public DNS request)."""
        return self.wait_for(arn, lambda c: all('ResourceRecord' in d for d in
                                                c.get('DomainValidationOptions', [])),
                             'waiting for the validation records', 10)

    def verify_chain(self, arn):
        out = self.cli_ok('acm', 'get-certificate', '--certificate-arn', arn)
        d = os.path.join(self.tmp, arn.rsplit('/', 1)[1])
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, 'cert.pem'), 'w') as f:
            f.write(out['Certificate'])
        with open(os.path.join(d, 'chain.pem'), 'w') as f:
            f.write(out.get('CertificateChain', ''))
        root = os.path.join(d, 'root.pem')
        with open(root, 'w') as f:
            f.write(self.pebble.roots()[0])
        p = subprocess.run([OPENSSL_BIN, 'verify', '-CAfile', root, '-untrusted',
                            os.path.join(d, 'chain.pem'), os.path.join(d, 'cert.pem')],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        text = subprocess.run([OPENSSL_BIN, 'x509', '-noout', '-text', '-in',
                               os.path.join(d, 'cert.pem')], capture_output=True,
                              text=True, check=True).stdout
        return out, text

    def txt_values(self, cert):
        """The TXT values now published at the names' CNAME targets."""
        out = []
        for dvo in cert['DomainValidationOptions']:
            out += [r for r in self.bind.query(dvo['ResourceRecord']['Value'], 'TXT')
                    if r[1] == 'TXT']
        return out


@unittest.skipUnless(acme_available(), 'named, dig, nsupdate or pebble missing')
class PublicCertificateTests(AcmeCase):

    @classmethod
    def ca_entries(cls):
        second = dict(cls.ca_entry(), name='second')
        return [dict(cls.ca_entry(), default=True), second]

    def test_issued_after_the_cnames_appear(self):
        arn = self.request('www.user.test', '*.www.user.test', 'api.user.test')
        c = self.pending_records(arn)
        self.assertEqual(c['Type'], 'AMAZON_ISSUED')
        self.assertEqual(c['Status'], 'PENDING_VALIDATION')
        dvos = {d['DomainName']: d for d in c['DomainValidationOptions']}
        self.assertEqual(set(dvos), {'www.user.test', '*.www.user.test', 'api.user.test'})
        for name, d in dvos.items():
            base = name[2:] if name.startswith('*.') else name
            rr = d['ResourceRecord']
            self.assertEqual(rr['Type'], 'CNAME')
            self.assertEqual(rr['Name'], f'_acme-challenge.{base}.')
            self.assertRegex(rr['Value'], r'^_[0-9a-f]{32}\.validation\.test\.$')
            self.assertEqual(d['ValidationMethod'], 'DNS')
        # A wildcard and its base share one record.
        self.assertEqual(dvos['www.user.test']['ResourceRecord'],
                         dvos['*.www.user.test']['ResourceRecord'])
        # The same record for every request of the name (a standing CNAME).
        again_arn = self.request('api.user.test')
        again = self.pending_records(again_arn)
        self.assertEqual(again['DomainValidationOptions'][0]['ResourceRecord'],
                         dvos['api.user.test']['ResourceRecord'])

        # No CNAME yet: nothing is asked of the CA, the names stay pending.
        time.sleep(2.5)
        c = self.describe(arn)
        self.assertEqual(c['Status'], 'PENDING_VALIDATION')
        self.assertEqual({d['ValidationStatus'] for d in c['DomainValidationOptions']},
                         {'PENDING_VALIDATION'})

        # One name's record: that name validates, the other still waits.
        rr = dvos['www.user.test']['ResourceRecord']
        self.bind.add_cname(rr['Name'], rr['Value'])
        c = self.wait_for(arn, lambda c: {d['DomainName']: d['ValidationStatus'] for d in
                                          c['DomainValidationOptions']}['www.user.test']
                          == 'SUCCESS', 'www validated')
        status = {d['DomainName']: d['ValidationStatus'] for d in c['DomainValidationOptions']}
        self.assertEqual(status['api.user.test'], 'PENDING_VALIDATION')
        self.assertEqual(c['Status'], 'PENDING_VALIDATION')

        # All records: issued, by the CA, for every name, with a chain to its root.
        rr = dvos['api.user.test']['ResourceRecord']
        self.bind.add_cname(rr['Name'], rr['Value'])
        c = self.wait_status(arn, 'ISSUED')
        self.assertEqual({d['ValidationStatus'] for d in c['DomainValidationOptions']},
                         {'SUCCESS'})
        self.assertEqual(sorted(c['SubjectAlternativeNames']),
                         sorted(['www.user.test', '*.www.user.test', 'api.user.test']))
        self.assertEqual(c['KeyAlgorithm'], 'RSA_2048')
        self.assertIn('Pebble', c['Issuer'])
        _, text = self.verify_chain(arn)
        self.assertIn('DNS:*.www.user.test', text)
        # The other request for api.user.test goes through the same record;
        # once both are done, every TXT value has been removed.
        self.wait_status(again_arn, 'ISSUED')
        self.assertEqual(self.txt_values(c), [])

    def test_ec_key_and_available_event(self):
        arn = self.request('ec.user.test', key='EC_prime256v1')
        self.create_cnames(self.pending_records(arn))
        c = self.wait_status(arn, 'ISSUED')
        self.assertEqual(c['KeyAlgorithm'], 'EC_prime256v1')
        _, text = self.verify_chain(arn)
        self.assertIn('prime256v1', text)
        events = json.dumps(self.certain('events', 'list'))
        self.assertIn(arn, events)
        self.assertIn('ACM Certificate Available', events)

    def test_refused_name_becomes_failure_reason(self):
        arn = self.request('blocked.user.test')
        self.create_cnames(self.pending_records(arn))
        c = self.wait_status(arn, 'FAILED')
        self.assertEqual(c['FailureReason'], 'DOMAIN_NOT_ALLOWED')

    def test_missing_cname_times_out_after_72_hours(self):
        arn = self.request('never.user.test')
        self.pending_records(arn)
        self.certain('clock', 'advance', '73h')
        c = self.describe(arn)
        self.assertEqual(c['Status'], 'VALIDATION_TIMED_OUT')

    def test_unknown_acme_ca_tag_is_refused(self):
        rc, out = self.cli('acm', 'request-certificate', '--domain-name', 'x.user.test',
                           '--validation-method', 'DNS', '--tags',
                           'Key=certain:acme-ca,Value=nosuch')
        self.assertNotEqual(rc, 0)
        self.assertIn('ValidationException', out)
        self.assertIn('nosuch', out)

    def test_tag_picks_another_configured_ca(self):
        arn = self.request('second.user.test', tags={'certain:acme-ca': 'second'})
        self.create_cnames(self.pending_records(arn))
        self.wait_status(arn, 'ISSUED')
        self.verify_chain(arn)
        # Its own ACME account at that CA, logged when registered.
        self.assertIn('ca="second"', self.server.stderr_text())

    def test_renewal_waits_for_a_removed_cname(self):
        arn = self.request('gone.user.test')
        c = self.pending_records(arn)
        self.create_cnames(c)
        first = self.wait_status(arn, 'ISSUED')
        name = c['DomainValidationOptions'][0]['ResourceRecord']['Name']
        self.bind.remove(name, 'CNAME')
        rc, out, err = run_certain(self.server, 'targets', 'create', '--kind', 'files',
                                   '--cert-path', os.path.join(self.deploy_dir, 'gone.pem'),
                                   '--key-path', os.path.join(self.deploy_dir, 'gone.key'))
        self.assertEqual(rc, 0, err)
        self.certain('targets', 'associate', out['Target']['TargetArn'], arn)
        self.cli_ok('acm', 'renew-certificate', '--certificate-arn', arn)
        c = self.wait_for(arn, lambda c: c.get('RenewalSummary', {}).get('RenewalStatus') ==
                          'PENDING_VALIDATION', 'renewal waiting for DNS')
        self.assertEqual(c['Serial'], first['Serial'])
        self.assertEqual(c['Status'], 'ISSUED')  # the current certificate stays in service
        self.assertEqual([d['ValidationStatus'] for d in c['DomainValidationOptions']],
                         ['SUCCESS'])
        self.assertEqual([d['ValidationStatus'] for d in
                          c['RenewalSummary']['DomainValidationOptions']],
                         ['PENDING_VALIDATION'])
        # The standing record back: the renewal completes by itself.
        self.create_cnames(c)
        c = self.wait_for(arn, lambda c: c.get('RenewalSummary', {}).get('RenewalStatus') ==
                          'SUCCESS', 'renewal after the CNAME is back')
        self.assertNotEqual(c['Serial'], first['Serial'])

    def test_renewal_by_the_test_clock_reaches_a_deployment(self):
        arn = self.request('renew.user.test')
        self.create_cnames(self.pending_records(arn))
        first = self.wait_status(arn, 'ISSUED')
        cert = os.path.join(self.deploy_dir, 'renew.pem')
        key = os.path.join(self.deploy_dir, 'renew.key')
        target = self.certain('targets', 'create', '--kind', 'files', '--fullchain-path', cert,
                              '--key-path', key)['Target']['TargetArn']
        self.certain('targets', 'associate', target, arn)
        self.assertTrue(os.path.exists(cert))
        self.assertEqual(self.describe(arn)['RenewalEligibility'], 'ELIGIBLE')
        # Into the renewal window: a third of the lifetime, at most 45 days.
        days = int(VALIDITY_DAYS - min(VALIDITY_DAYS / 3, 45)) + 1
        self.certain('clock', 'advance', f'{days}d')
        c = self.wait_for(arn, lambda c: c['Serial'] != first['Serial'] and
                          c.get('RenewalSummary', {}).get('RenewalStatus') == 'SUCCESS',
                          'the renewal')
        self.assertEqual(c['Status'], 'ISSUED')
        self.verify_chain(arn)
        # The new certificate reaches the target by itself.
        deadline = time.monotonic() + WAIT
        want = c['Serial'].replace(':', '').upper()
        while True:
            p = subprocess.run([OPENSSL_BIN, 'x509', '-noout', '-serial', '-in', cert],
                               capture_output=True, text=True)
            if want in p.stdout.replace(':', '').upper():
                break
            self.assertLess(time.monotonic(), deadline, 'the renewed certificate was not '
                            f'deployed: {p.stdout}')
            time.sleep(0.3)


@unittest.skipUnless(acme_available(), 'named, dig, nsupdate or pebble missing')
class HookPublisherTests(AcmeCase):
    """validation.hook: any DNS provider through a command; here it updates
    the same BIND with nsupdate, and records what it was asked."""

    use_hook = True

    @classmethod
    def write_hook(cls):
        cls.hook_log = os.path.join(cls.conf_dir, 'hook.log')
        path = os.path.join(cls.conf_dir, 'hook.sh')
        key = f'hmac-sha256:{cls.bind.key_name}:{cls.bind.key_secret}'
        with open(path, 'w') as f:
            f.write('#!/bin/sh\n'
                    f'echo "$1 $2 $3" >> {cls.hook_log}\n'
                    f'case "$1" in add) op="update add $2 60 IN TXT \\"$3\\"";;\n'
                    f'  remove) op="update delete $2 IN TXT \\"$3\\"";; *) exit 2;; esac\n'
                    f'printf "server 127.0.0.1 {cls.bind.port}\\n%s\\nsend\\n" "$op" | '
                    f'/usr/bin/nsupdate -t 5 -y {key}\n')
        os.chmod(path, 0o700)
        return path

    def test_hook_publishes_and_removes(self):
        arn = self.request('hook.user.test')
        self.create_cnames(self.pending_records(arn))
        c = self.wait_status(arn, 'ISSUED')
        self.verify_chain(arn)
        with open(self.hook_log) as f:
            lines = f.read().split('\n')
        target = c['DomainValidationOptions'][0]['ResourceRecord']['Value'].rstrip('.')
        self.assertTrue(any(re.match(rf'add {re.escape(target)} \S{{43}}$', x) for x in lines),
                        lines)
        self.assertTrue(any(x.startswith(f'remove {target} ') for x in lines), lines)


@unittest.skipUnless(acme_available(), 'named, dig, nsupdate or pebble missing')
class ExternalAccountBindingTests(AcmeCase):
    """A CA that requires EAB: the configured kid and key create the account."""

    pebble_options = {'eab_keys': {'kid-1': EAB_KEY}}

    @classmethod
    def ca_entry(cls):
        entry = super().ca_entry()
        entry['eab'] = {'kid': 'kid-1', 'hmac_key': EAB_KEY}
        return entry

    def test_issued_with_eab(self):
        arn = self.request('eab.user.test')
        self.create_cnames(self.pending_records(arn))
        self.wait_status(arn, 'ISSUED')
        self.verify_chain(arn)


class ExtraAuthorizationsCa:
    """A CA that lists more authorizations than the order has names: plain
    HTTP on loopback (allowed for test CAs), no signature checks, just enough
    of RFC 8555 for Certain to reach the authorizations."""

    def __init__(self, n_authz=3):
        import base64
        import http.server
        import threading
        ca = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def reply(self, status, body=None, location=None):
                data = json.dumps(body).encode() if body is not None else b''
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Replay-Nonce', f'nonce{time.monotonic_ns()}')
                if location:
                    self.send_header('Location', location)
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_HEAD(self):
                self.reply(200)

            def do_GET(self):
                base = ca.base
                if self.path == '/dir':
                    return self.reply(200, {'newNonce': f'{base}/nonce',
                                            'newAccount': f'{base}/acct',
                                            'newOrder': f'{base}/order'})
                self.reply(404, {'type': 'urn:ietf:params:acme:error:malformed'})

            def do_POST(self):
                base = ca.base
                jws = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
                payload = jws.get('payload', '')
                body = json.loads(base64.urlsafe_b64decode(payload + '=' * (-len(payload) % 4))
                                  or b'{}') if payload else {}
                if self.path == '/acct':
                    return self.reply(201, {'status': 'valid'}, f'{base}/acct/1')
                if self.path == '/order':
                    ca.names = [i['value'] for i in body['identifiers']]
                    return self.reply(201, {
                        'status': 'pending', 'identifiers': body['identifiers'],
                        'authorizations': [f'{base}/authz/{i}' for i in range(n_authz)],
                        'finalize': f'{base}/finalize'}, f'{base}/order/1')
                if self.path.startswith('/authz/'):
                    i = self.path.rsplit('/', 1)[1]
                    return self.reply(200, {
                        'status': 'pending',
                        'identifier': {'type': 'dns', 'value': ca.names[0]},
                        'challenges': [{'type': 'dns-01', 'url': f'{base}/chall/{i}',
                                        'token': f'token{i}'.ljust(43, 'x'),
                                        'status': 'pending'}]})
                ca.unexpected.append(self.path)
                self.reply(404, {'type': 'urn:ietf:params:acme:error:malformed'})

        self.names = []
        self.unexpected = []
        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.base = f'http://127.0.0.1:{self.httpd.server_address[1]}'
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@unittest.skipUnless(acme_available(), 'named, dig, nsupdate or pebble missing')
class MisbehavingCaTests(AcmeCase):
    """A CA that answers nonsense fails the certificate; Certain neither
    crashes (the ASan run would say) nor leaves a TXT value behind."""

    use_hook = True
    write_hook = HookPublisherTests.__dict__['write_hook']

    @classmethod
    def ca_entry(cls):
        cls.bad_ca = ExtraAuthorizationsCa()
        cls.addClassCleanup(cls.bad_ca.stop)
        return {'name': 'bad', 'directory': f'{cls.bad_ca.base}/dir'}

    def test_more_authorizations_than_names(self):
        arn = self.request('odd.user.test')
        self.create_cnames(self.pending_records(arn))
        c = self.wait_status(arn, 'FAILED')
        self.assertEqual(c['FailureReason'], 'OTHER')
        with open(self.hook_log) as f:
            lines = [x for x in f.read().split('\n') if x]
        adds = [x for x in lines if x.startswith('add ')]
        removes = [x for x in lines if x.startswith('remove ')]
        self.assertEqual(len(adds), 1, lines)  # one name, one value, whatever the CA lists
        self.assertEqual([x.split(' ', 1)[1] for x in removes],
                         [x.split(' ', 1)[1] for x in adds])
        self.assertEqual(self.txt_values(c), [])


class AriProxy:
    """pebble with ACME Renewal Information (RFC 9773), which Debian's pebble
    lacks: an HTTPS front (pebble's own TLS key) that serves pebble's directory
    with a renewalInfo URL added, and answers that URL with the window the
    test sets. Every other URL in the directory still points at pebble."""

    def __init__(self, pebble):
        import http.server
        import ssl
        import threading
        import urllib.request
        self.pebble = pebble
        self.window = (time.time() + 60 * 86400, time.time() + 61 * 86400)
        self.windows = {}  # certificate ID -> (start, end); others get self.window
        self.delays = {}  # certificate ID -> seconds to wait before answering
        self.asked = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def reply(self, body, status=200, headers=()):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                for k, v in headers:
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == '/dir':
                    ctx = ssl.create_default_context(cafile=pebble.ca_bundle)
                    with urllib.request.urlopen(pebble.directory_url, context=ctx) as r:
                        d = json.load(r)
                    d['renewalInfo'] = f'https://127.0.0.1:{proxy.port}/ari'
                    return self.reply(d)
                if self.path.startswith('/ari/'):
                    cert_id = self.path[len('/ari/'):]
                    proxy.asked.append(cert_id)
                    time.sleep(proxy.delays.get(cert_id, 0))
                    fmt = '%Y-%m-%dT%H:%M:%SZ'
                    start, end = proxy.windows.get(cert_id, proxy.window)
                    return self.reply({'suggestedWindow': {
                        'start': time.strftime(fmt, time.gmtime(start)),
                        'end': time.strftime(fmt, time.gmtime(end))}},
                        headers=[('Retry-After', '1')])
                self.reply({'type': 'urn:ietf:params:acme:error:malformed'}, 404)

        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.port = self.httpd.server_address[1]
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(os.path.join(pebble.dir, 'tls-cert.pem'),
                            os.path.join(pebble.dir, 'tls-key.pem'))
        self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def directory_url(self):
        return f'https://127.0.0.1:{self.port}/dir'

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def ari_cert_id(pem_path):
    """RFC 9773 §4.1: base64url(AKI keyIdentifier) "." base64url(serial octets)."""
    import base64
    text = subprocess.run([OPENSSL_BIN, 'x509', '-noout', '-ext', 'authorityKeyIdentifier',
                           '-serial', '-in', pem_path], capture_output=True, text=True,
                          check=True).stdout
    aki = re.search(r'([0-9A-F]{2}(?::[0-9A-F]{2})+)', text).group(1).replace(':', '')
    serial = bytes.fromhex(re.search(r'serial=([0-9A-F]+)', text).group(1).rjust(2, '0'))
    if serial[0] & 0x80:
        serial = b'\x00' + serial

    def b64(b):
        return base64.urlsafe_b64encode(b).decode().rstrip('=')
    return f'{b64(bytes.fromhex(aki))}.{b64(serial)}'


@unittest.skipUnless(acme_available(), 'named, dig, nsupdate or pebble missing')
class RenewalInformationTests(AcmeCase):
    """A CA with renewalInfo: Certain asks it about each issued certificate
    and renews when the CA's window has come, long before its own window."""

    @classmethod
    def ca_entry(cls):
        cls.ari = AriProxy(cls.pebble)
        cls.addClassCleanup(cls.ari.stop)
        return dict(super().ca_entry(), directory=cls.ari.directory_url)

    def test_renews_when_the_ca_says_so(self):
        arn = self.request('ari.user.test')
        self.create_cnames(self.pending_records(arn))
        first = self.wait_status(arn, 'ISSUED')
        _ = self.verify_chain(arn)
        pem = os.path.join(self.tmp, arn.rsplit('/', 1)[1], 'cert.pem')
        cert_id = ari_cert_id(pem)
        deadline = time.monotonic() + WAIT
        while cert_id not in self.ari.asked:
            self.assertLess(time.monotonic(), deadline, f'never asked: {self.ari.asked}')
            time.sleep(0.2)
        target = self.certain('targets', 'create', '--kind', 'files', '--cert-path',
                              os.path.join(self.deploy_dir, 'ari.pem'), '--key-path',
                              os.path.join(self.deploy_dir, 'ari.key'))['Target']['TargetArn']
        self.certain('targets', 'associate', target, arn)
        # Far from its own window (90 days, renewed 30 days before), the CA's
        # window moves to now (as for an early revocation): renewed at once.
        time.sleep(1)
        self.assertEqual(self.describe(arn)['Serial'], first['Serial'])
        self.ari.windows[cert_id] = (time.time() - 3600, time.time() - 60)
        c = self.wait_for(arn, lambda c: c['Serial'] != first['Serial'] and
                          c.get('RenewalSummary', {}).get('RenewalStatus') == 'SUCCESS',
                          'the renewal the CA asked for')
        self.verify_chain(arn)
        # The renewed certificate is asked about in turn.
        new_id = ari_cert_id(pem)
        self.assertNotEqual(new_id, cert_id)
        deadline = time.monotonic() + WAIT
        while new_id not in self.ari.asked:
            self.assertLess(time.monotonic(), deadline, 'the new certificate is not checked')
            time.sleep(0.2)
        # Its window is months away: no further renewal.
        time.sleep(1.5)
        self.assertEqual(self.describe(arn)['Serial'], c['Serial'])

    def test_renew_certificate_during_a_check_is_not_lost(self):
        """RenewCertificate while Certain waits for the CA's answer about the
        same certificate: the check must not overwrite the renewal's job with
        its own schedule (the renewal would then wait for its claim's
        ten-minute lease), so the renewal runs at once."""
        arn = self.request('race.user.test')
        self.create_cnames(self.pending_records(arn))
        first = self.wait_status(arn, 'ISSUED')
        _ = self.verify_chain(arn)
        cert_id = ari_cert_id(os.path.join(self.tmp, arn.rsplit('/', 1)[1], 'cert.pem'))
        target = self.certain('targets', 'create', '--kind', 'files', '--cert-path',
                              os.path.join(self.deploy_dir, 'race.pem'), '--key-path',
                              os.path.join(self.deploy_dir, 'race.key'))['Target']['TargetArn']
        self.certain('targets', 'associate', target, arn)  # in use: eligible
        deadline = time.monotonic() + WAIT
        while cert_id not in self.ari.asked:
            self.assertLess(time.monotonic(), deadline, 'never asked')
            time.sleep(0.2)
        # The next check (Retry-After is obeyed from 10 s) waits 4 s for its answer.
        self.ari.delays[cert_id] = 4
        asked = self.ari.asked.count(cert_id)
        deadline = time.monotonic() + WAIT
        while self.ari.asked.count(cert_id) == asked:
            self.assertLess(time.monotonic(), deadline, 'no second check')
            time.sleep(0.05)
        self.cli_ok('acm', 'renew-certificate', '--certificate-arn', arn)
        self.ari.delays.pop(cert_id)
        self.wait_for(arn, lambda c: c['Serial'] != first['Serial'] and
                      c.get('RenewalSummary', {}).get('RenewalStatus') == 'SUCCESS',
                      'the renewal asked for during the check')


if __name__ == '__main__':
    unittest.main()
