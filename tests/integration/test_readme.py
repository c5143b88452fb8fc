"""The README's walk-throughs run as written: every ```sh block under the two
example sections, in order, in one bash, against a test server. `pca` and `acm`
are the aliases the README asks the reader to define (functions here)."""
import os
import re
import subprocess
import sys

if __package__ in (None, ''):
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..')))

import unittest  # noqa: E402

from tests.integration.harness import (  # noqa: E402
    AWS_CLI, REPO_ROOT, CertainTestCase, cli_env)

SECTIONS = ('## A two-level CA hierarchy with the plain aws CLI',
            '## Certificates with ACM, with the plain aws CLI')


def readme_blocks():
    """The sh code blocks of SECTIONS, in README order."""
    with open(os.path.join(REPO_ROOT, 'README.md')) as f:
        text = f.read()
    blocks = []
    for title in SECTIONS:
        start = text.index(title)
        end = text.find('\n## ', start + len(title))
        section = text[start:end if end >= 0 else len(text)]
        blocks += re.findall(r'```sh\n(.*?)```', section, re.S)
    return blocks


class ReadmeTests(CertainTestCase):

    def test_walkthroughs_run_as_written(self):
        blocks = readme_blocks()
        self.assertGreaterEqual(len(blocks), 2)
        workdir = os.path.join(self.tmp, 'readme')
        os.makedirs(workdir)
        aws = f'{AWS_CLI} --profile certain --endpoint-url {self.server.url}'
        script = ('set -euo pipefail\n'
                  f'pca() {{ {aws} acm-pca "$@"; }}\n'
                  f'acm() {{ {aws} acm "$@"; }}\n' + '\n'.join(blocks))
        env = cli_env(self.admin.file(self.tmp))
        env['PATH'] = '/usr/bin:/bin'  # Debian's python3 and openssl, as a reader has them
        p = subprocess.run(['bash', '-c', script], cwd=workdir, env=env, capture_output=True,
                           text=True, timeout=300)
        self.assertEqual(p.returncode, 0, f'README examples failed:\n{p.stdout}\n{p.stderr}')
        # What the examples claim to show, checked from their output.
        self.assertIn('www.pem: OK', p.stdout)
        self.assertIn('app.pem: OK', p.stdout)
        self.assertIn('key opens', p.stdout)
        self.assertRegex(p.stdout, r'legacy\.example\.com\s+IMPORTED\s+ISSUED')


if __name__ == '__main__':
    unittest.main()
