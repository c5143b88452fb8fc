"""Events (issue: lifecycle): event targets, the event log and dead letters
through the signed API (Certain.* operations, SigV4 service `certain`) and the
`certain events` / `certain clock` CLI; and, on a server with the test clock,
the whole promise end to end: expiry warnings a day at a time, managed
renewal, Renewal Action Required, delivery that survives kill -9, and dead
letters that can be replayed -- all received by a real local webhook that
checks every signature.
"""
import calendar
import json
import os
import signal
import subprocess
import time
import unittest

from tests.integration.harness import (
    ACM_SERVICE, REGION, CertainTestCase, Server, WebhookReceiver, build_root, grant_acm_renewal,
    raw_request, run_certain)

EXT = 'Certain.'
SECRET = 'whsec-0123456789abcdef'
ARN_TARGET_PREFIX = 'arn:aws:certain:us-east-1:'
DAY = 86400


def serve_supports_test_clock(server_bin):
    p = subprocess.run([server_bin, 'serve', '--help'], capture_output=True, text=True)
    return '--test-clock' in p.stdout


class EventTargetsTest(CertainTestCase):
    """Targets through the CLI and the API, on a server without the test clock."""

    def certain(self, *args, creds=None):
        return run_certain(self.server, *args, creds=creds)

    def certain_ok(self, *args, creds=None):
        rc, out, err = self.certain(*args, creds=creds)
        self.assertEqual(rc, 0, f'certain {" ".join(args)} failed: {err}')
        return out

    def assertCertainError(self, result, error_type):
        rc, out, err = result
        self.assertEqual(rc, 1, f'expected {error_type}, got rc {rc}: {out} {err}')
        self.assertIn(f'certain: {error_type}: ', err)

    def ext(self, op, body, creds='admin', **kwargs):
        creds = self.admin if creds == 'admin' else creds
        return raw_request(self.server.url, EXT + op, body, creds=creds, service='certain',
                           **kwargs)

    def test_add_list_remove_targets(self):
        hook = self.certain_ok('events', 'add-target', '--webhook', 'http://127.0.0.1:9/h',
                               '--secret', SECRET)
        self.assertRegex(hook['TargetId'], r'^[0-9a-f-]{36}$')
        self.assertEqual(hook['TargetArn'],
                         f'{ARN_TARGET_PREFIX}{self.account}:event-target/{hook["TargetId"]}')
        cmd = self.certain_ok('events', 'add-target', '--command', '/usr/bin/true')
        listed = self.certain_ok('events', 'list-targets')['Targets']
        mine = {t['TargetId']: t for t in listed}
        self.assertEqual(mine[hook['TargetId']]['Kind'], 'webhook')
        self.assertEqual(mine[hook['TargetId']]['Endpoint'], 'http://127.0.0.1:9/h')
        self.assertEqual(mine[cmd['TargetId']]['Kind'], 'command')
        self.assertEqual(mine[cmd['TargetId']]['Endpoint'], '/usr/bin/true')
        self.assertIsInstance(mine[cmd['TargetId']]['CreatedAt'], int)
        # The secret is sealed and never returned.
        self.assertNotIn(SECRET, json.dumps(listed))

        self.assertEqual(self.certain_ok('events', 'remove-target', hook['TargetId']), {})
        # By ARN too.
        self.assertEqual(self.certain_ok('events', 'remove-target', cmd['TargetArn']), {})
        ids = {t['TargetId'] for t in self.certain_ok('events', 'list-targets')['Targets']}
        self.assertNotIn(hook['TargetId'], ids)
        self.assertNotIn(cmd['TargetId'], ids)
        self.assertCertainError(self.certain('events', 'remove-target', hook['TargetId']),
                                'ResourceNotFoundException')

    def test_another_account_cannot_see_or_remove_targets(self):
        hook = self.certain_ok('events', 'add-target', '--webhook', 'https://example.test/h',
                               '--secret', SECRET)
        other = self.server.keys_create('--new-account')
        self.assertNotEqual(other.account, self.account)
        theirs = self.certain_ok('events', 'list-targets', creds=other)['Targets']
        self.assertNotIn(hook['TargetId'], {t['TargetId'] for t in theirs})
        self.assertCertainError(
            self.certain('events', 'remove-target', hook['TargetId'], creds=other),
            'ResourceNotFoundException')
        self.assertEqual(self.certain_ok('events', 'list', creds=other), {'Events': []})
        self.certain_ok('events', 'remove-target', hook['TargetId'])

    def test_validation(self):
        cases = [
            {'Kind': 'webhook', 'Endpoint': 'http://127.0.0.1/h'},                 # no secret
            {'Kind': 'webhook', 'Endpoint': 'http://127.0.0.1/h', 'Secret': 'short'},
            {'Kind': 'webhook', 'Endpoint': 'http://127.0.0.1/h', 'Secret': 'x' * 257},
            {'Kind': 'webhook', 'Endpoint': 'file:///etc/passwd', 'Secret': SECRET},
            {'Kind': 'webhook', 'Endpoint': 'http:///nohost', 'Secret': SECRET},
            {'Kind': 'webhook', 'Endpoint': 'http://a b/', 'Secret': SECRET},
            {'Kind': 'command', 'Endpoint': 'relative/hook.sh'},
            {'Kind': 'command', 'Endpoint': '/bin/true', 'Secret': SECRET},
            {'Kind': 'email', 'Endpoint': 'a@b.c'},
            {'Endpoint': '/bin/true'},
        ]
        for body in cases:
            with self.subTest(body=body):
                resp = self.assertRawError(self.ext('CreateEventTarget', body),
                                           'ValidationException')
                self.assertNotIn(SECRET, resp.message)
                self.assertNotIn('x' * 100, resp.message)
        self.assertRawError(self.ext('CreateEventTarget', {'Kind': 1, 'Endpoint': '/bin/true'}),
                            'SerializationException')
        self.assertRawError(self.ext('DeleteEventTarget', {'TargetId': 'nope'}),
                            'ValidationException')
        self.assertRawError(self.ext('ListEvents', {'MaxResults': 0}), 'ValidationException')
        self.assertRawError(self.ext('ListEvents', {'NextToken': 'forged'}),
                            'InvalidNextTokenException')
        self.assertRawError(
            self.ext('ReplayDeadLetter', {'EventId': '00000000-0000-4000-8000-000000000000'}),
            'ResourceNotFoundException')
        # The CLI prints the AWS error type and exits 1.
        self.assertCertainError(
            self.certain('events', 'add-target', '--webhook', 'ftp://x/', '--secret', SECRET),
            'ValidationException')

    def test_signed_for_certain_only(self):
        # A request signed for another service's name does not reach the operation.
        resp = raw_request(self.server.url, EXT + 'ListEventTargets', {}, creds=self.admin,
                           service=ACM_SERVICE)
        self.assertEqual(resp.error_type, 'InvalidSignatureException', str(resp))
        self.assertEqual(raw_request(self.server.url, EXT + 'ListEventTargets', {}).error_type,
                         'MissingAuthenticationTokenException')

    def test_clock_does_not_exist_without_test_clock(self):
        self.assertCertainError(self.certain('clock', 'advance', '30d'),
                                'UnknownOperationException')
        unknown = self.ext('NoSuchOperation', {})
        advance = self.ext('AdvanceClock', {'Duration': '30d'})
        self.assertRawError(advance, 'UnknownOperationException')
        self.assertEqual(advance.message.replace('AdvanceClock', 'X'),
                         unknown.message.replace('NoSuchOperation', 'X'))

    def test_lists_and_help(self):
        self.assertIn('Events', self.certain_ok('events', 'list', '--since',
                                                '2026-01-01T00:00:00Z'))
        self.assertEqual(self.certain_ok('events', 'dead-letters'), {'DeadLetters': []})
        for args in (('events', '--help'), ('clock', '--help')):
            p = subprocess.run([self.server.bin, *args], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn('usage: certain ' + args[0], p.stdout)
        rc, _, err = self.certain('events', 'list', '--since', 'yesterday')
        self.assertEqual(rc, 2, err)

    def test_credentials_from_shared_file_and_profile(self):
        path = os.path.join(self.tmp, 'creds-profile')
        with open(path, 'w') as f:
            f.write(f'[other]\naws_access_key_id = {self.admin.access_key_id}\n'
                    f'aws_secret_access_key = {self.admin.secret_access_key}\n')
        env = {k: v for k, v in os.environ.items() if not k.startswith('AWS_')}
        env.update(AWS_SHARED_CREDENTIALS_FILE=path, AWS_PROFILE='other')
        p = subprocess.run([self.server.bin, 'events', 'list-targets', '--endpoint',
                            self.server.url, '--data', '/nonexistent'], env=env,
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('Targets', json.loads(p.stdout))


PASSPHRASE = b'events-test-passphrase'
APPROACHING = 'ACM Certificate Approaching Expiration'
AVAILABLE = 'ACM Certificate Available'
ACTION_REQUIRED = 'ACM Certificate Renewal Action Required'


def epoch(value):
    """A boto3 datetime or an EventBridge time string as epoch seconds."""
    if isinstance(value, str):
        return calendar.timegm(time.strptime(value, '%Y-%m-%dT%H:%M:%SZ'))
    return int(value.timestamp())


class TestClockCase(CertainTestCase):
    """A server with the test clock, a webhook receiver `hook` registered as a
    target through the CLI, and helpers to move time."""

    server_args = ('--test-clock', '--delivery-attempts', '3', '--delivery-interval', '1')

    @classmethod
    def setUpClass(cls):
        if not serve_supports_test_clock(Server(os.path.join('/tmp', 'unused')).bin):
            raise unittest.SkipTest('certain serve has no --test-clock yet')
        super().setUpClass()

    @classmethod
    def setUpFixtures(cls):
        cls.hook = WebhookReceiver(SECRET)
        cls.addClassCleanup(lambda: cls.hook.close())
        rc, out, err = run_certain(cls.server, 'events', 'add-target', '--webhook', cls.hook.url,
                                   '--secret', SECRET)
        if rc != 0:
            raise AssertionError(f'add-target failed: {err}')
        cls.hook_target = out['TargetId']
        cls.now = int(time.time())

    def certain_ok(self, *args):
        rc, out, err = run_certain(self.server, *args)
        self.assertEqual(rc, 0, f'certain {" ".join(args)} failed: {err}')
        return out

    def advance(self, duration):
        """`certain clock advance DURATION`: the server's new time."""
        out = self.certain_ok('clock', 'advance', duration)
        type(self).now = out['Now']
        return out['Now']

    def request_private(self, ca, domain, export=False):
        # The CA's key family (build_root: EC) must match the certificate's.
        arn = self.acm.request_certificate(DomainName=domain, CertificateAuthorityArn=ca.arn,
                                           KeyAlgorithm='EC_prime256v1')['CertificateArn']
        deadline = time.monotonic() + 30
        while True:
            d = self.acm.describe_certificate(CertificateArn=arn)['Certificate']
            if d['Status'] != 'PENDING_VALIDATION' or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(d['Status'], 'ISSUED', d)
        if export:
            self.acm.export_certificate(CertificateArn=arn, Passphrase=PASSPHRASE)
        return arn, d

    def received(self, receiver, arn, detail_type):
        return [r['event'] for r in receiver.accepted()
                if r['event'] and r['event'].get('detail-type') == detail_type
                and arn in r['event'].get('resources', [])]

    def wait_received(self, receiver, arn, detail_type, count=1, timeout=30):
        got = receiver.wait_for(
            lambda _: len(self.received(receiver, arn, detail_type)) >= count or None, timeout)
        events = self.received(receiver, arn, detail_type)
        self.assertGreaterEqual(len(events), count,
                                f'{detail_type} for {arn}: got {len(events)} ({got})')
        return events

    def assertSignedAndFresh(self, receiver, late_ok=()):
        """Every POST verified; its signature time is the server clock when sent,
        i.e. at or after the event's time, and soon after unless in late_ok."""
        for r in receiver.received:
            self.assertTrue(r['signature_ok'], r)
            self.assertEqual(r['content_type'], 'application/json')
            self.assertEqual(r['event_id'], r['event']['id'])
            lag = int(r['t']) - epoch(r['event']['time'])
            self.assertGreaterEqual(lag, 0, r)
            if r['event_id'] not in late_ok:
                self.assertLess(lag, 600, r)

    def event_in_log(self, event_id, since=0):
        events = self.certain_ok('events', 'list', '--since', str(since))['Events']
        return next((e for e in events if e['EventId'] == event_id), None)


    def wait_state(self, event_id, target_id, state, timeout=10):
        """The delivery's state once it is `state` (the receiver sees a POST a
        moment before the server records its answer), or the last one seen."""
        deadline = time.monotonic() + timeout
        while True:
            got = {d['TargetId']: d['State']
                   for d in self.event_in_log(event_id)['Deliveries']}.get(target_id)
            if got == state or time.monotonic() > deadline:
                return got
            time.sleep(0.1)


class ExpiryRenewalTest(TestClockCase):
    """A year in seconds: warnings, renewal, action required, dead letters."""

    def test_a_year_of_events(self):
        failing = WebhookReceiver('another-secret-0123456789', status=500)
        self.addCleanup(failing.close)
        bad = self.certain_ok('events', 'add-target', '--webhook', failing.url, '--secret',
                              'another-secret-0123456789')['TargetId']
        root = build_root(self.pca, common_name='Events Root')
        doomed = build_root(self.pca, common_name='Events Doomed Root')
        for ca in (root, doomed):   # managed renewal needs ACM's permissions (pca.md §6.10)
            grant_acm_renewal(self.pca, ca.arn)
        warned, _ = self.request_private(root, 'warned.example.com')
        renewed, before = self.request_private(root, 'renewed.example.com', export=True)
        stuck, _ = self.request_private(doomed, 'stuck.example.com', export=True)
        self.pca.update_certificate_authority(CertificateAuthorityArn=doomed.arn,
                                              Status='DISABLED')

        # Issuance: one Available event each, in the EventBridge shape.
        for arn in (warned, renewed, stuck):
            ev = self.wait_received(self.hook, arn, AVAILABLE)[0]
            self.assertEqual((ev['source'], ev['version'], ev['account'], ev['region']),
                             ('aws.acm', '0', self.account, REGION))
            self.assertEqual(ev['resources'], [arn])
            self.assertEqual(ev['detail']['Action'], 'ISSUANCE')

        not_after = epoch(before['NotAfter'])
        # Half a day off the whole-day marks: DaysToExpiry (floor) is unambiguous.
        self.advance(str(not_after - 60 * DAY - DAY // 2 - self.now) + 's')
        self.assertEqual(self.received(self.hook, renewed, AVAILABLE)[1:], [])

        # Into the renewal window (60 days): same ARN, new serial, valid chain.
        self.advance('1d')
        ev = self.wait_received(self.hook, renewed, AVAILABLE, count=2)[1]
        self.assertEqual(ev['detail']['Action'], 'RENEWAL')
        after = self.acm.describe_certificate(CertificateArn=renewed)['Certificate']
        self.assertEqual(after['CertificateArn'], renewed)
        self.assertNotEqual(after['Serial'], before['Serial'])
        self.assertGreater(epoch(after['NotAfter']), not_after)
        got = self.acm.get_certificate(CertificateArn=renewed)
        # At the server's (advanced) time: the new certificate starts then.
        p = self.openssl.run('verify', '-attime', str(self.now), '-CAfile',
                             self.openssl.write(root.cert, 'root'), '-untrusted',
                             self.openssl.write(got['CertificateChain'], 'chain'),
                             self.openssl.write(got['Certificate'], 'leaf'), check=False)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertTrue(p.stdout.decode().strip().endswith(': OK'), p.stdout)

        # Past the DaysBeforeExpiry line (45): one warning a day, counting down.
        self.advance('14d')
        self.assertEqual(self.received(self.hook, warned, APPROACHING), [])
        expected = []
        warned_after = epoch(self.acm.describe_certificate(
            CertificateArn=warned)['Certificate']['NotAfter'])
        for _ in range(3):
            now = self.advance('1d')
            expected.append((warned_after - now) // DAY)
            self.wait_received(self.hook, warned, APPROACHING, count=len(expected))
        days = [e['detail']['DaysToExpiry'] for e in
                self.received(self.hook, warned, APPROACHING)]
        self.assertEqual(days, expected)
        self.assertEqual(expected[0], 44)
        ev = self.received(self.hook, warned, APPROACHING)[0]
        self.assertEqual(ev['detail']['CommonName'], 'warned.example.com')
        # The renewed certificate is far from expiry again: no warning.
        self.assertEqual(self.received(self.hook, renewed, APPROACHING), [])

        # The disabled CA cannot renew: Renewal Action Required.
        ev = self.wait_received(self.hook, stuck, ACTION_REQUIRED)[0]
        self.assertEqual(ev['detail']['CertificateType'], 'PRIVATE')
        self.assertTrue(ev['detail'].get('RenewalStatusReason'), ev)
        stuck_d = self.acm.describe_certificate(CertificateArn=stuck)['Certificate']
        self.assertEqual(stuck_d['RenewalSummary']['RenewalStatus'], 'PENDING_AUTO_RENEWAL')

        # The event log shows each event with its delivery state per target.
        issuance = self.received(self.hook, warned, AVAILABLE)[0]
        logged = self.event_in_log(issuance['id'])
        self.assertEqual(logged['Event'], issuance)
        self.assertEqual(logged['Resource'], warned)
        states = {d['TargetId']: d for d in logged['Deliveries']}
        self.assertEqual(states[self.hook_target]['State'], 'DELIVERED')
        self.assertEqual(states[bad]['State'], 'DEAD')  # 3 attempts, as configured
        self.assertEqual(states[bad]['Attempts'], 3)
        self.assertEqual(states[bad]['LastError'], 'HTTP status 500')

        # Dead letters: listed, then replayed once the receiver is fixed.
        dead = self.certain_ok('events', 'dead-letters')['DeadLetters']
        dead_ids = {d['EventId'] for d in dead if d['TargetId'] == bad}
        self.assertIn(issuance['id'], dead_ids)
        self.assertTrue(all(d['Event']['id'] == d['EventId'] for d in dead))
        failing.status = 200
        other = next(i for i in dead_ids if i != issuance['id'])
        self.assertEqual(self.certain_ok('events', 'replay', issuance['id'], '--target', bad),
                         {'Replayed': 1})
        self.assertEqual(self.certain_ok('events', 'replay', other)['Replayed'], 1)
        got = failing.wait_for(lambda recs: {issuance['id'], other} <= {
            r['event_id'] for r in recs} or None)
        self.assertTrue(got, 'replayed events were not delivered')
        self.assertEqual(self.wait_state(issuance['id'], bad, 'DELIVERED'), 'DELIVERED')
        # Delivered now: no longer a dead letter to replay.
        rc, _, err = run_certain(self.server, 'events', 'replay', issuance['id'], '--target',
                                 bad)
        self.assertEqual(rc, 1)
        self.assertIn('ResourceNotFoundException', err)
        self.assertSignedAndFresh(self.hook)
        self.assertTrue(all(r['signature_ok'] for r in failing.received))


class RenewalPermissionTest(TestClockCase):
    """pca.md §6.10, acm.md §6.7: without CreatePermission for acm.amazonaws.com the
    managed renewal does not issue (PENDING_AUTO_RENEWAL, PCA_ACCESS_DENIED, Renewal
    Action Required); once granted, the next pass renews."""

    def summary(self, arn, want_status, want_reason=None, timeout=20):
        deadline = time.monotonic() + timeout
        while True:
            d = self.acm.describe_certificate(CertificateArn=arn)['Certificate']
            got = d.get('RenewalSummary', {})
            if (got.get('RenewalStatus') == want_status
                    and got.get('RenewalStatusReason') == want_reason) or \
                    time.monotonic() > deadline:
                return d
            time.sleep(0.1)

    def test_managed_renewal_waits_for_the_permission(self):
        root = build_root(self.pca, common_name='Events Permission Root')
        arn, before = self.request_private(root, 'perm.example.com', export=True)
        not_after = epoch(before['NotAfter'])
        # Into the renewal window: the attempt is refused for want of permission.
        self.advance(str(not_after - 60 * DAY + DAY // 2 - self.now) + 's')
        d = self.summary(arn, 'PENDING_AUTO_RENEWAL', 'PCA_ACCESS_DENIED')
        self.assertEqual(d['RenewalSummary'].get('RenewalStatus'), 'PENDING_AUTO_RENEWAL', d)
        self.assertEqual(d['RenewalSummary'].get('RenewalStatusReason'), 'PCA_ACCESS_DENIED', d)
        self.assertEqual((d['Status'], d['Serial']), ('ISSUED', before['Serial']))
        # At 45 days: Renewal Action Required, as for any CA problem.
        self.advance('15d')
        ev = self.wait_received(self.hook, arn, ACTION_REQUIRED)[0]
        self.assertEqual(ev['detail']['RenewalStatusReason'], 'PCA_ACCESS_DENIED')
        self.assertEqual(ev['detail']['DaysToExpiry'], 44)
        self.assertEqual(self.received(self.hook, arn, AVAILABLE)[1:], [])
        # Granted with the aws CLI: the next pass renews.
        self.cli_ok('acm-pca', 'create-permission', '--certificate-authority-arn', root.arn,
                    '--principal', 'acm.amazonaws.com', '--actions', 'IssueCertificate',
                    'GetCertificate', 'ListPermissions')
        self.advance('1s')
        ev = self.wait_received(self.hook, arn, AVAILABLE, count=2)[1]
        self.assertEqual(ev['detail']['Action'], 'RENEWAL')
        d = self.summary(arn, 'SUCCESS')
        self.assertEqual(d['RenewalSummary']['RenewalStatus'], 'SUCCESS', d)
        self.assertNotEqual(d['Serial'], before['Serial'])
        self.assertGreater(epoch(d['NotAfter']), not_after)


class KillDuringDeliveryTest(TestClockCase):
    """kill -9 between the change and its delivery loses nothing."""

    def test_event_survives_sigkill(self):
        root = build_root(self.pca, common_name='Events Kill Root')
        arn, d = self.request_private(root, 'kill.example.com')
        self.wait_received(self.hook, arn, AVAILABLE)
        port = self.hook.port
        self.hook.close()  # the receiver is down: the warning cannot be delivered

        self.advance(str(epoch(d['NotAfter']) - 20 * DAY - DAY // 2 - self.now) + 's')
        events = self.certain_ok('events', 'list')['Events']
        pending = [e for e in events if e['DetailType'] == APPROACHING and e['Resource'] == arn]
        self.assertEqual(len(pending), 1, events)
        delivery = pending[0]['Deliveries'][0]
        self.assertEqual(delivery['State'], 'PENDING')
        self.assertGreaterEqual(delivery['Attempts'], 1)
        self.assertTrue(delivery['LastError'])

        os.kill(self.server.pid, signal.SIGKILL)
        self.server.proc.wait()
        self.server.proc = None
        self.server.start(extra_args=self.server_args)
        type(self).hook = WebhookReceiver(SECRET, port=port)

        # The restarted server's clock: move it past the retry time.
        now = self.advance('1s')
        if now < delivery['NextAttemptAt']:
            self.advance(str(delivery['NextAttemptAt'] - now + 1) + 's')
        ev = self.wait_received(self.hook, arn, APPROACHING)[0]
        self.assertEqual(ev['id'], pending[0]['EventId'])
        self.assertEqual(ev, pending[0]['Event'])
        self.assertEqual(self.wait_state(ev['id'], self.hook_target, 'DELIVERED'), 'DELIVERED')
        self.assertSignedAndFresh(self.hook, late_ok={ev['id']})
