"""ACM private certificates (acm.md §5.1-5.3, §5.6, §5.8, §6.2, §6.6, §6.7):
RequestCertificate with a CertificateAuthorityArn, what Describe shows,
chains that `openssl verify` accepts, ExportCertificate and its passphrase
rules, RenewCertificate, and CA problems that surface as FAILED certificates
rather than errors."""
import datetime
import os
import sys
import time

if __package__ in (None, ''):
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..')))

import unittest  # noqa: E402

import botocore.exceptions  # noqa: E402

from tests.integration.harness import (  # noqa: E402
    ARN_ACM_RE, EXT_AIA, EXT_BC, EXT_CDP, EXT_EKU, EXT_KU, EXT_SAN, CertainTestCase,
    acm_list_all, build_root, build_sub, colon_hex, concurrently, create_ca, grant_acm_renewal,
    issue_and_get,
    pem_blocks, to_bytes, wait_acm_status)

DAY = 86400
VALIDITY = 395 * DAY
SERVER_EKU = {'Name': 'TLS_WEB_SERVER_AUTHENTICATION', 'OID': '1.3.6.1.5.5.7.3.1'}
CLIENT_EKU = {'Name': 'TLS_WEB_CLIENT_AUTHENTICATION', 'OID': '1.3.6.1.5.5.7.3.2'}
PASSPHRASE = b'Correct horse-battery_staple!42'


def ts(value):
    return value.timestamp() if isinstance(value, datetime.datetime) else float(value)


def aws_signature_name(openssl_name):
    """'ecdsa-with-SHA384' -> 'SHA384WITHECDSA', 'sha256WithRSAEncryption' -> 'SHA256WITHRSA'."""
    n = openssl_name.lower()
    if n.startswith('ecdsa-with-'):
        return n[len('ecdsa-with-'):].upper() + 'WITHECDSA'
    return n.split('with')[0].upper() + 'WITHRSA'


class PrivateCertificateTests(CertainTestCase):

    @classmethod
    def setUpFixtures(cls):
        cls.acm_nv = cls.acm_client(validate=False)
        cls.ec_root = build_root(cls.pca, common_name='ACM EC Root')
        cls.rsa_root = build_root(cls.pca, 'RSA_2048', 'SHA256WITHRSA',
                                  common_name='ACM RSA Root',
                                  subject={'CommonName': 'ACM RSA Root',
                                           'Organization': 'Example Private PKI'})
        cls.ec_sub = build_sub(cls.pca, cls.ec_root, common_name='ACM EC Issuing CA')
        grant_acm_renewal(cls.pca, cls.ec_sub.arn)
        cls.b = cls.server.keys_create('--new-account')
        cls.pca_b = cls.client(cls.b)

    # -- helpers ------------------------------------------------------------------------

    def request(self, ca, domain='app.example.com', client=None, **kw):
        args = dict(DomainName=domain,
                    CertificateAuthorityArn=ca if isinstance(ca, str) else ca.arn, **kw)
        return (client or self.acm).request_certificate(**args)['CertificateArn']

    def settled(self, arn):
        """Describe once the certificate has left PENDING_VALIDATION."""
        return wait_acm_status(self.acm, arn)

    def issued(self, arn):
        d = self.settled(arn)
        self.assertEqual(d['Status'], 'ISSUED', d)
        return d

    def assertFailedWith(self, arn, reason, ca_arn):
        d = self.settled(arn)
        self.assertEqual((d['Status'], d.get('FailureReason')), ('FAILED', reason), d)
        self.assertEqual(d['Type'], 'PRIVATE')
        self.assertEqual(d['CertificateAuthorityArn'], ca_arn)
        self.assertNotIn('Serial', d)
        self.assertNotIn('IssuedAt', d)
        self.assertTrue(d['DomainValidationOptions'])
        for dv in d['DomainValidationOptions']:
            self.assertEqual(dv['ValidationStatus'], 'FAILED', dv)
        self.assertClientError('RequestInProgressException', self.acm.get_certificate,
                               CertificateArn=arn)
        return d

    def key_of(self, pem):
        return self.openssl.cert_pubkey(pem)

    # -- issuance and Describe ---------------------------------------------------------------

    def test_default_rsa_2048_describe_fields(self):
        t0 = time.time()
        arn = self.request(self.rsa_root, 'app.example.com',
                           SubjectAlternativeNames=['b.example.com', 'app.example.com',
                                                    'a.example.com', 'b.example.com'],
                           Tags=[{'Key': 'team', 'Value': 'pki'}])
        m = ARN_ACM_RE.match(arn)
        self.assertIsNotNone(m, arn)
        self.assertEqual(m['account'], self.account)
        self.acm.get_waiter('certificate_validated').wait(
            CertificateArn=arn, WaiterConfig={'Delay': 1, 'MaxAttempts': 30})
        t1 = time.time()
        d = self.acm.describe_certificate(CertificateArn=arn)['Certificate']
        got = self.acm.get_certificate(CertificateArn=arn)
        info = self.openssl.cert(got['Certificate'])

        self.assertEqual(d['CertificateArn'], arn)
        self.assertEqual(d['Type'], 'PRIVATE')
        self.assertEqual(d['Status'], 'ISSUED')
        self.assertEqual(d['DomainName'], 'app.example.com')
        self.assertEqual(d['SubjectAlternativeNames'],
                         ['app.example.com', 'b.example.com', 'a.example.com'])
        self.assertEqual(d['KeyAlgorithm'], 'RSA_2048')
        self.assertIn('Public-Key: (2048 bit)', info.text)
        self.assertIn('rsaEncryption', info.text)
        self.assertEqual(d['SignatureAlgorithm'], 'SHA256WITHRSA')
        self.assertEqual(info.signature_algorithm, 'sha256WithRSAEncryption')
        self.assertEqual(d['Serial'], colon_hex(info.serial))
        self.assertEqual(d['CertificateAuthorityArn'], self.rsa_root.arn)
        self.assertEqual(d['Issuer'], 'Example Private PKI')
        self.assertEqual(d['Subject'].replace(' ', ''), 'CN=app.example.com')
        self.assertEqual(info.subject, 'CN = app.example.com')
        self.assertEqual(ts(d['NotBefore']), info.not_before)
        self.assertEqual(ts(d['NotAfter']), info.not_after)
        span = info.not_after - info.not_before
        self.assertGreaterEqual(span, VALIDITY, 'validity shorter than 395 days')
        self.assertLessEqual(span, VALIDITY + 3600 + 5, 'validity longer than 395 days + 1 h')
        self.assertGreaterEqual(ts(d['CreatedAt']), int(t0) - 1)
        self.assertLessEqual(ts(d['CreatedAt']), ts(d['IssuedAt']))
        self.assertLessEqual(ts(d['IssuedAt']), t1 + 1)
        self.assertLessEqual(abs(info.not_after - (ts(d['IssuedAt']) + VALIDITY)), 60)
        self.assertNotIn('ImportedAt', d)
        self.assertCountEqual(d['KeyUsages'], [{'Name': 'DIGITAL_SIGNATURE'},
                                               {'Name': 'KEY_ENCIPHERMENT'}])
        self.assertCountEqual(d['ExtendedKeyUsages'], [SERVER_EKU, CLIENT_EKU])
        self.assertEqual(d['RenewalEligibility'], 'INELIGIBLE')
        self.assertEqual(d['InUseBy'], [])
        self.assertEqual(d['Options']['CertificateTransparencyLoggingPreference'], 'ENABLED')
        for absent in ('FailureReason', 'RenewalSummary', 'RevokedAt', 'RevocationReason'):
            self.assertNotIn(absent, d)
        dvo = d['DomainValidationOptions']
        self.assertEqual([v['DomainName'] for v in dvo],
                         ['app.example.com', 'b.example.com', 'a.example.com'])
        for v in dvo:
            self.assertEqual(v['ValidationDomain'], v['DomainName'])
            self.assertEqual(v['ValidationStatus'], 'SUCCESS')
            self.assertNotIn('ResourceRecord', v)
            self.assertNotIn('ValidationMethod', v)

        # the certificate itself: EndEntityCertificate/V1 semantics
        exts = info.extensions
        self.assertEqual(exts[EXT_BC].value, 'CA:FALSE')
        self.assertTrue(exts[EXT_KU].critical)
        self.assertEqual(exts[EXT_KU].items(), {'Digital Signature', 'Key Encipherment'})
        self.assertEqual(exts[EXT_EKU].items(), {'TLS Web Server Authentication',
                                                 'TLS Web Client Authentication'})
        self.assertEqual(exts[EXT_SAN].items(), {'DNS:app.example.com', 'DNS:b.example.com',
                                                 'DNS:a.example.com'})
        self.assertEqual(pem_blocks(got['CertificateChain']), pem_blocks(self.rsa_root.cert))
        ok, out = self.openssl.verify(self.rsa_root.cert, got['Certificate'])
        self.assertTrue(ok, out)
        self.assertEqual(self.acm.list_tags_for_certificate(CertificateArn=arn)['Tags'],
                         [{'Key': 'team', 'Value': 'pki'}])
        # the summary agrees (RSA_2048 passes the default key filter)
        summ = [c for c in self.acm.list_certificates()['CertificateSummaryList']
                if c['CertificateArn'] == arn]
        self.assertEqual(len(summ), 1)
        self.assertEqual(summ[0]['Type'], 'PRIVATE')
        self.assertEqual(summ[0]['Status'], 'ISSUED')
        self.assertEqual(summ[0]['DomainName'], 'app.example.com')
        self.assertEqual(summ[0]['SubjectAlternativeNameSummaries'],
                         ['app.example.com', 'b.example.com', 'a.example.com'])
        self.assertFalse(summ[0]['HasAdditionalSubjectAlternativeNames'])
        self.assertFalse(summ[0]['Exported'])
        self.assertFalse(summ[0]['InUse'])
        self.assertEqual((summ[0]['KeyAlgorithm'], summ[0]['RenewalEligibility']),
                         ('RSA_2048', 'INELIGIBLE'))
        self.assertCountEqual(summ[0]['KeyUsages'], ['DIGITAL_SIGNATURE', 'KEY_ENCIPHERMENT'])
        self.assertCountEqual(summ[0]['ExtendedKeyUsages'], ['TLS_WEB_SERVER_AUTHENTICATION',
                                                             'TLS_WEB_CLIENT_AUTHENTICATION'])
        for k in ('CreatedAt', 'IssuedAt', 'NotBefore', 'NotAfter'):
            self.assertEqual(summ[0][k], d[k], k)
        self.assertNotIn('ImportedAt', summ[0])

    def test_ec_key_algorithms(self):
        for alg, curve_text in [('EC_prime256v1', 'prime256v1'), ('EC_secp384r1', 'secp384r1')]:
            with self.subTest(alg):
                arn = self.request(self.ec_root, 'ec.example.com', KeyAlgorithm=alg)
                d = self.issued(arn)
                self.assertEqual(d['KeyAlgorithm'], alg)
                pem = self.acm.get_certificate(CertificateArn=arn)['Certificate']
                info = self.openssl.cert(pem)
                self.assertIn(f'ASN1 OID: {curve_text}', info.text)
                self.assertEqual(d['SignatureAlgorithm'],
                                 aws_signature_name(info.signature_algorithm))
                self.assertEqual(d['SignatureAlgorithm'], 'SHA256WITHECDSA')
                self.assertCountEqual(d['KeyUsages'], [{'Name': 'DIGITAL_SIGNATURE'},
                                                       {'Name': 'KEY_ENCIPHERMENT'}])
                self.assertEqual(d['Issuer'], 'ACM EC Root', 'issuer CN when there is no O')

    def test_import_only_key_algorithms_rejected(self):
        for alg in ('RSA_1024', 'RSA_3072', 'RSA_4096', 'EC_secp521r1'):
            with self.subTest(alg):
                self.assertClientError('InvalidParameterException', self.acm.request_certificate,
                                       DomainName='alg.example.com', KeyAlgorithm=alg,
                                       CertificateAuthorityArn=self.ec_root.arn)
        self.assertClientError('ValidationException', self.acm.request_certificate,
                               DomainName='alg.example.com', KeyAlgorithm='EC_P256',
                               CertificateAuthorityArn=self.ec_root.arn)
        self.assertEqual([c for c in acm_list_all(self.acm) if c['DomainName'] == 'alg.example.com'],
                         [])

    def test_key_family_must_match_ca(self):
        with self.subTest('EC key, RSA CA'):
            arn = self.request(self.rsa_root, 'mix.example.com', KeyAlgorithm='EC_prime256v1')
            self.assertFailedWith(arn, 'PCA_INVALID_ARGS', self.rsa_root.arn)
        with self.subTest('RSA (default) key, EC CA'):
            arn = self.request(self.ec_root, 'mix.example.com')
            d = self.assertFailedWith(arn, 'PCA_INVALID_ARGS', self.ec_root.arn)
            self.assertEqual(d['KeyAlgorithm'], 'RSA_2048')

    def test_waiter_stops_on_failed(self):
        arn = self.request(self.ec_root, 'waiter.example.com')   # RSA on EC CA: FAILED
        started = time.monotonic()
        with self.assertRaises(botocore.exceptions.WaiterError) as cm:
            self.acm.get_waiter('certificate_validated').wait(
                CertificateArn=arn, WaiterConfig={'Delay': 1, 'MaxAttempts': 20})
        self.assertIn('terminal failure state', str(cm.exception))
        self.assertLess(time.monotonic() - started, 15)

    def test_subordinate_chain_and_cli(self):
        arn = self.cli_ok('acm', 'request-certificate', '--domain-name', 'sub.example.com',
                          '--certificate-authority-arn', self.ec_sub.arn,
                          '--key-algorithm', 'EC_prime256v1')['CertificateArn']
        self.issued(arn)
        # the CLI waiter accepts the DomainValidationOptions of a private certificate
        self.cli_ok('acm', 'wait', 'certificate-validated', '--certificate-arn', arn)
        got = self.cli_ok('acm', 'get-certificate', '--certificate-arn', arn)
        self.assertEqual(pem_blocks(got['CertificateChain']),
                         pem_blocks(self.ec_sub.cert) + pem_blocks(self.ec_root.cert))
        ok, out = self.openssl.verify(self.ec_root.cert, got['Certificate'], [self.ec_sub.cert])
        self.assertTrue(ok, out)
        ok, out = self.openssl.verify(self.ec_root.cert, got['Certificate'])
        self.assertFalse(ok, 'the leaf must need the subordinate to verify')
        info = self.openssl.cert(got['Certificate'])
        self.assertEqual(info.issuer, self.openssl.cert(self.ec_sub.cert).subject)
        self.assertTrue(got['Certificate'].startswith('-----BEGIN CERTIFICATE-----\n'))
        body = got['Certificate'].strip().split('\n')[1:-1]
        self.assertTrue(all(len(line) <= 64 for line in body))
        d = self.acm.describe_certificate(CertificateArn=arn)['Certificate']
        self.assertEqual(d['CertificateAuthorityArn'], self.ec_sub.arn)
        self.assertEqual(d['Issuer'], 'ACM EC Issuing CA')

    def test_private_ignores_validation_method(self):
        arn = self.request(self.ec_root, 'ignore.example.com', KeyAlgorithm='EC_prime256v1',
                           ValidationMethod='EMAIL',
                           DomainValidationOptions=[{'DomainName': 'ignore.example.com',
                                                     'ValidationDomain': 'example.com'}])
        d = self.issued(arn)
        self.assertEqual(d['Type'], 'PRIVATE')
        self.assertEqual(d['DomainValidationOptions'], [
            {'DomainName': 'ignore.example.com', 'ValidationDomain': 'ignore.example.com',
             'ValidationStatus': 'SUCCESS'}])

    def test_wildcard_names(self):
        arn = self.request(self.ec_root, '*.wild.example.com', KeyAlgorithm='EC_prime256v1',
                           SubjectAlternativeNames=['wild.example.com'])
        d = self.issued(arn)
        self.assertEqual(d['DomainName'], '*.wild.example.com')
        self.assertEqual(d['SubjectAlternativeNames'], ['*.wild.example.com', 'wild.example.com'])
        self.assertEqual([v['DomainName'] for v in d['DomainValidationOptions']],
                         ['*.wild.example.com', 'wild.example.com'])
        info = self.openssl.cert(self.acm.get_certificate(CertificateArn=arn)['Certificate'])
        self.assertEqual(info.subject, 'CN = *.wild.example.com')
        self.assertEqual(info.extensions[EXT_SAN].items(),
                         {'DNS:*.wild.example.com', 'DNS:wild.example.com'})

    def test_revocation_configuration_of_the_ca(self):
        ca = build_root(self.pca, common_name='ACM Revocation Root', RevocationConfiguration={
            'CrlConfiguration': {'Enabled': True, 'S3BucketName': 'acm-crl-bucket',
                                 'CustomCname': 'crl.example.com'},
            'OcspConfiguration': {'Enabled': True, 'OcspCustomCname': 'ocsp.example.com'}})
        ca_id = ca.arn.rsplit('/', 1)[1]
        arn = self.request(ca, 'revocable.example.com', KeyAlgorithm='EC_prime256v1')
        self.issued(arn)
        info = self.openssl.cert(self.acm.get_certificate(CertificateArn=arn)['Certificate'])
        self.assertIn(EXT_CDP, info.extensions, info.text)
        self.assertIn(f'URI:http://crl.example.com/crl/{ca_id}.crl',
                      info.extensions[EXT_CDP].value)
        self.assertIn(EXT_AIA, info.extensions, info.text)
        self.assertIn('OCSP - URI:http://ocsp.example.com', info.extensions[EXT_AIA].value)
        # without a revocation configuration: neither extension
        plain = self.request(self.ec_root, 'plain.example.com', KeyAlgorithm='EC_prime256v1')
        self.issued(plain)
        info = self.openssl.cert(self.acm.get_certificate(CertificateArn=plain)['Certificate'])
        self.assertNotIn(EXT_CDP, info.extensions)
        self.assertNotIn(EXT_AIA, info.extensions)

    def test_pca_issued_certificates_are_not_in_acm(self):
        before = {c['CertificateArn'] for c in acm_list_all(self.acm)}
        key = self.openssl.genkey()
        csr = self.openssl.csr(key, '/CN=direct.example.com',
                               ['subjectAltName = DNS:direct.example.com'])
        issue_and_get(self.pca, self.ec_root.arn, csr, template='EndEntityCertificate')
        after = acm_list_all(self.acm)
        self.assertEqual({c['CertificateArn'] for c in after}, before)
        self.assertNotIn('direct.example.com', [c['DomainName'] for c in after])

    # -- export ---------------------------------------------------------------------------

    def test_export_rsa(self):
        arn = self.request(self.rsa_root, 'export.example.com')
        self.issued(arn)
        self.assertEqual(self.acm.describe_certificate(CertificateArn=arn)['Certificate'][
            'RenewalEligibility'], 'INELIGIBLE')
        out = self.acm.export_certificate(CertificateArn=arn, Passphrase=PASSPHRASE)
        got = self.acm.get_certificate(CertificateArn=arn)
        self.assertEqual(pem_blocks(out['Certificate']), pem_blocks(got['Certificate']))
        self.assertEqual(pem_blocks(out['CertificateChain']), pem_blocks(got['CertificateChain']))
        key = out['PrivateKey']
        self.assertTrue(key.startswith('-----BEGIN ENCRYPTED PRIVATE KEY-----\n'), key[:60])
        self.assertNotIn('BEGIN PRIVATE KEY', key)
        path = self.openssl.write(key, 'exported')
        pub = self.openssl.run('pkey', '-in', path, '-passin',
                               'pass:' + PASSPHRASE.decode(), '-pubout').stdout
        self.assertEqual(pub, self.key_of(out['Certificate']),
                         'the exported key does not belong to the certificate')
        rsa = self.openssl.run('rsa', '-in', path, '-passin', 'pass:' + PASSPHRASE.decode(),
                               '-check', '-noout')
        self.assertIn(b'RSA key ok', rsa.stdout + rsa.stderr)
        wrong = self.openssl.run('pkey', '-in', path, '-passin', 'pass:wrong passphrase',
                                 '-noout', check=False)
        self.assertNotEqual(wrong.returncode, 0, 'the key opened with a wrong passphrase')
        asn1 = self.openssl.run('asn1parse', '-in', path).stdout.decode()
        for alg in ('PBES2', 'PBKDF2', 'aes-256-cbc', 'hmacWithSHA256'):
            self.assertIn(alg, asn1)
        d = self.acm.describe_certificate(CertificateArn=arn)['Certificate']
        self.assertEqual(d['RenewalEligibility'], 'ELIGIBLE')
        summ = [c for c in self.acm.list_certificates()['CertificateSummaryList']
                if c['CertificateArn'] == arn]
        self.assertTrue(summ and summ[0]['Exported'], summ)
        self.assertEqual(summ[0]['RenewalEligibility'], 'ELIGIBLE')

    def test_export_ec_via_cli(self):
        arn = self.request(self.ec_sub, 'cli-export.example.com', KeyAlgorithm='EC_secp384r1')
        self.issued(arn)
        pass_path = self.openssl.write(b'four', 'pass', 'txt')
        out = self.cli_ok('acm', 'export-certificate', '--certificate-arn', arn,
                          '--passphrase', f'fileb://{pass_path}')
        path = self.openssl.write(out['PrivateKey'], 'exported')
        text = self.openssl.run('pkey', '-in', path, '-passin', 'pass:four', '-text',
                                '-noout').stdout.decode()
        self.assertIn('secp384r1', text)
        pub = self.openssl.run('pkey', '-in', path, '-passin', 'pass:four', '-pubout').stdout
        self.assertEqual(pub, self.key_of(out['Certificate']))
        self.assertEqual(pem_blocks(out['CertificateChain']),
                         pem_blocks(self.ec_sub.cert) + pem_blocks(self.ec_root.cert))

    def test_passphrase_rules(self):
        arn = self.request(self.ec_root, 'pass.example.com', KeyAlgorithm='EC_prime256v1')
        self.issued(arn)
        bad = [('3 bytes', b'abc'), ('129 bytes', b'a' * 129), ('#', b'pass#word'),
               ('$', b'pa$$word'), ('%', b'100%pass'), ('control character', b'pass\x01word'),
               ('non-ASCII', 'pässwörd'.encode()), ('newline', b'pass\nword')]
        for name, phrase in bad:
            with self.subTest(name):
                self.assertClientError('ValidationException', self.acm_nv.export_certificate,
                                       CertificateArn=arn, Passphrase=phrase)
        self.assertEqual(self.acm.describe_certificate(CertificateArn=arn)['Certificate'][
            'RenewalEligibility'], 'INELIGIBLE', 'a refused export counted as an export')
        for phrase in (b'abcd', b'~' * 128, b'with space & (punctuation)!'):
            with self.subTest(ok=phrase[:10]):
                out = self.acm.export_certificate(CertificateArn=arn, Passphrase=phrase)
                path = self.openssl.write(out['PrivateKey'], 'exported')
                pwfile = self.openssl.write(phrase, 'pw', 'txt')
                self.openssl.run('pkey', '-in', path, '-passin', f'file:{pwfile}', '-noout')

    # -- idempotency, limits, names -----------------------------------------------------------

    def test_idempotency_token(self):
        a = self.request(self.ec_root, 'idem.example.com', KeyAlgorithm='EC_prime256v1',
                         IdempotencyToken='token_1')
        b = self.request(self.ec_root, 'idem.example.com', KeyAlgorithm='EC_prime256v1',
                         IdempotencyToken='token_1')
        self.assertEqual(a, b)
        c = self.request(self.ec_root, 'idem.example.com', KeyAlgorithm='EC_prime256v1',
                         IdempotencyToken='token_2')
        self.assertNotEqual(a, c)
        listed = [x['CertificateArn'] for x in acm_list_all(self.acm)
                  if x['DomainName'] == 'idem.example.com']
        self.assertCountEqual(listed, [a, c])
        self.assertClientError('ValidationException', self.acm.request_certificate,
                               DomainName='idem.example.com', IdempotencyToken='bad-token!',
                               CertificateAuthorityArn=self.ec_root.arn)
        self.assertClientError('ValidationException', self.acm.request_certificate,
                               DomainName='idem.example.com', IdempotencyToken='t' * 33,
                               CertificateAuthorityArn=self.ec_root.arn)

    def test_idempotency_token_under_concurrency(self):
        """Eight requests with one token, released together: every one
        answers the same ARN and one certificate exists (the requests that
        lost the race at the store discard what they signed)."""
        arns = concurrently(lambda _: self.request(
            self.ec_root, 'race.example.com', KeyAlgorithm='EC_prime256v1',
            IdempotencyToken='race_1'), 8)
        self.assertEqual(len(set(arns)), 1, arns)
        listed = [x['CertificateArn'] for x in acm_list_all(self.acm)
                  if x['DomainName'] == 'race.example.com']
        self.assertEqual(listed, arns[:1])
        self.issued(arns[0])

    def test_name_limits(self):
        names = [f'n{i}.example.com' for i in range(10)]
        # 11 distinct names
        self.assertClientError('LimitExceededException', self.acm.request_certificate,
                               DomainName='limit.example.com', SubjectAlternativeNames=names,
                               CertificateAuthorityArn=self.ec_root.arn,
                               KeyAlgorithm='EC_prime256v1')
        # 10 distinct names, one repeated: fine
        arn = self.request(self.ec_root, 'limit.example.com', KeyAlgorithm='EC_prime256v1',
                           SubjectAlternativeNames=names[:9] + ['limit.example.com', names[0]])
        d = self.issued(arn)
        self.assertEqual(d['SubjectAlternativeNames'], ['limit.example.com'] + names[:9])
        # DomainName becomes the CN: at most 64 octets; a SAN may be longer
        long65 = 'a' * 53 + '.example.com'
        long64 = 'a' * 52 + '.example.com'
        self.assertEqual((len(long65), len(long64)), (65, 64))
        self.assertClientError('InvalidParameterException', self.acm.request_certificate,
                               DomainName=long65, CertificateAuthorityArn=self.ec_root.arn,
                               KeyAlgorithm='EC_prime256v1')
        arn = self.request(self.ec_root, long64, KeyAlgorithm='EC_prime256v1',
                           SubjectAlternativeNames=['b' * 60 + '.example.com'])
        d = self.issued(arn)
        self.assertEqual(d['SubjectAlternativeNames'], [long64, 'b' * 60 + '.example.com'])

    def test_name_pattern_violations(self):
        bad = ['bad_name.example.com', 'example.com.', '*.*.example.com', 'www.*.example.com',
               '10.0.0.1', '-lead.example.com', 'x' * 64 + '.example.com', 'localhost']
        for name in bad:
            with self.subTest(name):
                self.assertClientError('ValidationException', self.acm.request_certificate,
                                       DomainName=name, CertificateAuthorityArn=self.ec_root.arn,
                                       KeyAlgorithm='EC_prime256v1')
            with self.subTest(san=name):
                self.assertClientError('ValidationException', self.acm.request_certificate,
                                       DomainName='ok.example.com',
                                       SubjectAlternativeNames=[name],
                                       CertificateAuthorityArn=self.ec_root.arn,
                                       KeyAlgorithm='EC_prime256v1')

    def test_bad_certificate_authority_arn(self):
        self.assertClientError('InvalidArnException', self.acm.request_certificate,
                               DomainName='arn.example.com',
                               CertificateAuthorityArn=f'arn:aws:acm-pca:us-east-1:{self.account}'
                                                       ':bogus/00000000-0000-4000-8000-000000000000')
        self.assertClientError('ValidationException', self.acm.request_certificate,
                               DomainName='arn.example.com',
                               CertificateAuthorityArn=f'arn:aws:acm:us-east-1:{self.account}:'
                               'certificate-authority/00000000-0000-4000-8000-000000000000')

    # -- CA problems are not synchronous errors ------------------------------------------------

    def test_ca_problems_fail_the_certificate(self):
        other = build_root(self.pca_b, common_name='Account B Root')
        unknown = (f'arn:aws:acm-pca:us-east-1:{self.account}:certificate-authority/'
                   '00000000-0000-4000-8000-000000000000')
        disabled = build_root(self.pca, common_name='Disabled Root')
        self.pca.update_certificate_authority(CertificateAuthorityArn=disabled.arn,
                                              Status='DISABLED')
        pending = create_ca(self.pca, 'ROOT', common_name='Pending Root')
        short = build_root(self.pca, common_name='Short Root',
                           validity={'Type': 'DAYS', 'Value': 100})
        cases = [('CA of another account', other.arn, 'PCA_RESOURCE_NOT_FOUND'),
                 ('unknown CA', unknown, 'PCA_RESOURCE_NOT_FOUND'),
                 ('DISABLED CA', disabled.arn, 'PCA_INVALID_STATE'),
                 ('PENDING_CERTIFICATE CA', pending, 'PCA_INVALID_STATE'),
                 ('CA expiring before 395 days', short.arn, 'PCA_INVALID_DURATION')]
        arns = {}
        for name, ca_arn, _ in cases:
            arns[name] = self.request(ca_arn, 'ca-problem.example.com',
                                      KeyAlgorithm='EC_prime256v1')
            self.assertRegex(arns[name], ARN_ACM_RE)
        for name, ca_arn, reason in cases:
            with self.subTest(name):
                self.assertFailedWith(arns[name], reason, ca_arn)
        # a FAILED certificate can be deleted; B's CA issued nothing
        self.acm.delete_certificate(CertificateArn=arns['unknown CA'])
        self.assertClientError('ResourceNotFoundException', self.acm.describe_certificate,
                               CertificateArn=arns['unknown CA'])
        self.assertEqual(self.pca_b.describe_certificate_authority(
            CertificateAuthorityArn=other.arn)['CertificateAuthority']['Status'], 'ACTIVE')

    # -- renewal ---------------------------------------------------------------------------

    def test_renew_requires_export_then_keeps_arn(self):
        arn = self.request(self.ec_sub, 'renew.example.com', KeyAlgorithm='EC_prime256v1',
                           Tags=[{'Key': 'keep', 'Value': 'me'}])
        before = self.issued(arn)
        self.assertClientError('ValidationException', self.acm.renew_certificate,
                               CertificateArn=arn)
        exported = self.acm.export_certificate(CertificateArn=arn, Passphrase=PASSPHRASE)
        old_pub = self.key_of(exported['Certificate'])
        time.sleep(1.1)
        self.assertEqual(self.acm.renew_certificate(CertificateArn=arn)['ResponseMetadata'][
            'HTTPStatusCode'], 200)
        d = self.acm.describe_certificate(CertificateArn=arn)['Certificate']
        self.assertIn('RenewalSummary', d)
        self.assertIn(d['RenewalSummary']['RenewalStatus'], ('PENDING_AUTO_RENEWAL', 'SUCCESS'))
        deadline = time.monotonic() + 30
        while d['Serial'] == before['Serial'] and time.monotonic() < deadline:
            time.sleep(0.2)
            d = self.acm.describe_certificate(CertificateArn=arn)['Certificate']
        self.assertNotEqual(d['Serial'], before['Serial'], 'renewal did not replace the serial')
        # let the summary settle
        while d['RenewalSummary']['RenewalStatus'] != 'SUCCESS' and time.monotonic() < deadline:
            time.sleep(0.2)
            d = self.acm.describe_certificate(CertificateArn=arn)['Certificate']
        self.assertEqual(d['CertificateArn'], arn)
        self.assertEqual(d['Status'], 'ISSUED')
        self.assertEqual(d['RenewalSummary']['RenewalStatus'], 'SUCCESS')
        self.assertIsInstance(d['RenewalSummary']['UpdatedAt'], datetime.datetime)
        self.assertIsInstance(d['RenewalSummary']['DomainValidationOptions'], list)
        self.assertEqual(d['RenewalEligibility'], 'INELIGIBLE')
        self.assertGreater(ts(d['NotAfter']), ts(before['NotAfter']))
        self.assertEqual(ts(d['CreatedAt']), ts(before['CreatedAt']))
        got = self.acm.get_certificate(CertificateArn=arn)
        info = self.openssl.cert(got['Certificate'])
        self.assertEqual(d['Serial'], colon_hex(info.serial))
        ok, out = self.openssl.verify(self.ec_root.cert, got['Certificate'], [self.ec_sub.cert])
        self.assertTrue(ok, out)
        self.assertNotEqual(self.key_of(got['Certificate']), old_pub, 'renewal reused the key')
        self.assertEqual(self.acm.list_tags_for_certificate(CertificateArn=arn)['Tags'],
                         [{'Key': 'keep', 'Value': 'me'}])
        # not exported since the renewal: not eligible again
        self.assertClientError('ValidationException', self.acm.renew_certificate,
                               CertificateArn=arn)
        # exporting again gives the new key and makes it eligible again
        again = self.acm.export_certificate(CertificateArn=arn, Passphrase=PASSPHRASE)
        self.assertEqual(pem_blocks(again['Certificate']), pem_blocks(got['Certificate']))
        path = self.openssl.write(again['PrivateKey'], 'exported')
        pub = self.openssl.run('pkey', '-in', path, '-passin', 'pass:' + PASSPHRASE.decode(),
                               '-pubout').stdout
        self.assertEqual(pub, self.key_of(got['Certificate']))
        self.assertEqual(self.acm.describe_certificate(CertificateArn=arn)['Certificate'][
            'RenewalEligibility'], 'ELIGIBLE')

    def test_renewal_against_a_disabled_ca_keeps_trying(self):
        ca = build_root(self.pca, common_name='Renewal Root')
        grant_acm_renewal(self.pca, ca.arn)
        arn = self.request(ca, 'stuck.example.com', KeyAlgorithm='EC_prime256v1')
        before = self.issued(arn)
        self.acm.export_certificate(CertificateArn=arn, Passphrase=PASSPHRASE)
        self.pca.update_certificate_authority(CertificateAuthorityArn=ca.arn, Status='DISABLED')
        self.acm.renew_certificate(CertificateArn=arn)   # asynchronous: no error here
        deadline = time.monotonic() + 20
        while True:
            d = self.acm.describe_certificate(CertificateArn=arn)['Certificate']
            summary = d.get('RenewalSummary', {})
            if summary.get('RenewalStatusReason') or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(summary.get('RenewalStatus'), 'PENDING_AUTO_RENEWAL', d)
        self.assertEqual(summary.get('RenewalStatusReason'), 'PCA_INVALID_STATE', d)
        self.assertIn('UpdatedAt', summary)
        self.assertEqual((d['Status'], d['Serial']), ('ISSUED', before['Serial']),
                         'a failed renewal attempt changed the certificate')
        self.assertEqual(pem_blocks(self.acm.get_certificate(CertificateArn=arn)['Certificate']),
                         pem_blocks(self.acm.export_certificate(
                             CertificateArn=arn, Passphrase=PASSPHRASE)['Certificate']))

    def renewal_summary(self, arn, want):
        """The certificate once its RenewalSummary has a status in `want` (or after 20 s)."""
        deadline = time.monotonic() + 20
        while True:
            d = self.acm.describe_certificate(CertificateArn=arn)['Certificate']
            summary = d.get('RenewalSummary', {})
            if summary.get('RenewalStatus') in want and (
                    summary.get('RenewalStatus') != 'PENDING_AUTO_RENEWAL'
                    or summary.get('RenewalStatusReason')) or time.monotonic() > deadline:
                return d
            time.sleep(0.2)

    def test_renewal_needs_acm_permissions_on_the_ca(self):
        """pca.md §6.10: RenewCertificate (asynchronous, then managed renewal, acm.md §5.8)
        does not issue until the CA granted acm.amazonaws.com all three actions; first
        issuance needs none."""
        ca = build_root(self.pca, common_name='Permission Root')
        arn = self.request(ca, 'perm.example.com', KeyAlgorithm='EC_prime256v1')
        before = self.issued(arn)
        self.acm.export_certificate(CertificateArn=arn, Passphrase=PASSPHRASE)
        self.acm.renew_certificate(CertificateArn=arn)   # asynchronous: no error here
        d = self.renewal_summary(arn, ('PENDING_AUTO_RENEWAL',))
        self.assertEqual(d['RenewalSummary'].get('RenewalStatus'), 'PENDING_AUTO_RENEWAL', d)
        self.assertEqual(d['RenewalSummary'].get('RenewalStatusReason'), 'PCA_ACCESS_DENIED', d)
        self.assertEqual((d['Status'], d['Serial']), ('ISSUED', before['Serial']))
        # Two of the three actions are not enough.
        self.pca.create_permission(CertificateAuthorityArn=ca.arn,
                                   Principal='acm.amazonaws.com',
                                   Actions=['IssueCertificate', 'GetCertificate'])
        time.sleep(1.1)   # a failed attempt waits for the next pass, a second later
        self.acm.renew_certificate(CertificateArn=arn)
        d = self.renewal_summary(arn, ('PENDING_AUTO_RENEWAL',))
        self.assertEqual(d['RenewalSummary'].get('RenewalStatusReason'), 'PCA_ACCESS_DENIED', d)
        self.assertEqual(d['Serial'], before['Serial'])
        self.pca.delete_permission(CertificateAuthorityArn=ca.arn,
                                   Principal='acm.amazonaws.com')
        # The CLI way, as a reader would grant it.
        self.cli_ok('acm-pca', 'create-permission', '--certificate-authority-arn', ca.arn,
                    '--principal', 'acm.amazonaws.com', '--actions', 'IssueCertificate',
                    'GetCertificate', 'ListPermissions')
        time.sleep(1.1)
        self.acm.renew_certificate(CertificateArn=arn)
        d = self.renewal_summary(arn, ('SUCCESS',))
        self.assertEqual(d['RenewalSummary']['RenewalStatus'], 'SUCCESS', d)
        self.assertNotIn('RenewalStatusReason', d['RenewalSummary'])
        self.assertNotEqual(d['Serial'], before['Serial'])

    # -- operations a private certificate refuses -------------------------------------------

    def test_private_refuses_options_and_reimport(self):
        arn = self.request(self.ec_root, 'refuse.example.com', KeyAlgorithm='EC_prime256v1')
        self.issued(arn)
        self.assertClientError('InvalidStateException', self.acm.update_certificate_options,
                               CertificateArn=arn,
                               Options={'CertificateTransparencyLoggingPreference': 'DISABLED'})
        o = self.openssl
        key = o.genkey()
        cert = o.self_signed(key, '/CN=refuse.example.com',
                             ['subjectAltName = DNS:refuse.example.com'])
        with open(key, 'rb') as f:
            keyb = f.read()
        serial = self.acm.describe_certificate(CertificateArn=arn)['Certificate']['Serial']
        self.assertClientError('ValidationException', self.acm.import_certificate,
                               CertificateArn=arn, Certificate=to_bytes(cert), PrivateKey=keyb)
        d = self.acm.describe_certificate(CertificateArn=arn)['Certificate']
        self.assertEqual((d['Type'], d['Serial']), ('PRIVATE', serial))

    def test_delete_private_leaves_ca(self):
        arn = self.request(self.ec_root, 'delete.example.com', KeyAlgorithm='EC_prime256v1')
        self.issued(arn)
        self.acm.delete_certificate(CertificateArn=arn)
        for call in (self.acm.describe_certificate, self.acm.get_certificate,
                     self.acm.delete_certificate):
            self.assertClientError('ResourceNotFoundException', call, CertificateArn=arn)
        self.assertNotIn(arn, [c['CertificateArn'] for c in acm_list_all(self.acm)])
        self.assertEqual(self.describe(self.ec_root.arn)['Status'], 'ACTIVE')

    def test_get_pending_public_certificate(self):
        arn = self.acm.request_certificate(DomainName='pending.example.com',
                                           ValidationMethod='DNS',
                                           KeyAlgorithm='EC_prime256v1')['CertificateArn']
        d = self.acm.describe_certificate(CertificateArn=arn)['Certificate']
        self.assertEqual((d['Type'], d['Status']), ('AMAZON_ISSUED', 'PENDING_VALIDATION'))
        self.assertClientError('RequestInProgressException', self.acm.get_certificate,
                               CertificateArn=arn)
        self.assertClientError('RequestInProgressException', self.acm.get_certificate,
                               CertificateArn=arn)


if __name__ == '__main__':
    unittest.main()
