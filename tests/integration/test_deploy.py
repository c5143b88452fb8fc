"""Deployment (issue 6): certificates reach the services that use them.

A real nginx, started by each test on a free loopback port with its own
prefix, configuration and pid file, serves a certificate Certain deployed:
`openssl s_client` sees its serial; a renewal (manual, or the managed one the
test clock brings on) reaches nginx with no manual step; a reload that fails
or a service that keeps the old certificate is rolled back and recorded; an
associated certificate cannot be deleted; paths outside the folders the
operator allowed are refused. A `files` target shows the combined-PEM path
with a reload script.
"""
import json
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import time
import unittest

from tests.integration.harness import (
    ACM_SERVICE, OPENSSL_BIN, CertainTestCase, build_root, free_port, grant_acm_renewal,
    raw_request, run_certain)

NGINX = shutil.which('nginx') or '/usr/sbin/nginx'
HAPROXY = '/usr/sbin/haproxy'
FAILED_EVENT = 'Certain Deployment Failed'


def serial_int(text):
    return int(text.replace(':', '').strip() or '0', 16)


class Nginx:
    """nginx -p DIR with its own config, pid and error log; stopped by PID."""

    def __init__(self, root, name):
        self.dir = root
        self.name = name
        self.port = free_port()
        self.certs = os.path.join(root, 'certs')
        os.makedirs(self.certs, exist_ok=True)
        os.makedirs(os.path.join(root, 'logs'), exist_ok=True)
        self.cert = os.path.join(self.certs, 'site.pem')
        self.key = os.path.join(self.certs, 'site.key')
        self.conf = os.path.join(root, 'nginx.conf')
        self.pid_file = os.path.join(root, 'nginx.pid')
        # A first certificate, so that nginx can start before any deployment.
        subprocess.run([OPENSSL_BIN, 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                        'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=placeholder',
                        '-days', '2', '-keyout', self.key, '-out', self.cert],
                       check=True, capture_output=True)
        tmp = os.path.join(root, 'tmp')
        os.makedirs(tmp, exist_ok=True)
        with open(self.conf, 'w') as f:
            f.write(f'''worker_processes 1;
error_log {root}/logs/error.log;
pid {self.pid_file};
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  server {{
    listen 127.0.0.1:{self.port} ssl;
    server_name {name};
    ssl_certificate {self.cert};
    ssl_certificate_key {self.key};
    return 200 "ok\\n";
  }}
}}
''')
        self.reload_argv = [NGINX, '-p', root, '-c', self.conf, '-s', 'reload']

    def start(self):
        subprocess.run([NGINX, '-p', self.dir, '-c', self.conf, '-g', 'daemon on;'],
                       check=True, capture_output=True)
        deadline = time.monotonic() + 10
        while not os.path.exists(self.pid_file) and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def stop(self):
        try:
            with open(self.pid_file) as f:
                pid = int(f.read().strip())
            os.kill(pid, signal.SIGQUIT)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                os.kill(pid, 0)
                time.sleep(0.05)
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError):
            pass

    def served_serial(self):
        """The serial of the leaf nginx serves for its SNI name (None on failure)."""
        p = subprocess.run([OPENSSL_BIN, 's_client', '-connect', f'127.0.0.1:{self.port}',
                            '-servername', self.name], input=b'', capture_output=True,
                           timeout=10)
        x = subprocess.run([OPENSSL_BIN, 'x509', '-noout', '-serial'], input=p.stdout,
                           capture_output=True, timeout=10)
        out = x.stdout.decode().strip()
        return serial_int(out.split('=', 1)[1]) if out.startswith('serial=') else None

    def wait_serial(self, want, timeout=20):
        deadline = time.monotonic() + timeout
        got = None
        while time.monotonic() < deadline:
            got = self.served_serial()
            if got == want:
                return got
            time.sleep(0.2)
        return got


class HAProxy:
    """haproxy -f CFG -D -p PIDFILE with a TLS frontend reading one combined
    PEM; reloaded by a script (-sf the old PID); every PID seen stopped by PID."""

    def __init__(self, root, name):
        self.dir = root
        self.name = name
        self.port = free_port()
        self.certs = os.path.join(root, 'certs')
        os.makedirs(self.certs, exist_ok=True)
        self.combined = os.path.join(self.certs, 'site.pem')
        self.cfg = os.path.join(root, 'haproxy.cfg')
        self.pid_file = os.path.join(root, 'haproxy.pid')
        self.pids = set()
        # A first certificate and key in the combined file, so that haproxy can start.
        key, cert = os.path.join(root, 'placeholder.key'), os.path.join(root, 'placeholder.pem')
        subprocess.run([OPENSSL_BIN, 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                        'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=placeholder',
                        '-days', '2', '-keyout', key, '-out', cert],
                       check=True, capture_output=True)
        with open(self.combined, 'w') as out, open(cert) as c, open(key) as k:
            out.write(c.read() + k.read())
        os.chmod(self.combined, 0o600)
        with open(self.cfg, 'w') as f:
            f.write(f'''global
  maxconn 64
defaults
  mode http
  timeout connect 5s
  timeout client 5s
  timeout server 5s
frontend tls
  bind 127.0.0.1:{self.port} ssl crt {self.combined}
  http-request return status 200 content-type text/plain string ok
''')
        self.reload_script = os.path.join(root, 'reload.sh')
        with open(self.reload_script, 'w') as f:
            f.write(f'#!/bin/sh\nexec {HAPROXY} -f {self.cfg} -D -p {self.pid_file} '
                    f'-sf $(cat {self.pid_file})\n')
        os.chmod(self.reload_script, 0o755)

    def _note_pids(self):
        try:
            with open(self.pid_file) as f:
                self.pids.update(int(x) for x in f.read().split())
        except (OSError, ValueError):
            pass

    def start(self):
        subprocess.run([HAPROXY, '-f', self.cfg, '-D', '-p', self.pid_file],
                       check=True, capture_output=True, timeout=20)
        self._note_pids()
        return self

    def stop(self):
        self._note_pids()
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
        deadline = time.monotonic() + 10
        for pid in self.pids:
            try:
                while time.monotonic() < deadline:
                    os.kill(pid, 0)
                    time.sleep(0.05)
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def served_serial(self):
        self._note_pids()
        return Nginx.served_serial(self)

    def wait_serial(self, want, timeout=20):
        return Nginx.wait_serial(self, want, timeout)


class DeployBase(CertainTestCase):
    """A server that allows deployment into its own folder ALLOWED."""

    extra_args = ()

    @classmethod
    def setUpClass(cls):
        cls.allowed = tempfile.mkdtemp(prefix='certain-deploy-')
        cls.addClassCleanup(shutil.rmtree, cls.allowed, True)
        cls.server_args = ('--deploy-allow', cls.allowed, *cls.extra_args)
        super().setUpClass()

    @classmethod
    def setUpFixtures(cls):
        cls.ca = build_root(cls.pca)
        grant_acm_renewal(cls.pca, cls.ca.arn)   # renewals need it (pca.md §6.10)

    def certain(self, *args):
        return run_certain(self.server, *args)

    def certain_ok(self, *args):
        rc, out, err = self.certain(*args)
        self.assertEqual(rc, 0, f'certain {" ".join(args)} failed: {err}')
        return out

    def ext(self, op, body):
        return raw_request(self.server.url, 'Certain.' + op, body, creds=self.admin,
                           service='certain')

    def request_private(self, domain):
        arn = self.acm.request_certificate(DomainName=domain, CertificateAuthorityArn=self.ca.arn,
                                           KeyAlgorithm='EC_prime256v1')['CertificateArn']
        deadline = time.monotonic() + 30
        while True:
            d = self.acm.describe_certificate(CertificateArn=arn)['Certificate']
            if d['Status'] != 'PENDING_VALIDATION' or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(d['Status'], 'ISSUED', d)
        return arn, d

    def nginx(self, name):
        root = tempfile.mkdtemp(dir=self.allowed)
        n = Nginx(root, name).start()
        self.addCleanup(n.stop)
        return n

    def nginx_target(self, n, reload=None, check=True):
        args = ['targets', 'create', '--kind', 'nginx', '--cert-path', n.cert, '--key-path', n.key,
                '--reload', ' '.join(reload or n.reload_argv)]
        if check:
            args += ['--check', f'127.0.0.1:{n.port}', '--server-name', n.name]
        return self.certain_ok(*args)['Target']

    def serial(self, arn):
        return serial_int(self.acm.describe_certificate(CertificateArn=arn)['Certificate']['Serial'])

    def deployments(self, target):
        return self.certain_ok('targets', 'deployments', target['TargetArn'])['Deployments']

    def wait_deployment(self, target, trigger, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [d for d in self.deployments(target) if d['Trigger'] == trigger]
            if found:
                return found[0]
            time.sleep(0.2)
        self.fail(f'no {trigger} deployment of {target["TargetArn"]}: {self.deployments(target)}')


class DeployTest(DeployBase):

    def test_nginx_associate_renew_and_in_use(self):
        n = self.nginx('www.deploy.test')
        arn, _ = self.request_private('www.deploy.test')
        target = self.nginx_target(n)
        self.assertRegex(target['TargetArn'],
                         rf'^arn:aws:certain:us-east-1:{self.account}:deployment-target/[0-9a-f-]{{36}}$')
        dep = self.certain_ok('targets', 'associate', target['TargetArn'], arn)['Deployment']
        self.assertEqual(dep['Result'], 'SUCCEEDED', dep)
        self.assertNotIn('Error', dep, 'a success must not carry an earlier attempt\'s error')
        self.assertEqual(dep['CertificateArn'], arn)
        self.assertEqual(n.wait_serial(self.serial(arn), timeout=5), self.serial(arn))
        self.assertEqual(stat.S_IMODE(os.stat(n.key).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(n.cert).st_mode), 0o644)
        # The key file is the certificate's key, in plain PKCS#8.
        with open(n.key) as f:
            self.assertIn('-----BEGIN PRIVATE KEY-----', f.read())
        self.assertFalse([f for f in os.listdir(n.certs) if 'certain' in f], os.listdir(n.certs))

        d = self.acm.describe_certificate(CertificateArn=arn)['Certificate']
        self.assertEqual(d['InUseBy'], [target['TargetArn']])
        self.assertEqual(d['RenewalEligibility'], 'ELIGIBLE')
        self.assertClientError('ResourceInUseException', self.acm.delete_certificate,
                               CertificateArn=arn)
        described = self.certain_ok('targets', 'describe', target['TargetId'])['Target']
        self.assertEqual(described['CertificateArn'], arn)
        self.assertIn(target['TargetArn'],
                      [t['TargetArn'] for t in self.certain_ok('targets', 'list')['Targets']])
        # A target with a certificate cannot be deleted.
        rc, _, err = self.certain('targets', 'delete', target['TargetArn'])
        self.assertEqual(rc, 1)
        self.assertIn('ResourceInUseException', err)

        # Renewal reaches nginx with no manual step.
        old = self.serial(arn)
        self.acm.renew_certificate(CertificateArn=arn)
        deadline = time.monotonic() + 20
        while self.serial(arn) == old and time.monotonic() < deadline:
            time.sleep(0.1)
        new = self.serial(arn)
        self.assertNotEqual(new, old)
        self.assertEqual(n.wait_serial(new), new)
        renewal = self.wait_deployment(target, 'RENEWAL')
        self.assertEqual(renewal['Result'], 'SUCCEEDED', renewal)

        # Disassociate: no longer in use, deletable.
        self.assertEqual(self.certain_ok('targets', 'disassociate', target['TargetArn']), {})
        d = self.acm.describe_certificate(CertificateArn=arn)['Certificate']
        self.assertEqual(d.get('InUseBy', []), [])
        self.certain_ok('targets', 'delete', target['TargetArn'])
        self.acm.delete_certificate(CertificateArn=arn)

    def test_failing_reload_rolls_back(self):
        n = self.nginx('fail.deploy.test')
        good, _ = self.request_private('fail.deploy.test')
        target = self.nginx_target(n)
        self.assertEqual(self.certain_ok('targets', 'associate', target['TargetArn'],
                                         good)['Deployment']['Result'], 'SUCCEEDED')
        before = open(n.cert).read()
        self.certain_ok('targets', 'disassociate', target['TargetArn'])
        # Same files, a reload command that fails the first time (a service
        # that refuses the new files) and reloads the second (the rollback).
        script = os.path.join(n.dir, 'reload.sh')
        marker = os.path.join(n.dir, 'refused-once')
        with open(script, 'w') as f:
            f.write(f'#!/bin/sh\nif [ -e {marker} ]; then exec {" ".join(n.reload_argv)}; fi\n'
                    f'touch {marker}; echo "refusing the new certificate" >&2; exit 1\n')
        os.chmod(script, 0o755)
        self.certain_ok('targets', 'update', target['TargetArn'], '--kind', 'nginx',
                        '--cert-path', n.cert, '--key-path', n.key, '--reload', script)
        other, _ = self.request_private('fail.deploy.test')
        dep = self.certain_ok('targets', 'associate', target['TargetArn'], other)['Deployment']
        self.assertEqual(dep['Result'], 'ROLLED_BACK', dep)
        self.assertIn('exited with status 1: refusing the new certificate', dep['Error'])
        self.assertTrue(os.path.exists(marker))
        self.assertEqual(open(n.cert).read(), before)
        self.assertEqual(n.served_serial(), self.serial(good))
        events = self.certain_ok('events', 'list')['Events']
        failed = [e for e in events if e['DetailType'] == FAILED_EVENT
                  and e['Event']['detail']['CertificateArn'] == other]
        self.assertTrue(failed, events)
        ev = failed[0]['Event']
        self.assertEqual(ev['source'], 'certain.deploy')
        self.assertEqual(ev['detail']['TargetArn'], target['TargetArn'])
        self.assertIn('exited with status 1', ev['detail']['Error'])
        results = [d['Result'] for d in self.deployments(target)]
        self.assertCountEqual(results, ['ROLLED_BACK', 'SUCCEEDED'])  # same second: any order
        self.certain_ok('targets', 'disassociate', target['TargetArn'])

        # A reload that fails again on the way back: FAILED, the previous
        # files still restored.
        self.certain_ok('targets', 'update', target['TargetArn'], '--kind', 'nginx',
                        '--cert-path', n.cert, '--key-path', n.key, '--reload', '/bin/false')
        dep = self.certain_ok('targets', 'associate', target['TargetArn'], other)['Deployment']
        self.assertEqual(dep['Result'], 'FAILED', dep)
        self.assertIn('rollback failed too', dep['Error'])
        self.assertEqual(open(n.cert).read(), before)
        self.assertEqual(n.served_serial(), self.serial(good))
        self.certain_ok('targets', 'disassociate', target['TargetArn'])

    def test_check_sees_old_certificate_rolls_back(self):
        # A "reload" that does not reload: nginx keeps the old certificate,
        # which the TLS check sees.
        n = self.nginx('stale.deploy.test')
        placeholder = n.served_serial()
        arn, _ = self.request_private('stale.deploy.test')
        target = self.nginx_target(n, reload=['/bin/true'])
        dep = self.certain_ok('targets', 'associate', target['TargetArn'], arn)['Deployment']
        self.assertEqual(dep['Result'], 'ROLLED_BACK', dep)
        self.assertIn('another certificate', dep['Error'])
        self.assertEqual(n.served_serial(), placeholder)
        with open(n.cert) as f:
            self.assertIn('BEGIN CERTIFICATE', f.read())
        self.certain_ok('targets', 'disassociate', target['TargetArn'])

    def test_files_target_combined_pem_with_reload_script(self):
        folder = tempfile.mkdtemp(dir=self.allowed)
        combined = os.path.join(folder, 'site.pem')
        marker = os.path.join(folder, 'reloaded')
        script = os.path.join(folder, 'reload.sh')
        with open(script, 'w') as f:
            f.write(f'#!/bin/sh\necho "$CERTAIN_SERIAL" > {marker}\n')
        os.chmod(script, 0o755)
        spec = os.path.join(folder, 'spec.json')
        with open(spec, 'w') as f:
            json.dump({'Kind': 'files', 'Files': {'Combined': combined},
                       'KeyMode': '0640', 'Reload': {'Command': [script]}}, f)
        target = self.certain_ok('targets', 'create', '--spec', spec)['Target']
        arn, _ = self.request_private('files.deploy.test')
        dep = self.certain_ok('targets', 'associate', target['TargetArn'], arn)['Deployment']
        self.assertEqual(dep['Result'], 'SUCCEEDED', dep)
        self.assertEqual(stat.S_IMODE(os.stat(combined).st_mode), 0o640)
        with open(combined) as f:
            pem = f.read()
        self.assertEqual(pem.count('BEGIN CERTIFICATE'), 2)  # leaf + root
        self.assertEqual(pem.count('BEGIN PRIVATE KEY'), 1)
        with open(marker) as f:
            self.assertEqual(serial_int(f.read()), self.serial(arn))
        # The key in the file belongs to the certificate in it.
        pub_cert = subprocess.run([OPENSSL_BIN, 'x509', '-noout', '-pubkey', '-in', combined],
                                  capture_output=True, check=True).stdout
        pub_key = subprocess.run([OPENSSL_BIN, 'pkey', '-pubout', '-in', combined],
                                 capture_output=True, check=True).stdout
        self.assertEqual(pub_cert, pub_key)
        self.certain_ok('targets', 'disassociate', target['TargetArn'])

    def test_paths_and_specs_refused(self):
        outside = tempfile.mkdtemp(prefix='certain-outside-')
        self.addCleanup(shutil.rmtree, outside, True)
        inside = tempfile.mkdtemp(dir=self.allowed)
        link = os.path.join(inside, 'escape')
        os.symlink(outside, link)
        base = {'Kind': 'files'}
        cases = {
            'outside': ({'Files': {'Key': os.path.join(outside, 'k.pem')}}, '--deploy-allow'),
            'relative': ({'Files': {'Key': 'k.pem'}}, 'absolute'),
            'dotdot': ({'Files': {'Key': os.path.join(inside, '..', '..', 'k.pem')}}, "'..'"),
            'symlink': ({'Files': {'Key': os.path.join(link, 'k.pem')}}, 'symlink'),
            'key mode': ({'Files': {'Key': os.path.join(inside, 'k.pem')}, 'KeyMode': '0644'},
                         'other users'),
            'shell': ({'Files': {'Key': os.path.join(inside, 'k.pem')},
                       'Reload': {'Command': ['nginx -s reload'], 'Shell': True}},
                      '--deploy-allow-shell'),
            'nginx files': ({'Kind': 'nginx', 'Files': {'Key': os.path.join(inside, 'k.pem')}},
                            'FullChain'),
        }
        for name, (spec, words) in cases.items():
            with self.subTest(name):
                resp = self.assertRawError(self.ext('CreateDeploymentTarget', {**base, **spec}),
                                           'ValidationException')
                self.assertIn(words, resp.message)
        self.assertFalse(os.listdir(outside))
        self.assertRawError(self.ext('DescribeDeploymentTarget', {'TargetArn': 'nope'}),
                            'ValidationException')
        self.assertRawError(self.ext('DescribeDeploymentTarget',
                                     {'TargetArn': '00000000-0000-4000-8000-000000000000'}),
                            'ResourceNotFoundException')


class DeployNothingAllowedTest(CertainTestCase):
    """Without --deploy-allow, a target with paths is refused, naming the option."""

    def test_refused(self):
        resp = raw_request(self.server.url, 'Certain.CreateDeploymentTarget',
                           {'Kind': 'files', 'Files': {'Key': '/tmp/k.pem'}}, creds=self.admin,
                           service='certain')
        self.assertRawError(resp, 'ValidationException')
        self.assertIn('--deploy-allow DIR', resp.message)


class DeployClockTest(DeployBase):
    """Managed renewal brought on by the test clock reaches nginx by itself."""

    extra_args = ('--test-clock',)

    def test_clock_renewal_redeploys(self):
        n = self.nginx('clock.deploy.test')
        arn, _ = self.request_private('clock.deploy.test')
        target = self.nginx_target(n)
        self.assertEqual(self.certain_ok('targets', 'associate', target['TargetArn'],
                                         arn)['Deployment']['Result'], 'SUCCEEDED')
        old = self.serial(arn)
        self.assertEqual(n.wait_serial(old, timeout=5), old)
        # 395-day private certificates renew 60 days before expiry.
        self.certain_ok('clock', 'advance', '340d')
        new = self.serial(arn)
        self.assertNotEqual(new, old)
        self.assertEqual(n.wait_serial(new), new)
        self.assertEqual(self.wait_deployment(target, 'RENEWAL')['Result'], 'SUCCEEDED')


@unittest.skipUnless(os.path.exists(HAPROXY), 'haproxy is not installed')
class DeployHAProxyTest(DeployBase):
    """A real haproxy serving the combined PEM Certain deployed, then its renewal."""

    def test_haproxy_associate_and_renew(self):
        root = tempfile.mkdtemp(dir=self.allowed)
        h = HAProxy(root, 'haproxy.deploy.test').start()
        self.addCleanup(h.stop)
        placeholder = h.served_serial()
        self.assertIsNotNone(placeholder)
        arn, _ = self.request_private('haproxy.deploy.test')
        target = self.certain_ok('targets', 'create', '--kind', 'haproxy', '--combined-path',
                                 h.combined, '--reload', h.reload_script, '--check',
                                 f'127.0.0.1:{h.port}', '--server-name', h.name)['Target']
        dep = self.certain_ok('targets', 'associate', target['TargetArn'], arn)['Deployment']
        self.assertEqual(dep['Result'], 'SUCCEEDED', dep)
        old = self.serial(arn)
        self.assertEqual(h.wait_serial(old, timeout=5), old)
        self.assertEqual(stat.S_IMODE(os.stat(h.combined).st_mode), 0o600)
        with open(h.combined) as f:
            pem = f.read()
        self.assertEqual(pem.count('BEGIN CERTIFICATE'), 2)  # leaf + root
        self.assertEqual(pem.count('BEGIN PRIVATE KEY'), 1)

        self.acm.renew_certificate(CertificateArn=arn)
        deadline = time.monotonic() + 20
        while self.serial(arn) == old and time.monotonic() < deadline:
            time.sleep(0.1)
        new = self.serial(arn)
        self.assertNotEqual(new, old)
        self.assertEqual(h.wait_serial(new), new)
        renewal = self.wait_deployment(target, 'RENEWAL')
        self.assertEqual(renewal['Result'], 'SUCCEEDED', renewal)
        self.certain_ok('targets', 'disassociate', target['TargetArn'])


class DeployCrashTest(DeployBase):
    """kill -9 between a renewal and its deployment: the restarted server
    still deploys it (the redeploy job is in the data folder)."""

    extra_args = ('--test-clock',)

    def test_redeploy_survives_sigkill(self):
        n = self.nginx('crash.deploy.test')
        arn, _ = self.request_private('crash.deploy.test')
        target = self.nginx_target(n)
        self.assertEqual(self.certain_ok('targets', 'associate', target['TargetArn'],
                                         arn)['Deployment']['Result'], 'SUCCEEDED')
        old = self.serial(arn)
        self.assertEqual(n.wait_serial(old, timeout=5), old)

        # nginx down: the renewal's deployment cannot reload nor check.
        n.stop()
        self.acm.renew_certificate(CertificateArn=arn)
        deadline = time.monotonic() + 20
        while self.serial(arn) == old and time.monotonic() < deadline:
            time.sleep(0.1)
        new = self.serial(arn)
        self.assertNotEqual(new, old)
        failed = self.wait_deployment(target, 'RENEWAL')
        self.assertNotEqual(failed['Result'], 'SUCCEEDED', failed)
        self.assertEqual(serial_int(failed['Serial']), new)
        time.sleep(0.5)  # the job's retry is stored right after the deployment record

        os.kill(self.server.pid, signal.SIGKILL)
        self.server.proc.wait()
        self.server.proc = None
        self.server.start(extra_args=self.server_args)
        type(self).acm = self.client(service=ACM_SERVICE)  # the new port

        # nginx back, with the previous files (the failed deployment put them back).
        n.start()
        self.assertEqual(n.wait_serial(old, timeout=5), old)
        # The restarted server's clock: past the retry time (30 s backoff).
        self.certain_ok('clock', 'advance', '40s')
        self.assertEqual(n.wait_serial(new), new)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            deps = [d for d in self.deployments(target) if d['Trigger'] == 'RENEWAL']
            ok = [d for d in deps if d['Result'] == 'SUCCEEDED']
            if ok:
                break
            time.sleep(0.2)
        self.assertTrue(ok, deps)
        self.assertEqual(serial_int(ok[0]['Serial']), new)
        self.assertEqual(self.acm.describe_certificate(CertificateArn=arn)['Certificate']
                         ['InUseBy'], [target['TargetArn']])
        self.certain_ok('targets', 'disassociate', target['TargetArn'])


if __name__ == '__main__':
    unittest.main()
