"""IssueCertificate, GetCertificate and RevokeCertificate (pca.md §5.10-5.12,
§6.5-6.7): exact template extensions, validity arithmetic, passthrough rules,
chains that `openssl verify` accepts, and every documented error type."""
import base64
import calendar
import os
import sys
import time

if __package__ in (None, ''):
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..')))

import unittest  # noqa: E402

from tests.integration.harness import (  # noqa: E402
    EXT_AIA, EXT_AKI, EXT_BC, EXT_CDP, EXT_EKU, EXT_KU, EXT_SAN, EXT_SKI, CertainTestCase,
    add_months, build_root, build_sub, colon_hex, concurrently, create_ca, der_to_pem,
    get_certificate,
    issue, issue_and_get, pem_blocks, spki_key_id, template_arn, to_bytes)

SERVER_AUTH = 'TLS Web Server Authentication'
CLIENT_AUTH = 'TLS Web Client Authentication'
EE_KU = {'Digital Signature', 'Key Encipherment'}
CA_KU = {'Digital Signature', 'Certificate Sign', 'CRL Sign'}
LEAF_SUBJECT = 'C = US, O = Leaf Org, CN = leaf.example.com'
Y2049_END = calendar.timegm((2049, 12, 31, 23, 59, 59, 0, 0, 0))


class IssueTests(CertainTestCase):

    @classmethod
    def setUpFixtures(cls):
        # Root valid 40 years, subordinate 30 years: long enough for END_DATE 2049
        # and ABSOLUTE 2050, and a known NotAfter to exceed.
        cls.root = build_root(cls.pca, common_name='Issue Test Root',
                              validity={'Type': 'YEARS', 'Value': 40})
        cls.sub = build_sub(cls.pca, cls.root, 'SubordinateCACertificate_PathLen0',
                            common_name='Issue Test Sub',
                            validity={'Type': 'YEARS', 'Value': 30})
        o = cls.openssl
        cls.root_info = o.cert(cls.root.cert)
        cls.sub_info = o.cert(cls.sub.cert)
        cls.leaf_key = o.genkey()
        cls.leaf_ski = spki_key_id(o.key_pubkey(cls.leaf_key))
        cls.csr_plain = o.csr(cls.leaf_key, '/C=US/O=Leaf Org/CN=leaf.example.com',
                              ['subjectAltName = DNS:leaf.example.com'])
        # A CSR asking for more than any base template gives: CA:TRUE, other KU/EKU
        # bits and a private extension. Base templates must ignore all of it.
        cls.csr_greedy = o.csr(cls.leaf_key, '/C=US/O=Leaf Org/CN=leaf.example.com', [
            'subjectAltName = DNS:leaf.example.com',
            'basicConstraints = critical, CA:TRUE',
            'keyUsage = critical, nonRepudiation, keyCertSign',
            'extendedKeyUsage = emailProtection',
            '1.2.3.4.5 = ASN1:UTF8String:hello'])

    # -- helpers ----------------------------------------------------------------

    def issue_sub(self, csr=None, **kw):
        return issue_and_get(self.pca, self.sub.arn, csr or self.csr_plain, **kw)

    def assertIssueError(self, code, ca=None, csr=None, client=None, **kw):
        ca = ca or self.sub
        args = dict(CertificateAuthorityArn=ca if isinstance(ca, str) else ca.arn,
                    Csr=to_bytes(csr or self.csr_plain), SigningAlgorithm='SHA256WITHECDSA',
                    Validity={'Type': 'DAYS', 'Value': 30})
        args.update(kw)
        if 'TemplateArn' in args and not args['TemplateArn'].startswith('arn:'):
            args['TemplateArn'] = template_arn(args['TemplateArn'])
        return self.assertClientError(code, (client or self.pca).issue_certificate, **args)

    def assertVerifies(self, leaf, issuer):
        if issuer is self.root:
            ok, out = self.openssl.verify(self.root.cert, leaf)
        else:
            ok, out = self.openssl.verify(self.root.cert, leaf, [issuer.cert])
        self.assertTrue(ok, out)

    # -- templates: exact extensions ---------------------------------------------------

    def test_base_templates_exact_extensions(self):
        # (template, issuer, BasicConstraints (critical, value), KU bits,
        #  EKU (critical, set) or None)
        table = [
            (None, 'sub', (False, 'CA:FALSE'), EE_KU, (False, {SERVER_AUTH, CLIENT_AUTH})),
            ('EndEntityCertificate', 'sub', (False, 'CA:FALSE'), EE_KU,
             (False, {SERVER_AUTH, CLIENT_AUTH})),
            ('EndEntityServerAuthCertificate', 'sub', (False, 'CA:FALSE'), EE_KU,
             (False, {SERVER_AUTH})),
            ('EndEntityClientAuthCertificate', 'sub', (False, 'CA:FALSE'), EE_KU,
             (False, {CLIENT_AUTH})),
            ('CodeSigningCertificate', 'sub', (False, 'CA:FALSE'), {'Digital Signature'},
             (True, {'Code Signing'})),
            ('OCSPSigningCertificate', 'sub', (False, 'CA:FALSE'), {'Digital Signature'},
             (True, {'OCSP Signing'})),
            ('SubordinateCACertificate_PathLen0', 'root', (True, 'CA:TRUE, pathlen:0'), CA_KU,
             None),
        ]
        for template, issuer_name, bc, ku, eku in table:
            with self.subTest(template or '(default)'):
                issuer = self.sub if issuer_name == 'sub' else self.root
                issuer_info = self.sub_info if issuer_name == 'sub' else self.root_info
                arn, pem, chain = issue_and_get(self.pca, issuer.arn, self.csr_greedy,
                                                template=template)
                info = self.openssl.cert(pem)
                self.assertEqual(info.version, 3)
                self.assertEqual(info.subject, LEAF_SUBJECT)
                self.assertEqual(info.issuer, issuer_info.subject)
                self.assertEqual(info.signature_algorithm, 'ecdsa-with-SHA256')
                # serial: 16 random bytes, positive, first byte in 01..7f; ARN suffix = hex
                self.assertEqual(len(info.serial_hex), 32, info.serial_hex)
                self.assertTrue(0 < info.serial >> 120 < 0x80, info.serial_hex)
                self.assertEqual(arn, f'{issuer.arn}/certificate/{info.serial_hex}')

                exts = info.extensions
                expected = {EXT_BC, EXT_KU, EXT_SKI, EXT_AKI, EXT_SAN} | ({EXT_EKU} if eku else set())
                self.assertEqual(set(exts), expected, info.text)
                self.assertEqual((exts[EXT_BC].critical, exts[EXT_BC].value), bc)
                self.assertTrue(exts[EXT_KU].critical, 'KeyUsage must be critical')
                self.assertEqual(exts[EXT_KU].items(), ku)
                if eku:
                    self.assertEqual((exts[EXT_EKU].critical, exts[EXT_EKU].items()), eku)
                self.assertEqual(info.ski(), self.leaf_ski, 'SKI = SHA-1 of the CSR key bits')
                self.assertEqual(info.aki(), issuer_info.ski(), 'AKI = issuer SKI')
                self.assertEqual(len(exts[EXT_AKI].value.splitlines()), 1,
                                 'AKI carries only the key id')
                self.assertFalse(exts[EXT_SAN].critical)
                self.assertEqual(exts[EXT_SAN].items(), {'DNS:leaf.example.com'})
                self.assertNotIn(EXT_CDP, exts)
                self.assertNotIn(EXT_AIA, exts)

                self.assertVerifies(pem, issuer)
                expected_chain = (pem_blocks(self.sub.cert) + pem_blocks(self.root.cert)
                                  if issuer is self.sub else pem_blocks(self.root.cert))
                self.assertEqual(pem_blocks(chain), expected_chain)

    def test_get_certificate_via_cli(self):
        arn, pem, _ = self.issue_sub()
        got = self.cli_ok('acm-pca', 'get-certificate', '--certificate-authority-arn',
                          self.sub.arn, '--certificate-arn', arn)
        self.assertEqual(pem_blocks(got['Certificate']), pem_blocks(pem))
        self.assertEqual(pem_blocks(got['CertificateChain']),
                         pem_blocks(self.sub.cert) + pem_blocks(self.root.cert))
        self.assertTrue(got['Certificate'].startswith('-----BEGIN CERTIFICATE-----\n'))
        body = got['Certificate'].split('\n')[1:-2]
        self.assertTrue(all(len(line) <= 64 for line in body), 'PEM lines over 64 chars')

    def test_issue_via_cli(self):
        csr_path = self.openssl.write(self.csr_plain, 'leaf-csr')
        arn = self.cli_ok('acm-pca', 'issue-certificate', '--certificate-authority-arn',
                          self.sub.arn, '--csr', f'fileb://{csr_path}',
                          '--signing-algorithm', 'SHA384WITHECDSA',
                          '--template-arn', template_arn('EndEntityServerAuthCertificate'),
                          '--validity', 'Value=90,Type=DAYS')['CertificateArn']
        self.assertTrue(arn.startswith(self.sub.arn + '/certificate/'), arn)
        pem = get_certificate(self.pca, self.sub.arn, arn)['Certificate']
        info = self.openssl.cert(pem)
        self.assertEqual(info.signature_algorithm, 'ecdsa-with-SHA384')
        self.assertEqual(info.extensions[EXT_EKU].items(), {SERVER_AUTH})

    def test_rsa_ca_signs_with_requested_algorithm(self):
        rsa_root = build_root(self.pca, 'RSA_2048', 'SHA256WITHRSA', common_name='RSA Root')
        for alg, name in [('SHA256WITHRSA', 'sha256WithRSAEncryption'),
                          ('SHA512WITHRSA', 'sha512WithRSAEncryption')]:
            with self.subTest(alg):
                _, pem, _ = issue_and_get(self.pca, rsa_root.arn, self.csr_plain,
                                          signing_algorithm=alg)
                self.assertEqual(self.openssl.cert(pem).signature_algorithm, name)
                ok, out = self.openssl.verify(rsa_root.cert, pem)
                self.assertTrue(ok, out)
        self.assertIssueError('InvalidArgsException', ca=rsa_root,
                              SigningAlgorithm='SHA256WITHECDSA')

    # -- validity ------------------------------------------------------------------------

    def test_validity_types(self):
        absolute = int(time.time()) + 45 * 86400
        table = [
            ('DAYS', 10, lambda t: t + 10 * 86400, None),
            ('MONTHS', 2, lambda t: add_months(t, 2), None),
            ('YEARS', 1, lambda t: add_months(t, 12), None),
            ('ABSOLUTE', absolute, None, absolute),
            ('END_DATE', 491231235959, None, Y2049_END),
            ('END_DATE', 20400229120000, None, calendar.timegm((2040, 2, 29, 12, 0, 0, 0, 0, 0))),
            ('ABSOLUTE', 2524608000, None, 2524608000),  # 2050-01-01: GeneralizedTime
        ]
        for vtype, value, relative, exact in table:
            with self.subTest(f'{vtype} {value}'):
                t0 = time.time()
                _, pem, _ = self.issue_sub(validity={'Type': vtype, 'Value': value})
                t1 = time.time()
                info = self.openssl.cert(pem)
                if exact is not None:
                    self.assertEqual(info.not_after, exact)
                else:
                    self.assertGreaterEqual(info.not_after, relative(int(t0)) - 2)
                    self.assertLessEqual(info.not_after, relative(int(t1)) + 2)
                # default notBefore: one hour before issuance
                self.assertGreaterEqual(info.not_before, int(t0) - 3600 - 2)
                self.assertLessEqual(info.not_before, int(t1) - 3600 + 2)
                times = self.openssl.asn1_times(pem)
                self.assertEqual(times[0][0], 'UTCTIME')
                self.assertEqual(times[1][0],
                                 'UTCTIME' if info.not_after < 2524608000 else 'GENERALIZEDTIME',
                                 times)

    def test_validity_not_before_absolute(self):
        not_before = int(time.time()) - 3 * 86400
        _, pem, _ = self.issue_sub(validity={'Type': 'DAYS', 'Value': 10},
                                   ValidityNotBefore={'Type': 'ABSOLUTE', 'Value': not_before})
        info = self.openssl.cert(pem)
        self.assertEqual(info.not_before, not_before)

    def test_bad_validity_not_before(self):
        now = int(time.time())
        self.assertIssueError('InvalidArgsException',
                              ValidityNotBefore={'Type': 'DAYS', 'Value': 1})
        self.assertIssueError('InvalidArgsException',
                              Validity={'Type': 'ABSOLUTE', 'Value': now + 86400},
                              ValidityNotBefore={'Type': 'ABSOLUTE', 'Value': now + 2 * 86400})

    def test_validity_up_to_ca_not_after(self):
        ca_end = self.sub_info.not_after
        _, pem, _ = self.issue_sub(validity={'Type': 'ABSOLUTE', 'Value': ca_end})
        self.assertEqual(self.openssl.cert(pem).not_after, ca_end)
        cases = [('one second past', {'Type': 'ABSOLUTE', 'Value': ca_end + 1}),
                 ('35 years', {'Type': 'YEARS', 'Value': 35}),
                 ('END_DATE 9999', {'Type': 'END_DATE', 'Value': 99991231235959})]
        for name, validity in cases:
            with self.subTest(name):
                self.assertIssueError('ValidationException', Validity=validity)

    def test_malformed_validity(self):
        for name, validity in [('zero', {'Type': 'DAYS', 'Value': 0}),
                               ('negative', {'Type': 'DAYS', 'Value': -5}),
                               ('unknown type', {'Type': 'WEEKS', 'Value': 2})]:
            with self.subTest(name):
                self.assertIssueError('ValidationException', client=self.pca_nv,
                                      Validity=validity)

    # -- state and argument errors -----------------------------------------------------------

    def test_disabled_or_pending_ca_cannot_issue(self):
        sub2 = build_sub(self.pca, self.root, common_name='Soon Disabled Sub')
        self.pca.update_certificate_authority(CertificateAuthorityArn=sub2.arn, Status='DISABLED')
        self.assertIssueError('InvalidStateException', ca=sub2)
        pending = create_ca(self.pca, 'ROOT', common_name='Pending Issuer')
        self.assertIssueError('InvalidStateException', ca=pending,
                              TemplateArn='EndEntityCertificate')

    def test_malformed_csr(self):
        o = self.openssl
        der = bytearray(pem_blocks(self.csr_plain)[0])
        der[-1] ^= 0x01
        corrupted = der_to_pem(bytes(der), 'CERTIFICATE REQUEST')
        rsa1024 = o.csr(o.genkey('rsa', bits=1024), '/CN=weak.example.com',
                        ['subjectAltName = DNS:weak.example.com'])
        nameless = o.csr(self.leaf_key, '/')
        cases = [
            ('garbage', b'this is not a CSR at all'),
            ('broken base64', b'-----BEGIN CERTIFICATE REQUEST-----\nMII$$$$\n'
                              b'-----END CERTIFICATE REQUEST-----\n'),
            ('certificate instead of CSR', to_bytes(self.sub.cert)),
            ('RSA-1024 key', rsa1024),
            ('corrupted signature', corrupted),
            ('no subject and no SAN', nameless),
        ]
        for name, csr in cases:
            with self.subTest(name):
                self.assertIssueError('MalformedCSRException', csr=csr)

    def test_signing_algorithm_family_mismatch(self):
        for alg in ('SHA256WITHRSA', 'SHA512WITHRSA', 'ML_DSA_44'):
            with self.subTest(alg):
                self.assertIssueError('InvalidArgsException', SigningAlgorithm=alg)
        self.assertIssueError('ValidationException', client=self.pca_nv,
                              SigningAlgorithm='SHA1WITHRSA')

    def test_template_not_allowed(self):
        other_key_csr = self.csr_plain
        cases = [
            ('unknown template', self.sub, 'NoSuchTemplate'),
            ('unknown version', self.sub, 'arn:aws:acm-pca:::template/EndEntityCertificate/V2'),
            ('RootCACertificate on a subordinate', self.sub, 'RootCACertificate'),
            ('RootCACertificate for a foreign key', self.root, 'RootCACertificate'),
            ('Blank template without passthrough', self.sub, 'BlankEndEntityCertificate'),
            ('PathLen0 CA from a PathLen0 CA', self.sub, 'SubordinateCACertificate_PathLen0'),
        ]
        for name, ca, template in cases:
            with self.subTest(name):
                self.assertIssueError('InvalidArgsException', ca=ca, csr=other_key_csr,
                                      TemplateArn=template)

    # -- passthrough ---------------------------------------------------------------------------

    def test_api_passthrough_subject_and_sans(self):
        _, pem, _ = self.issue_sub(
            self.csr_greedy, template='EndEntityCertificate_APIPassthrough',
            ApiPassthrough={
                'Subject': {'Organization': 'API Org', 'CommonName': 'api.example.com'},
                'Extensions': {'SubjectAlternativeNames': [{'DnsName': 'api.example.com'},
                                                           {'IpAddress': '10.0.0.1'}]}})
        info = self.openssl.cert(pem)
        self.assertEqual(info.subject, 'O = API Org, CN = api.example.com',
                         'ApiPassthrough.Subject replaces the CSR subject as a whole')
        exts = info.extensions
        self.assertEqual(exts[EXT_SAN].items(), {'DNS:api.example.com', 'IP Address:10.0.0.1'})
        self.assertEqual(set(exts), {EXT_BC, EXT_KU, EXT_EKU, EXT_SKI, EXT_AKI, EXT_SAN},
                         info.text)
        self.assertEqual(exts[EXT_BC].value, 'CA:FALSE')
        self.assertEqual(exts[EXT_KU].items(), EE_KU)
        self.assertEqual(exts[EXT_EKU].items(), {SERVER_AUTH, CLIENT_AUTH})
        self.assertVerifies(pem, self.sub)

    def test_base_template_ignores_api_passthrough(self):
        _, pem, _ = self.issue_sub(
            template='EndEntityCertificate',
            ApiPassthrough={'Subject': {'CommonName': 'ignored.example.com'},
                            'Extensions': {'SubjectAlternativeNames': [
                                {'DnsName': 'ignored.example.com'}]}})
        info = self.openssl.cert(pem)
        self.assertEqual(info.subject, LEAF_SUBJECT)
        self.assertEqual(info.extensions[EXT_SAN].items(), {'DNS:leaf.example.com'})

    def test_csr_passthrough_copies_extra_extension(self):
        _, pem, _ = self.issue_sub(self.csr_greedy,
                                   template='EndEntityCertificate_CSRPassthrough')
        info = self.openssl.cert(pem)
        exts = info.extensions
        self.assertEqual(set(exts), {EXT_BC, EXT_KU, EXT_EKU, EXT_SKI, EXT_AKI, EXT_SAN,
                                     '1.2.3.4.5'}, info.text)
        self.assertIn('hello', exts['1.2.3.4.5'].value)
        # template > CSR for the extensions the template defines
        self.assertEqual(exts[EXT_BC].value, 'CA:FALSE')
        self.assertEqual(exts[EXT_KU].items(), EE_KU)
        self.assertEqual(exts[EXT_EKU].items(), {SERVER_AUTH, CLIENT_AUTH})

    def test_bad_api_passthrough(self):
        ku_der = base64.b64encode(bytes([0x03, 0x02, 0x07, 0x80])).decode()  # digitalSignature
        san_der = base64.b64encode(bytes([0x30, 0x0A, 0x82, 0x08]) + b'x.tld.io').decode()
        cases = [
            ('custom extension duplicating KeyUsage', {'Extensions': {'CustomExtensions': [
                {'ObjectIdentifier': '2.5.29.15', 'Value': ku_der, 'Critical': True}]}}),
            ('custom extension duplicating passthrough SAN', {'Extensions': {
                'SubjectAlternativeNames': [{'DnsName': 'a.example.com'}],
                'CustomExtensions': [{'ObjectIdentifier': '2.5.29.17', 'Value': san_der}]}}),
            ('GeneralName with two members', {'Extensions': {'SubjectAlternativeNames': [
                {'DnsName': 'a.example.com', 'IpAddress': '10.0.0.2'}]}}),
        ]
        for name, passthrough in cases:
            with self.subTest(name):
                self.assertIssueError('InvalidArgsException',
                                      TemplateArn='EndEntityCertificate_APIPassthrough',
                                      ApiPassthrough=passthrough)

    # -- idempotency ---------------------------------------------------------------------------

    def test_idempotency_token(self):
        a1 = issue(self.pca, self.sub.arn, self.csr_plain, IdempotencyToken='issue-token-1')
        a2 = issue(self.pca, self.sub.arn, self.csr_plain, IdempotencyToken='issue-token-1')
        a3 = issue(self.pca, self.sub.arn, self.csr_plain, IdempotencyToken='issue-token-2')
        self.assertEqual(a1, a2)
        self.assertNotEqual(a1, a3)

    def test_idempotency_token_under_concurrency(self):
        """Eight IssueCertificates with one token, released together: one
        certificate, one ARN for all (those that lost at the store's write
        answer the winner's)."""
        arns = concurrently(lambda _: issue(self.pca, self.sub.arn, self.csr_plain,
                                            IdempotencyToken='issue-race-1'), 8)
        self.assertEqual(len(set(arns)), 1, arns)
        self.assertTrue(get_certificate(self.pca, self.sub.arn, arns[0]))

    # -- SANs from the CSR ---------------------------------------------------------------------

    def test_wildcard_and_ip_sans_from_csr(self):
        csr = self.openssl.csr(self.leaf_key, '/CN=*.wild.example.com', [
            'subjectAltName = DNS:*.wild.example.com, DNS:wild.example.com, '
            'IP:192.0.2.7, IP:2001:db8::1'])
        _, pem, _ = self.issue_sub(csr)
        info = self.openssl.cert(pem)
        self.assertEqual(info.subject, 'CN = *.wild.example.com')
        self.assertEqual(info.extensions[EXT_SAN].items(),
                         {'DNS:*.wild.example.com', 'DNS:wild.example.com',
                          'IP Address:192.0.2.7', 'IP Address:2001:DB8:0:0:0:0:0:1'})
        self.assertVerifies(pem, self.sub)

    def test_empty_subject_with_san_makes_san_critical(self):
        csr = self.openssl.csr(self.leaf_key, '/', ['subjectAltName = DNS:nosubject.example.com'])
        _, pem, _ = self.issue_sub(csr)
        info = self.openssl.cert(pem)
        self.assertEqual(info.subject, '')
        self.assertTrue(info.extensions[EXT_SAN].critical)
        self.assertEqual(info.extensions[EXT_SAN].items(), {'DNS:nosubject.example.com'})

    # -- GetCertificate ------------------------------------------------------------------------

    def test_get_certificate_errors(self):
        arn, _, _ = self.issue_sub()
        self.assertClientError('InvalidArnException', self.pca.get_certificate,
                               CertificateAuthorityArn=self.root.arn, CertificateArn=arn)
        unknown = f'{self.sub.arn}/certificate/{"1" + "0" * 31}'
        self.assertClientError('ResourceNotFoundException', self.pca.get_certificate,
                               CertificateAuthorityArn=self.sub.arn, CertificateArn=unknown)

    def test_certificate_issued_waiter(self):
        arn = issue(self.pca, self.sub.arn, self.csr_plain)
        self.pca.get_waiter('certificate_issued').wait(
            CertificateAuthorityArn=self.sub.arn, CertificateArn=arn,
            WaiterConfig={'Delay': 1, 'MaxAttempts': 10})
        self.assertIn('BEGIN CERTIFICATE',
                      self.pca.get_certificate(CertificateAuthorityArn=self.sub.arn,
                                               CertificateArn=arn)['Certificate'])

    # -- revocation ----------------------------------------------------------------------------

    def test_revoke(self):
        arn, pem, _ = self.issue_sub()
        serial = self.openssl.cert(pem).serial
        revoke = self.pca.revoke_certificate
        resp = revoke(CertificateAuthorityArn=self.sub.arn,
                      CertificateSerial=colon_hex(serial), RevocationReason='KEY_COMPROMISE')
        self.assertEqual({k: v for k, v in resp.items() if k != 'ResponseMetadata'}, {})
        self.assertClientError('RequestAlreadyProcessedException', revoke,
                               CertificateAuthorityArn=self.sub.arn,
                               CertificateSerial=colon_hex(serial), RevocationReason='SUPERSEDED')
        # a revoked certificate is still returned
        got = self.pca.get_certificate(CertificateAuthorityArn=self.sub.arn, CertificateArn=arn)
        self.assertEqual(pem_blocks(got['Certificate']), pem_blocks(pem))

    def test_revoke_serial_is_case_insensitive(self):
        _, pem, _ = self.issue_sub()
        serial = colon_hex(self.openssl.cert(pem).serial).upper()
        self.pca.revoke_certificate(CertificateAuthorityArn=self.sub.arn, CertificateSerial=serial,
                                    RevocationReason='CESSATION_OF_OPERATION')
        self.assertClientError('RequestAlreadyProcessedException', self.pca.revoke_certificate,
                               CertificateAuthorityArn=self.sub.arn,
                               CertificateSerial=serial.lower(), RevocationReason='UNSPECIFIED')

    def test_revoke_via_cli(self):
        _, pem, _ = self.issue_sub()
        serial = colon_hex(self.openssl.cert(pem).serial)
        args = ('acm-pca', 'revoke-certificate', '--certificate-authority-arn', self.sub.arn,
                '--certificate-serial', serial, '--revocation-reason', 'AFFILIATION_CHANGED')
        self.assertEqual(self.cli_ok(*args), {})
        self.assertCliError(self.cli(*args), 'RequestAlreadyProcessedException')

    def test_revoke_errors(self):
        unknown = colon_hex((0x42 << 120) | 0x1234, 16)
        self.assertClientError('ResourceNotFoundException', self.pca.revoke_certificate,
                               CertificateAuthorityArn=self.sub.arn, CertificateSerial=unknown,
                               RevocationReason='KEY_COMPROMISE')
        self.assertClientError('InvalidRequestException', self.pca.revoke_certificate,
                               CertificateAuthorityArn=self.root.arn,
                               CertificateSerial=colon_hex(self.root_info.serial),
                               RevocationReason='KEY_COMPROMISE')
        _, pem, _ = self.issue_sub()
        serial = colon_hex(self.openssl.cert(pem).serial)
        self.assertClientError('ValidationException', self.pca_nv.revoke_certificate,
                               CertificateAuthorityArn=self.sub.arn, CertificateSerial=serial,
                               RevocationReason='CA_COMPROMISE')
        # still revocable after the failed attempt
        self.pca.revoke_certificate(CertificateAuthorityArn=self.sub.arn, CertificateSerial=serial,
                                    RevocationReason='KEY_COMPROMISE')

    # -- hierarchies -----------------------------------------------------------------------------

    def test_three_level_chain(self):
        sub1 = build_sub(self.pca, self.root, 'SubordinateCACertificate_PathLen1',
                         common_name='Level 1 CA', validity={'Type': 'YEARS', 'Value': 5})
        sub2 = build_sub(self.pca, sub1, 'SubordinateCACertificate_PathLen0',
                         common_name='Level 2 CA', validity={'Type': 'YEARS', 'Value': 2})
        self.assertEqual(self.openssl.cert(sub1.cert).extensions[EXT_BC].value,
                         'CA:TRUE, pathlen:1')
        got = self.pca.get_certificate_authority_certificate(CertificateAuthorityArn=sub2.arn)
        self.assertEqual(pem_blocks(got['CertificateChain']),
                         pem_blocks(sub1.cert) + pem_blocks(self.root.cert))
        _, leaf, chain = issue_and_get(self.pca, sub2.arn, self.csr_plain)
        self.assertEqual(pem_blocks(chain),
                         pem_blocks(sub2.cert) + pem_blocks(sub1.cert) + pem_blocks(self.root.cert))
        ok, out = self.openssl.verify(self.root.cert, leaf, [sub1.cert, sub2.cert])
        self.assertTrue(ok, out)
        # sub2 (pathlen 0) cannot sign another CA
        self.assertIssueError('InvalidArgsException', ca=sub2,
                              TemplateArn='SubordinateCACertificate_PathLen0')


if __name__ == '__main__':
    unittest.main()
