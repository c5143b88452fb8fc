"""ACM ImportCertificate (acm.md §5.5, §6.5): certificates made by openssl,
the fields Describe derives from them, every content check in order, and the
re-import rules. Also the operations an imported certificate refuses
(Export, Renew, UpdateCertificateOptions)."""
import base64
import datetime
import os
import sys
import time

if __package__ in (None, ''):
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..')))

import unittest  # noqa: E402

from tests.integration.harness import (  # noqa: E402
    ARN_ACM_RE, EXT_CP, CertainTestCase, acm_list_all, colon_hex, pem_blocks, to_bytes)

EKU_OID = {
    'TLS_WEB_SERVER_AUTHENTICATION': '1.3.6.1.5.5.7.3.1',
    'TLS_WEB_CLIENT_AUTHENTICATION': '1.3.6.1.5.5.7.3.2',
    'CODE_SIGNING': '1.3.6.1.5.5.7.3.3',
    'EMAIL_PROTECTION': '1.3.6.1.5.5.7.3.4',
}
MS_EFS_OID = '1.3.6.1.4.1.311.10.3.4'   # not one ACM names: CUSTOM
CA_EXTS = ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign',
           'subjectKeyIdentifier = hash']


def ts(value):
    """A boto3 timestamp (datetime) as epoch seconds."""
    return value.timestamp() if isinstance(value, datetime.datetime) else float(value)


def dn_parts(s):
    """'C=US,O=Example Corp,CN=x' or 'C = US, O = ...' -> {'C=US', 'O=Example Corp', ...}."""
    return {p.replace(' = ', '=').strip() for p in s.split(',') if p.strip()}


class ImportTests(CertainTestCase):

    @classmethod
    def setUpFixtures(cls):
        o = cls.openssl
        cls.root_key = o.genkey()
        cls.root = o.self_signed(cls.root_key, '/C=US/O=Example Trust/CN=Example Root CA',
                                 CA_EXTS, days=3650)
        cls.inter_key = o.genkey(curve='P-384')
        cls.inter = o.sign(o.csr(cls.inter_key, '/C=US/O=Example Trust/CN=Example Issuing CA'),
                           cls.root, cls.root_key,
                           ['basicConstraints = critical, CA:TRUE, pathlen:0',
                            'keyUsage = critical, keyCertSign, cRLSign',
                            'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid'],
                           days=1825, digest='sha384')
        cls.chain = to_bytes(cls.inter) + to_bytes(cls.root)

        # OV server certificate, EC P-256, issued by the intermediate.
        cls.ec_key = o.genkey()
        cls.ec_cert = cls.leaf(cls.ec_key, '/C=US/O=Example Corp/CN=www.example.com', [
            'subjectAltName = DNS:www.example.com, DNS:shop.example.com',
            'keyUsage = critical, digitalSignature',
            'extendedKeyUsage = serverAuth, clientAuth',
            'certificatePolicies = 2.23.140.1.2.2'])
        # EV certificate, RSA 2048, with a custom EKU OID, SHA-384 signature.
        cls.rsa_key = o.genkey('rsa', bits=2048)
        cls.rsa_cert = cls.leaf(cls.rsa_key, '/CN=secure.example.com', [
            'subjectAltName = DNS:secure.example.com',
            'keyUsage = critical, digitalSignature, keyEncipherment',
            f'extendedKeyUsage = serverAuth, {MS_EFS_OID}',
            'certificatePolicies = 2.23.140.1.1'], digest='sha384')
        # Self-signed, subject CN only, no SAN, no EKU.
        cls.self_key = o.genkey()
        cls.self_cert = o.self_signed(cls.self_key, '/CN=self.example.com',
                                      ['basicConstraints = CA:FALSE',
                                       'keyUsage = critical, digitalSignature'])

    @classmethod
    def leaf(cls, key, subject, exts, digest='sha256', issuer=None):
        """A v3 certificate for key, issued by the intermediate (or issuer=(cert, key))."""
        ca_cert, ca_key = issuer or (cls.inter, cls.inter_key)
        return cls.openssl.sign(cls.openssl.csr(key, subject), ca_cert, ca_key,
                                ['basicConstraints = CA:FALSE', *exts], days=90, digest=digest)

    def read(self, path):
        with open(path, 'rb') as f:
            return f.read()

    def imp(self, cert, key, chain=None, client=None, **kw):
        args = dict(Certificate=to_bytes(cert), PrivateKey=to_bytes(key), **kw)
        if chain is not None:
            args['CertificateChain'] = to_bytes(chain)
        return (client or self.acm).import_certificate(**args)['CertificateArn']

    def detail(self, arn):
        return self.acm.describe_certificate(CertificateArn=arn)['Certificate']

    def all_arns(self):
        return {c['CertificateArn'] for c in acm_list_all(self.acm)}

    def dated_cert(self, key, subject, start, end, exts):
        """Self-signed certificate with an explicit validity (openssl ca -selfsign)."""
        o = self.openssl
        d = os.path.dirname(o.path('ca-dir'))
        d = os.path.join(d, f'ca-{time.monotonic_ns()}')
        os.makedirs(d)
        open(os.path.join(d, 'index.txt'), 'w').close()
        with open(os.path.join(d, 'serial'), 'w') as f:
            f.write('1A2B3C\n')
        cnf = os.path.join(d, 'ca.cnf')
        with open(cnf, 'w') as f:
            f.write(f'[ca]\ndefault_ca = d\n[d]\ndatabase = {d}/index.txt\n'
                    f'new_certs_dir = {d}\nserial = {d}/serial\ndefault_md = sha256\n'
                    'policy = p\nunique_subject = no\nemail_in_dn = no\n'
                    '[p]\ncommonName = optional\norganizationName = optional\n'
                    '[ext]\n' + '\n'.join(exts) + '\n')
        out = os.path.join(d, 'out.pem')
        o.run('ca', '-batch', '-config', cnf, '-selfsign', '-keyfile', key,
              '-in', o.write(o.csr(key, subject), 'csr'), '-out', out, '-startdate', start,
              '-enddate', end, '-extfile', cnf, '-extensions', 'ext', '-notext')
        return self.read(out)

    def assertImportRejected(self, cert, key, chain=None, code='ValidationException', **kw):
        before = self.all_arns()
        args = dict(Certificate=to_bytes(cert), PrivateKey=to_bytes(key), **kw)
        if chain is not None:
            args['CertificateChain'] = to_bytes(chain)
        err = self.assertClientError(code, self.acm.import_certificate, **args)
        self.assertEqual(self.all_arns(), before, 'a rejected import stored a certificate')
        return err

    # -- what Describe derives ---------------------------------------------------------

    def test_import_ec_ov_with_chain(self):
        t0 = time.time()
        arn = self.imp(self.ec_cert, self.read(self.ec_key), self.chain,
                       Tags=[{'Key': 'team', 'Value': 'web'}, {'Key': 'flag'}])
        t1 = time.time()
        m = ARN_ACM_RE.match(arn)
        self.assertIsNotNone(m, arn)
        self.assertEqual(m['account'], self.account)
        info = self.openssl.cert(self.ec_cert)
        self.assertIn('Policy: 2.23.140.1.2.2', info.extensions[EXT_CP].value)  # OV
        d = self.detail(arn)
        self.assertEqual(d['CertificateArn'], arn)
        self.assertEqual(d['Type'], 'IMPORTED')
        self.assertEqual(d['Status'], 'ISSUED')
        self.assertEqual(d['DomainName'], 'www.example.com')
        self.assertEqual(set(d['SubjectAlternativeNames']), {'www.example.com', 'shop.example.com'})
        self.assertEqual(len(d['SubjectAlternativeNames']), 2, d['SubjectAlternativeNames'])
        self.assertEqual(d['Serial'], colon_hex(info.serial))
        self.assertRegex(d['Serial'], r'^[0-9a-f]{2}(:[0-9a-f]{2})*$')
        self.assertEqual(d['Issuer'], 'Example Trust', 'issuer O when present')
        self.assertEqual(dn_parts(d['Subject']), {'C=US', 'O=Example Corp', 'CN=www.example.com'})
        self.assertEqual(ts(d['NotBefore']), info.not_before)
        self.assertEqual(ts(d['NotAfter']), info.not_after)
        self.assertGreaterEqual(ts(d['ImportedAt']), int(t0) - 1)
        self.assertLessEqual(ts(d['ImportedAt']), t1 + 1)
        self.assertEqual(d['KeyAlgorithm'], 'EC_prime256v1')
        self.assertEqual(d['SignatureAlgorithm'], 'SHA256WITHECDSA')
        self.assertEqual(d['KeyUsages'], [{'Name': 'DIGITAL_SIGNATURE'}])
        self.assertCountEqual(d['ExtendedKeyUsages'], [
            {'Name': 'TLS_WEB_SERVER_AUTHENTICATION', 'OID': '1.3.6.1.5.5.7.3.1'},
            {'Name': 'TLS_WEB_CLIENT_AUTHENTICATION', 'OID': '1.3.6.1.5.5.7.3.2'}])
        self.assertEqual(d['RenewalEligibility'], 'INELIGIBLE')
        self.assertEqual(d['InUseBy'], [])
        self.assertEqual(d['Options']['CertificateTransparencyLoggingPreference'], 'DISABLED')
        for absent in ('CreatedAt', 'IssuedAt', 'DomainValidationOptions',
                       'CertificateAuthorityArn', 'RenewalSummary', 'FailureReason',
                       'RevokedAt'):
            self.assertNotIn(absent, d)
        got = self.acm.get_certificate(CertificateArn=arn)
        self.assertEqual(pem_blocks(got['Certificate']), pem_blocks(self.ec_cert))
        self.assertEqual(pem_blocks(got['CertificateChain']), pem_blocks(self.chain))
        ok, out = self.openssl.verify(self.root, got['Certificate'], [got['CertificateChain']])
        self.assertTrue(ok, out)
        tags = self.acm.list_tags_for_certificate(CertificateArn=arn)['Tags']
        self.assertCountEqual(tags, [{'Key': 'team', 'Value': 'web'}, {'Key': 'flag'}])

    def test_import_rsa_ev_custom_eku(self):
        # chain without the root: allowed
        self.assertIn('Policy: 2.23.140.1.1',
                      self.openssl.cert(self.rsa_cert).extensions[EXT_CP].value)  # EV
        arn = self.imp(self.rsa_cert, self.read(self.rsa_key), self.inter)
        d = self.detail(arn)
        self.assertEqual(d['KeyAlgorithm'], 'RSA_2048')
        self.assertEqual(d['SignatureAlgorithm'], 'SHA384WITHECDSA')
        self.assertEqual(d['DomainName'], 'secure.example.com')
        self.assertEqual(d['SubjectAlternativeNames'], ['secure.example.com'])
        self.assertEqual(d['Subject'].replace(' ', ''), 'CN=secure.example.com')
        self.assertEqual(d['Issuer'], 'Example Trust')
        self.assertCountEqual(d['KeyUsages'], [{'Name': 'DIGITAL_SIGNATURE'},
                                               {'Name': 'KEY_ENCIPHERMENT'}])
        self.assertCountEqual(d['ExtendedKeyUsages'], [
            {'Name': 'TLS_WEB_SERVER_AUTHENTICATION', 'OID': '1.3.6.1.5.5.7.3.1'},
            {'Name': 'CUSTOM', 'OID': MS_EFS_OID}])
        got = self.acm.get_certificate(CertificateArn=arn)
        self.assertEqual(pem_blocks(got['CertificateChain']), pem_blocks(self.inter))

    def test_self_signed_without_san_or_eku(self):
        arn = self.imp(self.self_cert, self.read(self.self_key))
        d = self.detail(arn)
        self.assertEqual(d['Type'], 'IMPORTED')
        self.assertEqual(d['Issuer'], 'self.example.com', 'issuer CN when there is no O')
        self.assertEqual(d['DomainName'], 'self.example.com')
        self.assertEqual(d['SubjectAlternativeNames'], ['self.example.com'],
                         'the CN is a DNS name absent from the (missing) SAN list')
        self.assertEqual(d['ExtendedKeyUsages'], [])
        self.assertEqual(d['KeyUsages'], [{'Name': 'DIGITAL_SIGNATURE'}])
        got = self.acm.get_certificate(CertificateArn=arn)
        self.assertEqual(pem_blocks(got['Certificate']), pem_blocks(self.self_cert))
        self.assertNotIn('CertificateChain', got)

    def test_import_via_cli(self):
        chain_path = self.openssl.write(self.chain, 'chain')
        ec_path = self.openssl.write(self.ec_cert, 'ec')
        arn = self.cli_ok('acm', 'import-certificate', '--certificate', f'fileb://{ec_path}',
                          '--private-key', f'fileb://{self.ec_key}',
                          '--certificate-chain', f'fileb://{chain_path}',
                          '--tags', 'Key=via,Value=cli')['CertificateArn']
        self.assertRegex(arn, ARN_ACM_RE)
        d = self.cli_ok('acm', 'describe-certificate', '--certificate-arn', arn)['Certificate']
        self.assertEqual((d['Type'], d['Status'], d['DomainName']),
                         ('IMPORTED', 'ISSUED', 'www.example.com'))
        self.assertEqual(d['Serial'], colon_hex(self.openssl.cert(self.ec_cert).serial))
        self.assertIn('ImportedAt', d)
        got = self.acm.get_certificate(CertificateArn=arn)
        self.assertEqual(pem_blocks(got['Certificate']), pem_blocks(self.ec_cert))
        self.assertEqual(pem_blocks(got['CertificateChain']), pem_blocks(self.chain))
        self.assertEqual(self.acm.list_tags_for_certificate(CertificateArn=arn)['Tags'],
                         [{'Key': 'via', 'Value': 'cli'}])

    def test_key_formats_and_algorithms_accepted(self):
        o = self.openssl
        # PKCS#1 "RSA PRIVATE KEY"
        pkcs1 = o.run('rsa', '-in', self.rsa_key, '-traditional').stdout
        self.assertIn(b'BEGIN RSA PRIVATE KEY', pkcs1)
        arn = self.imp(self.rsa_cert, pkcs1, self.chain)
        self.assertEqual(self.detail(arn)['KeyAlgorithm'], 'RSA_2048')
        # SEC1 "EC PRIVATE KEY" preceded by an "EC PARAMETERS" block
        sec1 = o.run('ecparam', '-name', 'prime256v1', '-genkey').stdout
        self.assertIn(b'BEGIN EC PARAMETERS', sec1)
        sec1_path = o.write(sec1, 'sec1')
        cert = o.self_signed(sec1_path, '/CN=sec1.example.com',
                             ['subjectAltName = DNS:sec1.example.com'])
        arn = self.imp(cert, sec1)
        self.assertEqual(self.detail(arn)['KeyAlgorithm'], 'EC_prime256v1')
        # the other key types ACM knows
        for alg, kw, expected_sig in [
                ('RSA_1024', dict(alg='rsa', bits=1024), 'SHA256WITHRSA'),
                ('EC_secp384r1', dict(curve='P-384'), 'SHA512WITHECDSA'),
                ('EC_secp521r1', dict(curve='P-521'), 'SHA512WITHECDSA')]:
            with self.subTest(alg):
                key = o.genkey(**kw)
                cert = o.self_signed(key, f'/CN={alg.lower().replace("_", "-")}.example.com',
                                     ['keyUsage = critical, digitalSignature'],
                                     digest='sha256' if alg == 'RSA_1024' else 'sha512')
                d = self.detail(self.imp(cert, self.read(key)))
                self.assertEqual(d['KeyAlgorithm'], alg)
                self.assertEqual(d['SignatureAlgorithm'], expected_sig)

    def test_names_from_cn_and_sans(self):
        key = self.read(self.ec_key)
        with self.subTest('CN absent from the SANs; an IP SAN'):
            cert = self.leaf(self.ec_key, '/CN=cn.example.com', [
                'subjectAltName = DNS:alt1.example.com, IP:10.0.0.1, DNS:alt2.example.com'])
            d = self.detail(self.imp(cert, key, self.chain))
            self.assertEqual(d['DomainName'], 'cn.example.com')
            self.assertEqual(set(d['SubjectAlternativeNames']),
                             {'cn.example.com', 'alt1.example.com', 'alt2.example.com'})
            self.assertEqual(len(d['SubjectAlternativeNames']), 3, d['SubjectAlternativeNames'])
        with self.subTest('no CN: the first DNS SAN'):
            cert = self.leaf(self.ec_key, '/O=Example Corp', [
                'subjectAltName = DNS:first.example.com, DNS:second.example.com'])
            d = self.detail(self.imp(cert, key, self.chain))
            self.assertEqual(d['DomainName'], 'first.example.com')
            self.assertEqual(set(d['SubjectAlternativeNames']),
                             {'first.example.com', 'second.example.com'})
        with self.subTest('CRLF line endings'):
            crlf = to_bytes(self.ec_cert).replace(b'\n', b'\r\n')
            d = self.detail(self.imp(crlf, key.replace(b'\n', b'\r\n'),
                                     self.chain.replace(b'\n', b'\r\n')))
            self.assertEqual(d['Serial'], colon_hex(self.openssl.cert(self.ec_cert).serial))

    def test_expiry_and_reimport_revives(self):
        key = self.self_key
        now = time.time()
        fmt = '%Y%m%d%H%M%SZ'
        start = time.strftime(fmt, time.gmtime(now - 3600))
        end = time.strftime(fmt, time.gmtime(now + 3))
        cert = self.dated_cert(key, '/CN=soon.example.com', start, end,
                               ['subjectAltName = DNS:soon.example.com'])
        not_after = self.openssl.cert(cert).not_after
        arn = self.imp(cert, self.read(key))
        self.assertEqual(self.detail(arn)['Status'], 'ISSUED')
        time.sleep(max(0.0, not_after + 1.2 - time.time()))
        d = self.detail(arn)
        self.assertEqual(d['Status'], 'EXPIRED', 'a read shows ISSUED after NotAfter')
        listed = {c['CertificateArn']: c for c in acm_list_all(self.acm,
                                                               CertificateStatuses=['EXPIRED'])}
        self.assertIn(arn, listed)
        self.assertEqual(listed[arn]['Status'], 'EXPIRED')
        self.assertNotIn(arn, {c['CertificateArn'] for c in acm_list_all(
            self.acm, CertificateStatuses=['ISSUED'])})
        # an expired certificate can still be fetched
        got = self.acm.get_certificate(CertificateArn=arn)
        self.assertEqual(pem_blocks(got['Certificate']), pem_blocks(cert))
        # re-importing a valid certificate makes it ISSUED again
        self.imp(self.self_cert, self.read(key), CertificateArn=arn)
        d = self.detail(arn)
        self.assertEqual(d['Status'], 'ISSUED')
        self.assertEqual(d['DomainName'], 'self.example.com')

    # -- §6.5 checks one by one ------------------------------------------------------------

    def test_sizes_over_limits(self):
        ec_key = self.read(self.ec_key)
        cert = to_bytes(self.ec_cert)
        with self.subTest('certificate 32769 bytes'):
            self.assertImportRejected(cert + b'\n' * (32769 - len(cert)), ec_key, self.chain)
        with self.subTest('private key 5121 bytes'):
            self.assertImportRejected(cert, ec_key + b'\n' * (5121 - len(ec_key)), self.chain)
        with self.subTest('chain 2 MiB + 1'):
            # Sent raw: the body (about 2.8 MB of base64) is within what the
            # model allows a request to carry, so this is a 400, not a 413.
            big = to_bytes(self.chain)
            big = (big * (2097153 // len(big) + 1))[:2097153]
            body = {'Certificate': base64.b64encode(cert).decode(),
                    'PrivateKey': base64.b64encode(ec_key).decode(),
                    'CertificateChain': base64.b64encode(big).decode()}
            before = self.all_arns()
            try:
                resp = self.raw_acm('ImportCertificate', body)
            except OSError as e:  # the server hung up without reading the body
                self.fail(f'a {len(str(body))}-byte ImportCertificate body (within the model '
                          f'limits) was refused by closing the connection: {e!r}')
            self.assertRawError(resp, 'ValidationException')
            self.assertEqual(self.all_arns(), before)

    def test_not_base64(self):
        body = {'Certificate': '!!!not base64!!!',
                'PrivateKey': base64.b64encode(self.read(self.ec_key)).decode()}
        self.assertRawError(self.raw_acm('ImportCertificate', body), 'ValidationException')

    def test_certificate_format_checks(self):
        o = self.openssl
        ec_key = self.read(self.ec_key)
        der = pem_blocks(self.ec_cert)[0]
        with self.subTest('DER certificate'):
            self.assertImportRejected(der, ec_key, self.chain)
        with self.subTest('two certificates in Certificate'):
            self.assertImportRejected(to_bytes(self.ec_cert) + to_bytes(self.inter), ec_key,
                                      self.root)
        with self.subTest('not a certificate at all'):
            self.assertImportRejected(b'hello, world\n', ec_key)
        with self.subTest('a CSR instead of a certificate'):
            self.assertImportRejected(o.csr(self.ec_key, '/CN=www.example.com'), ec_key)
        with self.subTest('X.509 v1'):
            v1 = o.path('v1')
            o.run('x509', '-req', '-in', o.write(o.csr(self.ec_key, '/CN=v1.example.com'), 'csr'),
                  '-signkey', self.ec_key, '-days', '30', '-out', v1)
            self.assertEqual(o.cert(self.read(v1)).version, 1)
            self.assertImportRejected(self.read(v1), ec_key)
        with self.subTest('empty issuer'):
            empty = o.self_signed(self.ec_key, '/', ['subjectAltName = DNS:empty.example.com'])
            self.assertEqual(o.cert(empty).issuer, '')
            self.assertImportRejected(empty, ec_key)

    def test_private_key_checks(self):
        o = self.openssl
        with self.subTest('encrypted PKCS#8'):
            enc = o.run('pkcs8', '-topk8', '-in', self.ec_key, '-v2', 'aes-256-cbc',
                        '-passout', 'pass:secret-pass').stdout
            self.assertIn(b'BEGIN ENCRYPTED PRIVATE KEY', enc)
            self.assertImportRejected(self.ec_cert, enc, self.chain)
        with self.subTest('encrypted traditional (Proc-Type: 4,ENCRYPTED)'):
            enc = o.run('ec', '-in', self.ec_key, '-aes256', '-passout', 'pass:secret-pass',
                        '-traditional', check=False).stdout
            if b'Proc-Type: 4,ENCRYPTED' not in enc:  # openssl without -traditional for ec
                enc = o.run('ec', '-in', self.ec_key, '-aes256',
                            '-passout', 'pass:secret-pass').stdout
            self.assertIn(b'Proc-Type: 4,ENCRYPTED', enc)
            self.assertImportRejected(self.ec_cert, enc, self.chain)
        with self.subTest('key of another pair'):
            other = o.genkey()
            self.assertImportRejected(self.ec_cert, self.read(other), self.chain)
        with self.subTest('RSA key for an EC certificate'):
            self.assertImportRejected(self.ec_cert, self.read(self.rsa_key), self.chain)
        with self.subTest('not a key'):
            self.assertImportRejected(self.ec_cert, b'-----BEGIN PRIVATE KEY-----\nAAAA\n'
                                      b'-----END PRIVATE KEY-----\n', self.chain)
        with self.subTest('certificate given as key'):
            self.assertImportRejected(self.ec_cert, self.ec_cert, self.chain)

    def test_public_key_types_rejected(self):
        o = self.openssl
        cases = [
            ('Ed25519', ['genpkey', '-algorithm', 'ED25519']),
            ('secp256k1', ['genpkey', '-algorithm', 'EC', '-pkeyopt',
                           'ec_paramgen_curve:secp256k1']),
            ('RSA 1536', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1536']),
        ]
        for name, args in cases:
            with self.subTest(name):
                key = o.path('odd-key')
                o.run(*args, '-out', key)
                cert = o.self_signed(key, '/CN=odd.example.com',
                                     ['subjectAltName = DNS:odd.example.com'])
                self.assertImportRejected(cert, self.read(key))

    def test_validity_window(self):
        key = self.self_key
        with self.subTest('expired'):
            cert = self.dated_cert(key, '/CN=expired.example.com', '20200101000000Z',
                                   '20210101000000Z',
                                   ['subjectAltName = DNS:expired.example.com'])
            self.assertLess(self.openssl.cert(cert).not_after, time.time())
            self.assertImportRejected(cert, self.read(key))
        with self.subTest('not yet valid'):
            cert = self.dated_cert(key, '/CN=future.example.com', '20400101000000Z',
                                   '20410101000000Z',
                                   ['subjectAltName = DNS:future.example.com'])
            self.assertGreater(self.openssl.cert(cert).not_before, time.time())
            self.assertImportRejected(cert, self.read(key))
        with self.subTest('valid dates from openssl ca are accepted'):
            cert = self.dated_cert(key, '/CN=dated.example.com', '20200101000000Z',
                                   '20450101000000Z', ['subjectAltName = DNS:dated.example.com'])
            d = self.detail(self.imp(cert, self.read(key)))
            self.assertEqual(d['Serial'], '1a:2b:3c')
            self.assertEqual(ts(d['NotAfter']), 2366841600)

    def test_chain_checks(self):
        ec_key = self.read(self.ec_key)
        other_root_key = self.openssl.genkey()
        other_root = self.openssl.self_signed(other_root_key, '/O=Other/CN=Other Root', CA_EXTS)
        cases = [
            ('wrong order', to_bytes(self.root) + to_bytes(self.inter)),
            ('leaf in chain', to_bytes(self.ec_cert) + self.chain),
            ('root only: does not issue the leaf', to_bytes(self.root)),
            ('unrelated CA', to_bytes(other_root)),
            ('chain with a gap', to_bytes(self.inter) + to_bytes(other_root)),
            ('a key in the chain', to_bytes(self.inter) + ec_key),
            ('DER chain', pem_blocks(self.inter)[0]),
        ]
        for name, chain in cases:
            with self.subTest(name):
                self.assertImportRejected(self.ec_cert, ec_key, chain)

    def test_aia_ocsp_url_length(self):
        base = 'http://ocsp.example.com/'
        for length, ok in [(1000, True), (1001, False)]:
            with self.subTest(length=length):
                url = base + 'a' * (length - len(base))
                self.assertEqual(len(url), length)
                cert = self.leaf(self.ec_key, '/CN=ocsp.example.com', [
                    'subjectAltName = DNS:ocsp.example.com',
                    f'authorityInfoAccess = OCSP;URI:{url}'])
                if ok:
                    self.imp(cert, self.read(self.ec_key), self.chain)
                else:
                    self.assertImportRejected(cert, self.read(self.ec_key), self.chain)

    def test_certificate_without_domain(self):
        cert = self.leaf(self.ec_key, '/O=No Names Inc', ['keyUsage = critical, digitalSignature'])
        self.assertImportRejected(cert, self.read(self.ec_key), self.chain)

    # -- re-import ---------------------------------------------------------------------------

    def test_reimport_keeps_arn_and_tags(self):
        arn = self.imp(self.ec_cert, self.read(self.ec_key), self.chain,
                       Tags=[{'Key': 'env', 'Value': 'prod'}])
        before = self.detail(arn)
        time.sleep(1.1)
        new_key = self.openssl.genkey()
        new_cert = self.leaf(new_key, '/CN=www.example.com', [
            'subjectAltName = DNS:www.example.com, DNS:new.example.com',
            'keyUsage = critical, digitalSignature',
            'extendedKeyUsage = serverAuth, clientAuth'])
        again = self.imp(new_cert, self.read(new_key), self.inter, CertificateArn=arn)
        self.assertEqual(again, arn)
        after = self.detail(arn)
        info = self.openssl.cert(new_cert)
        self.assertEqual(after['Serial'], colon_hex(info.serial))
        self.assertNotEqual(after['Serial'], before['Serial'])
        self.assertEqual(set(after['SubjectAlternativeNames']),
                         {'www.example.com', 'new.example.com'})
        self.assertEqual(after['Subject'].replace(' ', ''), 'CN=www.example.com')
        self.assertGreater(ts(after['ImportedAt']), ts(before['ImportedAt']))
        self.assertEqual(ts(after['NotAfter']), info.not_after)
        self.assertEqual(after['Status'], 'ISSUED')
        self.assertEqual(self.acm.list_tags_for_certificate(CertificateArn=arn)['Tags'],
                         [{'Key': 'env', 'Value': 'prod'}])
        got = self.acm.get_certificate(CertificateArn=arn)
        self.assertEqual(pem_blocks(got['Certificate']), pem_blocks(new_cert))
        self.assertEqual(pem_blocks(got['CertificateChain']), pem_blocks(self.inter))
        listed = [c for c in acm_list_all(self.acm) if c['CertificateArn'] == arn]
        self.assertEqual(len(listed), 1, 're-import must not add a list entry')

    def assertReimportRejected(self, arn, cert, key, chain=None, code='ValidationException',
                               **kw):
        serial = self.detail(arn)['Serial']
        self.assertImportRejected(cert, key, chain, code=code, CertificateArn=arn, **kw)
        self.assertEqual(self.detail(arn)['Serial'], serial,
                         'a failed re-import changed the certificate')
        got = self.acm.get_certificate(CertificateArn=arn)
        self.assertEqual(self.openssl.cert(got['Certificate']).serial,
                         int(serial.replace(':', ''), 16))

    def test_reimport_with_tags_rejected(self):
        arn = self.imp(self.ec_cert, self.read(self.ec_key), self.chain)
        self.assertReimportRejected(arn, self.ec_cert, self.read(self.ec_key), self.chain,
                                    Tags=[{'Key': 'k', 'Value': 'v'}])
        self.assertEqual(self.acm.list_tags_for_certificate(CertificateArn=arn)['Tags'], [])

    def test_reimport_key_type_must_match(self):
        arn = self.imp(self.ec_cert, self.read(self.ec_key), self.chain)
        with self.subTest('RSA onto EC P-256'):
            self.assertReimportRejected(arn, self.rsa_cert, self.read(self.rsa_key), self.chain)
        with self.subTest('P-384 onto P-256'):
            key = self.openssl.genkey(curve='P-384')
            cert = self.leaf(key, '/CN=www.example.com', [
                'subjectAltName = DNS:www.example.com',
                'keyUsage = critical, digitalSignature',
                'extendedKeyUsage = serverAuth, clientAuth'])
            self.assertReimportRejected(arn, cert, self.read(key), self.chain)
        with self.subTest('an invalid certificate'):
            self.assertReimportRejected(arn, self.ec_cert, self.read(self.self_key), self.chain)

    def test_reimport_usage_rules(self):
        key = self.openssl.genkey()
        keyb = self.read(key)

        def cert(ku, eku):
            exts = ['subjectAltName = DNS:usage.example.com', f'keyUsage = critical, {ku}']
            if eku:
                exts.append(f'extendedKeyUsage = {eku}')
            return self.leaf(key, '/CN=usage.example.com', exts)

        arn = self.imp(cert('digitalSignature, keyEncipherment',
                            'serverAuth, clientAuth, codeSigning'), keyb, self.chain)
        # allowed: TLS client auth goes, KEY_ENCIPHERMENT goes on an EC certificate
        self.imp(cert('digitalSignature', 'serverAuth, codeSigning'), keyb, self.chain,
                 CertificateArn=arn)
        d = self.detail(arn)
        self.assertEqual(d['KeyUsages'], [{'Name': 'DIGITAL_SIGNATURE'}])
        self.assertCountEqual([e['Name'] for e in d['ExtendedKeyUsages']],
                              ['TLS_WEB_SERVER_AUTHENTICATION', 'CODE_SIGNING'])
        with self.subTest('losing CODE_SIGNING'):
            self.assertReimportRejected(arn, cert('digitalSignature', 'serverAuth'), keyb,
                                        self.chain)
        with self.subTest('losing the EKU extension'):
            self.assertReimportRejected(arn, cert('digitalSignature', None), keyb, self.chain)
        with self.subTest('losing DIGITAL_SIGNATURE'):
            self.assertReimportRejected(arn, cert('keyAgreement', 'serverAuth, codeSigning'),
                                        keyb, self.chain)
        # adding usages is fine
        self.imp(cert('digitalSignature, keyAgreement', 'serverAuth, codeSigning, emailProtection'),
                 keyb, self.chain, CertificateArn=arn)
        d = self.detail(arn)
        self.assertCountEqual([k['Name'] for k in d['KeyUsages']],
                              ['DIGITAL_SIGNATURE', 'KEY_AGREEMENT'])
        self.assertIn({'Name': 'EMAIL_PROTECTION', 'OID': EKU_OID['EMAIL_PROTECTION']},
                      d['ExtendedKeyUsages'])

    def test_reimport_target_errors(self):
        key = self.read(self.ec_key)
        unknown = f'arn:aws:acm:us-east-1:{self.account}:certificate/' \
                  '00000000-0000-4000-8000-000000000000'
        self.assertImportRejected(self.ec_cert, key, self.chain, code='ResourceNotFoundException',
                                  CertificateArn=unknown)
        self.assertImportRejected(self.ec_cert, key, self.chain, code='InvalidArnException',
                                  CertificateArn=f'arn:aws:acm:us-east-1:{self.account}:'
                                                 'bogus/00000000-0000-4000-8000-000000000000')
        other_region = self.imp(self.ec_cert, key, self.chain).replace('us-east-1', 'eu-west-1')
        self.assertImportRejected(self.ec_cert, key, self.chain, code='ResourceNotFoundException',
                                  CertificateArn=other_region)

    # -- what an imported certificate refuses ------------------------------------------------

    def test_imported_refuses_export_renew_update_options(self):
        arn = self.imp(self.ec_cert, self.read(self.ec_key), self.chain)
        self.assertClientError('ValidationException', self.acm.export_certificate,
                               CertificateArn=arn, Passphrase=b'good passphrase')
        self.assertClientError('ValidationException', self.acm.renew_certificate,
                               CertificateArn=arn)
        self.assertClientError('InvalidStateException', self.acm.update_certificate_options,
                               CertificateArn=arn,
                               Options={'CertificateTransparencyLoggingPreference': 'ENABLED'})
        d = self.detail(arn)
        self.assertEqual(d['Options']['CertificateTransparencyLoggingPreference'], 'DISABLED')
        self.assertEqual(d['RenewalEligibility'], 'INELIGIBLE')
        self.assertNotIn('RenewalSummary', d)
        summary = [c for c in acm_list_all(self.acm) if c['CertificateArn'] == arn][0]
        self.assertFalse(summary['Exported'])


if __name__ == '__main__':
    unittest.main()
