"""Revocation as a client sees it (issue 7; spec pca.md §6.8): CRLs and OCSP on
the public listener (`serve --public-listen`), checked with Debian's openssl.

A root and a subordinate CA with CRL and OCSP enabled; leaves from the
subordinate carry the CDP and AIA URLs of the public listener. Revoking a leaf
puts it, with its reason, in a CRL that `openssl crl` verifies within seconds
and that makes `openssl verify -crl_check` refuse it; OCSP says good / revoked
/ unknown, with and without a nonce, over POST and GET. Revoking an
intermediate at the root makes its leaves fail `-crl_check_all`.
"""
import base64
import json
import os
import re
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

from tests.integration.harness import (EXT_AIA, EXT_CDP, CA, CertainTestCase,
                                       ca_configuration, create_ca, free_port, get_ca_csr,
                                       get_certificate, issue, issue_and_get, run_certain,
                                       to_bytes, wait_ca_status)

WAIT = 15.0  # seconds a revocation may take to show (the server runs --crl-delay 1)


def revocation(bucket, ocsp=True):
    return {'CrlConfiguration': {'Enabled': True, 'ExpirationInDays': 3,
                                 'S3BucketName': bucket},
            'OcspConfiguration': {'Enabled': ocsp}}


class RevocationBase(CertainTestCase):
    """The server with its public listener, the two CAs and the helpers."""

    extra_args = ()

    @classmethod
    def setUpClass(cls):
        cls.public_port = free_port()
        cls.public = f'http://127.0.0.1:{cls.public_port}'
        cls.server_args = ('--public-listen', f'127.0.0.1:{cls.public_port}',
                           '--crl-delay', '1', *cls.extra_args)
        super().setUpClass()

    @classmethod
    def setUpFixtures(cls):
        cls.root = cls.make_ca('ROOT', None, 'Revocation Root', 'root-crls')
        cls.sub = cls.make_ca('SUBORDINATE', cls.root, 'Revocation Sub', 'sub-crls')
        cls.root_pem = cls.openssl.write(cls.root.cert, 'root')
        cls.sub_pem = cls.openssl.write(cls.sub.cert, 'sub')

    @classmethod
    def make_ca(cls, kind, parent, cn, bucket, arn=None):
        """An ACTIVE CA with CRL and OCSP enabled (harness build_* without them);
        arn: one already created, to be installed."""
        arn = arn or create_ca(cls.pca, kind, common_name=cn,
                               RevocationConfiguration=revocation(bucket))
        csr = get_ca_csr(cls.pca, arn)
        if parent is None:
            cert_arn = issue(cls.pca, arn, csr, template='RootCACertificate',
                             validity={'Type': 'YEARS', 'Value': 10})
            cert = get_certificate(cls.pca, arn, cert_arn)['Certificate']
            cls.pca.import_certificate_authority_certificate(
                CertificateAuthorityArn=arn, Certificate=to_bytes(cert))
            return CA(arn, cert, None, 'EC_prime256v1', 'SHA256WITHECDSA')
        cert_arn = issue(cls.pca, parent.arn, csr, template='SubordinateCACertificate_PathLen0',
                         validity={'Type': 'YEARS', 'Value': 5})
        cert = get_certificate(cls.pca, parent.arn, cert_arn)['Certificate']
        cls.pca.import_certificate_authority_certificate(
            CertificateAuthorityArn=arn, Certificate=to_bytes(cert),
            CertificateChain=to_bytes(parent.bundle))
        return CA(arn, cert, parent.bundle, 'EC_prime256v1', 'SHA256WITHECDSA')

    # -- helpers ------------------------------------------------------------

    def leaf(self, ca, cn='leaf.example.com', validity=None):
        """(PEM path, PEM, serial hex) of a new leaf issued by ca."""
        key = self.openssl.genkey()
        _, pem, _ = issue_and_get(self.pca, ca.arn, self.openssl.csr(key, f'/CN={cn}'),
                                  validity=validity)
        return self.openssl.write(pem, 'leaf'), pem, self.openssl.cert(pem).serial_hex

    def revoke(self, ca, serial_hex, reason='KEY_COMPROMISE'):
        self.pca.revoke_certificate(CertificateAuthorityArn=ca.arn, CertificateSerial=serial_hex,
                                    RevocationReason=reason)

    def ca_id(self, ca):
        return ca.arn.rsplit('/', 1)[1]

    def fetch(self, path):
        with urllib.request.urlopen(self.public + path, timeout=10) as r:
            return r.status, r.headers.get('Content-Type'), r.read()

    def crl(self, ca):
        """(DER path, PEM path, `crl -text`) of the CA's current CRL; a CA that
        has just become ACTIVE gets its first one within moments."""
        deadline = time.monotonic() + WAIT
        while True:
            try:
                status, ctype, der = self.fetch(f'/crl/{self.ca_id(ca)}.crl')
                break
            except urllib.error.HTTPError as e:
                if e.code != 404 or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.assertEqual((status, ctype), (200, 'application/pkix-crl'))
        der_path = self.openssl.write(der, 'crl', 'der')
        pem_path = self.openssl.path('crl')
        self.openssl.run('crl', '-inform', 'DER', '-in', der_path, '-out', pem_path)
        text = self.openssl.run('crl', '-in', pem_path, '-noout', '-text').stdout.decode()
        return der_path, pem_path, text

    def crl_number(self, text):
        m = re.search(r'X509v3 CRL Number:\s*\n\s*([0-9]+)\s*\n', text)
        self.assertIsNotNone(m, text)
        return int(m.group(1))

    def crl_listing(self, ca, serial_hex):
        """Polls the CA's CRL until it lists serial_hex; returns (der, pem, text)."""
        deadline = time.monotonic() + WAIT
        while True:
            got = self.crl(ca)
            if serial_hex.upper() in got[2].replace(':', '').upper():
                return got
            if time.monotonic() > deadline:
                self.fail(f'serial {serial_hex} not in the CRL within {WAIT} s:\n{got[2]}')
            time.sleep(0.2)

    def ocsp(self, *args):
        """openssl ocsp against the public listener -> (rc, output)."""
        p = self.openssl.run('ocsp', '-issuer', self.sub_pem, '-CAfile', self.root_pem,
                             '-url', f'{self.public}/ocsp', *args, check=False)
        return p.returncode, (p.stdout + p.stderr).decode(errors='replace')

    def listed(self, text, serial_hex):
        return serial_hex.upper() in text.replace(':', '').upper()


class RevocationTest(RevocationBase):

    # -- CRL ----------------------------------------------------------------

    def test_leaf_names_the_public_listener(self):
        _, pem, _ = self.leaf(self.sub)
        exts = self.openssl.cert(pem).extensions
        self.assertIn(f'{self.public}/crl/{self.ca_id(self.sub)}.crl', exts[EXT_CDP].value)
        self.assertIn(f'OCSP - URI:{self.public}/ocsp', exts[EXT_AIA].value)
        # The root's own certificate carries neither.
        root_exts = self.openssl.cert(self.root.cert).extensions
        self.assertNotIn(EXT_CDP, root_exts)
        self.assertNotIn(EXT_AIA, root_exts)

    def test_crl_verifies_lists_reason_and_numbers_increase(self):
        _, _, text0 = self.crl(self.sub)
        n0 = self.crl_number(text0)
        path, _, serial = self.leaf(self.sub)
        self.revoke(self.sub, serial, 'KEY_COMPROMISE')
        der, _, text = self.crl_listing(self.sub, serial)
        self.openssl.run('crl', '-inform', 'DER', '-in', der, '-CAfile', self.sub_pem,
                         '-noout')  # exits non-zero on a bad signature
        out = self.openssl.run('crl', '-inform', 'DER', '-in', der, '-CAfile',
                               self.sub_pem, '-noout').stderr.decode()
        self.assertIn('verify OK', out)
        self.assertIn('Key Compromise', text)
        n1 = self.crl_number(text)
        self.assertGreater(n1, n0)
        _, _, serial2 = self.leaf(self.sub)
        self.revoke(self.sub, serial2, 'SUPERSEDED')
        _, _, text2 = self.crl_listing(self.sub, serial2)
        self.assertGreater(self.crl_number(text2), n1)
        self.assertIn('Superseded', text2)
        # nextUpdate = thisUpdate + ExpirationInDays (3).
        this = re.search(r'Last Update: (.+)', text2).group(1)
        nxt = re.search(r'Next Update: (.+)', text2).group(1)
        fmt = '%b %d %H:%M:%S %Y %Z'
        delta = time.mktime(time.strptime(nxt, fmt)) - time.mktime(time.strptime(this, fmt))
        self.assertEqual(delta, 3 * 86400)
        # Written to the folder standing in for the bucket.
        on_disk = os.path.join(self.server.data, 'crl', 'sub-crls', 'crl',
                               f'{self.ca_id(self.sub)}.crl')
        self.assertTrue(os.path.exists(on_disk))

    def test_verify_crl_check_rejects_revoked_accepts_good(self):
        good, _, _ = self.leaf(self.sub, 'good.example.com')
        bad, _, serial = self.leaf(self.sub, 'bad.example.com')
        self.revoke(self.sub, serial)
        _, crl_pem, _ = self.crl_listing(self.sub, serial)

        def verify(leaf):
            p = self.openssl.run('verify', '-crl_check', '-CRLfile', crl_pem, '-CAfile',
                                 self.root_pem, '-untrusted', self.sub_pem, leaf, check=False)
            return p.returncode, (p.stdout + p.stderr).decode()

        rc, out = verify(good)
        self.assertEqual(rc, 0, out)
        rc, out = verify(bad)
        self.assertNotEqual(rc, 0, out)
        self.assertIn('certificate revoked', out)

    def test_revoked_intermediate_fails_crl_check_all(self):
        sub2 = self.make_ca('SUBORDINATE', self.root, 'Revocation Sub Two', 'sub2-crls')
        sub2_pem = self.openssl.write(sub2.cert, 'sub2')
        leaf, _, _ = self.leaf(sub2)
        _, sub2_crl, _ = self.crl(sub2)  # both CRLs exist once sub2 is ACTIVE
        _, root_crl, _ = self.crl(self.root)
        both = self.openssl.write(open(root_crl).read() + open(sub2_crl).read(), 'crls')

        def verify():
            p = self.openssl.run('verify', '-crl_check_all', '-CRLfile', both, '-CAfile',
                                 self.root_pem, '-untrusted', sub2_pem, leaf, check=False)
            return p.returncode, (p.stdout + p.stderr).decode()

        rc, out = verify()
        self.assertEqual(rc, 0, out)
        self.revoke(self.root, self.openssl.cert(sub2.cert).serial_hex, 'CERTIFICATE_AUTHORITY_COMPROMISE')
        _, root_crl, text = self.crl_listing(self.root, self.openssl.cert(sub2.cert).serial_hex)
        self.assertIn('CA Compromise', text)
        both = self.openssl.write(open(root_crl).read() + open(sub2_crl).read(), 'crls')
        rc, out = verify()
        self.assertNotEqual(rc, 0, out)
        self.assertIn('certificate revoked', out)

    # -- CustomPath (pca.md §6.8; newer than Debian's botocore: raw requests) --

    def create_raw(self, crl):
        body = {'CertificateAuthorityType': 'ROOT',
                'CertificateAuthorityConfiguration': ca_configuration(common_name='Path Root'),
                'RevocationConfiguration': {'CrlConfiguration': crl}}
        return self.raw('CreateCertificateAuthority', json.dumps(body).encode())

    def test_custom_path_moves_url_and_file(self):
        crl = dict(revocation('path-crls')['CrlConfiguration'], CustomPath='pki/crls-v1')
        arn = self.assertRawOk(self.create_raw(crl))['CertificateAuthorityArn']
        wait_ca_status(self.pca, arn)
        ca = self.make_ca('ROOT', None, 'Path Root', 'path-crls', arn=arn)
        got = self.pca.describe_certificate_authority(CertificateAuthorityArn=arn)
        self.assertEqual(self.raw('DescribeCertificateAuthority', json.dumps(
            {'CertificateAuthorityArn': arn}).encode()).json['CertificateAuthority'][
                'RevocationConfiguration']['CrlConfiguration']['CustomPath'], 'pki/crls-v1')
        self.assertEqual(got['CertificateAuthority']['Status'], 'ACTIVE')
        _, pem, serial = self.leaf(ca, 'path.example.com')
        url = f'{self.public}/pki/crls-v1/{self.ca_id(ca)}.crl'
        self.assertIn(f'URI:{url}', self.openssl.cert(pem).extensions[EXT_CDP].value)
        self.revoke(ca, serial)
        deadline = time.monotonic() + WAIT
        while True:
            try:
                _, ctype, der = self.fetch(f'/pki/crls-v1/{self.ca_id(ca)}.crl')
                text = self.openssl.run('crl', '-inform', 'DER', '-in',
                                        self.openssl.write(der, 'crl', 'der'), '-noout',
                                        '-text').stdout.decode()
                if self.listed(text, serial):
                    break
            except urllib.error.HTTPError as e:
                if e.code != 404:
                    raise
            self.assertLess(time.monotonic(), deadline, 'the CRL never listed the serial')
            time.sleep(0.2)
        self.assertEqual(ctype, 'application/pkix-crl')
        # Served only under its own path; written under the bucket's folder there.
        for other in (f'/crl/{self.ca_id(ca)}.crl', f'/pki/{self.ca_id(ca)}.crl'):
            with self.assertRaises(urllib.error.HTTPError) as cm:
                self.fetch(other)
            self.assertEqual(cm.exception.code, 404)
        on_disk = os.path.join(self.server.data, 'crl', 'path-crls', 'pki', 'crls-v1',
                               f'{self.ca_id(ca)}.crl')
        self.assertTrue(os.path.exists(on_disk))

    def test_custom_path_validation(self):
        base = revocation('path-crls')['CrlConfiguration']
        for path, code in (('a//b', 'ValidationException'), ('/a', 'ValidationException'),
                           ('a/', 'ValidationException'), ('a b', 'ValidationException'),
                           ('a/../b', 'InvalidArgsException'), ('.', 'InvalidArgsException'),
                           ('x' * 254, 'ValidationException')):
            with self.subTest(path=path):
                self.assertRawError(self.create_raw(dict(base, CustomPath=path)), code)
        bad = {'CrlConfiguration': dict(base, CrlType='SOMETIMES')}
        self.assertRawError(self.raw('CreateCertificateAuthority', json.dumps({
            'CertificateAuthorityType': 'ROOT',
            'CertificateAuthorityConfiguration': ca_configuration(),
            'RevocationConfiguration': bad}).encode()), 'ValidationException')

    # -- PARTITIONED (pca.md §6.8) ------------------------------------------

    def partitioned_ca(self):
        crl = dict(revocation('part-crls')['CrlConfiguration'], CrlType='PARTITIONED')
        arn = self.assertRawOk(self.create_raw(crl))['CertificateAuthorityArn']
        wait_ca_status(self.pca, arn)
        return self.make_ca('ROOT', None, 'Partitioned Root', 'part-crls', arn=arn)

    def test_partitioned_crls_carry_the_idp_of_their_certificates(self):
        ca = self.partitioned_ca()
        ca_pem = self.openssl.write(ca.cert, 'proot')
        leaves = {}   # partition -> (path, serial)
        for i in range(40):
            path, pem, serial = self.leaf(ca, f'p{i}.example.com')
            part = serial.lower().zfill(32)[2]
            url = f'{self.public}/crl/{self.ca_id(ca)}-{part}.crl'
            self.assertIn(f'URI:{url}', self.openssl.cert(pem).extensions[EXT_CDP].value)
            leaves.setdefault(part, (path, serial))
            if len(leaves) >= 2:
                break
        (p_bad, (bad, bad_serial)), (p_good, (good, _)) = list(leaves.items())[:2]
        self.revoke(ca, bad_serial)

        def partition_crl(part, want_serial=None):
            deadline = time.monotonic() + WAIT
            while True:
                try:
                    _, ctype, der = self.fetch(f'/crl/{self.ca_id(ca)}-{part}.crl')
                    der_path = self.openssl.write(der, 'pcrl', 'der')
                    pem_path = self.openssl.path('pcrl')
                    self.openssl.run('crl', '-inform', 'DER', '-in', der_path, '-out',
                                     pem_path)
                    text = self.openssl.run('crl', '-in', pem_path, '-noout',
                                            '-text').stdout.decode()
                    if want_serial is None or self.listed(text, want_serial):
                        return pem_path, text
                except urllib.error.HTTPError as e:
                    if e.code != 404:
                        raise
                self.assertLess(time.monotonic(), deadline, f'partition {part} CRL')
                time.sleep(0.2)

        bad_crl, text = partition_crl(p_bad, bad_serial)
        self.assertRegex(text, r'X509v3 Issuing Distribution Point: critical\s*\n\s*'
                         r'Full Name:\s*\n\s*URI:' + re.escape(
                             f'{self.public}/crl/{self.ca_id(ca)}-{p_bad}.crl'))
        out = self.openssl.run('crl', '-in', bad_crl, '-CAfile', ca_pem,
                               '-noout').stderr.decode()
        self.assertIn('verify OK', out)
        good_crl, good_text = partition_crl(p_good)
        self.assertFalse(self.listed(good_text, bad_serial), good_text)

        def verify(leaf, crl):
            p = self.openssl.run('verify', '-crl_check', '-CRLfile', crl, '-CAfile', ca_pem,
                                 leaf, check=False)
            return p.returncode, (p.stdout + p.stderr).decode()

        rc, out = verify(bad, bad_crl)
        self.assertNotEqual(rc, 0, out)
        self.assertIn('certificate revoked', out)
        rc, out = verify(good, good_crl)
        self.assertEqual(rc, 0, out)
        # Another partition's CRL does not cover it: its IDP names another URL.
        rc, out = verify(good, bad_crl)
        self.assertNotEqual(rc, 0, out)
        # No complete CRL for a partitioned CA; 16 partitions, no more.
        for path in (f'/crl/{self.ca_id(ca)}.crl', f'/crl/{self.ca_id(ca)}-g.crl'):
            with self.assertRaises(urllib.error.HTTPError) as cm:
                self.fetch(path)
            self.assertEqual(cm.exception.code, 404)
        self.assertTrue(os.path.exists(os.path.join(
            self.server.data, 'crl', 'part-crls', 'crl', f'{self.ca_id(ca)}-{p_bad}.crl')))

    def test_partitioned_needs_the_extension(self):
        crl = dict(revocation('part-crls')['CrlConfiguration'], CrlType='PARTITIONED',
                   CrlDistributionPointExtensionConfiguration={'OmitExtension': True})
        self.assertRawError(self.create_raw(crl), 'InvalidArgsException')

    def test_unknown_paths_are_404(self):
        for path in ('/crl/not-a-ca.crl', '/crl/00000000-0000-4000-8000-000000000000.crl',
                     '/nothing.txt', '/ocsp-but-not'):
            with self.assertRaises(urllib.error.HTTPError) as cm:
                self.fetch(path)
            self.assertEqual(cm.exception.code, 404, path)

    # -- OCSP ---------------------------------------------------------------

    def test_ocsp_good_revoked_unknown(self):
        path, _, serial = self.leaf(self.sub)
        rc, out = self.ocsp('-cert', path)
        self.assertEqual(rc, 0, out)
        self.assertIn(f'{path}: good', out)
        self.assertIn('Response verify OK', out)
        self.assertNotIn('WARNING', out)  # the nonce came back
        rc, out = self.ocsp('-cert', path, '-no_nonce')
        self.assertIn(f'{path}: good', out)
        self.assertIn('Response verify OK', out)
        self.assertIn('Next Update:', out)

        self.revoke(self.sub, serial, 'AFFILIATION_CHANGED')
        # Within seconds (the cache is invalidated at once), both with and without nonce.
        for extra in ((), ('-no_nonce',)):
            rc, out = self.ocsp('-cert', path, *extra)
            self.assertEqual(rc, 0, out)
            self.assertIn(f'{path}: revoked', out)
            self.assertIn('Reason: affiliationChanged', out)
            self.assertIn('Revocation Time:', out)
            self.assertIn('Response verify OK', out)

        rc, out = self.ocsp('-serial', '0x0123456789abcdef', '-no_nonce')
        self.assertIn('0x0123456789abcdef: unknown', out)
        self.assertIn('Response verify OK', out)

    def test_ocsp_unknown_ca_is_unauthorized_and_garbage_malformed(self):
        other_key = self.openssl.genkey()
        other = self.openssl.self_signed(other_key, '/CN=Someone Else',
                                         exts=['basicConstraints = critical,CA:TRUE'])
        p = self.openssl.run('ocsp', '-issuer', self.openssl.write(other, 'other'), '-serial',
                             '0x01', '-url', f'{self.public}/ocsp', check=False)
        out = (p.stdout + p.stderr).decode(errors='replace')
        self.assertIn('unauthorized', out.lower())
        req = urllib.request.Request(f'{self.public}/ocsp', data=b'\x30\x03\x02\x01\x01',
                                     headers={'Content-Type': 'application/ocsp-request'})
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
            self.assertEqual(r.headers.get('Content-Type'), 'application/ocsp-response')
        self.assertEqual(body, bytes([0x30, 0x03, 0x0a, 0x01, 0x01]))  # malformedRequest

    def test_ocsp_get_form(self):
        path, _, serial = self.leaf(self.sub)
        req = self.openssl.path('ocspreq', 'der')
        self.openssl.run('ocsp', '-issuer', self.sub_pem, '-cert', path, '-no_nonce',
                         '-reqout', req)
        with open(req, 'rb') as f:
            b64 = base64.b64encode(f.read()).decode()
        status, ctype, body = self.fetch('/ocsp/' + urllib.parse.quote(b64, safe=''))
        self.assertEqual((status, ctype), (200, 'application/ocsp-response'))
        resp = self.openssl.write(body, 'ocspresp', 'der')
        p = self.openssl.run('ocsp', '-respin', resp, '-issuer', self.sub_pem, '-cert', path,
                             '-CAfile', self.root_pem, check=False)
        out = (p.stdout + p.stderr).decode(errors='replace')
        self.assertIn(f'{path}: good', out)
        self.assertIn('Response verify OK', out)


class CrlExpiryTest(RevocationBase):
    """Spec pca.md §5.12, §6.8: a revoked certificate stays in the CRL until it
    expires, then appears in one more CRL and leaves (RFC 5280 §3.3), by the
    server's clock (`serve --test-clock`, `certain clock advance`)."""

    extra_args = ('--test-clock',)

    def advance(self, duration):
        rc, out, err = run_certain(self.server, 'clock', 'advance', duration)
        self.assertEqual(rc, 0, err)
        return out['Now']

    def next_crl(self, ca, after_number):
        """The CA's first CRL numbered above after_number: (der, pem, text)."""
        deadline = time.monotonic() + WAIT
        while True:
            got = self.crl(ca)
            if self.crl_number(got[2]) > after_number:
                return got
            if time.monotonic() > deadline:
                self.fail(f'no CRL after number {after_number} within {WAIT} s')
            time.sleep(0.2)

    def test_expired_entries_leave_after_one_more_crl(self):
        _, _, short_serial = self.leaf(self.sub, 'short.example.com',
                                           validity={'Type': 'DAYS', 'Value': 2})
        _, _, long_serial = self.leaf(self.sub, 'long.example.com')   # 30 days
        self.revoke(self.sub, short_serial)
        self.revoke(self.sub, long_serial, 'SUPERSEDED')
        self.crl_listing(self.sub, short_serial)
        _, _, text = self.crl_listing(self.sub, long_serial)
        self.assertTrue(self.listed(text, short_serial), text)
        # Past the short one's notAfter; the CRL (3 days, renewed at half) is due.
        self.advance('49h')
        _, _, text = self.next_crl(self.sub, self.crl_number(text))
        self.assertTrue(self.listed(text, short_serial),
                        'the first CRL after the expiry must still list it:\n' + text)
        self.assertTrue(self.listed(text, long_serial), text)
        # The next one leaves it out; the unexpired revocation stays.
        self.advance('37h')
        der, pem, text = self.next_crl(self.sub, self.crl_number(text))
        self.assertFalse(self.listed(text, short_serial), text)
        self.assertTrue(self.listed(text, long_serial), text)
        self.assertIn('Superseded', text)
        out = self.openssl.run('crl', '-inform', 'DER', '-in', der, '-CAfile', self.sub_pem,
                               '-noout').stderr.decode()
        self.assertIn('verify OK', out)


class DelegatedOcspTest(RevocationBase):
    """serve --ocsp-delegated (pca.md §6.8, RFC 6960 §4.2.2.2): responses signed by a
    responder certificate the CA issued (id-kp-OCSPSigning, id-pkix-ocsp-nocheck),
    which `openssl ocsp` accepts against the CA, renewed when half its life is gone."""

    extra_args = ('--ocsp-delegated', '--test-clock')

    def query(self, leaf, *args):
        """(status text, responder certificate PEM) of an `openssl ocsp` query."""
        resp = self.openssl.path('ocspresp', 'der')
        rc, out = self.ocsp('-cert', leaf, '-respout', resp, *args)
        self.assertEqual(rc, 0, out + self.server.stderr_tail())
        self.assertIn('Response verify OK', out)
        text = self.openssl.run('ocsp', '-respin', resp, '-resp_text',
                                '-noverify').stdout.decode()
        m = re.search(r'-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----', text, re.S)
        self.assertIsNotNone(m, text)
        return out, m.group(0)

    def test_delegated_responder_signs_and_renews(self):
        leaf, _, serial = self.leaf(self.sub, 'delegated.example.com')
        out, responder = self.query(leaf)
        self.assertIn(f'{leaf}: good', out)
        info = self.openssl.cert(responder)
        text = self.openssl.run('x509', '-noout', '-text', '-in',
                                self.openssl.write(responder, 'responder')).stdout.decode()
        self.assertIn('OCSP Signing', text)
        self.assertIn('OCSP No Check', text)
        self.assertIn('CN = OCSP Responder', text)
        self.assertIn('CA:FALSE', text)
        # Issued by the subordinate CA whose statuses it signs.
        p = self.openssl.run('verify', '-partial_chain', '-CAfile', self.sub_pem,
                             self.openssl.write(responder, 'responder'), check=False)
        self.assertEqual(p.returncode, 0, (p.stdout + p.stderr).decode())
        self.revoke(self.sub, serial)
        deadline = time.monotonic() + WAIT
        while f'{leaf}: revoked' not in out and time.monotonic() < deadline:
            time.sleep(0.2)
            out, again = self.query(leaf)
        self.assertIn(f'{leaf}: revoked', out)
        self.assertEqual(self.openssl.cert(again).serial_hex, info.serial_hex,
                         'a fresh responder was issued without need')
        # 16 of its 30 days later the next index rebuild (here: a CA change) renews it.
        rc, now, err = run_certain(self.server, 'clock', 'advance', '16d')
        self.assertEqual(rc, 0, err)
        # openssl checks with the host's clock: at the server's, with that much leeway.
        at = ('-attime', str(now['Now']), '-validity_period', str(17 * 86400))
        self.pca.update_certificate_authority(
            CertificateAuthorityArn=self.sub.arn,
            RevocationConfiguration=revocation('sub-crls'))
        deadline = time.monotonic() + WAIT
        while True:
            out, renewed = self.query(leaf, *at)
            if self.openssl.cert(renewed).serial_hex != info.serial_hex or \
                    time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertNotEqual(self.openssl.cert(renewed).serial_hex, info.serial_hex)
        self.assertIn(f'{leaf}: revoked', out)
        # Within a day of the CA's own expiry no responder could outlive it: the CA signs.
        end = self.openssl.cert(self.sub.cert).not_after
        rc, now, err = run_certain(self.server, 'clock', 'advance',
                                   f'{end - 43200 - now["Now"]}s')
        self.assertEqual(rc, 0, err)
        self.pca.update_certificate_authority(
            CertificateAuthorityArn=self.sub.arn,
            RevocationConfiguration=revocation('sub-crls'))
        resp = self.openssl.path('ocspresp', 'der')
        at = ('-attime', str(now['Now']), '-validity_period', str(int(end - time.time())))
        rc, out = self.ocsp('-cert', leaf, '-respout', resp, *at)
        self.assertEqual(rc, 0, out + self.server.stderr_tail())
        self.assertIn(f'{leaf}: revoked', out)
        text = self.openssl.run('ocsp', '-respin', resp, '-resp_text',
                                '-noverify').stdout.decode()
        self.assertNotIn('BEGIN CERTIFICATE', text)


if __name__ == '__main__':
    unittest.main()
