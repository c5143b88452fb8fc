"""CA lifecycle (pca.md §5.1-5.9, §5.13, §6.1-6.4, §8), mostly through the real
aws CLI; boto3 for waiters, paginators and requests the CLI would refuse to send."""
import json
import os
import sys
import time

if __package__ in (None, ''):
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..')))

import unittest  # noqa: E402

from tests.integration.harness import (  # noqa: E402
    ARN_CA_RE, CertainTestCase, EXT_AKI, EXT_BC, EXT_KU, EXT_SKI, add_months, build_root,
    build_sub, concurrently, create_ca, get_ca_csr, issue_and_get, make_client,
    parse_extensions, pem_blocks, spki_key_id, template_arn, to_bytes, wait_ca_status)

DISABLED_BOTH = {'CrlConfiguration': {'Enabled': False}, 'OcspConfiguration': {'Enabled': False}}


class CALifecycleTests(CertainTestCase):

    @classmethod
    def setUpFixtures(cls):
        # Shared and never modified by a test: an ACTIVE root, and an external
        # (openssl) root CA used to sign CA certificates outside Certain.
        cls.root = build_root(cls.pca, common_name='Lifecycle Shared Root')
        o = cls.openssl
        cls.ext_key = o.genkey()
        cls.ext_cert = o.self_signed(cls.ext_key, '/O=External/CN=External Root', [
            'basicConstraints = critical, CA:TRUE',
            'keyUsage = critical, digitalSignature, keyCertSign, cRLSign',
            'subjectKeyIdentifier = hash'], days=3650)

    # -- helpers ------------------------------------------------------------------

    def cli_create(self, config, ca_type='ROOT', *extra):
        out = self.cli_ok('acm-pca', 'create-certificate-authority',
                          '--certificate-authority-type', ca_type,
                          '--certificate-authority-configuration', json.dumps(config), *extra)
        arn = out['CertificateAuthorityArn']
        wait_ca_status(self.pca, arn)
        return arn

    def raw_describe(self, arn):
        return self.assertRawOk(self.raw('DescribeCertificateAuthority',
                                         {'CertificateAuthorityArn': arn}))['CertificateAuthority']

    def count_cas(self):
        return len(list(self._all_cas(self.pca)))

    @staticmethod
    def _all_cas(pca):
        for page in pca.get_paginator('list_certificate_authorities').paginate():
            yield from page['CertificateAuthorities']

    def ca_cert_for(self, csr, ca_type_template='SubordinateCACertificate_PathLen0'):
        """A certificate for csr signed by the shared root through the API."""
        _, pem, _ = issue_and_get(self.pca, self.root.arn, csr, template=ca_type_template,
                                  validity={'Type': 'YEARS', 'Value': 2})
        return pem

    # -- CreateCertificateAuthority -----------------------------------------------------

    def test_create_each_supported_key_algorithm(self):
        table = [
            ('RSA_2048', 'SHA256WITHRSA', 'Public-Key: (2048 bit)', 'sha256WithRSAEncryption'),
            ('RSA_3072', 'SHA384WITHRSA', 'Public-Key: (3072 bit)', 'sha384WithRSAEncryption'),
            ('RSA_4096', 'SHA512WITHRSA', 'Public-Key: (4096 bit)', 'sha512WithRSAEncryption'),
            ('EC_prime256v1', 'SHA256WITHECDSA', 'ASN1 OID: prime256v1', 'ecdsa-with-SHA256'),
            ('EC_secp384r1', 'SHA384WITHECDSA', 'ASN1 OID: secp384r1', 'ecdsa-with-SHA384'),
            ('EC_secp521r1', 'SHA512WITHECDSA', 'ASN1 OID: secp521r1', 'ecdsa-with-SHA512'),
        ]
        for key_alg, sig_alg, key_text, csr_sig in table:
            with self.subTest(key_alg):
                config = {'KeyAlgorithm': key_alg, 'SigningAlgorithm': sig_alg,
                          'Subject': {'CommonName': f'{key_alg} Root'}}
                arn = self.cli_create(config)
                ca = self.describe(arn)
                self.assertEqual(ca['Status'], 'PENDING_CERTIFICATE')
                self.assertEqual(ca['CertificateAuthorityConfiguration']['KeyAlgorithm'], key_alg)
                self.assertEqual(ca['CertificateAuthorityConfiguration']['SigningAlgorithm'],
                                 sig_alg)
                csr = get_ca_csr(self.pca, arn)
                text = self.openssl.req_text(csr)
                self.assertIn(key_text, text)
                self.assertIn(f'Signature Algorithm: {csr_sig}', text)
                ok, out = self.openssl.req_verify(csr)
                self.assertTrue(ok, out)

    def test_describe_fields_of_a_new_ca(self):
        subject = {'Country': 'US', 'Organization': 'Example Corp', 'CommonName': 'Describe Me'}
        before = time.time()
        arn = self.cli_create({'KeyAlgorithm': 'EC_prime256v1',
                               'SigningAlgorithm': 'SHA256WITHECDSA', 'Subject': subject})
        after = time.time()
        m = ARN_CA_RE.match(arn)
        self.assertIsNotNone(m, f'bad CA ARN {arn}')
        self.assertEqual(m['account'], self.account)
        ca = self.raw_describe(arn)
        self.assertEqual(ca['Arn'], arn)
        self.assertEqual(ca['OwnerAccount'], self.account)
        self.assertEqual(ca['Type'], 'ROOT')
        self.assertEqual(ca['Status'], 'PENDING_CERTIFICATE')
        for field in ('CreatedAt', 'LastStateChangeAt'):
            with self.subTest(field):
                self.assertIsInstance(ca[field], (int, float))
                self.assertNotIsInstance(ca[field], bool)
                self.assertGreaterEqual(ca[field], int(before) - 2)
                self.assertLessEqual(ca[field], after + 2)
        self.assertEqual(ca['UsageMode'], 'GENERAL_PURPOSE')
        self.assertEqual(ca['KeyStorageSecurityStandard'], 'FIPS_140_2_LEVEL_3_OR_HIGHER')
        self.assertEqual(ca['RevocationConfiguration'], DISABLED_BOTH)
        self.assertEqual(ca['CertificateAuthorityConfiguration'],
                         {'KeyAlgorithm': 'EC_prime256v1', 'SigningAlgorithm': 'SHA256WITHECDSA',
                          'Subject': subject})
        for absent in ('Serial', 'NotBefore', 'NotAfter', 'RestorableUntil', 'FailureReason'):
            self.assertNotIn(absent, ca)
        # the same CA in the list, same shape
        listed = [c for c in self._all_cas(self.pca) if c['Arn'] == arn]
        self.assertEqual(len(listed), 1)
        self.assertEqual(listed[0]['Status'], 'PENDING_CERTIFICATE')

    def test_invalid_create_requests(self):
        ok_subject = {'CommonName': 'Bad Request CA'}

        def cfg(key='EC_prime256v1', sig='SHA256WITHECDSA', subject=None):
            return {'KeyAlgorithm': key, 'SigningAlgorithm': sig,
                    'Subject': ok_subject if subject is None else subject}

        cases = [
            ('RSA key, ECDSA signing', dict(CertificateAuthorityConfiguration=cfg(
                'RSA_2048', 'SHA256WITHECDSA')), 'InvalidArgsException'),
            ('EC key, RSA signing', dict(CertificateAuthorityConfiguration=cfg(
                'EC_prime256v1', 'SHA256WITHRSA')), 'InvalidArgsException'),
            ('ML_DSA_44 unsupported', dict(CertificateAuthorityConfiguration=cfg(
                'ML_DSA_44', 'ML_DSA_44')), 'InvalidArgsException'),
            ('CustomAttributes with CommonName', dict(CertificateAuthorityConfiguration=cfg(
                subject={'CommonName': 'x', 'CustomAttributes': [
                    {'ObjectIdentifier': '2.5.4.10', 'Value': 'y'}]})), 'InvalidArgsException'),
            ('empty subject', dict(CertificateAuthorityConfiguration=cfg(subject={})),
             'InvalidArgsException'),
            ('Country USA', dict(CertificateAuthorityConfiguration=cfg(
                subject={'Country': 'USA', 'CommonName': 'x'})), 'ValidationException'),
            ('CommonName of 65 chars', dict(CertificateAuthorityConfiguration=cfg(
                subject={'CommonName': 'x' * 65})), 'ValidationException'),
            ('KeyAlgorithm RSA_1024', dict(CertificateAuthorityConfiguration=cfg(
                'RSA_1024', 'SHA256WITHRSA')), 'ValidationException'),
            ('SigningAlgorithm MD5WITHRSA', dict(CertificateAuthorityConfiguration=cfg(
                'RSA_2048', 'MD5WITHRSA')), 'ValidationException'),
            ('type INTERMEDIATE', dict(CertificateAuthorityConfiguration=cfg(),
                                       CertificateAuthorityType='INTERMEDIATE'),
             'ValidationException'),
            ('UsageMode FOREVER', dict(CertificateAuthorityConfiguration=cfg(),
                                       UsageMode='FOREVER'), 'ValidationException'),
            ('aws: tag', dict(CertificateAuthorityConfiguration=cfg(),
                              Tags=[{'Key': 'aws:owner', 'Value': 'me'}]), 'InvalidTagException'),
            ('disabled CRL with members', dict(
                CertificateAuthorityConfiguration=cfg(),
                RevocationConfiguration={'CrlConfiguration': {'Enabled': False,
                                                              'ExpirationInDays': 7}}),
             'InvalidArgsException'),
            ('OCSP CNAME with scheme', dict(
                CertificateAuthorityConfiguration=cfg(),
                RevocationConfiguration={'OcspConfiguration': {
                    'Enabled': True, 'OcspCustomCname': 'http://ocsp.example.com'}}),
             'InvalidArgsException'),
        ]
        before = self.count_cas()
        for name, kwargs, code in cases:
            with self.subTest(name):
                kwargs.setdefault('CertificateAuthorityType', 'ROOT')
                self.assertClientError(code, self.pca_nv.create_certificate_authority, **kwargs)
        self.assertEqual(self.count_cas(), before, 'a failed Create left a CA behind')

    def test_invalid_create_requests_via_cli(self):
        rsa_ecdsa = {'KeyAlgorithm': 'RSA_2048', 'SigningAlgorithm': 'SHA256WITHECDSA',
                     'Subject': {'CommonName': 'x'}}
        self.assertCliError(self.cli('acm-pca', 'create-certificate-authority',
                                     '--certificate-authority-type', 'ROOT',
                                     '--certificate-authority-configuration',
                                     json.dumps(rsa_ecdsa)), 'InvalidArgsException')
        usa = {'KeyAlgorithm': 'EC_prime256v1', 'SigningAlgorithm': 'SHA256WITHECDSA',
               'Subject': {'Country': 'USA', 'CommonName': 'x'}}
        self.assertCliError(self.cli('acm-pca', 'create-certificate-authority',
                                     '--certificate-authority-type', 'ROOT',
                                     '--certificate-authority-configuration',
                                     json.dumps(usa)), 'ValidationException')

    def test_idempotency_token_returns_same_arn(self):
        config = {'KeyAlgorithm': 'EC_prime256v1', 'SigningAlgorithm': 'SHA256WITHECDSA',
                  'Subject': {'CommonName': 'Idempotent CA'}}
        before = self.count_cas()
        arn1 = self.cli_create(config, 'ROOT', '--idempotency-token', 'tok-lifecycle-1')
        arn2 = self.cli_create(config, 'ROOT', '--idempotency-token', 'tok-lifecycle-1')
        self.assertEqual(arn1, arn2)
        self.assertEqual(self.count_cas(), before + 1)
        arn3 = self.cli_create(config, 'ROOT', '--idempotency-token', 'tok-lifecycle-2')
        self.assertNotEqual(arn3, arn1)
        self.assertEqual(self.count_cas(), before + 2)

    def test_idempotency_token_under_concurrency(self):
        """Six CreateCertificateAuthority calls with one token, released
        together: one CA, its ARN answered to all."""
        config = {'KeyAlgorithm': 'EC_prime256v1', 'SigningAlgorithm': 'SHA256WITHECDSA',
                  'Subject': {'CommonName': 'Raced CA'}}
        before = self.count_cas()
        arns = concurrently(lambda _: self.pca.create_certificate_authority(
            CertificateAuthorityConfiguration=config, CertificateAuthorityType='ROOT',
            IdempotencyToken='tok-race-1')['CertificateAuthorityArn'], 6)
        self.assertEqual(len(set(arns)), 1, arns)
        self.assertEqual(self.count_cas(), before + 1)

    # -- GetCertificateAuthorityCsr ------------------------------------------------------

    def test_ca_csr_content(self):
        subject = {'Country': 'US', 'Organization': 'Example Corp', 'OrganizationalUnit': 'PKI',
                   'State': 'Washington', 'CommonName': 'Example CSR Root', 'Locality': 'Seattle'}
        arn = self.cli_create({'KeyAlgorithm': 'EC_secp384r1', 'SigningAlgorithm': 'SHA384WITHECDSA',
                               'Subject': subject,
                               'CsrExtensions': {'KeyUsage': {'DigitalSignature': True,
                                                              'KeyCertSign': True,
                                                              'CRLSign': True}}})
        csr = self.cli_ok('acm-pca', 'get-certificate-authority-csr',
                          '--certificate-authority-arn', arn)['Csr']
        self.assertTrue(csr.startswith('-----BEGIN CERTIFICATE REQUEST-----'), csr[:60])
        ok, out = self.openssl.req_verify(csr)
        self.assertTrue(ok, out)
        # RDNs in ASN1Subject member order: C, O, OU, ST, CN, L
        self.assertEqual(self.openssl.req_subject(csr),
                         'C = US, O = Example Corp, OU = PKI, ST = Washington, '
                         'CN = Example CSR Root, L = Seattle')
        text = self.openssl.req_text(csr)
        self.assertIn('Signature Algorithm: ecdsa-with-SHA384', text)
        self.assertIn('ASN1 OID: secp384r1', text)
        exts = parse_extensions(text)
        self.assertEqual(set(exts), {EXT_BC, EXT_KU}, text)
        self.assertTrue(exts[EXT_BC].critical, 'BasicConstraints in the CA CSR must be critical')
        self.assertEqual(exts[EXT_BC].value, 'CA:TRUE')
        self.assertEqual(exts[EXT_KU].items(), {'Digital Signature', 'Certificate Sign', 'CRL Sign'})
        # the same CSR on every call
        again = get_ca_csr(self.pca, arn)
        self.assertEqual(pem_blocks(again), pem_blocks(csr))

    # -- building a root with the CLI (README flow) -----------------------------------------

    def test_root_activation_with_cli(self):
        arn = self.cli_create({'KeyAlgorithm': 'EC_prime256v1',
                               'SigningAlgorithm': 'SHA256WITHECDSA',
                               'Subject': {'Organization': 'CLI Org', 'CommonName': 'CLI Root'}})
        csr = self.cli_ok('acm-pca', 'get-certificate-authority-csr',
                          '--certificate-authority-arn', arn)['Csr']
        csr_path = self.openssl.write(csr, 'root-csr')
        before = time.time()
        cert_arn = self.cli_ok('acm-pca', 'issue-certificate', '--certificate-authority-arn', arn,
                               '--csr', f'fileb://{csr_path}',
                               '--signing-algorithm', 'SHA256WITHECDSA',
                               '--template-arn', template_arn('RootCACertificate'),
                               '--validity', 'Value=10,Type=YEARS')['CertificateArn']
        after = time.time()
        self.assertTrue(cert_arn.startswith(arn + '/certificate/'), cert_arn)
        got = self.cli_ok('acm-pca', 'get-certificate', '--certificate-authority-arn', arn,
                          '--certificate-arn', cert_arn)
        self.assertNotIn('CertificateChain', got, 'a self-signed root has no chain')
        cert = got['Certificate']
        cert_path = self.openssl.write(cert, 'root-cert')
        self.assertEqual(self.cli_ok('acm-pca', 'import-certificate-authority-certificate',
                                     '--certificate-authority-arn', arn,
                                     '--certificate', f'fileb://{cert_path}'), {})

        info = self.openssl.cert(cert)
        self.assertEqual(info.issuer, info.subject)
        self.assertEqual(info.subject, 'O = CLI Org, CN = CLI Root')
        self.assertEqual(info.signature_algorithm, 'ecdsa-with-SHA256')
        ok, out = self.openssl.verify(cert, cert)
        self.assertTrue(ok, out)
        # root template: critical CA:TRUE without pathlen, KU critical DS+CertSign+CRLSign,
        # SKI of the CA key; no EKU, CRL DP or AIA
        exts = info.extensions
        self.assertTrue({EXT_BC, EXT_KU, EXT_SKI} <= set(exts), exts)
        self.assertTrue(set(exts) <= {EXT_BC, EXT_KU, EXT_SKI, EXT_AKI}, exts)
        self.assertTrue(exts[EXT_BC].critical)
        self.assertEqual(exts[EXT_BC].value, 'CA:TRUE')
        self.assertTrue(exts[EXT_KU].critical)
        self.assertEqual(exts[EXT_KU].items(), {'Digital Signature', 'Certificate Sign', 'CRL Sign'})
        self.assertEqual(info.ski(), spki_key_id(self.openssl.req_pubkey(csr)))
        if EXT_AKI in exts:
            self.assertEqual(info.aki(), info.ski())
        # validity: 10 years from issuance, notBefore an hour earlier
        self.assertGreaterEqual(info.not_after, add_months(before, 120) - 2)
        self.assertLessEqual(info.not_after, add_months(after, 120) + 2)
        self.assertGreaterEqual(info.not_before, int(before) - 3600 - 2)
        self.assertLessEqual(info.not_before, after - 3600 + 2)

        ca = self.raw_describe(arn)
        self.assertEqual(ca['Status'], 'ACTIVE')
        self.assertEqual(ca['Serial'], str(info.serial), 'Serial must be the decimal serial')
        self.assertEqual(int(ca['NotBefore']), info.not_before)
        self.assertEqual(int(ca['NotAfter']), info.not_after)
        got = self.cli_ok('acm-pca', 'get-certificate-authority-certificate',
                          '--certificate-authority-arn', arn)
        self.assertEqual(pem_blocks(got['Certificate']), pem_blocks(cert))
        self.assertNotIn('CertificateChain', got, 'a root has no chain')

    # -- UpdateCertificateAuthority -------------------------------------------------------------

    def test_update_status_disable_enable(self):
        ca = build_root(self.pca, common_name='Update Me')
        args = ('acm-pca', 'update-certificate-authority', '--certificate-authority-arn', ca.arn)
        self.assertEqual(self.cli_ok(*args, '--status', 'DISABLED'), {})
        self.assertEqual(self.describe(ca.arn)['Status'], 'DISABLED')
        # a DISABLED CA still hands out its certificate
        got = self.pca.get_certificate_authority_certificate(CertificateAuthorityArn=ca.arn)
        self.assertEqual(pem_blocks(got['Certificate']), pem_blocks(ca.cert))
        self.assertEqual(self.cli_ok(*args, '--status', 'ACTIVE'), {})
        self.assertEqual(self.describe(ca.arn)['Status'], 'ACTIVE')
        self.assertCliError(self.cli(*args, '--status', 'PENDING_CERTIFICATE'),
                            'InvalidArgsException')
        for status in ('DELETED', 'CREATING', 'EXPIRED', 'FAILED'):
            with self.subTest(status):
                self.assertClientError('InvalidArgsException',
                                       self.pca.update_certificate_authority,
                                       CertificateAuthorityArn=ca.arn, Status=status)
        self.assertClientError('ValidationException', self.pca_nv.update_certificate_authority,
                               CertificateAuthorityArn=ca.arn, Status='BOGUS')
        self.assertEqual(self.describe(ca.arn)['Status'], 'ACTIVE')

    def test_update_status_of_pending_ca_is_invalid_state(self):
        arn = create_ca(self.pca, 'ROOT', common_name='Pending Update')
        for status in ('ACTIVE', 'DISABLED'):
            with self.subTest(status):
                self.assertCliError(self.cli('acm-pca', 'update-certificate-authority',
                                             '--certificate-authority-arn', arn,
                                             '--status', status), 'InvalidStateException')
        self.assertEqual(self.describe(arn)['Status'], 'PENDING_CERTIFICATE')

    # -- Delete / Restore ----------------------------------------------------------------------

    def test_delete_and_restore_active_ca(self):
        ca = build_root(self.pca, common_name='Delete Me')
        arn_args = ('--certificate-authority-arn', ca.arn)
        self.assertCliError(self.cli('acm-pca', 'delete-certificate-authority', *arn_args,
                                     '--permanent-deletion-time-in-days', '7'),
                            'InvalidStateException')
        self.assertEqual(self.describe(ca.arn)['Status'], 'ACTIVE')
        self.cli_ok('acm-pca', 'update-certificate-authority', *arn_args, '--status', 'DISABLED')
        for days in (6, 31, 0):
            with self.subTest(days=days):
                resp = self.raw('DeleteCertificateAuthority',
                                {'CertificateAuthorityArn': ca.arn,
                                 'PermanentDeletionTimeInDays': days})
                self.assertRawError(resp, 'ValidationException')
        self.assertEqual(self.describe(ca.arn)['Status'], 'DISABLED')

        now = time.time()
        self.assertEqual(self.cli_ok('acm-pca', 'delete-certificate-authority', *arn_args,
                                     '--permanent-deletion-time-in-days', '7'), {})
        desc = self.raw_describe(ca.arn)
        self.assertEqual(desc['Status'], 'DELETED')
        self.assertIsInstance(desc.get('RestorableUntil'), (int, float))
        self.assertAlmostEqual(desc['RestorableUntil'], now + 7 * 86400, delta=120)
        self.assertIn(ca.arn, [c['Arn'] for c in self._all_cas(self.pca)],
                      'a restorable DELETED CA is still listed')
        # what a DELETED CA refuses
        self.assertCliError(self.cli('acm-pca', 'delete-certificate-authority', *arn_args),
                            'InvalidStateException')
        self.assertCliError(self.cli('acm-pca', 'update-certificate-authority', *arn_args,
                                     '--status', 'ACTIVE'), 'InvalidStateException')
        self.assertCliError(self.cli('acm-pca', 'get-certificate-authority-certificate',
                                     *arn_args), 'InvalidStateException')
        self.assertClientError('InvalidStateException', self.pca.tag_certificate_authority,
                               CertificateAuthorityArn=ca.arn, Tags=[{'Key': 'k', 'Value': 'v'}])

        self.assertEqual(self.cli_ok('acm-pca', 'restore-certificate-authority', *arn_args), {})
        desc = self.raw_describe(ca.arn)
        self.assertEqual(desc['Status'], 'DISABLED', 'restore returns to the pre-deletion state')
        self.assertNotIn('RestorableUntil', desc)
        self.assertCliError(self.cli('acm-pca', 'restore-certificate-authority', *arn_args),
                            'InvalidStateException')
        self.cli_ok('acm-pca', 'update-certificate-authority', *arn_args, '--status', 'ACTIVE')
        self.assertEqual(self.describe(ca.arn)['Status'], 'ACTIVE')

    def test_delete_pending_ca_default_window(self):
        arn = create_ca(self.pca, 'ROOT', common_name='Delete Pending')
        now = time.time()
        self.assertEqual(self.cli_ok('acm-pca', 'delete-certificate-authority',
                                     '--certificate-authority-arn', arn), {})
        desc = self.raw_describe(arn)
        self.assertEqual(desc['Status'], 'DELETED')
        self.assertAlmostEqual(desc['RestorableUntil'], now + 30 * 86400, delta=120)
        self.assertClientError('InvalidStateException', self.pca.get_certificate_authority_csr,
                               CertificateAuthorityArn=arn)
        self.cli_ok('acm-pca', 'restore-certificate-authority', '--certificate-authority-arn', arn)
        self.assertEqual(self.describe(arn)['Status'], 'PENDING_CERTIFICATE')

    def test_restore_of_non_deleted_ca_is_invalid_state(self):
        pending = create_ca(self.pca, 'ROOT', common_name='Not Deleted')
        for name, arn, status in [('pending', pending, 'PENDING_CERTIFICATE'),
                                  ('active', self.root.arn, 'ACTIVE')]:
            with self.subTest(name):
                self.assertCliError(self.cli('acm-pca', 'restore-certificate-authority',
                                             '--certificate-authority-arn', arn),
                                    'InvalidStateException')
                self.assertEqual(self.describe(arn)['Status'], status)

    # -- ListCertificateAuthorities ------------------------------------------------------------

    def test_list_pagination(self):
        creds = self.server.keys_create('--new-account')
        pca = make_client(self.server.url, creds)
        created = {create_ca(pca, 'ROOT', common_name=f'Paged CA {i}') for i in range(5)}

        pages, token = [], None
        for _ in range(10):
            kw = {'MaxResults': 2}
            if token:
                kw['NextToken'] = token
            resp = pca.list_certificate_authorities(**kw)
            pages.append([c['Arn'] for c in resp['CertificateAuthorities']])
            token = resp.get('NextToken')
            if not token:
                break
        self.assertEqual([len(p) for p in pages], [2, 2, 1], pages)
        flat = [a for p in pages for a in p]
        self.assertEqual(len(flat), len(set(flat)), 'a CA was listed twice')
        self.assertEqual(set(flat), created)

        seen = [c['Arn'] for page in pca.get_paginator('list_certificate_authorities').paginate(
            PaginationConfig={'PageSize': 2}) for c in page['CertificateAuthorities']]
        self.assertEqual(sorted(seen), sorted(created))

        # the aws CLI pages on its own
        out = self.cli_ok('acm-pca', 'list-certificate-authorities', '--page-size', '2',
                          creds=creds)
        self.assertEqual(sorted(c['Arn'] for c in out['CertificateAuthorities']), sorted(created))

        first = pca.list_certificate_authorities(MaxResults=2)['NextToken']
        i = len(first) // 2
        forged = first[:i] + ('A' if first[i] != 'A' else 'B') + first[i + 1:]
        for name, tok in [('flipped character', forged), ('garbage', 'not-a-token'),
                          ('truncated', first[:-4] or 'x')]:
            with self.subTest(name):
                self.assertClientError('InvalidNextTokenException',
                                       pca.list_certificate_authorities,
                                       MaxResults=2, NextToken=tok)
        # tokens are account-bound
        with self.subTest('token of another account'):
            self.assertClientError('InvalidNextTokenException',
                                   self.pca.list_certificate_authorities,
                                   MaxResults=2, NextToken=first)

    # -- tags -----------------------------------------------------------------------------------

    def list_tags_cli(self, arn):
        tags = self.cli_ok('acm-pca', 'list-tags', '--certificate-authority-arn', arn)['Tags']
        return {t['Key']: t.get('Value') for t in tags}

    def test_tag_untag_list(self):
        arn = create_ca(self.pca, 'ROOT', common_name='Tagged CA',
                        Tags=[{'Key': 'env', 'Value': 'test'}])
        self.assertEqual(self.list_tags_cli(arn), {'env': 'test'})
        tag = ('acm-pca', 'tag-certificate-authority', '--certificate-authority-arn', arn, '--tags')
        untag = ('acm-pca', 'untag-certificate-authority', '--certificate-authority-arn', arn,
                 '--tags')
        self.assertEqual(self.cli_ok(*tag, 'Key=team,Value=pki', 'Key=env,Value=prod'), {})
        self.assertEqual(self.list_tags_cli(arn), {'env': 'prod', 'team': 'pki'})
        self.cli_ok(*untag, 'Key=env')                    # key only: whatever value
        self.assertEqual(self.list_tags_cli(arn), {'team': 'pki'})
        self.cli_ok(*untag, 'Key=team,Value=wrong')       # key+value: only on match
        self.assertEqual(self.list_tags_cli(arn), {'team': 'pki'})
        self.cli_ok(*untag, 'Key=absent')                 # absent keys are ignored
        self.cli_ok(*untag, 'Key=team,Value=pki')
        self.assertEqual(self.list_tags_cli(arn), {})
        self.assertEqual(self.pca.list_tags(CertificateAuthorityArn=arn)['Tags'], [])

    def test_invalid_tags(self):
        arn = create_ca(self.pca, 'ROOT', common_name='Tag Limits CA',
                        Tags=[{'Key': 'keep', 'Value': 'me'}])
        self.assertCliError(self.cli('acm-pca', 'tag-certificate-authority',
                                     '--certificate-authority-arn', arn,
                                     '--tags', 'Key=aws:reserved,Value=x'), 'InvalidTagException')
        self.assertClientError('InvalidTagException', self.pca.tag_certificate_authority,
                               CertificateAuthorityArn=arn,
                               Tags=[{'Key': 'ok', 'Value': 'fine'},
                                     {'Key': 'bad#key', 'Value': 'x'}])
        fifty = [{'Key': f'k{i:02d}', 'Value': str(i)} for i in range(50)]
        self.assertClientError('TooManyTagsException', self.pca.tag_certificate_authority,
                               CertificateAuthorityArn=arn, Tags=fifty)   # 1 + 50 = 51
        self.assertEqual(self.pca.list_tags(CertificateAuthorityArn=arn)['Tags'],
                         [{'Key': 'keep', 'Value': 'me'}], 'a failed Tag changed the tags')
        self.pca.tag_certificate_authority(CertificateAuthorityArn=arn, Tags=fifty[:49])  # = 50
        # re-tagging an existing key is not "more" tags
        self.pca.tag_certificate_authority(CertificateAuthorityArn=arn,
                                           Tags=[{'Key': 'keep', 'Value': 'again'}])
        pages = list(self.pca.get_paginator('list_tags').paginate(
            CertificateAuthorityArn=arn, PaginationConfig={'PageSize': 20}))
        keys = [t['Key'] for p in pages for t in p['Tags']]
        self.assertGreaterEqual(len(pages), 3, 'ListTags ignored MaxResults')
        self.assertEqual(len(keys), 50)
        self.assertEqual(set(keys), {'keep'} | {f'k{i:02d}' for i in range(49)})
        self.assertClientError('TooManyTagsException', self.pca.tag_certificate_authority,
                               CertificateAuthorityArn=arn, Tags=[{'Key': 'one-more', 'Value': ''}])

    # -- GetCertificateAuthorityCertificate / Import ----------------------------------------------

    def test_get_ca_certificate_of_pending_ca_is_invalid_state(self):
        arn = create_ca(self.pca, 'ROOT', common_name='No Cert Yet')
        self.assertCliError(self.cli('acm-pca', 'get-certificate-authority-certificate',
                                     '--certificate-authority-arn', arn), 'InvalidStateException')

    def test_import_errors(self):
        o = self.openssl
        root_x = create_ca(self.pca, 'ROOT', common_name='Import Target Root')
        sub_s = create_ca(self.pca, 'SUBORDINATE', common_name='Import Target Sub')
        x_csr = get_ca_csr(self.pca, root_x)
        s_csr = get_ca_csr(self.pca, sub_s)

        other_key = o.genkey()
        other_selfsigned = o.self_signed(other_key, '/CN=Someone Else Root', [
            'basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign',
            'subjectKeyIdentifier = hash'])
        ca_exts = ['basicConstraints = critical, CA:TRUE, pathlen:0',
                   'keyUsage = critical, keyCertSign, cRLSign',
                   'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid']
        x_by_external = o.sign(x_csr, self.ext_cert, self.ext_key, ca_exts)
        s_not_ca = o.sign(s_csr, self.ext_cert, self.ext_key, [
            'basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature',
            'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid'])
        s_bc_not_critical = o.sign(s_csr, self.ext_cert, self.ext_key, [
            'basicConstraints = CA:TRUE, pathlen:0', 'keyUsage = critical, keyCertSign, cRLSign',
            'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid'])
        s_by_root = self.ca_cert_for(s_csr)
        ext = self.ext_cert

        cases = [
            ('root: certificate of another key', root_x, other_selfsigned, None,
             'CertificateMismatchException'),
            ('root: garbage', root_x, b'this is not a certificate', None,
             'MalformedCertificateException'),
            ('root: PEM with broken base64', root_x,
             b'-----BEGIN CERTIFICATE-----\nMIIB!!!!\n-----END CERTIFICATE-----\n', None,
             'MalformedCertificateException'),
            ('root: not self-signed', root_x, x_by_external, None, 'InvalidRequestException'),
            ('sub: self-signed', sub_s, other_selfsigned, ext, 'InvalidRequestException'),
            ('sub: no chain', sub_s, s_by_root, None, 'InvalidRequestException'),
            ('sub: CA:FALSE', sub_s, s_not_ca, ext, 'MalformedCertificateException'),
            ('sub: BasicConstraints not critical', sub_s, s_bc_not_critical, ext,
             'MalformedCertificateException'),
            ('sub: chain that did not sign it', sub_s, s_by_root, ext,
             'CertificateMismatchException'),
        ]
        for name, arn, cert, chain, code in cases:
            with self.subTest(name):
                kw = {'CertificateAuthorityArn': arn, 'Certificate': to_bytes(cert)}
                if chain is not None:
                    kw['CertificateChain'] = to_bytes(chain)
                self.assertClientError(code, self.pca.import_certificate_authority_certificate,
                                       **kw)
        # the same through the CLI, with fileb://
        self.assertCliError(self.cli('acm-pca', 'import-certificate-authority-certificate',
                                     '--certificate-authority-arn', root_x, '--certificate',
                                     'fileb://' + o.write(other_selfsigned, 'other')),
                            'CertificateMismatchException')
        self.assertCliError(self.cli('acm-pca', 'import-certificate-authority-certificate',
                                     '--certificate-authority-arn', root_x, '--certificate',
                                     'fileb://' + o.write(b'garbage', 'garbage')),
                            'MalformedCertificateException')
        for arn in (root_x, sub_s):
            self.assertEqual(self.describe(arn)['Status'], 'PENDING_CERTIFICATE')

    def test_subordinate_under_external_ca(self):
        sub = create_ca(self.pca, 'SUBORDINATE', common_name='Externally Signed Sub')
        cert = self.openssl.sign(get_ca_csr(self.pca, sub), self.ext_cert, self.ext_key, [
            'basicConstraints = critical, CA:TRUE, pathlen:0',
            'keyUsage = critical, digitalSignature, keyCertSign, cRLSign',
            'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid'], days=1000)
        self.pca.import_certificate_authority_certificate(
            CertificateAuthorityArn=sub, Certificate=cert, CertificateChain=self.ext_cert)
        self.assertEqual(self.describe(sub)['Status'], 'ACTIVE')
        got = self.pca.get_certificate_authority_certificate(CertificateAuthorityArn=sub)
        self.assertEqual(pem_blocks(got['Certificate']), pem_blocks(cert))
        self.assertEqual(pem_blocks(got['CertificateChain']), pem_blocks(self.ext_cert))
        key = self.openssl.genkey()
        csr = self.openssl.csr(key, '/CN=ext-leaf.example.com',
                               ['subjectAltName = DNS:ext-leaf.example.com'])
        _, leaf, chain = issue_and_get(self.pca, sub, csr)
        ok, out = self.openssl.verify(self.ext_cert, leaf, [cert])
        self.assertTrue(ok, out)
        self.assertEqual(pem_blocks(chain), pem_blocks(cert) + pem_blocks(self.ext_cert))

    def test_subordinate_under_root(self):
        sub = build_sub(self.pca, self.root, 'SubordinateCACertificate_PathLen0',
                        common_name='Lifecycle Sub')
        desc = self.describe(sub.arn)
        self.assertEqual((desc['Type'], desc['Status']), ('SUBORDINATE', 'ACTIVE'))
        got = self.cli_ok('acm-pca', 'get-certificate-authority-certificate',
                          '--certificate-authority-arn', sub.arn)
        self.assertEqual(pem_blocks(got['Certificate']), pem_blocks(sub.cert))
        self.assertEqual(pem_blocks(got['CertificateChain']), pem_blocks(self.root.cert))
        root_got = self.pca.get_certificate_authority_certificate(
            CertificateAuthorityArn=self.root.arn)
        self.assertNotIn('CertificateChain', root_got)

        info = self.openssl.cert(sub.cert)
        root_info = self.openssl.cert(self.root.cert)
        self.assertEqual(info.issuer, root_info.subject)
        self.assertEqual(info.subject, 'CN = Lifecycle Sub')
        self.assertTrue(info.extensions[EXT_BC].critical)
        self.assertEqual(info.extensions[EXT_BC].value, 'CA:TRUE, pathlen:0')
        self.assertTrue(info.extensions[EXT_KU].critical)
        self.assertEqual(info.extensions[EXT_KU].items(),
                         {'Digital Signature', 'Certificate Sign', 'CRL Sign'})
        self.assertEqual(info.aki(), root_info.ski())
        self.assertEqual(int(desc['Serial']), info.serial)
        ok, out = self.openssl.verify(self.root.cert, sub.cert)
        self.assertTrue(ok, out)


if __name__ == '__main__':
    unittest.main()
