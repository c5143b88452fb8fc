"""The AWS JSON 1.1 envelope and SigV4 authentication (pca.md §1, acm.md §1),
checked with raw signed requests: exact HTTP status, __type and the
x-amzn-RequestId header; plus access keys managed with `certain keys`."""
import datetime
import os
import socket
import sys
import time
import uuid

if __package__ in (None, ''):
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..')))

import unittest  # noqa: E402

from tests.integration.harness import (  # noqa: E402
    CertainTestCase, Creds, create_ca)


def fake_arn(account='123456789012'):
    return f'arn:aws:acm-pca:us-east-1:{account}:certificate-authority/{uuid.uuid4()}'


class ProtocolTests(CertainTestCase):

    @classmethod
    def setUpFixtures(cls):
        cls.ca_arn = create_ca(cls.pca, 'ROOT', common_name='Protocol Test CA')

    # -- authentication ---------------------------------------------------------

    def test_unsigned_request_is_missing_authentication_token(self):
        resp = self.raw('ListCertificateAuthorities', b'{}', creds=None)
        self.assertRawError(resp, 'MissingAuthenticationTokenException')

    def test_malformed_authorization_is_incomplete_signature(self):
        today = datetime.datetime.utcnow().strftime('%Y%m%d')
        akid = self.admin.access_key_id
        cases = {
            'garbage': 'garbage',
            'scheme only': 'AWS4-HMAC-SHA256',
            'no SignedHeaders/Signature':
                f'AWS4-HMAC-SHA256 Credential={akid}/{today}/us-east-1/acm-pca/aws4_request',
            'no Signature':
                f'AWS4-HMAC-SHA256 Credential={akid}/{today}/us-east-1/acm-pca/aws4_request, '
                'SignedHeaders=host;x-amz-date',
            'scope without parts':
                f'AWS4-HMAC-SHA256 Credential={akid}, SignedHeaders=host;x-amz-date, '
                'Signature=' + '0' * 64,
        }
        for name, header in cases.items():
            with self.subTest(name):
                resp = self.raw('ListCertificateAuthorities', b'{}', creds=None,
                                authorization=header)
                self.assertRawError(resp, 'IncompleteSignatureException')

    def test_unknown_access_key_is_unrecognized_client(self):
        ghost = Creds('AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')
        resp = self.raw('ListCertificateAuthorities', b'{}', creds=ghost)
        self.assertRawError(resp, 'UnrecognizedClientException')

    def test_wrong_secret_is_invalid_signature(self):
        secret = self.admin.secret_access_key
        wrong = Creds(self.admin.access_key_id, ('A' if secret[0] != 'A' else 'B') + secret[1:])
        resp = self.raw('ListCertificateAuthorities', b'{}', creds=wrong)
        self.assertRawError(resp, 'InvalidSignatureException')

    def test_body_changed_after_signing_is_invalid_signature(self):
        resp = self.raw('ListCertificateAuthorities', b'{"MaxResults": 5}',
                        body_after_signing=b'{"MaxResults": 6}')
        self.assertRawError(resp, 'InvalidSignatureException')

    def test_clock_skew(self):
        now = datetime.datetime.utcnow()
        for name, delta, ok in [('20 minutes old', -20, False),
                                ('20 minutes ahead', 20, False),
                                ('5 minutes old', -5, True)]:
            with self.subTest(name):
                resp = self.raw('ListCertificateAuthorities', b'{}',
                                timestamp=now + datetime.timedelta(minutes=delta))
                if ok:
                    self.assertRawOk(resp)
                else:
                    self.assertRawError(resp, 'InvalidSignatureException')

    def test_wrong_scope_is_invalid_signature(self):
        for name, kw in [('service s3', {'service': 's3'}),
                         ('service acm', {'service': 'acm'}),
                         ('region us-west-2', {'region': 'us-west-2'})]:
            with self.subTest(name):
                resp = self.raw('ListCertificateAuthorities', b'{}', **kw)
                self.assertRawError(resp, 'InvalidSignatureException')

    def test_valid_request_succeeds(self):
        # The control for the negative cases above: same helper, correct signature.
        body = self.assertRawOk(self.raw('ListCertificateAuthorities', b'{}'))
        self.assertIn('CertificateAuthorities', body)
        self.assertIn(self.ca_arn, [c['Arn'] for c in body['CertificateAuthorities']])

    # -- dispatch and the JSON envelope ---------------------------------------------

    def test_unknown_operation(self):
        for name, target in [('unknown name', 'ACMPrivateCA.NoSuchOperation'),
                             ('wrong case', 'ACMPrivateCA.listCertificateAuthorities'),
                             ('wrong prefix', 'ACMPrivateCAX.ListCertificateAuthorities'),
                             ('no target', None)]:
            with self.subTest(name):
                resp = self.raw(target if target is not None else None, b'{}')
                self.assertRawError(resp, 'UnknownOperationException')

    def test_body_not_json_is_serialization_error(self):
        for name, body in [('text', b'not json'), ('truncated', b'{"MaxResults": '),
                           ('array', b'[1, 2]'), ('string', b'"x"'),
                           ('trailing garbage', b'{} {}')]:
            with self.subTest(name):
                resp = self.raw('ListCertificateAuthorities', body)
                self.assertRawError(resp, 'SerializationException')

    def test_empty_body_is_empty_input(self):
        body = self.assertRawOk(self.raw('ListCertificateAuthorities', b''))
        self.assertIn('CertificateAuthorities', body)

    def test_member_of_wrong_json_type_is_serialization_error(self):
        cases = [
            ('DescribeCertificateAuthority', {'CertificateAuthorityArn': 123}),
            ('DescribeCertificateAuthority', {'CertificateAuthorityArn': ['x']}),
            ('ListCertificateAuthorities', {'MaxResults': '2'}),
            ('ListCertificateAuthorities', {'MaxResults': True}),
            ('CreateCertificateAuthority', {'CertificateAuthorityConfiguration': 'RSA',
                                            'CertificateAuthorityType': 'ROOT'}),
            ('TagCertificateAuthority', {'CertificateAuthorityArn': self.ca_arn,
                                         'Tags': {'Key': 'a', 'Value': 'b'}}),
            ('DeleteCertificateAuthority', {'CertificateAuthorityArn': self.ca_arn,
                                            'PermanentDeletionTimeInDays': '7'}),
        ]
        for op, body in cases:
            with self.subTest(op=op, body=body):
                self.assertRawError(self.raw(op, body), 'SerializationException')
        # a failed request changes nothing
        self.assertEqual(self.describe(self.ca_arn)['Status'], 'PENDING_CERTIFICATE')
        self.assertEqual(self.pca.list_tags(CertificateAuthorityArn=self.ca_arn)['Tags'], [])

    def test_missing_required_member_is_validation_error_naming_it(self):
        ca = fake_arn(self.account or '123456789012')
        cases = [
            ('DescribeCertificateAuthority', {}, 'CertificateAuthorityArn'),
            ('CreateCertificateAuthority', {'CertificateAuthorityType': 'ROOT'},
             'CertificateAuthorityConfiguration'),
            ('CreateCertificateAuthority',
             {'CertificateAuthorityType': 'ROOT',
              'CertificateAuthorityConfiguration': {'SigningAlgorithm': 'SHA256WITHECDSA',
                                                    'Subject': {'CommonName': 'x'}}},
             'KeyAlgorithm'),
            ('IssueCertificate', {'CertificateAuthorityArn': ca,
                                  'SigningAlgorithm': 'SHA256WITHECDSA',
                                  'Validity': {'Type': 'DAYS', 'Value': 1}}, 'Csr'),
            ('IssueCertificate', {'CertificateAuthorityArn': ca, 'Csr': 'eA==',
                                  'SigningAlgorithm': 'SHA256WITHECDSA',
                                  'Validity': {'Type': 'DAYS'}}, 'Value'),
            ('RevokeCertificate', {'CertificateAuthorityArn': ca, 'CertificateSerial': '01'},
             'RevocationReason'),
            ('TagCertificateAuthority', {'CertificateAuthorityArn': ca}, 'Tags'),
        ]
        for op, body, member in cases:
            with self.subTest(op=op, member=member):
                resp = self.assertRawError(self.raw(op, body), 'ValidationException')
                self.assertIn(member, resp.message)

    def test_constraint_violations_are_validation_errors(self):
        cases = [
            ('ListCertificateAuthorities', {'MaxResults': 0}, 'MaxResults'),
            ('ListCertificateAuthorities', {'MaxResults': 1001}, 'MaxResults'),
            ('ListCertificateAuthorities', {'ResourceOwner': 'EVERYONE'}, 'ResourceOwner'),
            ('DescribeCertificateAuthority', {'CertificateAuthorityArn': 'arn'},
             'CertificateAuthorityArn'),
            ('DeleteCertificateAuthority', {'CertificateAuthorityArn': self.ca_arn,
                                            'PermanentDeletionTimeInDays': 31},
             'PermanentDeletionTimeInDays'),
        ]
        for op, body, member in cases:
            with self.subTest(op=op, body=body):
                resp = self.assertRawError(self.raw(op, body), 'ValidationException')
                self.assertIn(member, resp.message)
        self.assertEqual(self.describe(self.ca_arn)['Status'], 'PENDING_CERTIFICATE')

    def test_unknown_members_are_ignored(self):
        body = self.assertRawOk(self.raw('DescribeCertificateAuthority',
                                         {'CertificateAuthorityArn': self.ca_arn,
                                          'SomeFutureMember': {'x': [1, 2]}}))
        self.assertEqual(body['CertificateAuthority']['Arn'], self.ca_arn)

    # -- request ids -------------------------------------------------------------------

    def test_every_response_has_a_request_id(self):
        ok1 = self.raw('ListCertificateAuthorities', b'{}')
        ok2 = self.raw('ListCertificateAuthorities', b'{}')
        cases = {
            'success': ok1,
            'modelled error': self.raw('DescribeCertificateAuthority',
                                       {'CertificateAuthorityArn': fake_arn(self.account)}),
            'auth error': self.raw('ListCertificateAuthorities', b'{}', creds=None),
            'unknown operation': self.raw('ACMPrivateCA.Nope', b'{}'),
        }
        for name, resp in cases.items():
            with self.subTest(name):
                self.assertTrue(resp.request_id, f'{name}: no x-amzn-RequestId in {resp.headers}')
                self.assertEqual(resp.headers.get('content-type', '').split(';')[0].strip(),
                                 'application/x-amz-json-1.1')
        self.assertEqual(cases['modelled error'].error_type, 'ResourceNotFoundException')
        self.assertNotEqual(ok1.request_id, ok2.request_id)

    def test_boto3_sees_request_id(self):
        resp = self.pca.list_certificate_authorities()
        self.assertTrue(resp['ResponseMetadata'].get('RequestId'))

    # -- oversized bodies ------------------------------------------------------------

    def _send_oversized(self, length, sent_body=1024, timeout=5.0):
        """Promise `length` body bytes, send only `sent_body`, read the response.
        A server that reads the whole body before answering times out here."""
        head = (f'POST / HTTP/1.1\r\nHost: 127.0.0.1:{self.server.port}\r\n'
                'Content-Type: application/x-amz-json-1.1\r\n'
                'X-Amz-Target: ACMPrivateCA.ListCertificateAuthorities\r\n'
                f'Content-Length: {length}\r\n\r\n').encode()
        with socket.create_connection(('127.0.0.1', self.server.port), timeout=timeout) as s:
            s.sendall(head + b' ' * sent_body)
            data = b''
            deadline = time.monotonic() + timeout
            while b'\r\n\r\n' not in data and time.monotonic() < deadline:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                data += chunk
        head, _, rest = data.partition(b'\r\n\r\n')
        lines = head.decode('latin-1').split('\r\n')
        status = int(lines[0].split()[1]) if lines and lines[0].startswith('HTTP/') else None
        headers = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(':')
            headers[k.strip().lower()] = v.strip()
        return status, headers

    def test_oversized_body_is_413_without_reading_it(self):
        started = time.monotonic()
        status, _ = self._send_oversized(5 * 1024 * 1024)
        self.assertEqual(status, 413, 'no 413 within 5 s while most of the body was unsent')
        self.assertLess(time.monotonic() - started, 5)
        # and the server still answers
        self.assertRawOk(self.raw('ListCertificateAuthorities', b'{}'))

    def test_413_has_request_id(self):
        status, headers = self._send_oversized(5 * 1024 * 1024)
        self.assertEqual(status, 413)
        self.assertTrue(headers.get('x-amzn-requestid'), f'413 without x-amzn-RequestId: {headers}')

    # -- access keys -------------------------------------------------------------------

    def test_keys_create_list_delete_take_effect_immediately(self):
        new = self.server.keys_create()
        self.assertEqual(new.account, self.account, 'keys create without --account must '
                                                     'use the first account')
        self.assertNotEqual(new.access_key_id, self.admin.access_key_id)
        body = self.assertRawOk(self.raw('ListCertificateAuthorities', b'{}', creds=new))
        self.assertIn(self.ca_arn, [c['Arn'] for c in body['CertificateAuthorities']])

        rows, out = self.server.keys_list()
        self.assertIn((self.account, new.access_key_id), rows)
        self.assertIn((self.account, self.admin.access_key_id), rows)
        self.assertNotIn(new.secret_access_key, out)
        self.assertNotIn(self.admin.secret_access_key, out)

        p = self.server.keys('delete', new.access_key_id)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRawError(self.raw('ListCertificateAuthorities', b'{}', creds=new),
                            'UnrecognizedClientException')
        rows, _ = self.server.keys_list()
        self.assertNotIn(new.access_key_id, [akid for _, akid in rows])
        # the admin key is untouched
        self.assertRawOk(self.raw('ListCertificateAuthorities', b'{}'))

    def test_keys_create_for_named_account(self):
        new = self.server.keys_create('--account', self.account)
        self.assertEqual(new.account, self.account)
        resp = self.raw('DescribeCertificateAuthority', {'CertificateAuthorityArn': self.ca_arn},
                        creds=new)
        self.assertEqual(self.assertRawOk(resp)['CertificateAuthority']['Arn'], self.ca_arn)


if __name__ == '__main__':
    unittest.main()
