"""SearchCertificates (acm.md §5.14) through raw SigV4 requests (Debian's
botocore 1.29 predates the operation): every filter kind, And/Or/Not,
the CertificateSearchResult shape (X509Attributes with DistinguishedName and
GeneralName members, AcmCertificateMetadata), keyset pages for every SortBy,
each validation error, and account isolation."""
import os
import sys

if __package__ in (None, ''):
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..')))

import unittest  # noqa: E402

from tests.integration.harness import (  # noqa: E402
    CertainTestCase, build_root, wait_acm_status)

SORT_BY = ['CREATED_AT', 'NOT_AFTER', 'STATUS', 'RENEWAL_STATUS', 'EXPORTED', 'IN_USE',
           'NOT_BEFORE', 'KEY_ALGORITHM', 'TYPE', 'CERTIFICATE_ARN', 'COMMON_NAME', 'REVOKED_AT',
           'RENEWAL_ELIGIBILITY', 'ISSUED_AT', 'MANAGED_BY', 'EXPORT_OPTION', 'VALIDATION_METHOD',
           'IMPORTED_AT']
ALPHA_SUBJECT = ('/DC=test/DC=search/C=US/O=Search Org/OU=Unit One/OU=Unit Two'
                 '/CN=alpha.search.test')


def x509(**member):
    return {'Filter': {'X509AttributeFilter': member}}


def meta(**member):
    return {'Filter': {'AcmCertificateMetadataFilter': member}}


def cn(value, op='EQUALS'):
    return x509(Subject={'CommonName': {'Value': value, 'ComparisonOperator': op}})


def dns(value, op='EQUALS'):
    return x509(SubjectAlternativeName={'DnsName': {'Value': value, 'ComparisonOperator': op}})


def nest(depth):
    """A FilterStatement of `depth` levels: Not(Not(… Filter))."""
    stmt = meta(Type='IMPORTED')
    for _ in range(depth - 1):
        stmt = {'Not': stmt}
    return stmt


class SearchTests(CertainTestCase):

    @classmethod
    def setUpFixtures(cls):
        o = cls.openssl

        def imp(key, subject, exts, days, client=None):
            cert = o.self_signed(key, subject, ['basicConstraints = CA:FALSE', *exts], days=days)
            with open(key, 'rb') as f:
                return (client or cls.acm).import_certificate(
                    Certificate=cert, PrivateKey=f.read())['CertificateArn']

        cls.alpha = imp(o.genkey(), ALPHA_SUBJECT,
                        ['subjectAltName = DNS:alpha.search.test, DNS:www.alpha.search.test, '
                         'IP:192.0.2.7, email:ops@search.test, URI:https://alpha.search.test/',
                         'extendedKeyUsage = serverAuth', 'keyUsage = digitalSignature'], 365)
        cls.beta = imp(o.genkey('rsa', bits=2048), '/CN=Beta.Search.Test',
                       ['subjectAltName = DNS:beta.search.test, DNS:shared.search.test',
                        'extendedKeyUsage = clientAuth',
                        'keyUsage = digitalSignature, keyEncipherment'], 30)
        cls.gamma = imp(o.genkey('rsa', bits=3072), '/CN=gamma.other.test',
                        ['subjectAltName = DNS:gamma.other.test, DNS:shared.search.test'], 200)
        root = build_root(cls.pca)
        cls.private = cls.acm.request_certificate(
            DomainName='priv.search.test', CertificateAuthorityArn=root.arn,
            KeyAlgorithm='EC_prime256v1')['CertificateArn']
        wait_acm_status(cls.acm, cls.private)
        cls.acm.export_certificate(CertificateArn=cls.private, Passphrase=b'passphrase')
        cls.public = cls.acm.request_certificate(DomainName='pub.search.test',
                                                 ValidationMethod='DNS')['CertificateArn']
        cls.all = {cls.alpha, cls.beta, cls.gamma, cls.private, cls.public}
        cls.detail = {a: cls.acm.describe_certificate(CertificateArn=a)['Certificate']
                      for a in cls.all}
        cls.b = cls.server.keys_create('--new-account')
        cls.b_arn = imp(o.genkey(), '/CN=alpha.search.test',
                        ['subjectAltName = DNS:alpha.search.test'], 365, cls.acm_client(cls.b))

    # -- helpers -------------------------------------------------------------

    def search(self, creds='admin', **body):
        return self.assertRawOk(self.raw_acm('SearchCertificates', body, creds=creds))

    def search_all(self, creds='admin', **body):
        """Every result over all pages, in order."""
        out, token = [], None
        for _ in range(1000):
            args = dict(body)
            if token:
                args['NextToken'] = token
            page = self.search(creds, **args)
            self.assertIsInstance(page.get('Results'), list, page)
            out += page['Results']
            token = page.get('NextToken')
            if not token:
                return out
        self.fail('SearchCertificates never stopped returning a NextToken')

    def found(self, stmt, **body):
        return {r['CertificateArn'] for r in self.search_all(FilterStatement=stmt, **body)}

    def result(self, arn):
        res = self.search(FilterStatement={'Filter': {'CertificateArn': arn}})['Results']
        self.assertEqual(len(res), 1, res)
        return res[0]

    def assertInvalid(self, body, code='ValidationException'):
        return self.assertRawError(self.raw_acm('SearchCertificates', body), code)

    # -- filters -------------------------------------------------------------

    def test_no_filter_finds_every_key_type(self):
        self.assertEqual({r['CertificateArn'] for r in self.search_all()}, self.all)
        self.assertEqual({r['CertificateArn'] for r in self.search_all(MaxResults=500)},
                         self.all)

    def test_common_name(self):
        self.assertEqual(self.found(cn('alpha.search.test')), {self.alpha})
        self.assertEqual(self.found(cn('beta.search.test')), {self.beta})  # case-blind
        self.assertEqual(self.found(cn('search.test')), set())
        self.assertEqual(self.found(cn('search.test', 'CONTAINS')),
                         {self.alpha, self.beta, self.private})
        self.assertEqual(self.found(cn('%', 'CONTAINS')), set())  # not a wildcard
        self.assertEqual(self.found(cn('alpha_search', 'CONTAINS')), set())

    def test_dns_name(self):
        self.assertEqual(self.found(dns('shared.search.test')), {self.beta, self.gamma})
        self.assertEqual(self.found(dns('www.alpha.search.test')), {self.alpha})
        self.assertEqual(self.found(dns('search.test')), set())
        self.assertEqual(self.found(dns('www.', 'CONTAINS')), {self.alpha})
        self.assertEqual(self.found(dns('pub.search.test')), {self.public})
        self.assertEqual(self.found(dns('.OTHER.', 'CONTAINS')), {self.gamma})

    def test_key_algorithm(self):
        # a public request without KeyAlgorithm is RSA_2048 before it has a certificate
        self.assertEqual(self.found(x509(KeyAlgorithm='RSA_2048')), {self.beta, self.public})
        self.assertEqual(self.found(x509(KeyAlgorithm='RSA_3072')), {self.gamma})
        self.assertEqual(self.found(x509(KeyAlgorithm='EC_prime256v1')),
                         {self.alpha, self.private})
        self.assertEqual(self.found(x509(KeyAlgorithm='RSA_4096')), set())

    def test_usages_and_serial(self):
        def with_eku(name):
            return {a for a, d in self.detail.items()
                    if name in [e['Name'] for e in d.get('ExtendedKeyUsages', [])]}
        self.assertEqual(self.found(x509(ExtendedKeyUsage='TLS_WEB_SERVER_AUTHENTICATION')),
                         with_eku('TLS_WEB_SERVER_AUTHENTICATION'))
        self.assertIn(self.alpha, with_eku('TLS_WEB_SERVER_AUTHENTICATION'))
        self.assertEqual(self.found(x509(ExtendedKeyUsage='NONE')), {self.gamma})
        self.assertEqual(self.found(x509(KeyUsage='KEY_ENCIPHERMENT')),
                         {a for a, d in self.detail.items()
                          if {'Name': 'KEY_ENCIPHERMENT'} in d.get('KeyUsages', [])})
        serial = self.detail[self.beta]['Serial']
        self.assertEqual(self.found(x509(SerialNumber=serial)), {self.beta})

    def test_validity_ranges(self):
        na = {a: int(d['NotAfter'].timestamp()) for a, d in self.detail.items()
              if 'NotAfter' in d}
        self.assertNotIn(self.public, na)
        b = na[self.beta]
        self.assertEqual(self.found(x509(NotAfter={'Start': b, 'End': b})), {self.beta})
        self.assertEqual(self.found(x509(NotAfter={'End': b - 1})), set())
        later = {a for a, t in na.items() if t >= na[self.gamma]}
        self.assertEqual(self.found(x509(NotAfter={'Start': na[self.gamma]})), later)
        self.assertEqual(self.found(x509(NotBefore={'End': 4102444800})), set(na))
        self.assertEqual(self.found(x509(NotAfter={'Start': b + 0.5, 'End': b + 0.9})), set())

    def test_metadata(self):
        issued = {self.alpha, self.beta, self.gamma, self.private}
        self.assertEqual(self.found(meta(Status='ISSUED')), issued)
        self.assertEqual(self.found(meta(Status='PENDING_VALIDATION')), {self.public})
        self.assertEqual(self.found(meta(Type='PRIVATE')), {self.private})
        self.assertEqual(self.found(meta(Type='AMAZON_ISSUED')), {self.public})
        self.assertEqual(self.found(meta(Type='IMPORTED')), {self.alpha, self.beta, self.gamma})
        self.assertEqual(self.found(meta(Exported=True)), {self.private})
        self.assertEqual(self.found(meta(Exported=False)), self.all - {self.private})
        self.assertEqual(self.found(meta(InUse=False)), self.all)
        self.assertEqual(self.found(meta(InUse=True)), set())
        self.assertEqual(self.found(meta(ValidationMethod='DNS')), {self.public})
        self.assertEqual(self.found(meta(RenewalStatus='SUCCESS')), set())
        self.assertEqual(self.found(meta(ManagedBy='CLOUDFRONT')), set())

    def test_certificate_arn(self):
        self.assertEqual(self.found({'Filter': {'CertificateArn': self.gamma}}), {self.gamma})
        other_region = self.gamma.replace(':us-east-1:', ':eu-west-1:')
        self.assertEqual(self.found({'Filter': {'CertificateArn': other_region}}), set())
        self.assertEqual(self.found({'Filter': {'CertificateArn': self.b_arn}}), set())

    def test_and_or_not(self):
        ec = x509(KeyAlgorithm='EC_prime256v1')
        self.assertEqual(self.found({'And': [cn('search.test', 'CONTAINS'), ec]}),
                         {self.alpha, self.private})
        self.assertEqual(self.found({'Or': [x509(KeyAlgorithm='RSA_3072'),
                                            meta(Type='PRIVATE')]}),
                         {self.gamma, self.private})
        self.assertEqual(self.found({'Not': meta(Type='IMPORTED')}),
                         {self.private, self.public})
        nested = {'And': [{'Or': [dns('shared.search.test'), ec]},
                          {'Not': {'Or': [meta(Type='PRIVATE'), meta(Status='PENDING_VALIDATION')]}},
                          {'Not': cn('gamma.other.test')}]}
        self.assertEqual(self.found(nested), {self.alpha, self.beta})
        self.assertEqual(self.found({'Or': [meta(Type='IMPORTED')] * 15}),
                         {self.alpha, self.beta, self.gamma})
        self.assertEqual(self.found(nest(8)), self.all - {self.alpha, self.beta, self.gamma})

    # -- the result shape ------------------------------------------------------

    def assertTime(self, value):
        self.assertIsInstance(value, (int, float))
        self.assertNotIsInstance(value, bool)

    def test_imported_result(self):
        r = self.result(self.alpha)
        x, m = r['X509Attributes'], r['CertificateMetadata']['AcmCertificateMetadata']
        subject = {'CommonName': 'alpha.search.test', 'DomainComponents': ['test', 'search'],
                   'Country': 'US', 'Organization': 'Search Org',
                   'OrganizationalUnit': 'Unit One',
                   'CustomAttributes': [{'ObjectIdentifier': '2.5.4.11', 'Value': 'Unit Two'}]}
        self.assertEqual(x['Subject'], subject)
        self.assertEqual(x['Issuer'], subject)  # self-signed
        self.assertEqual(x['SubjectAlternativeNames'], [
            {'DnsName': 'alpha.search.test'}, {'DnsName': 'www.alpha.search.test'},
            {'IpAddress': '192.0.2.7'}, {'Rfc822Name': 'ops@search.test'},
            {'UniformResourceIdentifier': 'https://alpha.search.test/'}])
        self.assertEqual(x['ExtendedKeyUsages'], ['TLS_WEB_SERVER_AUTHENTICATION'])
        self.assertEqual(x['KeyUsages'], ['DIGITAL_SIGNATURE'])
        self.assertEqual(x['KeyAlgorithm'], 'EC_prime256v1')
        d = self.detail[self.alpha]
        self.assertEqual(x['SerialNumber'], d['Serial'])
        self.assertTime(x['NotAfter'])
        self.assertEqual(x['NotAfter'], int(d['NotAfter'].timestamp()))
        self.assertEqual(x['NotBefore'], int(d['NotBefore'].timestamp()))
        self.assertEqual(m['Status'], 'ISSUED')
        self.assertEqual(m['Type'], 'IMPORTED')
        self.assertIs(m['InUse'], False)
        self.assertIs(m['Exported'], False)
        self.assertEqual(m['RenewalEligibility'], 'INELIGIBLE')
        self.assertTime(m['ImportedAt'])
        for absent in ('CreatedAt', 'IssuedAt', 'RevokedAt', 'RenewalStatus', 'ManagedBy',
                       'ValidationMethod'):
            self.assertNotIn(absent, m)

    def test_private_and_public_results(self):
        p = self.result(self.private)
        m = p['CertificateMetadata']['AcmCertificateMetadata']
        self.assertEqual((m['Type'], m['Status'], m['Exported'], m['RenewalEligibility']),
                         ('PRIVATE', 'ISSUED', True, 'ELIGIBLE'))
        self.assertTime(m['CreatedAt'])
        self.assertTime(m['IssuedAt'])
        self.assertEqual(p['X509Attributes']['Subject']['CommonName'], 'priv.search.test')
        self.assertEqual(p['X509Attributes']['Issuer']['CommonName'], 'Certain Test Root CA')
        self.assertIn({'DnsName': 'priv.search.test'}, p['X509Attributes']['SubjectAlternativeNames'])
        q = self.result(self.public)
        self.assertNotIn('X509Attributes', q)  # no certificate yet
        m = q['CertificateMetadata']['AcmCertificateMetadata']
        self.assertEqual((m['Type'], m['Status'], m['ValidationMethod']),
                         ('AMAZON_ISSUED', 'PENDING_VALIDATION', 'DNS'))
        self.assertTime(m['CreatedAt'])
        self.assertNotIn('IssuedAt', m)

    # -- pages -----------------------------------------------------------------

    def test_pages_of_one_for_every_sort(self):
        for sort_by in SORT_BY:
            for order in ('ASCENDING', 'DESCENDING'):
                with self.subTest(sort_by=sort_by, order=order):
                    pages, token = [], None
                    while len(pages) <= len(self.all):
                        body = {'MaxResults': 1, 'SortBy': sort_by, 'SortOrder': order}
                        if token:
                            body['NextToken'] = token
                        page = self.search(**body)
                        pages.append([r['CertificateArn'] for r in page['Results']])
                        token = page.get('NextToken')
                        if not token:
                            break
                    self.assertIsNone(token, 'paging does not end')
                    flat = [a for p in pages for a in p]
                    self.assertTrue(all(len(p) == 1 for p in pages), pages)
                    self.assertEqual(len(flat), len(self.all), flat)
                    self.assertEqual(set(flat), self.all)

    def test_sort_orders(self):
        def order(sort_by, sort_order):
            return [r['CertificateArn'] for r in
                    self.search_all(SortBy=sort_by, SortOrder=sort_order, MaxResults=2)]
        for sort_by in ('CREATED_AT', 'CERTIFICATE_ARN'):
            up = order(sort_by, 'ASCENDING')
            self.assertEqual(order(sort_by, 'DESCENDING'), up[::-1])
        self.assertEqual(order('CERTIFICATE_ARN', 'ASCENDING'), sorted(self.all))
        na = order('NOT_AFTER', 'DESCENDING')
        self.assertEqual(na[-1], self.public)  # no certificate: NotAfter sorts as 0
        self.assertEqual(na[0], self.private)  # 395 days
        names = order('COMMON_NAME', 'ASCENDING')
        self.assertEqual(names[0], self.public)  # no CN yet
        self.assertEqual(names[1], self.beta)    # 'B' < 'a' (binary)

    def test_token_bound_to_sort_and_account(self):
        page = self.search(MaxResults=1, SortBy='NOT_AFTER')
        token = page['NextToken']
        nxt = self.search(MaxResults=1, SortBy='NOT_AFTER', NextToken=token)
        self.assertEqual(len(nxt['Results']), 1)
        self.assertInvalid({'MaxResults': 1, 'SortBy': 'TYPE', 'NextToken': token})
        self.assertInvalid({'MaxResults': 1, 'SortBy': 'NOT_AFTER', 'SortOrder': 'DESCENDING',
                            'NextToken': token})
        resp = self.raw_acm('SearchCertificates', {'NextToken': token}, creds=self.b)
        self.assertRawError(resp, 'ValidationException')

    # -- errors ----------------------------------------------------------------

    def test_validation_errors(self):
        arn_filter = {'CertificateArn': self.alpha}
        bad = {
            'empty statement': {'FilterStatement': {}},
            'two statements': {'FilterStatement': {'Filter': arn_filter,
                                                   'Not': {'Filter': arn_filter}}},
            'empty filter': {'FilterStatement': {'Filter': {}}},
            'two filters': {'FilterStatement': {'Filter': dict(
                arn_filter, AcmCertificateMetadataFilter={'Type': 'PRIVATE'})}},
            'empty x509 filter': {'FilterStatement': x509()},
            'two x509 members': {'FilterStatement': x509(KeyAlgorithm='RSA_2048',
                                                         KeyUsage='ANY')},
            'empty metadata filter': {'FilterStatement': meta()},
            'empty subject': {'FilterStatement': x509(Subject={})},
            'serial uppercase': {'FilterStatement': x509(SerialNumber='0A:0B')},
            'serial one octet': {'FilterStatement': x509(SerialNumber='0a')},
            'serial trailing colon': {'FilterStatement': x509(SerialNumber='0a:0b:')},
            'serial 21 octets': {'FilterStatement': x509(SerialNumber=':'.join(['0a'] * 21))},
            'empty And': {'FilterStatement': {'And': []}},
            '16 in Or': {'FilterStatement': {'Or': [meta(Type='PRIVATE')] * 16}},
            'too deep': {'FilterStatement': nest(9)},
            'too many nodes': {'FilterStatement': {'And': [{'Or': [meta(Type='PRIVATE')] * 15}] * 8}},
            'bad status': {'FilterStatement': meta(Status='GOOD')},
            'bad operator': {'FilterStatement': cn('x', 'LIKE')},
            'empty value': {'FilterStatement': cn('')},
            'long value': {'FilterStatement': cn('a' * 257)},
            'bad arn': {'FilterStatement': {'Filter': {'CertificateArn': 'not-an-arn-at-all-really'}}},
            'MaxResults 0': {'MaxResults': 0},
            'MaxResults 501': {'MaxResults': 501},
            'bad SortBy': {'SortBy': 'NAME'},
            'bad SortOrder': {'SortOrder': 'UP'},
            'bogus NextToken': {'NextToken': 'bm90IGEgdG9rZW4'},
        }
        for name, body in bad.items():
            with self.subTest(name):
                resp = self.assertInvalid(body)
                self.assertTrue(resp.message, resp)
        resp = self.assertInvalid({'FilterStatement': {'Filter': {}}})
        self.assertIn("at 'FilterStatement.Filter'", resp.message)
        self.assertInvalid({'FilterStatement': 'x'}, 'SerializationException')
        self.assertInvalid({'FilterStatement': {'And': ['x']}}, 'SerializationException')
        self.assertInvalid({'FilterStatement': x509(NotAfter={'Start': 'soon'})},
                           'SerializationException')
        list_token = self.acm.list_certificates(
            MaxItems=1, Includes={'keyTypes': ['RSA_2048', 'RSA_3072', 'EC_prime256v1']}
        )['NextToken']
        self.assertInvalid({'NextToken': list_token})

    # -- accounts ----------------------------------------------------------------

    def test_other_account_sees_only_its_own(self):
        mine = {r['CertificateArn'] for r in self.search_all(creds=self.b)}
        self.assertEqual(mine, {self.b_arn})
        theirs = self.search_all(creds=self.b, FilterStatement={'Filter': {'CertificateArn':
                                                                           self.alpha}})
        self.assertEqual(theirs, [])
        self.assertEqual({r['CertificateArn'] for r in self.search_all(
            creds=self.b, FilterStatement=cn('alpha.search.test'))}, {self.b_arn})
        self.assertEqual(self.found(cn('alpha.search.test')), {self.alpha})


if __name__ == '__main__':
    unittest.main()
