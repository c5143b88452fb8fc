"""ACM inventory and management (acm.md §2, §5.2, §5.4, §5.7, §5.9-5.12, §6.3):
ListCertificates paging, filters and sorting; tags; the account
configuration; deletion; ARN errors; public DNS/EMAIL requests and their
validation records; ResendValidationEmail; account isolation."""
import os
import re
import sys

if __package__ in (None, ''):
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..')))

import unittest  # noqa: E402

import botocore.exceptions  # noqa: E402

from tests.integration.harness import (  # noqa: E402
    ACM_KEY_TYPES, ARN_ACM_RE, CertainTestCase, acm_list_all, build_root, make_client,
    wait_acm_status)

UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'
STATUSES = ['PENDING_VALIDATION', 'ISSUED', 'INACTIVE', 'EXPIRED', 'VALIDATION_TIMED_OUT',
            'REVOKED', 'FAILED']
HEX32 = r'[0-9a-f]{32}'


def make_cert(openssl, cn, exts=(), key=None, **keyargs):
    """(certificate PEM bytes, private key PEM bytes): self-signed, v3."""
    key = key or openssl.genkey(**keyargs)
    cert = openssl.self_signed(key, f'/CN={cn}', ['basicConstraints = CA:FALSE', *exts])
    with open(key, 'rb') as f:
        return cert, f.read()


def arns(summaries):
    return [c['CertificateArn'] for c in summaries]


class ListPagingTests(CertainTestCase):
    """Over 100 certificates: pages, tokens, the default key filter, sorting."""

    N_EC = 105

    @classmethod
    def setUpFixtures(cls):
        o = cls.openssl
        cls.ec = make_cert(o, 'page.example.com', ['subjectAltName = DNS:page.example.com'])
        cls.ec_arns = [cls.imp(*cls.ec) for _ in range(cls.N_EC)]
        cls.rsa2048 = [cls.imp(*make_cert(o, f'rsa{i}.example.com', alg='rsa', bits=2048))
                       for i in range(2)]
        cls.rsa1024 = cls.imp(*make_cert(o, 'rsa1024.example.com', alg='rsa', bits=1024))
        cls.rsa3072 = cls.imp(*make_cert(o, 'rsa3072.example.com', alg='rsa', bits=3072))
        cls.p384 = cls.imp(*make_cert(o, 'p384.example.com', curve='P-384'))
        cls.b = cls.server.keys_create('--new-account')
        cls.acm_b = cls.acm_client(cls.b)
        cls.acm_nv = cls.acm_client(validate=False)

    @classmethod
    def imp(cls, cert, key):
        return cls.acm.import_certificate(Certificate=cert, PrivateKey=key)['CertificateArn']

    def pages(self, max_items, **kwargs):
        out, token = [], None
        while True:
            args = dict(kwargs, MaxItems=max_items)
            if token:
                args['NextToken'] = token
            page = self.acm.list_certificates(**args)
            out.append(arns(page['CertificateSummaryList']))
            token = page.get('NextToken')
            if not token:
                return out
            self.assertLess(len(out), 500, 'paging does not end')

    def test_pages_cover_everything_once(self):
        live = set(arns(acm_list_all(self.acm, Includes={'keyTypes': ['EC_prime256v1']})))
        self.assertTrue(set(self.ec_arns) <= live)
        pages = self.pages(40, Includes={'keyTypes': ['EC_prime256v1']})
        sizes = [len(p) for p in pages]
        self.assertTrue(all(s == 40 for s in sizes[:-1]), sizes)
        self.assertEqual(sum(sizes), len(live))
        flat = [a for p in pages for a in p]
        self.assertEqual(len(flat), len(set(flat)), 'a certificate was listed twice')
        self.assertEqual(set(flat), live)

    def test_default_page_is_1000(self):
        page = self.acm.list_certificates(Includes={'keyTypes': ['EC_prime256v1']})
        self.assertNotIn('NextToken', page)
        self.assertTrue(set(self.ec_arns) <= set(arns(page['CertificateSummaryList'])))
        self.assertGreater(len(page['CertificateSummaryList']), 100)

    def test_default_key_filter_is_rsa_1024_and_2048(self):
        listed = set(arns(self.acm.list_certificates()['CertificateSummaryList']))
        self.assertEqual(listed, set(self.rsa2048) | {self.rsa1024})
        for s in self.acm.list_certificates()['CertificateSummaryList']:
            self.assertIn(s['KeyAlgorithm'], ('RSA_1024', 'RSA_2048'))

    def test_key_types_filter(self):
        table = [(['EC_secp384r1'], {self.p384}),
                 (['RSA_3072'], {self.rsa3072}),
                 (['RSA_1024', 'EC_secp384r1'], {self.rsa1024, self.p384}),
                 (['RSA_4096', 'EC_secp521r1'], set())]
        for types, expected in table:
            with self.subTest(types):
                got = arns(acm_list_all(self.acm, Includes={'keyTypes': types}))
                self.assertEqual(set(got), expected)
                self.assertEqual(len(got), len(expected))
        self.assertClientError('ValidationException', self.acm.list_certificates,
                               Includes={'keyTypes': ['RSA_512']})

    def test_changes_between_pages(self):
        inc = {'keyTypes': ['EC_prime256v1']}
        initial = arns(acm_list_all(self.acm, Includes=inc, MaxItems=1000))
        first = self.acm.list_certificates(Includes=inc, MaxItems=30)
        seen = arns(first['CertificateSummaryList'])
        self.assertEqual(seen, initial[:30], 'paging order differs from a one-page listing')
        anchor, unseen = seen[-1], initial[60]
        # delete the last certificate returned (the position the token points after)
        # and one not returned yet; add one
        self.acm.delete_certificate(CertificateArn=anchor)
        self.acm.delete_certificate(CertificateArn=unseen)
        added = self.imp(*self.ec)
        token = first['NextToken']
        rest = []
        while token:
            page = self.acm.list_certificates(Includes=inc, MaxItems=25, NextToken=token)
            rest += arns(page['CertificateSummaryList'])
            token = page.get('NextToken')
        everything = seen + rest
        self.assertEqual(len(everything), len(set(everything)), 'duplicates across pages')
        self.assertNotIn(unseen, rest, 'a deleted certificate was listed')
        missing = set(initial) - {anchor, unseen} - set(everything)
        self.assertEqual(missing, set(), 'certificates skipped after a deletion')
        self.assertLessEqual(rest.count(added), 1)
        self.ec_arns.remove(anchor)
        self.ec_arns.remove(unseen)
        self.ec_arns.append(added)

    def test_token_replay_with_other_max_items(self):
        inc = {'keyTypes': ['EC_prime256v1']}
        token = self.acm.list_certificates(Includes=inc, MaxItems=10)['NextToken']
        a = self.acm.list_certificates(Includes=inc, MaxItems=5, NextToken=token)
        b = self.acm.list_certificates(Includes=inc, MaxItems=5, NextToken=token)
        c = self.acm.list_certificates(Includes=inc, MaxItems=50, NextToken=token)
        self.assertEqual(arns(a['CertificateSummaryList']), arns(b['CertificateSummaryList']))
        self.assertEqual(len(a['CertificateSummaryList']), 5)
        self.assertEqual(arns(c['CertificateSummaryList'])[:5], arns(a['CertificateSummaryList']))
        self.assertEqual(len(c['CertificateSummaryList']), 50)

    def test_bad_tokens_and_max_items(self):
        self.assertClientError('InvalidArgsException', self.acm.list_certificates,
                               NextToken='bogus')
        token = self.acm.list_certificates(Includes={'keyTypes': ['EC_prime256v1']},
                                           MaxItems=10)['NextToken']
        flipped = token[:-3] + ('A' if token[-3] != 'A' else 'B') + token[-2:]
        self.assertClientError('InvalidArgsException', self.acm.list_certificates,
                               Includes={'keyTypes': ['EC_prime256v1']}, NextToken=flipped)
        # account-bound: B cannot use A's token
        self.assertClientError('InvalidArgsException', self.acm_b.list_certificates,
                               Includes={'keyTypes': ['EC_prime256v1']}, NextToken=token)
        for bad in (0, 1001, -1):
            with self.subTest(MaxItems=bad):
                self.assertClientError('ValidationException', self.acm_nv.list_certificates,
                                       MaxItems=bad)

    def test_sort_order(self):
        inc = {'keyTypes': ACM_KEY_TYPES}
        asc = acm_list_all(self.acm, Includes=inc, SortBy='CREATED_AT', SortOrder='ASCENDING')
        desc = acm_list_all(self.acm, Includes=inc, SortBy='CREATED_AT', SortOrder='DESCENDING')
        self.assertEqual(set(arns(asc)), set(arns(desc)))
        self.assertEqual(len(asc), len(desc))
        when = [c['ImportedAt'] for c in asc]
        self.assertEqual(when, sorted(when))
        when = [c['ImportedAt'] for c in desc]
        self.assertEqual(when, sorted(when, reverse=True))
        # the last import is first when descending
        self.assertEqual(arns(desc)[0], arns(asc)[-1])
        self.assertClientError('ValidationException', self.acm.list_certificates,
                               SortBy='CREATED_AT')
        self.assertClientError('ValidationException', self.acm.list_certificates,
                               SortOrder='DESCENDING')
        self.assertClientError('ValidationException', self.acm.list_certificates,
                               SortBy='NAME', SortOrder='ASCENDING')

    def test_cli_auto_pagination(self):
        expected = arns(acm_list_all(self.acm, Includes={'keyTypes': ['EC_prime256v1']}))
        out = self.cli_ok('acm', 'list-certificates', '--includes', 'keyTypes=EC_prime256v1',
                          '--page-size', '30')
        self.assertEqual(arns(out['CertificateSummaryList']), expected)
        self.assertNotIn('NextToken', out)
        first = self.cli_ok('acm', 'list-certificates', '--includes', 'keyTypes=EC_prime256v1',
                            '--max-items', '45', '--page-size', '20')
        self.assertEqual(arns(first['CertificateSummaryList']), expected[:45])
        rest = self.cli_ok('acm', 'list-certificates', '--includes', 'keyTypes=EC_prime256v1',
                           '--starting-token', first['NextToken'], '--page-size', '33')
        self.assertEqual(arns(rest['CertificateSummaryList']), expected[45:])


class FilterTests(CertainTestCase):
    """Status, usage and export filters; the summary of an imported certificate."""

    @classmethod
    def setUpFixtures(cls):
        o = cls.openssl
        key = o.genkey()
        ku = 'keyUsage = critical, '

        def imp(cn, exts):
            cert, k = make_cert(o, cn, [f'subjectAltName = DNS:{cn}', *exts], key=key)
            return cls.acm.import_certificate(Certificate=cert, PrivateKey=k)['CertificateArn']

        cls.server_ds = imp('server.example.com', [ku + 'digitalSignature',
                                                   'extendedKeyUsage = serverAuth'])
        cls.code_ka = imp('code.example.com', [ku + 'keyAgreement',
                                               'extendedKeyUsage = codeSigning'])
        cls.noeku = imp('noeku.example.com', [ku + 'digitalSignature, keyAgreement'])
        cls.custom = imp('custom.example.com', [ku + 'digitalSignature',
                                                'extendedKeyUsage = 1.2.3.4.5.6'])
        cls.any_eku = imp('any.example.com', [ku + 'digitalSignature',
                                              'extendedKeyUsage = serverAuth, 2.5.29.37.0'])
        cls.imported = [cls.server_ds, cls.code_ka, cls.noeku, cls.custom, cls.any_eku]
        # two public requests (PENDING_VALIDATION), one export-enabled (a newer
        # field botocore 1.29 lacks: sent raw)
        cls.pending = cls.acm.request_certificate(
            DomainName='pending.example.com', ValidationMethod='DNS',
            KeyAlgorithm='EC_prime256v1')['CertificateArn']

    def listed(self, **includes):
        statuses = includes.pop('statuses', None)
        includes.setdefault('keyTypes', ['EC_prime256v1'])
        kw = {'Includes': includes}
        if statuses:
            kw['CertificateStatuses'] = statuses
        return set(arns(acm_list_all(self.acm, **kw)))

    def test_status_filter(self):
        self.assertEqual(self.listed(statuses=['PENDING_VALIDATION']), {self.pending})
        self.assertEqual(self.listed(statuses=['ISSUED']), set(self.imported))
        self.assertEqual(self.listed(statuses=['ISSUED', 'PENDING_VALIDATION']),
                         set(self.imported) | {self.pending})
        self.assertEqual(self.listed(statuses=['EXPIRED', 'FAILED']), set())
        self.assertEqual(self.listed(), set(self.imported) | {self.pending}, 'no statuses = all')
        self.assertClientError('ValidationException', self.acm.list_certificates,
                               CertificateStatuses=['ACTIVE'])

    def test_extended_key_usage_filter(self):
        issued = ['ISSUED']
        table = [(['NONE'], {self.noeku}),
                 (['CODE_SIGNING'], {self.code_ka}),
                 (['CUSTOM'], {self.custom}),
                 (['ANY'], {self.any_eku}),
                 (['TLS_WEB_SERVER_AUTHENTICATION'], {self.server_ds, self.any_eku}),
                 (['CODE_SIGNING', 'NONE'], {self.code_ka, self.noeku}),
                 (['TIME_STAMPING'], set())]
        for ekus, expected in table:
            with self.subTest(ekus):
                self.assertEqual(self.listed(statuses=issued, extendedKeyUsage=ekus), expected)
        self.assertClientError('ValidationException', self.acm.list_certificates,
                               Includes={'extendedKeyUsage': ['SERVER_AUTH']})

    def test_key_usage_filter(self):
        issued = ['ISSUED']
        self.assertEqual(self.listed(statuses=issued, keyUsage=['KEY_AGREEMENT']),
                         {self.code_ka, self.noeku})
        self.assertEqual(self.listed(statuses=issued, keyUsage=['DIGITAL_SIGNATURE']),
                         {self.server_ds, self.noeku, self.custom, self.any_eku})
        self.assertEqual(self.listed(statuses=issued, keyUsage=['CRL_SIGNING']), set())
        # different filters are AND-ed
        self.assertEqual(self.listed(statuses=issued, keyUsage=['KEY_AGREEMENT'],
                                     extendedKeyUsage=['NONE']), {self.noeku})
        self.assertClientError('ValidationException', self.acm.list_certificates,
                               Includes={'keyUsage': ['SIGN']})

    def test_export_option_filter(self):
        resp = self.raw_acm('RequestCertificate', {
            'DomainName': 'exportable.example.com', 'ValidationMethod': 'DNS',
            'KeyAlgorithm': 'EC_prime256v1', 'Options': {'Export': 'ENABLED'}})
        exportable = self.assertRawOk(resp)['CertificateArn']
        self.addCleanup(self.acm.delete_certificate, CertificateArn=exportable)

        def listed(option):
            resp = self.raw_acm('ListCertificates', {
                'Includes': {'keyTypes': ['EC_prime256v1'], 'exportOption': option},
                'CertificateStatuses': ['PENDING_VALIDATION']})
            return {c['CertificateArn']: c for c in self.assertRawOk(resp)[
                'CertificateSummaryList']}

        enabled = listed('ENABLED')
        self.assertEqual(set(enabled), {exportable})
        self.assertEqual(enabled[exportable].get('ExportOption'), 'ENABLED')
        disabled = listed('DISABLED')
        self.assertIn(self.pending, disabled)
        self.assertNotIn(exportable, disabled)
        d = self.assertRawOk(self.raw_acm('DescribeCertificate',
                                          {'CertificateArn': exportable}))['Certificate']
        self.assertEqual(d['Options'].get('Export'), 'ENABLED')
        self.assertRawError(self.raw_acm('ListCertificates', {
            'Includes': {'exportOption': 'MAYBE'}}), 'ValidationException')
        # export-enabled but not issued yet
        self.assertRawError(self.raw_acm('ExportCertificate', {
            'CertificateArn': exportable, 'Passphrase': 'cGFzc3BocmFzZQ=='}),
            'RequestInProgressException')

    def test_imported_summary_fields(self):
        s = [c for c in acm_list_all(self.acm) if c['CertificateArn'] == self.code_ka][0]
        d = self.acm.describe_certificate(CertificateArn=self.code_ka)['Certificate']
        self.assertEqual(s['DomainName'], 'code.example.com')
        self.assertEqual(s['SubjectAlternativeNameSummaries'], ['code.example.com'])
        self.assertIs(s['HasAdditionalSubjectAlternativeNames'], False)
        self.assertEqual((s['Status'], s['Type'], s['KeyAlgorithm']),
                         ('ISSUED', 'IMPORTED', 'EC_prime256v1'))
        self.assertEqual(s['KeyUsages'], ['KEY_AGREEMENT'])
        self.assertEqual(s['ExtendedKeyUsages'], ['CODE_SIGNING'])
        self.assertIs(s['InUse'], False)
        self.assertIs(s['Exported'], False)
        self.assertEqual(s['RenewalEligibility'], 'INELIGIBLE')
        self.assertEqual(s['NotBefore'], d['NotBefore'])
        self.assertEqual(s['NotAfter'], d['NotAfter'])
        self.assertEqual(s['ImportedAt'], d['ImportedAt'])
        self.assertNotIn('CreatedAt', s)
        self.assertNotIn('IssuedAt', s)
        # raw JSON: timestamps are numbers, absent members are absent (not null)
        raw = self.assertRawOk(self.raw_acm('ListCertificates', {
            'Includes': {'keyTypes': ['EC_prime256v1']}}))
        entry = [c for c in raw['CertificateSummaryList']
                 if c['CertificateArn'] == self.code_ka][0]
        self.assertIsInstance(entry['NotAfter'], (int, float))
        self.assertNotIn(None, entry.values())
        raw = self.assertRawOk(self.raw_acm('DescribeCertificate',
                                            {'CertificateArn': self.code_ka}))['Certificate']
        self.assertIsInstance(raw['ImportedAt'], (int, float))
        self.assertNotIn(None, raw.values())

    def test_more_than_100_names(self):
        names = [f'host{i:03d}.example.com' for i in range(101)]
        cert, key = make_cert(self.openssl, names[0],
                              ['subjectAltName = ' + ', '.join(f'DNS:{n}' for n in names)])
        arn = self.acm.import_certificate(Certificate=cert, PrivateKey=key)['CertificateArn']
        self.addCleanup(self.acm.delete_certificate, CertificateArn=arn)
        s = [c for c in acm_list_all(self.acm) if c['CertificateArn'] == arn][0]
        self.assertEqual(len(s['SubjectAlternativeNameSummaries']), 100)
        self.assertTrue(set(s['SubjectAlternativeNameSummaries']) <= set(names))
        self.assertIs(s['HasAdditionalSubjectAlternativeNames'], True)
        d = self.acm.describe_certificate(CertificateArn=arn)['Certificate']
        self.assertEqual(set(d['SubjectAlternativeNames']), set(names))


class TagTests(CertainTestCase):

    @classmethod
    def setUpFixtures(cls):
        cls.cert, cls.key = make_cert(cls.openssl, 'tags.example.com')

    def new_arn(self, **kw):
        return self.acm.import_certificate(Certificate=self.cert, PrivateKey=self.key,
                                           **kw)['CertificateArn']

    def tags(self, arn):
        return sorted(self.acm.list_tags_for_certificate(CertificateArn=arn)['Tags'],
                      key=lambda t: t['Key'])

    def test_add_overwrite_remove_list(self):
        arn = self.new_arn()
        self.assertEqual(self.tags(arn), [])
        self.acm.add_tags_to_certificate(CertificateArn=arn, Tags=[
            {'Key': 'env', 'Value': 'prod'}, {'Key': 'team', 'Value': 'web'},
            {'Key': 'flag'}, {'Key': 'owner', 'Value': 'alice@example.com'}])
        self.acm.add_tags_to_certificate(CertificateArn=arn, Tags=[
            {'Key': 'env', 'Value': 'staging'}])
        self.assertEqual(self.tags(arn), [
            {'Key': 'env', 'Value': 'staging'}, {'Key': 'flag'},
            {'Key': 'owner', 'Value': 'alice@example.com'}, {'Key': 'team', 'Value': 'web'}])
        # with a Value: removed only if equal; without: whatever the value; absent: ignored
        self.acm.remove_tags_from_certificate(CertificateArn=arn, Tags=[
            {'Key': 'env', 'Value': 'prod'}, {'Key': 'team'}, {'Key': 'nope'},
            {'Key': 'owner', 'Value': 'alice@example.com'}])
        self.assertEqual(self.tags(arn), [{'Key': 'env', 'Value': 'staging'}, {'Key': 'flag'}])
        self.acm.remove_tags_from_certificate(CertificateArn=arn, Tags=[
            {'Key': 'env', 'Value': 'staging'}, {'Key': 'flag'}])
        self.assertEqual(self.tags(arn), [])

    def test_cli_tags(self):
        arn = self.new_arn(Tags=[{'Key': 'from', 'Value': 'import'}])
        self.cli_ok('acm', 'add-tags-to-certificate', '--certificate-arn', arn, '--tags',
                    'Key=cli,Value=yes', 'Key=bare')
        out = self.cli_ok('acm', 'list-tags-for-certificate', '--certificate-arn', arn)
        self.assertCountEqual(out['Tags'], [{'Key': 'from', 'Value': 'import'},
                                            {'Key': 'cli', 'Value': 'yes'}, {'Key': 'bare'}])

    def test_fifty_tags_limit(self):
        arn = self.new_arn()
        self.acm.add_tags_to_certificate(CertificateArn=arn, Tags=[
            {'Key': f'k{i:02d}', 'Value': str(i)} for i in range(50)])
        self.assertEqual(len(self.tags(arn)), 50)
        self.assertClientError('TooManyTagsException', self.acm.add_tags_to_certificate,
                               CertificateArn=arn, Tags=[{'Key': 'one-more', 'Value': 'x'}])
        # overwriting keeps the set at 50: fine
        self.acm.add_tags_to_certificate(CertificateArn=arn, Tags=[{'Key': 'k00', 'Value': 'new'}])
        tags = self.tags(arn)
        self.assertEqual(len(tags), 50)
        self.assertEqual(tags[0], {'Key': 'k00', 'Value': 'new'})
        self.assertNotIn('one-more', [t['Key'] for t in tags])

    def test_invalid_tags(self):
        arn = self.new_arn(Tags=[{'Key': 'keep', 'Value': 'me'}])
        bad = [('aws: prefix', [{'Key': 'aws:owner', 'Value': 'x'}]),
               ('key of 129', [{'Key': 'k' * 129, 'Value': 'x'}]),
               ('value of 257', [{'Key': 'k', 'Value': 'v' * 257}]),
               ('key character', [{'Key': 'bad#key', 'Value': 'x'}]),
               ('value character', [{'Key': 'k', 'Value': 'semi;colon'}])]
        for name, tags in bad:
            with self.subTest(name):
                self.assertClientError('InvalidTagException', self.acm.add_tags_to_certificate,
                                       CertificateArn=arn, Tags=tags)
        with self.subTest('aws: prefix on request'):
            self.assertClientError('InvalidTagException', self.acm.request_certificate,
                                   DomainName='tags.example.com', ValidationMethod='DNS',
                                   Tags=[{'Key': 'aws:cloudformation:stack-name', 'Value': 'y'}])
        with self.subTest('aws: prefix on import'):
            self.assertClientError('InvalidTagException', self.acm.import_certificate,
                                   Certificate=self.cert, PrivateKey=self.key,
                                   Tags=[{'Key': 'aws:x', 'Value': 'y'}])
        self.assertEqual(self.tags(arn), [{'Key': 'keep', 'Value': 'me'}],
                         'a refused call changed the tags')
        with self.subTest('duplicate key in one call'):
            self.assertClientError('InvalidParameterException', self.acm.add_tags_to_certificate,
                                   CertificateArn=arn, Tags=[{'Key': 'd', 'Value': '1'},
                                                             {'Key': 'd', 'Value': '2'}])
            self.assertEqual(self.tags(arn), [{'Key': 'keep', 'Value': 'me'}])
        # unicode letters, spaces and the allowed punctuation are fine
        ok = {'Key': 'Équipe Web_1.2:3/4=5+6-7@8', 'Value': 'ñandú ü'}
        self.acm.add_tags_to_certificate(CertificateArn=arn, Tags=[ok])
        self.assertIn(ok, self.tags(arn))

    def test_unknown_certificate(self):
        arn = f'arn:aws:acm:us-east-1:{self.account}:certificate/{UNKNOWN_ID}'
        self.assertClientError('ResourceNotFoundException', self.acm.add_tags_to_certificate,
                               CertificateArn=arn, Tags=[{'Key': 'a', 'Value': 'b'}])
        self.assertClientError('ResourceNotFoundException', self.acm.remove_tags_from_certificate,
                               CertificateArn=arn, Tags=[{'Key': 'a'}])
        self.assertClientError('ResourceNotFoundException', self.acm.list_tags_for_certificate,
                               CertificateArn=arn)


class AccountConfigurationTests(CertainTestCase):

    def test_get_put_account_configuration(self):
        acm_nv = self.acm_client(validate=False)
        self.assertEqual(self.acm.get_account_configuration()['ExpiryEvents'],
                         {'DaysBeforeExpiry': 45})
        self.acm.put_account_configuration(ExpiryEvents={'DaysBeforeExpiry': 30},
                                           IdempotencyToken='first')
        self.assertEqual(self.acm.get_account_configuration()['ExpiryEvents'][
            'DaysBeforeExpiry'], 30)
        # same token again: a no-op success
        self.acm.put_account_configuration(ExpiryEvents={'DaysBeforeExpiry': 10},
                                           IdempotencyToken='first')
        self.assertEqual(self.acm.get_account_configuration()['ExpiryEvents'][
            'DaysBeforeExpiry'], 30)
        for bad in (0, 46, -1):
            with self.subTest(days=bad):
                self.assertClientError('ValidationException', acm_nv.put_account_configuration,
                                       ExpiryEvents={'DaysBeforeExpiry': bad},
                                       IdempotencyToken=f'bad{bad + 10}')
        for token in ('has-dash', 'x' * 33):
            with self.subTest(token=token):
                self.assertClientError('ValidationException', self.acm.put_account_configuration,
                                       ExpiryEvents={'DaysBeforeExpiry': 20},
                                       IdempotencyToken=token)
        self.assertRawError(self.raw_acm('PutAccountConfiguration',
                                         {'ExpiryEvents': {'DaysBeforeExpiry': 20}}),
                            'ValidationException')
        # no ExpiryEvents: success, nothing changes
        self.acm.put_account_configuration(IdempotencyToken='noevents')
        self.assertEqual(self.acm.get_account_configuration()['ExpiryEvents'][
            'DaysBeforeExpiry'], 30)
        # the CLI; the boundaries 1 and 45
        self.cli_ok('acm', 'put-account-configuration', '--expiry-events', 'DaysBeforeExpiry=1',
                    '--idempotency-token', 'cli1')
        self.assertEqual(self.acm.get_account_configuration()['ExpiryEvents'],
                         {'DaysBeforeExpiry': 1})
        self.acm.put_account_configuration(ExpiryEvents={'DaysBeforeExpiry': 45},
                                           IdempotencyToken='max')
        self.assertEqual(self.acm.get_account_configuration()['ExpiryEvents'][
            'DaysBeforeExpiry'], 45)
        self.acm.put_account_configuration(ExpiryEvents={'DaysBeforeExpiry': 7},
                                           IdempotencyToken='seven')
        # an empty body is accepted by GetAccountConfiguration
        raw = self.assertRawOk(self.raw_acm('GetAccountConfiguration', b''))
        self.assertEqual(raw, {'ExpiryEvents': {'DaysBeforeExpiry': 7}})
        # per account
        b = self.server.keys_create('--new-account')
        acm_b = self.acm_client(b)
        self.assertEqual(acm_b.get_account_configuration()['ExpiryEvents'][
            'DaysBeforeExpiry'], 45)
        acm_b.put_account_configuration(ExpiryEvents={'DaysBeforeExpiry': 3},
                                        IdempotencyToken='seven')
        self.assertEqual(acm_b.get_account_configuration()['ExpiryEvents'][
            'DaysBeforeExpiry'], 3)
        self.assertEqual(self.acm.get_account_configuration()['ExpiryEvents'][
            'DaysBeforeExpiry'], 7)


class DeleteAndArnTests(CertainTestCase):

    @classmethod
    def setUpFixtures(cls):
        cls.cert, cls.key = make_cert(cls.openssl, 'arn.example.com')
        cls.acm_nv = cls.acm_client(validate=False)

    def new_arn(self):
        return self.acm.import_certificate(Certificate=self.cert,
                                           PrivateKey=self.key)['CertificateArn']

    def calls(self, arn):
        a = self.acm
        return [
            ('DescribeCertificate', lambda: a.describe_certificate(CertificateArn=arn)),
            ('GetCertificate', lambda: a.get_certificate(CertificateArn=arn)),
            ('DeleteCertificate', lambda: a.delete_certificate(CertificateArn=arn)),
            ('ListTagsForCertificate', lambda: a.list_tags_for_certificate(CertificateArn=arn)),
            ('AddTagsToCertificate', lambda: a.add_tags_to_certificate(
                CertificateArn=arn, Tags=[{'Key': 'k', 'Value': 'v'}])),
            ('RemoveTagsFromCertificate', lambda: a.remove_tags_from_certificate(
                CertificateArn=arn, Tags=[{'Key': 'k'}])),
            ('ExportCertificate', lambda: a.export_certificate(
                CertificateArn=arn, Passphrase=b'passphrase')),
            ('RenewCertificate', lambda: a.renew_certificate(CertificateArn=arn)),
            ('UpdateCertificateOptions', lambda: a.update_certificate_options(
                CertificateArn=arn,
                Options={'CertificateTransparencyLoggingPreference': 'ENABLED'})),
            ('ResendValidationEmail', lambda: a.resend_validation_email(
                CertificateArn=arn, Domain='arn.example.com', ValidationDomain='example.com')),
            ('ImportCertificate (re-import)', lambda: a.import_certificate(
                CertificateArn=arn, Certificate=self.cert, PrivateKey=self.key)),
        ]

    def test_delete_then_everything_is_not_found(self):
        arn = self.new_arn()
        keep = self.new_arn()
        self.assertEqual(self.acm.delete_certificate(CertificateArn=arn)['ResponseMetadata'][
            'HTTPStatusCode'], 200)
        for name, call in self.calls(arn):
            with self.subTest(name):
                self.assertClientError('ResourceNotFoundException', call)
        listed = arns(acm_list_all(self.acm))
        self.assertNotIn(arn, listed)
        self.assertIn(keep, listed)
        self.assertEqual(self.acm.describe_certificate(CertificateArn=keep)['Certificate'][
            'Status'], 'ISSUED')

    def test_well_formed_but_unknown(self):
        table = [('unknown id', f'arn:aws:acm:us-east-1:{self.account}:certificate/{UNKNOWN_ID}'),
                 ('other region', self.new_arn().replace(':us-east-1:', ':eu-west-1:')),
                 ('other account', self.new_arn().replace(f':{self.account}:', ':123456789012:'))]
        for name, arn in table:
            with self.subTest(name):
                self.assertClientError('ResourceNotFoundException',
                                       self.acm.describe_certificate, CertificateArn=arn)
                self.assertClientError('ResourceNotFoundException',
                                       self.acm.delete_certificate, CertificateArn=arn)

    def test_malformed_arns(self):
        invalid_arn = [  # match the model pattern, but are no ACM certificate ARN
            f'arn:aws:acm:us-east-1:{self.account}:bogus/{UNKNOWN_ID}',
            f'arn:aws:acm:us-east-1:{self.account}:certificate',
        ]
        pattern = [  # violate the model pattern or length
            f'arn:aws:acm-pca:us-east-1:{self.account}:certificate/{UNKNOWN_ID}',
            'arn:aws:s3:::some-bucket-name-here',
            'not an arn at all, really',
            f'arn:aws:acm:us-east-1:{self.account}:certificate/{UNKNOWN_ID} ',
            'arn:aws:acm:x:1:c',
        ]
        for arn in invalid_arn:
            with self.subTest(arn):
                for call in (self.acm.describe_certificate, self.acm.get_certificate,
                             self.acm.delete_certificate, self.acm.list_tags_for_certificate):
                    self.assertClientError('InvalidArnException', call, CertificateArn=arn)
        for arn in pattern:
            with self.subTest(arn):
                for call in (self.acm_nv.describe_certificate, self.acm_nv.get_certificate,
                             self.acm_nv.delete_certificate):
                    self.assertClientError('ValidationException', call, CertificateArn=arn)
        self.assertRawError(self.raw_acm('DescribeCertificate', {}), 'ValidationException')
        self.assertRawError(self.raw_acm('DescribeCertificate', {'CertificateArn': 42}),
                            'SerializationException')
        self.assertRawError(self.raw_acm('DescribeCertificate', b'{not json'),
                            'SerializationException')

    def test_cli_describe_deleted(self):
        arn = self.new_arn()
        self.acm.delete_certificate(CertificateArn=arn)
        self.assertCliError(self.cli('acm', 'describe-certificate', '--certificate-arn', arn),
                            'ResourceNotFoundException')


class PublicRequestTests(CertainTestCase):
    """Public (AMAZON_ISSUED) requests stay PENDING_VALIDATION here: only their
    shape and the validation records are checked."""

    @classmethod
    def setUpFixtures(cls):
        cls.cert, cls.key = make_cert(cls.openssl, 'imported.example.com')

    def req(self, domain, client=None, **kw):
        kw.setdefault('KeyAlgorithm', 'EC_prime256v1')
        return (client or self.acm).request_certificate(DomainName=domain,
                                                        **kw)['CertificateArn']

    def detail(self, arn):
        return self.acm.describe_certificate(CertificateArn=arn)['Certificate']

    def records(self, arn):
        return {v['DomainName']: v['ResourceRecord']
                for v in self.detail(arn)['DomainValidationOptions']}

    def test_dns_request_shape(self):
        arn = self.req('www.dns.example.com', ValidationMethod='DNS',
                       SubjectAlternativeNames=['api.dns.example.com', 'www.dns.example.com'])
        self.assertRegex(arn, ARN_ACM_RE)
        d = self.detail(arn)
        self.assertEqual(d['Type'], 'AMAZON_ISSUED')
        self.assertEqual(d['Status'], 'PENDING_VALIDATION')
        self.assertEqual(d['DomainName'], 'www.dns.example.com')
        self.assertEqual(d['SubjectAlternativeNames'], ['www.dns.example.com',
                                                        'api.dns.example.com'])
        self.assertEqual(d['KeyAlgorithm'], 'EC_prime256v1')
        self.assertEqual(d['RenewalEligibility'], 'INELIGIBLE')
        self.assertEqual(d['InUseBy'], [])
        self.assertEqual(d['Options']['CertificateTransparencyLoggingPreference'], 'ENABLED')
        self.assertIn('CreatedAt', d)
        for absent in ('Serial', 'NotBefore', 'NotAfter', 'IssuedAt', 'ImportedAt',
                       'CertificateAuthorityArn', 'FailureReason'):
            self.assertNotIn(absent, d)
        dvo = d['DomainValidationOptions']
        self.assertEqual([v['DomainName'] for v in dvo],
                         ['www.dns.example.com', 'api.dns.example.com'])
        for v in dvo:
            name = v['DomainName']
            self.assertEqual(v['ValidationDomain'], name)
            self.assertEqual(v['ValidationStatus'], 'PENDING_VALIDATION')
            self.assertEqual(v['ValidationMethod'], 'DNS')
            self.assertNotIn('ValidationEmails', v)
            rr = v['ResourceRecord']
            self.assertEqual(rr['Type'], 'CNAME')
            self.assertRegex(rr['Name'], '^_' + HEX32 + re.escape('.' + name + '.') + '$')
            self.assertRegex(rr['Value'], '^_' + HEX32 + r'\.([a-z0-9-]+\.)+$')
        self.assertNotEqual(dvo[0]['ResourceRecord'], dvo[1]['ResourceRecord'])
        self.assertClientError('RequestInProgressException', self.acm.get_certificate,
                               CertificateArn=arn)
        self.assertClientError('InvalidStateException', self.acm.update_certificate_options,
                               CertificateArn=arn,
                               Options={'CertificateTransparencyLoggingPreference': 'DISABLED'})

    def test_record_is_stable_per_name(self):
        a = self.req('stable.example.com', ValidationMethod='DNS')
        b = self.req('other.example.com', ValidationMethod='DNS',
                     SubjectAlternativeNames=['stable.example.com'])
        ra1, ra2, rb = self.records(a), self.records(a), self.records(b)
        self.assertEqual(ra1, ra2, 'a second Describe changed the record')
        self.assertEqual(ra1['stable.example.com'], rb['stable.example.com'],
                         'the same name got different records on two certificates')
        self.assertNotEqual(rb['other.example.com'], rb['stable.example.com'])
        # through the CLI too
        d = self.cli_ok('acm', 'describe-certificate', '--certificate-arn', b)['Certificate']
        self.assertEqual(d['DomainValidationOptions'][1]['ResourceRecord'],
                         ra1['stable.example.com'])

    def test_wildcard_shares_base_record(self):
        arn = self.req('*.wc.example.com', ValidationMethod='DNS',
                       SubjectAlternativeNames=['wc.example.com'])
        rec = self.records(arn)
        self.assertEqual(set(rec), {'*.wc.example.com', 'wc.example.com'})
        self.assertEqual(rec['*.wc.example.com'], rec['wc.example.com'])
        self.assertRegex(rec['wc.example.com']['Name'], '^_' + HEX32 + r'\.wc\.example\.com\.$')
        alone = self.records(self.req('wc.example.com', ValidationMethod='DNS'))
        self.assertEqual(alone['wc.example.com'], rec['wc.example.com'])

    def test_email_validation(self):
        arn = self.req('mail.example.com', ValidationMethod='EMAIL',
                       SubjectAlternativeNames=['www.mail.example.com'],
                       DomainValidationOptions=[{'DomainName': 'mail.example.com',
                                                 'ValidationDomain': 'example.com'}])
        dvo = {v['DomainName']: v for v in self.detail(arn)['DomainValidationOptions']}
        self.assertEqual(set(dvo), {'mail.example.com', 'www.mail.example.com'})
        for name, vdom in [('mail.example.com', 'example.com'),
                           ('www.mail.example.com', 'www.mail.example.com')]:
            v = dvo[name]
            self.assertEqual(v['ValidationDomain'], vdom)
            self.assertEqual(v['ValidationMethod'], 'EMAIL')
            self.assertEqual(v['ValidationStatus'], 'PENDING_VALIDATION')
            self.assertNotIn('ResourceRecord', v)
            self.assertCountEqual(v['ValidationEmails'], [
                f'{box}@{vdom}' for box in ('admin', 'administrator', 'hostmaster',
                                            'postmaster', 'webmaster')])
        # no ValidationMethod: EMAIL
        d = self.detail(self.req('default.example.com'))
        self.assertEqual(d['DomainValidationOptions'][0]['ValidationMethod'], 'EMAIL')
        self.assertIn('admin@default.example.com',
                      d['DomainValidationOptions'][0]['ValidationEmails'])

    def test_domain_validation_options_errors(self):
        for name, dvo in [('name not requested', {'DomainName': 'x.example.org',
                                                  'ValidationDomain': 'example.org'}),
                          ('not a parent', {'DomainName': 'dvo.example.com',
                                            'ValidationDomain': 'example.org'}),
                          ('a child', {'DomainName': 'dvo.example.com',
                                       'ValidationDomain': 'sub.dvo.example.com'})]:
            with self.subTest(name):
                self.assertClientError('InvalidDomainValidationOptionsException',
                                       self.acm.request_certificate, DomainName='dvo.example.com',
                                       ValidationMethod='EMAIL', DomainValidationOptions=[dvo])
        self.assertClientError('ValidationException', self.acm.request_certificate,
                               DomainName='dvo.example.com', ValidationMethod='PHONE')

    def test_resend_validation_email(self):
        arn = self.req('resend.example.com', ValidationMethod='EMAIL',
                       DomainValidationOptions=[{'DomainName': 'resend.example.com',
                                                 'ValidationDomain': 'example.com'}])
        self.acm.resend_validation_email(CertificateArn=arn, Domain='resend.example.com',
                                         ValidationDomain='example.com')
        self.assertClientError('InvalidDomainValidationOptionsException',
                               self.acm.resend_validation_email, CertificateArn=arn,
                               Domain='other.example.com', ValidationDomain='example.com')
        self.assertClientError('InvalidDomainValidationOptionsException',
                               self.acm.resend_validation_email, CertificateArn=arn,
                               Domain='resend.example.com', ValidationDomain='example.org')
        dns = self.req('resend-dns.example.com', ValidationMethod='DNS')
        self.assertClientError('InvalidStateException', self.acm.resend_validation_email,
                               CertificateArn=dns, Domain='resend-dns.example.com',
                               ValidationDomain='resend-dns.example.com')
        imported = self.acm.import_certificate(Certificate=self.cert,
                                               PrivateKey=self.key)['CertificateArn']
        self.assertClientError('InvalidStateException', self.acm.resend_validation_email,
                               CertificateArn=imported, Domain='imported.example.com',
                               ValidationDomain='imported.example.com')
        # ValidationDomain may be the Domain itself (or any parent of it)
        self.acm.resend_validation_email(CertificateArn=arn, Domain='resend.example.com',
                                         ValidationDomain='resend.example.com')

    def test_idempotency_token(self):
        a = self.req('idem.example.com', ValidationMethod='DNS', IdempotencyToken='pub_1')
        b = self.req('idem.example.com', ValidationMethod='DNS', IdempotencyToken='pub_1')
        c = self.req('idem.example.com', ValidationMethod='DNS', IdempotencyToken='pub_2')
        self.assertEqual(a, b)
        self.assertNotEqual(a, c)
        listed = [x['CertificateArn'] for x in acm_list_all(self.acm)
                  if x['DomainName'] == 'idem.example.com']
        self.assertCountEqual(listed, [a, c])

    def test_managed_by(self):
        # ManagedBy is newer than botocore 1.29: sent and read raw
        resp = self.raw_acm('RequestCertificate', {
            'DomainName': 'cdn.example.com', 'ValidationMethod': 'DNS',
            'KeyAlgorithm': 'EC_prime256v1', 'ManagedBy': 'CLOUDFRONT'})
        managed = self.assertRawOk(resp)['CertificateArn']
        plain = self.req('plain-cdn.example.com', ValidationMethod='DNS')
        d = self.assertRawOk(self.raw_acm('DescribeCertificate',
                                          {'CertificateArn': managed}))['Certificate']
        self.assertEqual(d.get('ManagedBy'), 'CLOUDFRONT')
        d = self.assertRawOk(self.raw_acm('DescribeCertificate',
                                          {'CertificateArn': plain}))['Certificate']
        self.assertNotIn('ManagedBy', d)
        listed = self.assertRawOk(self.raw_acm('ListCertificates', {'Includes': {
            'keyTypes': ['EC_prime256v1'], 'managedBy': 'CLOUDFRONT'}}))[
            'CertificateSummaryList']
        self.assertEqual([c['CertificateArn'] for c in listed], [managed])
        self.assertEqual(listed[0].get('ManagedBy'), 'CLOUDFRONT')
        self.assertRawError(self.raw_acm('RequestCertificate', {
            'DomainName': 'cdn.example.com', 'ManagedBy': 'AKAMAI'}), 'ValidationException')

    def test_options_at_request(self):
        arn = self.req('ct.example.com', ValidationMethod='DNS',
                       Options={'CertificateTransparencyLoggingPreference': 'DISABLED'})
        self.assertEqual(self.detail(arn)['Options']['CertificateTransparencyLoggingPreference'],
                         'DISABLED')
        self.assertClientError('ValidationException', self.acm.request_certificate,
                               DomainName='ct.example.com', ValidationMethod='DNS',
                               Options={'CertificateTransparencyLoggingPreference': 'MAYBE'})

    def test_public_not_exportable_and_not_renewable_yet(self):
        arn = self.req('noexport.example.com', ValidationMethod='DNS')
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.acm.export_certificate(CertificateArn=arn, Passphrase=b'passphrase')
        self.assertIn(cm.exception.response['Error']['Code'],
                      ('ValidationException', 'RequestInProgressException'))


class AccountIsolationTests(CertainTestCase):

    @classmethod
    def setUpFixtures(cls):
        cls.b = cls.server.keys_create('--new-account')
        cls.acm_b = cls.acm_client(cls.b)
        cls.cert, cls.key = make_cert(cls.openssl, 'isolated.example.com', alg='rsa', bits=2048)
        cls.a_imported = cls.acm.import_certificate(
            Certificate=cls.cert, PrivateKey=cls.key,
            Tags=[{'Key': 'owner', 'Value': 'a'}])['CertificateArn']
        cls.a_public = cls.acm.request_certificate(
            DomainName='isolated.example.com', ValidationMethod='DNS')['CertificateArn']
        cls.b_imported = cls.acm_b.import_certificate(
            Certificate=cls.cert, PrivateKey=cls.key)['CertificateArn']

    def test_other_account_gets_not_found(self):
        for arn in (self.a_imported, self.a_public):
            b = self.acm_b
            calls = [
                ('Describe', lambda: b.describe_certificate(CertificateArn=arn)),
                ('Get', lambda: b.get_certificate(CertificateArn=arn)),
                ('Delete', lambda: b.delete_certificate(CertificateArn=arn)),
                ('ListTags', lambda: b.list_tags_for_certificate(CertificateArn=arn)),
                ('AddTags', lambda: b.add_tags_to_certificate(
                    CertificateArn=arn, Tags=[{'Key': 'owner', 'Value': 'b'}])),
                ('RemoveTags', lambda: b.remove_tags_from_certificate(
                    CertificateArn=arn, Tags=[{'Key': 'owner'}])),
                ('Export', lambda: b.export_certificate(CertificateArn=arn,
                                                        Passphrase=b'passphrase')),
                ('Renew', lambda: b.renew_certificate(CertificateArn=arn)),
                ('UpdateOptions', lambda: b.update_certificate_options(
                    CertificateArn=arn,
                    Options={'CertificateTransparencyLoggingPreference': 'DISABLED'})),
                ('Resend', lambda: b.resend_validation_email(
                    CertificateArn=arn, Domain='isolated.example.com',
                    ValidationDomain='isolated.example.com')),
                ('Reimport', lambda: b.import_certificate(
                    CertificateArn=arn, Certificate=self.cert, PrivateKey=self.key)),
            ]
            for name, call in calls:
                with self.subTest(arn=arn[-12:], op=name):
                    self.assertClientError('ResourceNotFoundException', call)
        # nothing B tried changed A's certificates
        self.assertEqual(self.acm.list_tags_for_certificate(CertificateArn=self.a_imported)[
            'Tags'], [{'Key': 'owner', 'Value': 'a'}])
        d = self.acm.describe_certificate(CertificateArn=self.a_imported)['Certificate']
        self.assertEqual((d['Status'], d['Type']), ('ISSUED', 'IMPORTED'))
        self.assertEqual(self.acm.describe_certificate(CertificateArn=self.a_public)[
            'Certificate']['Options']['CertificateTransparencyLoggingPreference'], 'ENABLED')

    def test_lists_are_per_account(self):
        a = set(arns(acm_list_all(self.acm)))
        b = set(arns(acm_list_all(self.acm_b)))
        self.assertIn(self.a_imported, a)
        self.assertIn(self.a_public, a)
        self.assertNotIn(self.b_imported, a)
        self.assertEqual(b, {self.b_imported})
        m = ARN_ACM_RE.match(self.b_imported)
        self.assertEqual(m['account'], self.b.account)
        self.assertClientError('ResourceNotFoundException', self.acm.describe_certificate,
                               CertificateArn=self.b_imported)

    def test_other_account_via_cli(self):
        self.assertCliError(self.cli('acm', 'describe-certificate', '--certificate-arn',
                                     self.a_imported, creds=self.b),
                            'ResourceNotFoundException')


class ProtocolTests(CertainTestCase):
    """The ACM side of the shared JSON 1.1 endpoint (acm.md §1)."""

    def test_success_envelope(self):
        resp = self.raw_acm('ListCertificates', {})
        self.assertEqual(resp.status, 200, str(resp))
        self.assertEqual(resp.headers.get('content-type', '').split(';')[0].strip(),
                         'application/x-amz-json-1.1')
        self.assertRegex(resp.request_id or '', r'^[0-9a-f-]{36}$')
        self.assertEqual(resp.json, {'CertificateSummaryList': []})
        self.assertEqual(self.assertRawOk(self.raw_acm('ListCertificates', b'')),
                         {'CertificateSummaryList': []})

    def test_error_envelope(self):
        resp = self.assertRawError(self.raw_acm('DescribeCertificate', {
            'CertificateArn': f'arn:aws:acm:us-east-1:{self.account}:certificate/{UNKNOWN_ID}'}),
            'ResourceNotFoundException')
        self.assertEqual(resp.headers.get('content-type', '').split(';')[0].strip(),
                         'application/x-amz-json-1.1')
        self.assertEqual(set(resp.json), {'__type', 'message'})
        self.assertTrue(resp.message)

    def test_signing_name_must_match_the_service(self):
        self.assertRawError(self.raw_acm('ListCertificates', {}, service='acm-pca'),
                            'InvalidSignatureException')
        self.assertRawError(self.raw('ListCertificateAuthorities', {}, service='acm'),
                            'InvalidSignatureException')
        self.assertRawError(self.raw_acm('ListCertificates', {}, creds=None),
                            'MissingAuthenticationTokenException')

    def test_unknown_operations(self):
        for target in ('CertificateManager.NoSuchOperation', 'CertificateManager.listCertificates',
                       'CertificateManager.RevokeCertificateAuthority'):
            with self.subTest(target):
                self.assertRawError(self.raw_acm(target, {}), 'UnknownOperationException')

    def test_unknown_members_ignored_and_types_checked(self):
        resp = self.raw_acm('RequestCertificate', {
            'DomainName': 'future.example.com', 'ValidationMethod': 'DNS',
            'KeyAlgorithm': 'EC_prime256v1', 'SomeFutureMember': {'Nested': [1, 2]}})
        arn = self.assertRawOk(resp)['CertificateArn']
        self.assertRegex(arn, ARN_ACM_RE)
        self.assertRawError(self.raw_acm('RequestCertificate', {'DomainName': ['x.example.com']}),
                            'SerializationException')
        self.assertRawError(self.raw_acm('ListCertificates', {'MaxItems': '10'}),
                            'SerializationException')
        resp = self.assertRawError(self.raw_acm('RequestCertificate', {}), 'ValidationException')
        self.assertIn('DomainName', resp.message)


class RestartTests(CertainTestCase):
    """ACM state lives in the data folder: certificates, keys, tags and the
    account configuration survive a restart."""

    def test_state_survives_restart(self):
        root = build_root(self.pca, common_name='Restart Root')
        cert, key = make_cert(self.openssl, 'restart.example.com',
                              ['subjectAltName = DNS:restart.example.com'])
        imported = self.acm.import_certificate(Certificate=cert, PrivateKey=key, Tags=[
            {'Key': 'survives', 'Value': 'yes'}])['CertificateArn']
        private = self.acm.request_certificate(DomainName='private-restart.example.com',
                                               CertificateAuthorityArn=root.arn,
                                               KeyAlgorithm='EC_prime256v1')['CertificateArn']
        self.assertEqual(wait_acm_status(self.acm, private)['Status'], 'ISSUED')
        public = self.acm.request_certificate(DomainName='public-restart.example.com',
                                              ValidationMethod='DNS')['CertificateArn']
        self.acm.put_account_configuration(ExpiryEvents={'DaysBeforeExpiry': 21},
                                           IdempotencyToken='restart')
        before = {a: self.acm.describe_certificate(CertificateArn=a)['Certificate']
                  for a in (imported, private, public)}
        pem = self.acm.get_certificate(CertificateArn=private)['Certificate']

        rc, timed_out = self.server.stop()
        self.assertEqual((rc, timed_out), (0, False))
        self.server.start()
        acm = make_client(self.server.url, self.admin, service='acm')

        for arn, d in before.items():
            with self.subTest(arn=arn[-12:]):
                self.assertEqual(acm.describe_certificate(CertificateArn=arn)['Certificate'], d)
        self.assertEqual(acm.list_tags_for_certificate(CertificateArn=imported)['Tags'],
                         [{'Key': 'survives', 'Value': 'yes'}])
        self.assertEqual(acm.get_account_configuration()['ExpiryEvents']['DaysBeforeExpiry'], 21)
        self.assertEqual(acm.get_certificate(CertificateArn=private)['Certificate'], pem)
        out = acm.export_certificate(CertificateArn=private, Passphrase=b'after restart')
        path = self.openssl.write(out['PrivateKey'], 'exported')
        pub = self.openssl.run('pkey', '-in', path, '-passin', 'pass:after restart',
                               '-pubout').stdout
        self.assertEqual(pub, self.openssl.cert_pubkey(pem))
        listed = set(arns(acm_list_all(acm)))
        self.assertTrue({imported, private, public} <= listed)


if __name__ == '__main__':
    unittest.main()
