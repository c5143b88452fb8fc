"""The named harness the dns-01 tests stand on (bindharness.py): it starts,
takes signed updates in both zones, follows the user's CNAME into the
validation zone, refuses a wrong key, and stops by PID."""
import os
import sys

if __package__ in (None, ''):
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..')))

import unittest  # noqa: E402

from tests.integration import bindharness  # noqa: E402


@unittest.skipUnless(bindharness.available(), 'named, dig or nsupdate is not installed')
class BindHarnessTests(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.ns = bindharness.BindServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.ns.stop()

    def test_cname_into_validation_zone(self):
        ns = self.ns
        ns.add_cname('_acme-challenge.www.user.test', '_c0ffee.validation.test')
        self.assertEqual(ns.query('_acme-challenge.www.user.test', 'CNAME'),
                         [('_acme-challenge.www.user.test.', 'CNAME', '_c0ffee.validation.test.')])
        ns.nsupdate(['update add _c0ffee.validation.test. 60 IN TXT "token-1"'],
                    key_name=ns.key_name, secret=ns.key_secret)
        # One TXT query answers with the user's CNAME and the TXT behind it.
        self.assertEqual(ns.query('_acme-challenge.www.user.test', 'TXT'),
                         [('_acme-challenge.www.user.test.', 'CNAME', '_c0ffee.validation.test.'),
                          ('_c0ffee.validation.test.', 'TXT', '"token-1"')])
        ns.remove('_acme-challenge.www.user.test', 'CNAME')
        self.assertEqual(ns.query('_acme-challenge.www.user.test', 'CNAME'), [])

    def test_add_record(self):
        self.ns.add_record('host.user.test', 'A', '192.0.2.7')
        self.assertEqual(self.ns.query('host.user.test', 'A'),
                         [('host.user.test.', 'A', '192.0.2.7')])

    def test_certain_key_cannot_change_user_zone(self):
        with self.assertRaises(RuntimeError):
            self.ns.nsupdate(['update add x.user.test. 60 IN TXT "no"'],
                             key_name=self.ns.key_name, secret=self.ns.key_secret)

    def test_wrong_secret_refused(self):
        with self.assertRaises(RuntimeError):
            self.ns.nsupdate(['update add y.validation.test. 60 IN TXT "no"'],
                             key_name=self.ns.key_name, secret=bindharness.tsig_secret())

    def test_nothing_leaves_the_machine(self):
        # The fake root answers for every other name: NXDOMAIN, no upstream.
        self.assertEqual(self.ns.query('example.com', 'A'), [])


class BindHarnessStopTests(unittest.TestCase):

    @unittest.skipUnless(bindharness.available(), 'named, dig or nsupdate is not installed')
    def test_stop_by_pid(self):
        ns = bindharness.BindServer().start()
        pid, root = ns.pid, ns.root
        ns.stop()
        self.assertIsNone(ns.pid)
        with self.assertRaises(ProcessLookupError):
            os.kill(pid, 0)
        self.assertFalse(os.path.exists(root))


if __name__ == '__main__':
    unittest.main()
