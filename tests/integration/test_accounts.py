"""Accounts are tenants (pca.md §1, DESIGN.md "Accounts scope everything"), and
the data folder is guarded: lock file, 0600 secrets, no secret in the log, a
clean SIGTERM."""
import os
import signal
import stat
import subprocess
import sys
import time

if __package__ in (None, ''):
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..')))

import unittest  # noqa: E402

from tests.integration.harness import (  # noqa: E402
    ARN_CA_RE, CertainTestCase, Creds, Server, build_root, create_ca, free_port, issue_and_get,
    make_client, raw_request, to_bytes)


class AccountIsolationTests(CertainTestCase):

    @classmethod
    def setUpFixtures(cls):
        cls.b = cls.server.keys_create('--new-account')
        cls.pca_b = cls.client(cls.b)
        # Account A: an ACTIVE root with one tag and one issued certificate.
        cls.root = build_root(cls.pca, common_name='Account A Root')
        cls.pca.tag_certificate_authority(CertificateAuthorityArn=cls.root.arn,
                                          Tags=[{'Key': 'owner', 'Value': 'a'}])
        key = cls.openssl.genkey()
        cls.csr = cls.openssl.csr(key, '/CN=a.example.com',
                                  ['subjectAltName = DNS:a.example.com'])
        cls.cert_arn, cls.cert_pem, _ = issue_and_get(cls.pca, cls.root.arn, cls.csr,
                                                      template='EndEntityCertificate')

    def test_accounts_are_distinct(self):
        self.assertRegex(self.b.account, r'^[0-9]{12}$')
        self.assertIsNotNone(self.account)
        self.assertNotEqual(self.b.account, self.account)
        m = ARN_CA_RE.match(self.root.arn)
        self.assertIsNotNone(m, self.root.arn)
        self.assertEqual(m['account'], self.account)

    def test_other_account_gets_resource_not_found(self):
        arn = self.root.arn
        calls = [
            ('DescribeCertificateAuthority',
             lambda c: c.describe_certificate_authority(CertificateAuthorityArn=arn)),
            ('IssueCertificate',
             lambda c: c.issue_certificate(CertificateAuthorityArn=arn, Csr=self.csr,
                                           SigningAlgorithm='SHA256WITHECDSA',
                                           Validity={'Type': 'DAYS', 'Value': 1})),
            ('TagCertificateAuthority',
             lambda c: c.tag_certificate_authority(CertificateAuthorityArn=arn,
                                                   Tags=[{'Key': 'owner', 'Value': 'b'}])),
            ('UntagCertificateAuthority',
             lambda c: c.untag_certificate_authority(CertificateAuthorityArn=arn,
                                                     Tags=[{'Key': 'owner'}])),
            ('ListTags', lambda c: c.list_tags(CertificateAuthorityArn=arn)),
            ('DeleteCertificateAuthority',
             lambda c: c.delete_certificate_authority(CertificateAuthorityArn=arn,
                                                      PermanentDeletionTimeInDays=7)),
            ('UpdateCertificateAuthority',
             lambda c: c.update_certificate_authority(CertificateAuthorityArn=arn,
                                                      Status='DISABLED')),
            ('GetCertificate',
             lambda c: c.get_certificate(CertificateAuthorityArn=arn,
                                         CertificateArn=self.cert_arn)),
            ('GetCertificateAuthorityCertificate',
             lambda c: c.get_certificate_authority_certificate(CertificateAuthorityArn=arn)),
            ('GetCertificateAuthorityCsr',
             lambda c: c.get_certificate_authority_csr(CertificateAuthorityArn=arn)),
            ('RevokeCertificate',
             lambda c: c.revoke_certificate(CertificateAuthorityArn=arn,
                                            CertificateSerial=self.cert_arn.rsplit('/', 1)[1],
                                            RevocationReason='KEY_COMPROMISE')),
            ('ImportCertificateAuthorityCertificate',
             lambda c: c.import_certificate_authority_certificate(
                 CertificateAuthorityArn=arn, Certificate=to_bytes(self.root.cert))),
        ]
        for name, call in calls:
            with self.subTest(name):
                self.assertClientError('ResourceNotFoundException', call, self.pca_b)
        # Nothing B tried changed A's CA.
        ca = self.describe(arn)
        self.assertEqual(ca['Status'], 'ACTIVE')
        self.assertEqual(self.pca.list_tags(CertificateAuthorityArn=arn)['Tags'],
                         [{'Key': 'owner', 'Value': 'a'}])
        got = self.pca.get_certificate(CertificateAuthorityArn=arn, CertificateArn=self.cert_arn)
        self.assertEqual(got['Certificate'].strip(), self.cert_pem.strip())

    def test_other_account_via_cli(self):
        res = self.cli('acm-pca', 'describe-certificate-authority',
                       '--certificate-authority-arn', self.root.arn, creds=self.b)
        self.assertCliError(res, 'ResourceNotFoundException')

    def test_list_shows_only_own_cas(self):
        b_arn = create_ca(self.pca_b, 'ROOT', common_name='Account B Root')
        m = ARN_CA_RE.match(b_arn)
        self.assertIsNotNone(m, b_arn)
        self.assertEqual(m['account'], self.b.account)
        listed_b = [c['Arn'] for c in self.pca_b.list_certificate_authorities()[
            'CertificateAuthorities']]
        listed_a = [c['Arn'] for c in self.pca.list_certificate_authorities()[
            'CertificateAuthorities']]
        self.assertIn(b_arn, listed_b)
        self.assertNotIn(self.root.arn, listed_b)
        self.assertIn(self.root.arn, listed_a)
        self.assertNotIn(b_arn, listed_a)
        for ca in self.pca_b.list_certificate_authorities()['CertificateAuthorities']:
            self.assertEqual(ca['OwnerAccount'], self.b.account)
        # and A cannot reach B's CA either
        self.assertClientError('ResourceNotFoundException',
                               self.pca.describe_certificate_authority,
                               CertificateAuthorityArn=b_arn)

    def test_second_serve_on_same_data_is_refused(self):
        port = free_port()
        p = subprocess.Popen([self.server.bin, 'serve', '--listen', f'127.0.0.1:{port}',
                              '--data', self.server.data], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            self.fail('a second serve on the same data folder kept running')
        self.assertNotEqual(p.returncode, 0)
        self.assertIn('lock', (out + err).decode(errors='replace').lower())
        # the first server is unaffected
        self.assertEqual(self.describe(self.root.arn)['Status'], 'ACTIVE')

    def test_secret_files_are_0600(self):
        for name in ('credentials', 'master.key'):
            with self.subTest(name):
                path = os.path.join(self.server.data, name)
                self.assertTrue(os.path.isfile(path), f'{path} missing')
                self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, name)
        self.assertTrue(os.path.isfile(os.path.join(self.server.data, 'certain.db')))
        # Nothing in the data folder (database, its WAL, the lock) is readable by others.
        for name in os.listdir(self.server.data):
            with self.subTest(name):
                mode = stat.S_IMODE(os.stat(os.path.join(self.server.data, name)).st_mode)
                self.assertEqual(mode & 0o077, 0, f'{name} has mode {oct(mode)}')

    def test_credentials_file_format(self):
        import configparser
        cp = configparser.ConfigParser()
        cp.read(self.server.credentials_path)
        self.assertEqual(cp.sections(), ['certain'])
        self.assertEqual(cp['certain']['aws_access_key_id'], self.admin.access_key_id)
        self.assertEqual(cp['certain']['aws_secret_access_key'], self.admin.secret_access_key)

    def test_secrets_never_logged(self):
        # generate some traffic with each key, including a failed signature
        self.pca.list_certificate_authorities()
        self.pca_b.list_certificate_authorities()
        raw_request(self.server.url, 'ACMPrivateCA.ListCertificateAuthorities', b'{}',
                    creds=Creds(self.b.access_key_id, self.admin.secret_access_key))
        log = self.server.stderr_text()
        self.assertTrue(log.strip(), 'the server logged nothing at all')
        for name, secret in [('admin', self.admin.secret_access_key),
                             ('account B', self.b.secret_access_key)]:
            with self.subTest(name):
                self.assertNotIn(secret, log)
        self.assertNotIn('BEGIN CERTIFICATE REQUEST', log)
        self.assertNotIn('PRIVATE KEY', log)


class ProcessTests(CertainTestCase):
    """Start/stop behaviour on data folders of its own (the class server is unused
    except as the base class requires)."""

    def _server(self, name):
        return Server(os.path.join(self.tmp, name))

    def test_sigterm_exits_zero_and_restart_keeps_state(self):
        srv = self._server('restart').start()
        try:
            admin = srv.admin_creds()
            with open(srv.credentials_path) as f:
                creds_text = f.read()
            pca = make_client(srv.url, admin)
            arn = create_ca(pca, 'ROOT', common_name='Survives Restart')
            proc = srv.proc
            proc.send_signal(signal.SIGTERM)
            rc = proc.wait(timeout=20)
            srv.proc = None
            self.assertEqual(rc, 0, srv.stderr_tail())
            self.assertEqual(srv.sanitizer_reports(), [])

            srv.start()
            with open(srv.credentials_path) as f:
                self.assertEqual(f.read(), creds_text, 'a restart rewrote the credentials')
            pca = make_client(srv.url, admin)
            ca = pca.describe_certificate_authority(CertificateAuthorityArn=arn)[
                'CertificateAuthority']
            self.assertEqual(ca['Status'], 'PENDING_CERTIFICATE')
        finally:
            srv.stop_and_check()

    def test_sigterm_while_idle_connection_open(self):
        import socket
        srv = self._server('idle').start()
        try:
            with socket.create_connection(('127.0.0.1', srv.port), timeout=5):
                started = time.monotonic()
                rc, timed_out = srv.stop()
                self.assertFalse(timed_out, 'SIGTERM did not stop the server')
                self.assertEqual(rc, 0, srv.stderr_tail())
                self.assertLess(time.monotonic() - started, 15)
        finally:
            srv.stop_and_check()

    def test_tls_listener_serves_https(self):
        import boto3
        from botocore.config import Config
        d = os.path.join(self.tmp, 'tls')
        os.makedirs(d, exist_ok=True)
        key, pem = os.path.join(d, 'tls.key'), os.path.join(d, 'tls.pem')
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                        'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', pem,
                        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
                        '-days', '2'], check=True, capture_output=True)
        srv = self._server('tls-server').start(('--tls-cert', pem, '--tls-key', key))
        try:
            admin = srv.admin_creds()
            pca = boto3.session.Session(
                aws_access_key_id=admin.access_key_id,
                aws_secret_access_key=admin.secret_access_key,
                region_name='us-east-1').client(
                    'acm-pca', endpoint_url=f'https://127.0.0.1:{srv.port}', verify=pem,
                    config=Config(retries={'total_max_attempts': 1}))
            arn = create_ca(pca, 'ROOT', common_name='Over TLS')
            self.assertRegex(arn, ARN_CA_RE)
            # The same port does not answer plain HTTP requests.
            with self.assertRaises(Exception):
                make_client(srv.url, admin).list_certificate_authorities()
        finally:
            srv.stop_and_check()

    def test_plain_http_on_non_loopback_is_refused(self):
        data = os.path.join(self.tmp, 'nonloopback')
        p = subprocess.Popen([self.server.bin, 'serve', '--listen', f'0.0.0.0:{free_port()}',
                              '--data', data], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            self.fail('plain HTTP on 0.0.0.0 without --insecure-http was served')
        self.assertNotEqual(p.returncode, 0)


if __name__ == '__main__':
    unittest.main()
