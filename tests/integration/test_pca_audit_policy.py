"""Audit reports, permissions and resource policies of private CAs (spec
pca.md §5.14–5.16, §6.9–6.10): the reports list every certificate a CA issued
and revoked, in the spec's fields; a CA is shared with another account only by
a policy that allows it, and then only for the shareable actions."""
import csv
import datetime
import io
import json
import os
import re
import sys
import time

if __package__ in (None, ''):
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..')))

import unittest  # noqa: E402

from tests.integration.harness import (  # noqa: E402
    ARN_CA_RE, CertainTestCase, build_root, create_ca, get_certificate, issue, issue_and_get,
    run_certain, template_arn, wait_acm_status)

CSV_HEADER = ['awsAccountId', 'requestedByServicePrincipal', 'certificateArn', 'serial',
              'subject', 'notBefore', 'notAfter', 'issuedAt', 'revokedAt', 'revocationReason',
              'templateArn']
TIME_RE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$')
REPORT_ID_RE = re.compile(r'^[a-z0-9]{8}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{12}$')
SHAREABLE = ['acm-pca:IssueCertificate', 'acm-pca:GetCertificate',
             'acm-pca:DescribeCertificateAuthority',
             'acm-pca:GetCertificateAuthorityCertificate', 'acm-pca:ListTags',
             'acm-pca:ListPermissions']


def report_time(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime(
        '%Y-%m-%dT%H:%M:%S+0000')


def policy_doc(ca_arn, account, actions=SHAREABLE, effect='Allow', extra=()):
    return json.dumps({'Version': '2012-10-17', 'Statement': [
        {'Sid': 'share', 'Effect': effect, 'Principal': {'AWS': account},
         'Action': list(actions), 'Resource': ca_arn}, *extra]})


class AuditReportTests(CertainTestCase):
    """Reports on a server with the test clock, so the 30-minute pace can pass."""

    server_args = ('--test-clock',)

    @classmethod
    def setUpFixtures(cls):
        cls.root = build_root(cls.pca, common_name='Audit Root')
        cls.uuid = ARN_CA_RE.match(cls.root.arn)['uuid']
        key = cls.openssl.genkey()
        # A comma in the subject: the CSV must quote it.
        csr = cls.openssl.csr(key, '/CN=kept, really/O=Audit Org',
                              ['subjectAltName = DNS:kept.example.com'])
        cls.kept_arn, cls.kept_pem, _ = issue_and_get(cls.pca, cls.root.arn, csr,
                                                      template='EndEntityServerAuthCertificate')
        csr = cls.openssl.csr(key, '/CN=revoked.example.com')
        cls.revoked_arn, cls.revoked_pem, _ = issue_and_get(cls.pca, cls.root.arn, csr)
        cls.pca.revoke_certificate(CertificateAuthorityArn=cls.root.arn,
                                   CertificateSerial=cls.serial_colon(cls.revoked_pem),
                                   RevocationReason='KEY_COMPROMISE')
        acm_arn = cls.acm.request_certificate(DomainName='acm.example.com',
                                              CertificateAuthorityArn=cls.root.arn,
                                              KeyAlgorithm='EC_prime256v1')['CertificateArn']
        d = wait_acm_status(cls.acm, acm_arn)
        assert d['Status'] == 'ISSUED', d
        cls.acm_serial = d['Serial']
        cls.json_report = cls.pca.create_certificate_authority_audit_report(
            CertificateAuthorityArn=cls.root.arn, S3BucketName='audit-bucket',
            AuditReportResponseFormat='JSON')

    @classmethod
    def serial_colon(cls, pem):
        out = cls.openssl.run('x509', '-noout', '-serial', input=pem.encode()).stdout.decode()
        hexs = out.strip().split('=', 1)[1].lower()
        hexs = hexs if len(hexs) % 2 == 0 else '0' + hexs
        return ':'.join(hexs[i:i + 2] for i in range(0, len(hexs), 2))

    def subject_2253(self, pem):
        out = self.openssl.run('x509', '-noout', '-subject', '-nameopt', 'RFC2253',
                               input=pem.encode()).stdout.decode()
        return out.strip().split('=', 1)[1]

    def times(self, pem):
        out = self.openssl.run('x509', '-noout', '-startdate', '-enddate', '-dateopt', 'iso_8601',
                               input=pem.encode()).stdout.decode().split('\n')
        conv = {}
        for line in out:
            if '=' in line:
                k, v = line.split('=', 1)
                dt = datetime.datetime.strptime(v.strip(), '%Y-%m-%d %H:%M:%SZ')
                conv[k] = dt.strftime('%Y-%m-%dT%H:%M:%S+0000')
        return conv['notBefore'], conv['notAfter']

    def read_report(self, bucket, key):
        path = os.path.join(self.server.data, 'audit', bucket, key)
        with open(path, encoding='utf-8') as f:
            return f.read()

    def check_records(self, records):
        by_arn = {r['certificateArn']: r for r in records}
        self.assertEqual(len(records), 4, records)  # the root's own certificate, 2, ACM's
        for arn, pem, tmpl in ((self.kept_arn, self.kept_pem, 'EndEntityServerAuthCertificate'),
                               (self.revoked_arn, self.revoked_pem, 'EndEntityCertificate')):
            r = by_arn[arn]
            nb, na = self.times(pem)
            self.assertEqual(r['awsAccountId'], self.account)
            self.assertEqual(r['serial'], self.serial_colon(pem))
            self.assertEqual(r['subject'], self.subject_2253(pem))
            self.assertEqual((r['notBefore'], r['notAfter']), (nb, na))
            self.assertRegex(r['issuedAt'], TIME_RE)
            self.assertEqual(r['templateArn'], template_arn(tmpl))
            self.assertFalse(r.get('requestedByServicePrincipal'), r)
        self.assertEqual(by_arn[self.kept_arn]['subject'], 'O=Audit Org,CN=kept\\, really')
        self.assertFalse(by_arn[self.kept_arn].get('revokedAt'))
        revoked = by_arn[self.revoked_arn]
        self.assertRegex(revoked['revokedAt'], TIME_RE)
        self.assertEqual(revoked['revocationReason'], 'KEY_COMPROMISE')
        acm = [r for r in records if r['serial'] == self.acm_serial]
        self.assertEqual(len(acm), 1, records)
        self.assertEqual(acm[0]['requestedByServicePrincipal'], 'acm.amazonaws.com')
        self.assertEqual(acm[0]['subject'], 'CN=acm.example.com')
        root = [r for r in records if r['templateArn'] == template_arn('RootCACertificate')]
        self.assertEqual(len(root), 1, records)

    def test_json_report_lists_issued_and_revoked(self):
        rid, key = self.json_report['AuditReportId'], self.json_report['S3Key']
        self.assertRegex(rid, REPORT_ID_RE)
        self.assertEqual(key, f'audit-report/{self.uuid}/{rid}.json')
        d = self.pca.describe_certificate_authority_audit_report(
            CertificateAuthorityArn=self.root.arn, AuditReportId=rid)
        self.assertEqual((d['AuditReportStatus'], d['S3BucketName'], d['S3Key']),
                         ('SUCCESS', 'audit-bucket', key))
        self.assertIsInstance(d['CreatedAt'], datetime.datetime)
        records = json.loads(self.read_report('audit-bucket', key))
        self.assertIsInstance(records, list)
        self.check_records(records)
        kept = [r for r in records if r['certificateArn'] == self.kept_arn][0]
        self.assertNotIn('revokedAt', kept)  # absent members are omitted
        self.assertNotIn('requestedByServicePrincipal', kept)
        # the waiter clients use
        self.pca.get_waiter('audit_report_created').wait(
            CertificateAuthorityArn=self.root.arn, AuditReportId=rid)

    def test_pace_then_csv_report(self):
        self.assertClientError('RequestInProgressException',
                               self.pca.create_certificate_authority_audit_report,
                               CertificateAuthorityArn=self.root.arn, S3BucketName='other-bucket',
                               AuditReportResponseFormat='CSV')
        rc, _, err = run_certain(self.server, 'clock', 'advance', '31m')
        self.assertEqual(rc, 0, err)
        got = self.pca.create_certificate_authority_audit_report(
            CertificateAuthorityArn=self.root.arn, S3BucketName='csv.bucket',
            AuditReportResponseFormat='CSV')
        self.assertTrue(got['S3Key'].endswith(f'{got["AuditReportId"]}.csv'), got)
        text = self.read_report('csv.bucket', got['S3Key'])
        self.assertTrue(text.startswith(','.join(CSV_HEADER) + '\n'), text[:200])
        self.assertIn('"O=Audit Org,CN=kept\\, really"', text)
        rows = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual(list(rows[0].keys()), CSV_HEADER)
        self.check_records(rows)

    def test_errors(self):
        rid = self.json_report['AuditReportId']
        other = build_root(self.pca, common_name='Other Audit Root')
        for bad in ('Bad_Bucket', 'a..b', '192.168.1.1', '-abc'):
            with self.subTest(bucket=bad):
                self.assertClientError('InvalidArgsException',
                                       self.pca.create_certificate_authority_audit_report,
                                       CertificateAuthorityArn=other.arn, S3BucketName=bad,
                                       AuditReportResponseFormat='JSON')
        self.assertClientError('ValidationException',
                               self.pca_nv.create_certificate_authority_audit_report,
                               CertificateAuthorityArn=other.arn, S3BucketName='ok-bucket',
                               AuditReportResponseFormat='XML')
        # a report id of another CA, and an unknown one
        self.assertClientError('ResourceNotFoundException',
                               self.pca.describe_certificate_authority_audit_report,
                               CertificateAuthorityArn=other.arn, AuditReportId=rid)
        self.assertClientError('ResourceNotFoundException',
                               self.pca.describe_certificate_authority_audit_report,
                               CertificateAuthorityArn=self.root.arn,
                               AuditReportId='00000000-0000-0000-0000-000000000000')
        self.assertClientError('ValidationException',
                               self.pca_nv.describe_certificate_authority_audit_report,
                               CertificateAuthorityArn=self.root.arn,
                               AuditReportId='00000000-0000-0000-0000-00000000000G')
        pending = create_ca(self.pca, 'ROOT', common_name='Pending Audit Root')
        self.assertClientError('InvalidStateException',
                               self.pca.create_certificate_authority_audit_report,
                               CertificateAuthorityArn=pending, S3BucketName='ok-bucket',
                               AuditReportResponseFormat='JSON')
        # another account sees nothing
        b = self.client(self.server.keys_create('--new-account'))
        self.assertClientError('ResourceNotFoundException',
                               b.create_certificate_authority_audit_report,
                               CertificateAuthorityArn=other.arn, S3BucketName='ok-bucket',
                               AuditReportResponseFormat='JSON')

    def test_cli_creates_report(self):
        ca = build_root(self.pca, common_name='CLI Audit Root')
        out = self.cli_ok('acm-pca', 'create-certificate-authority-audit-report',
                          '--certificate-authority-arn', ca.arn, '--s3-bucket-name', 'cli-bucket',
                          '--audit-report-response-format', 'JSON')
        rows = json.loads(self.read_report('cli-bucket', out['S3Key']))
        self.assertEqual([r['templateArn'] for r in rows], [template_arn('RootCACertificate')])


class PermissionPolicyTests(CertainTestCase):

    @classmethod
    def setUpFixtures(cls):
        cls.b = cls.server.keys_create('--new-account')
        cls.pca_b = cls.client(cls.b)
        cls.acm_b = cls.acm_client(cls.b)
        cls.key = cls.openssl.genkey()
        cls.csr = cls.openssl.csr(cls.key, '/CN=shared.example.com',
                                  ['subjectAltName = DNS:shared.example.com'])

    # -- permissions -------------------------------------------------------------------------

    def test_permissions_create_list_delete(self):
        ca = build_root(self.pca, common_name='Permission Root')
        self.pca.create_permission(CertificateAuthorityArn=ca.arn, Principal='acm.amazonaws.com',
                                   Actions=['IssueCertificate', 'GetCertificate',
                                            'ListPermissions'])
        perms = self.pca.list_permissions(CertificateAuthorityArn=ca.arn)['Permissions']
        self.assertEqual(len(perms), 1, perms)
        p = perms[0]
        self.assertEqual((p['CertificateAuthorityArn'], p['Principal'], p['SourceAccount']),
                         (ca.arn, 'acm.amazonaws.com', self.account))
        self.assertEqual(p['Actions'], ['IssueCertificate', 'GetCertificate', 'ListPermissions'])
        self.assertIsInstance(p['CreatedAt'], datetime.datetime)
        stmt = json.loads(p['Policy'])['Statement'][0]
        self.assertEqual((stmt['Effect'], stmt['Principal'], stmt['Resource']),
                         ('Allow', {'Service': 'acm.amazonaws.com'}, ca.arn))
        self.assertEqual(sorted(stmt['Action']), ['acm-pca:GetCertificate',
                                                  'acm-pca:IssueCertificate',
                                                  'acm-pca:ListPermissions'])
        self.assertClientError('PermissionAlreadyExistsException', self.pca.create_permission,
                               CertificateAuthorityArn=ca.arn, Principal='acm.amazonaws.com',
                               Actions=['IssueCertificate'])
        # more source accounts, paged
        for acct in ('100000000001', '100000000002'):
            self.pca.create_permission(CertificateAuthorityArn=ca.arn,
                                       Principal='acm.amazonaws.com', SourceAccount=acct,
                                       Actions=['GetCertificate'])
        page = self.pca.list_permissions(CertificateAuthorityArn=ca.arn, MaxResults=2)
        self.assertEqual(len(page['Permissions']), 2)
        rest = self.pca.list_permissions(CertificateAuthorityArn=ca.arn,
                                         NextToken=page['NextToken'])
        self.assertEqual(len(rest['Permissions']), 1)
        self.assertNotIn('NextToken', rest)
        seen = {p['SourceAccount'] for p in page['Permissions'] + rest['Permissions']}
        self.assertEqual(seen, {self.account, '100000000001', '100000000002'})
        paginated = self.pca.get_paginator('list_permissions').paginate(
            CertificateAuthorityArn=ca.arn, PaginationConfig={'PageSize': 1})
        self.assertEqual(sum(len(pg['Permissions']) for pg in paginated), 3)
        self.pca.delete_permission(CertificateAuthorityArn=ca.arn, Principal='acm.amazonaws.com')
        self.assertClientError('ResourceNotFoundException', self.pca.delete_permission,
                               CertificateAuthorityArn=ca.arn, Principal='acm.amazonaws.com')
        left = self.pca.list_permissions(CertificateAuthorityArn=ca.arn)['Permissions']
        self.assertEqual({p['SourceAccount'] for p in left}, {'100000000001', '100000000002'})

    def test_permission_errors(self):
        ca = build_root(self.pca, common_name='Permission Error Root')
        cases = [dict(Principal='ec2.amazonaws.com', Actions=['IssueCertificate']),
                 dict(Principal='acm.amazonaws.com', Actions=['RevokeCertificate']),
                 dict(Principal='acm.amazonaws.com', Actions=[]),
                 dict(Principal='acm.amazonaws.com',
                      Actions=['GetCertificate', 'GetCertificate']),
                 dict(Principal='acm.amazonaws.com', Actions=['GetCertificate'],
                      SourceAccount='12345')]
        for kw in cases:
            with self.subTest(**kw):
                self.assertClientError('ValidationException', self.pca_nv.create_permission,
                                       CertificateAuthorityArn=ca.arn, **kw)
        pending = create_ca(self.pca, 'ROOT', common_name='Pending Permission Root')
        self.assertClientError('InvalidStateException', self.pca.create_permission,
                               CertificateAuthorityArn=pending, Principal='acm.amazonaws.com',
                               Actions=['IssueCertificate'])
        self.assertClientError('InvalidStateException', self.pca.list_permissions,
                               CertificateAuthorityArn=pending)
        self.assertClientError('ResourceNotFoundException', self.pca_b.create_permission,
                               CertificateAuthorityArn=ca.arn, Principal='acm.amazonaws.com',
                               Actions=['IssueCertificate'])
        self.assertClientError('InvalidNextTokenException', self.pca.list_permissions,
                               CertificateAuthorityArn=ca.arn, NextToken='bogus')

    # -- policies --------------------------------------------------------------------------

    def test_policy_put_get_delete(self):
        ca = build_root(self.pca, common_name='Policy Root')
        self.assertClientError('ResourceNotFoundException', self.pca.get_policy,
                               ResourceArn=ca.arn)
        text = policy_doc(ca.arn, self.b.account)
        self.pca.put_policy(ResourceArn=ca.arn, Policy=text)
        self.assertEqual(self.pca.get_policy(ResourceArn=ca.arn)['Policy'], text)
        replaced = policy_doc(ca.arn, f'arn:aws:iam::{self.b.account}:root',
                              actions=['acm-pca:DescribeCertificateAuthority'])
        self.pca.put_policy(ResourceArn=ca.arn, Policy=replaced)
        self.assertEqual(self.pca.get_policy(ResourceArn=ca.arn)['Policy'], replaced)
        self.pca.delete_policy(ResourceArn=ca.arn)
        self.assertClientError('ResourceNotFoundException', self.pca.get_policy,
                               ResourceArn=ca.arn)
        self.pca.delete_policy(ResourceArn=ca.arn)  # nothing attached: still success
        # the policy is the owner's business only
        self.assertClientError('ResourceNotFoundException', self.pca_b.put_policy,
                               ResourceArn=ca.arn, Policy=text)
        pending = create_ca(self.pca, 'ROOT', common_name='Pending Policy Root')
        self.assertClientError('InvalidStateException', self.pca.put_policy,
                               ResourceArn=pending, Policy=policy_doc(pending, self.b.account))

    def test_malformed_policies(self):
        ca = build_root(self.pca, common_name='Malformed Policy Root')
        other = build_root(self.pca, common_name='Another Policy Root')
        bad = ['{not json', '[]', json.dumps({'Version': '2012-10-17'}),
               json.dumps({'Version': '2012-10-17', 'Statement': []}),
               policy_doc(ca.arn, self.b.account, effect='Perhaps'),
               policy_doc(ca.arn, 'not-an-account'),
               policy_doc(ca.arn, self.b.account, actions=['acm-pca:RevokeCertificate']),
               policy_doc(ca.arn, self.b.account, actions=['s3:GetObject']),
               policy_doc(other.arn, self.b.account),
               json.dumps({'Version': '2012-10-17', 'Statement': [
                   {'Effect': 'Allow', 'Principal': {'AWS': self.b.account},
                    'Action': 'acm-pca:IssueCertificate', 'Resource': ca.arn,
                    'Condition': {'IpAddress': {'aws:SourceIp': '10.0.0.0/8'}}}]}),
               policy_doc(ca.arn, self.b.account) + ' ' * 20480]
        for text in bad:
            with self.subTest(policy=text[:80]):
                self.assertClientError('InvalidPolicyException', self.pca.put_policy,
                                       ResourceArn=ca.arn, Policy=text)
        self.assertClientError('ResourceNotFoundException', self.pca.get_policy,
                               ResourceArn=ca.arn)

    # -- cross-account use ------------------------------------------------------------------

    def test_cross_account_needs_policy(self):
        ca = build_root(self.pca, common_name='Shared Root')
        self.pca.tag_certificate_authority(CertificateAuthorityArn=ca.arn,
                                           Tags=[{'Key': 'team', 'Value': 'a'}])
        self.assertClientError('ResourceNotFoundException', issue, self.pca_b, ca.arn, self.csr)
        self.assertClientError('ResourceNotFoundException',
                               self.pca_b.describe_certificate_authority,
                               CertificateAuthorityArn=ca.arn)
        self.pca.put_policy(ResourceArn=ca.arn, Policy=policy_doc(ca.arn, self.b.account))

        arn, pem, chain = issue_and_get(self.pca_b, ca.arn, self.csr)
        self.assertTrue(arn.startswith(ca.arn + '/certificate/'), arn)
        self.assertTrue(self.openssl.verify(ca.cert, pem)[0])
        explicit = issue(self.pca_b, ca.arn, self.csr, template='EndEntityCertificate')
        self.assertTrue(get_certificate(self.pca_b, ca.arn, explicit)['Certificate'])
        self.assertClientError('AccessDeniedException', issue, self.pca_b, ca.arn, self.csr,
                               template='CodeSigningCertificate')
        # the shareable reads
        d = self.pca_b.describe_certificate_authority(
            CertificateAuthorityArn=ca.arn)['CertificateAuthority']
        self.assertEqual((d['OwnerAccount'], d['Status']), (self.account, 'ACTIVE'))
        got = self.pca_b.get_certificate_authority_certificate(CertificateAuthorityArn=ca.arn)
        self.assertEqual(got['Certificate'].strip(), ca.cert.strip())
        self.assertEqual(self.pca_b.list_tags(CertificateAuthorityArn=ca.arn)['Tags'],
                         [{'Key': 'team', 'Value': 'a'}])
        self.assertEqual(self.pca_b.list_permissions(
            CertificateAuthorityArn=ca.arn)['Permissions'], [])
        # never management: revoke, tag, update, CSR, policy
        serial = arn.rsplit('/', 1)[1]
        self.assertClientError('ResourceNotFoundException', self.pca_b.revoke_certificate,
                               CertificateAuthorityArn=ca.arn, CertificateSerial=serial,
                               RevocationReason='KEY_COMPROMISE')
        self.assertClientError('ResourceNotFoundException', self.pca_b.tag_certificate_authority,
                               CertificateAuthorityArn=ca.arn,
                               Tags=[{'Key': 'team', 'Value': 'b'}])
        self.assertClientError('ResourceNotFoundException',
                               self.pca_b.update_certificate_authority,
                               CertificateAuthorityArn=ca.arn, Status='DISABLED')
        self.assertClientError('ResourceNotFoundException', self.pca_b.get_policy,
                               ResourceArn=ca.arn)
        # the owner still revokes B's certificate
        self.pca.revoke_certificate(CertificateAuthorityArn=ca.arn, CertificateSerial=serial,
                                    RevocationReason='SUPERSEDED')
        # B's issuance is recorded for B (audit report)
        rep = self.pca.create_certificate_authority_audit_report(
            CertificateAuthorityArn=ca.arn, S3BucketName='shared-audit',
            AuditReportResponseFormat='JSON')
        with open(os.path.join(self.server.data, 'audit', 'shared-audit', rep['S3Key'])) as f:
            rows = {r['certificateArn']: r for r in json.load(f)}
        self.assertEqual(rows[arn]['awsAccountId'], self.b.account)
        self.assertEqual(rows[arn]['revocationReason'], 'SUPERSEDED')
        # deleting the policy makes the CA invisible again
        self.pca.delete_policy(ResourceArn=ca.arn)
        self.assertClientError('ResourceNotFoundException', self.pca_b.get_certificate,
                               CertificateAuthorityArn=ca.arn, CertificateArn=arn)

    def test_partial_and_denying_policies(self):
        ca = build_root(self.pca, common_name='Partly Shared Root')
        # Describe only: the CA is visible, issuing is refused
        self.pca.put_policy(ResourceArn=ca.arn, Policy=policy_doc(
            ca.arn, self.b.account, actions=['acm-pca:DescribeCertificateAuthority']))
        self.pca_b.describe_certificate_authority(CertificateAuthorityArn=ca.arn)
        self.assertClientError('AccessDeniedException', issue, self.pca_b, ca.arn, self.csr)
        # an explicit Deny beats the Allow
        deny = {'Effect': 'Deny', 'Principal': {'AWS': self.b.account},
                'Action': 'acm-pca:IssueCertificate', 'Resource': ca.arn}
        self.pca.put_policy(ResourceArn=ca.arn,
                            Policy=policy_doc(ca.arn, self.b.account, extra=[deny]))
        self.assertClientError('AccessDeniedException', issue, self.pca_b, ca.arn, self.csr)
        # a template condition narrows what is shared
        cond = json.dumps({'Version': '2012-10-17', 'Statement': [{
            'Effect': 'Allow', 'Principal': {'AWS': [self.b.account]},
            'Action': ['acm-pca:IssueCertificate', 'acm-pca:GetCertificate'],
            'Resource': ca.arn, 'Condition': {'StringEquals': {
                'acm-pca:TemplateArn': template_arn('EndEntityCertificate')}}}]})
        self.pca.put_policy(ResourceArn=ca.arn, Policy=cond)
        self.assertTrue(issue(self.pca_b, ca.arn, self.csr))
        # a third account is not named: invisible
        c = self.client(self.server.keys_create('--new-account'))
        self.assertClientError('ResourceNotFoundException', issue, c, ca.arn, self.csr)

    def test_list_other_accounts_shared_by_policy(self):
        """spec §5.3: ResourceOwner=OTHER_ACCOUNTS lists the CAs of other accounts whose
        policy allows the caller something; fresh accounts keep other tests' CAs out."""
        c_creds = self.server.keys_create('--new-account')
        d_creds = self.server.keys_create('--new-account')
        c, d = self.client(c_creds), self.client(d_creds)

        def others(client, **kw):
            arns, token = [], None
            while True:
                args = dict(ResourceOwner='OTHER_ACCOUNTS', **kw)
                if token:
                    args['NextToken'] = token
                page = client.list_certificate_authorities(**args)
                arns += [ca['Arn'] for ca in page['CertificateAuthorities']]
                token = page.get('NextToken')
                if not token:
                    return arns

        shared = [build_root(self.pca, common_name=f'Listed Root {i}') for i in range(3)]
        hidden = build_root(self.pca, common_name='Unlisted Root')
        self.pca.put_policy(ResourceArn=shared[0].arn, Policy=policy_doc(
            shared[0].arn, f'arn:aws:iam::{c_creds.account}:root',
            actions=['acm-pca:DescribeCertificateAuthority']))
        for ca in shared[1:]:
            self.pca.put_policy(ResourceArn=ca.arn, Policy=policy_doc(ca.arn, c_creds.account))
        # Named only in a Deny: not shared.
        self.pca.put_policy(ResourceArn=hidden.arn, Policy=policy_doc(
            hidden.arn, c_creds.account, effect='Deny'))
        self.assertEqual(sorted(others(c)), sorted(ca.arn for ca in shared))
        self.assertEqual(sorted(others(c, MaxResults=1)), sorted(ca.arn for ca in shared))
        self.assertEqual(others(d), [])
        self.assertEqual(c.list_certificate_authorities()['CertificateAuthorities'], [])
        page = c.list_certificate_authorities(ResourceOwner='OTHER_ACCOUNTS', MaxResults=1)
        listed = page['CertificateAuthorities'][0]
        self.assertEqual(listed['OwnerAccount'], self.account)
        self.assertEqual(listed['Status'], 'ACTIVE')
        # A token of one listing does not page the other.
        self.assertClientError('InvalidNextTokenException', c.list_certificate_authorities,
                               NextToken=page['NextToken'])
        # The owner's own listing is unchanged; its own CAs are not "other".
        self.assertEqual(others(self.pca), [])
        # '*' shares with every account; deleting a policy unshares.
        self.pca.put_policy(ResourceArn=hidden.arn, Policy=policy_doc(hidden.arn, '*'))
        self.assertEqual(others(d), [hidden.arn])
        self.pca.delete_policy(ResourceArn=shared[0].arn)
        self.assertNotIn(shared[0].arn, others(c))
        # The CLI way.
        out = self.cli_ok('acm-pca', 'list-certificate-authorities', '--resource-owner',
                          'OTHER_ACCOUNTS', '--query', 'CertificateAuthorities[].Arn',
                          creds=d_creds)
        self.assertEqual(out, [hidden.arn])

    def test_acm_in_other_account(self):
        ca = build_root(self.pca, common_name='ACM Shared Root')

        def request():
            arn = self.acm_b.request_certificate(DomainName='b.example.com',
                                                 CertificateAuthorityArn=ca.arn,
                                                 KeyAlgorithm='EC_prime256v1')['CertificateArn']
            return wait_acm_status(self.acm_b, arn)

        d = request()
        self.assertEqual((d['Status'], d.get('FailureReason')),
                         ('FAILED', 'PCA_RESOURCE_NOT_FOUND'), d)
        self.pca.put_policy(ResourceArn=ca.arn, Policy=policy_doc(
            ca.arn, self.b.account, actions=['acm-pca:DescribeCertificateAuthority']))
        d = request()
        self.assertEqual((d['Status'], d.get('FailureReason')),
                         ('FAILED', 'PCA_ACCESS_DENIED'), d)
        self.pca.put_policy(ResourceArn=ca.arn, Policy=policy_doc(
            ca.arn, self.b.account, actions=['acm-pca:IssueCertificate']))
        d = request()
        self.assertEqual(d['Status'], 'ISSUED', d)
        self.assertEqual(d['CertificateAuthorityArn'], ca.arn)
        got = self.acm_b.get_certificate(CertificateArn=d['CertificateArn'])
        self.assertTrue(self.openssl.verify(ca.cert, got["Certificate"])[0])
        # A's account cannot see B's ACM certificate, only the CA's record of it
        self.assertClientError('ResourceNotFoundException', self.acm.describe_certificate,
                               CertificateArn=d['CertificateArn'])


if __name__ == '__main__':
    unittest.main()
