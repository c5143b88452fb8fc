"""A real BIND (named) for the ACME dns-01 tests, on 127.0.0.1 only.

    with BindServer() as ns:          # or ns = BindServer().start(); ...; ns.stop()
        ns.add_cname('_acme-challenge.www.user.test', '_ab12.validation.test')
        ns.query('_acme-challenge.www.user.test', 'TXT')

One `named -g` (foreground, stderr to a file) in a fresh temporary folder, on a
free loopback port (UDP and TCP), with nothing from /etc/bind:
  * validation zone `validation.test.` -- Certain's; TXT updates allowed only
    when signed by the key `certain-key` (hmac-sha256, secret made here);
  * user zone `user.test.` -- the user's; changed by the tests through nsupdate
    with a second key `user-key` (add_cname, add_record, remove).
Both zones live on this one server, which follows a CNAME from the user zone
into the validation zone by itself, so a TXT query for the user's name answers
with the CNAME and the TXT behind it without recursion (recursion is off: the
server never asks anything outside). Stopped by PID (SIGTERM, then SIGKILL).

Runs as root (named keeps root: no -u) or as any user (ports above 1024, all
files in the temporary folder).
"""
import base64
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time

NAMED = '/usr/sbin/named'
DIG = '/usr/bin/dig'
NSUPDATE = '/usr/bin/nsupdate'
START_TIMEOUT = float(os.environ.get('CERTAIN_NAMED_START_TIMEOUT', '15'))
STOP_TIMEOUT = 10.0


def available():
    """True when named, dig and nsupdate are installed (tests skip otherwise)."""
    return all(os.access(p, os.X_OK) for p in (NAMED, DIG, NSUPDATE))


def free_port():
    """A loopback port free for both UDP and TCP a moment ago (named needs both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(('127.0.0.1', 0))
            port = u.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                try:
                    t.bind(('127.0.0.1', port))
                except OSError:
                    continue
                return port
    raise RuntimeError('no free loopback port for named')


def tsig_secret():
    """32 random bytes in base64, as `tsig-keygen -a hmac-sha256` prints them."""
    return base64.b64encode(secrets.token_bytes(32)).decode('ascii')


ZONE_TEMPLATE = """$TTL 60
@ IN SOA ns.{zone} hostmaster.{zone} 1 3600 600 86400 60
@ IN NS ns.{zone}
ns IN A 127.0.0.1
"""

ROOT_ZONE = """$TTL 60
@ IN SOA ns. hostmaster. 1 3600 600 86400 60
@ IN NS ns.
ns. IN A 127.0.0.1
"""


class BindServer:
    """One named on 127.0.0.1:<port>, folder `root` (a fresh temporary one if None)."""

    VALIDATION_ZONE = 'validation.test.'
    USER_ZONE = 'user.test.'
    KEY_NAME = 'certain-key'
    USER_KEY_NAME = 'user-key'
    ALGORITHM = 'hmac-sha256'

    def __init__(self, root=None):
        self._own_root = root is None
        self.root = root or tempfile.mkdtemp(prefix='certain-named-')
        self.port = None
        self.proc = None
        self.key_secret = tsig_secret()
        self.user_key_secret = tsig_secret()
        self.log = os.path.join(self.root, 'named.stderr')

    # -- properties the tests read --------------------------------------------

    @property
    def key_name(self):
        return self.KEY_NAME

    @property
    def key_algorithm(self):
        return self.ALGORITHM

    @property
    def user_key_name(self):
        return self.USER_KEY_NAME

    @property
    def validation_zone(self):
        return self.VALIDATION_ZONE

    @property
    def user_zone(self):
        return self.USER_ZONE

    @property
    def server(self):
        """"127.0.0.1:<port>", the form dns_server_parse and `certain` accept."""
        return f'127.0.0.1:{self.port}'

    @property
    def pid(self):
        return self.proc.pid if self.proc is not None else None

    # -- lifecycle -------------------------------------------------------------

    def _write_config(self):
        # A root zone of our own: recursion then ends here, so the server
        # never sends a query off this machine (no root hints are used).
        with open(os.path.join(self.root, 'root.db'), 'w') as f:
            f.write(ROOT_ZONE)
        zones = ['zone "." { type primary; file "root.db"; };']
        for zone, policy in ((self.VALIDATION_ZONE,
                              f'update-policy {{ grant {self.KEY_NAME} zonesub TXT; }};'),
                             (self.USER_ZONE,
                              f'allow-update {{ key {self.USER_KEY_NAME}; }};')):
            name = zone.rstrip('.')
            with open(os.path.join(self.root, f'{name}.db'), 'w') as f:
                f.write(ZONE_TEMPLATE.format(zone=zone))
            zones.append(f'zone "{name}" {{ type primary; file "{name}.db"; {policy} }};')
        conf = f"""options {{
	directory "{self.root}";
	pid-file "{self.root}/named.pid";
	session-keyfile "{self.root}/session.key";
	managed-keys-directory "{self.root}";
	listen-on port {self.port} {{ 127.0.0.1; }};
	listen-on-v6 {{ none; }};
	recursion yes;
	allow-recursion {{ 127.0.0.1; }};
	dnssec-validation no;
	notify no;
	allow-query {{ 127.0.0.1; }};
}};
controls {{ }};
key "{self.KEY_NAME}" {{ algorithm {self.ALGORITHM}; secret "{self.key_secret}"; }};
key "{self.USER_KEY_NAME}" {{ algorithm {self.ALGORITHM}; secret "{self.user_key_secret}"; }};
{chr(10).join(zones)}
"""
        path = os.path.join(self.root, 'named.conf')
        with open(path, 'w') as f:
            f.write(conf)
        os.chmod(path, 0o600)
        return path

    def start(self):
        os.makedirs(self.root, exist_ok=True)
        self.port = free_port()
        conf = self._write_config()
        # -g: foreground, log to stderr; -4: IPv4 only; -n 1: one worker is plenty.
        args = [NAMED, '-g', '-4', '-n', '1', '-c', conf]
        with open(self.log, 'wb') as err:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            rc = self.proc.poll()
            if rc is not None:
                self.proc = None
                raise RuntimeError(f'named exited with {rc} before answering:\n' + self.log_tail())
            if self._answers():
                return self
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f'named did not answer on {self.port} within '
                                   f'{START_TIMEOUT} s:\n' + self.log_tail())
            time.sleep(0.05)

    def _answers(self):
        p = subprocess.run([DIG, '@127.0.0.1', '-p', str(self.port), '+time=1', '+tries=1',
                            '+norecurse', 'SOA', self.VALIDATION_ZONE],
                           capture_output=True, text=True)
        return p.returncode == 0 and 'status: NOERROR' in p.stdout

    def stop(self):
        """SIGTERM by PID, wait (SIGKILL after STOP_TIMEOUT); removes our temp folder."""
        if self.proc is not None:
            proc, self.proc = self.proc, None
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def log_tail(self, n=40):
        try:
            with open(self.log, 'rb') as f:
                return '\n'.join(f.read().decode('utf-8', 'replace').splitlines()[-n:])
        except OSError:
            return ''

    # -- changing the user zone (nsupdate, signed with user-key) ---------------

    def nsupdate(self, commands, key_name=None, secret=None):
        """Runs nsupdate with the given update lines; raises with its output on failure."""
        key = f'{self.ALGORITHM}:{key_name or self.USER_KEY_NAME}:{secret or self.user_key_secret}'
        script = f'server 127.0.0.1 {self.port}\n' + ''.join(c + '\n' for c in commands) + 'send\n'
        # The secret goes on the command line (-y) only for this test-only key.
        p = subprocess.run([NSUPDATE, '-t', '5', '-y', key], input=script, capture_output=True,
                           text=True, timeout=30)
        if p.returncode != 0:
            raise RuntimeError(f'nsupdate failed ({p.returncode}): {p.stderr.strip()}')

    def add_record(self, name, rtype, value, ttl=60):
        self.nsupdate([f'update add {_abs(name)} {ttl} IN {rtype} {value}'])

    def add_cname(self, name, target, ttl=60):
        self.add_record(name, 'CNAME', _abs(target), ttl)

    def remove(self, name, rtype):
        """Deletes the whole RRset name/rtype."""
        self.nsupdate([f'update delete {_abs(name)} {rtype}'])

    # -- looking -----------------------------------------------------------------

    def query(self, name, rtype):
        """The answer section as a list of (owner, type, rdata) with dig's text for rdata
        (TXT values keep their quotes); owner names absolute and lower case."""
        p = subprocess.run([DIG, '@127.0.0.1', '-p', str(self.port), '+time=2', '+tries=1',
                            '+noall', '+answer', rtype, _abs(name)],
                           capture_output=True, text=True, timeout=30)
        if p.returncode != 0:
            raise RuntimeError(f'dig failed ({p.returncode}): {p.stdout}{p.stderr}')
        out = []
        for line in p.stdout.splitlines():
            parts = line.split(None, 4)
            if len(parts) == 5 and not line.startswith(';'):
                out.append((parts[0].lower(), parts[3], parts[4]))
        return out


def _abs(name):
    return name if name.endswith('.') else name + '.'
