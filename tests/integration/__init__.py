"""Integration tests for Certain: each test class starts its own `certain serve`
on a free loopback port with a fresh data folder and drives it with the real
Debian `aws` CLI (/usr/bin/aws), boto3/botocore and `openssl`.

Run from the repository root:
    CERTAIN_BIN=build/certain /usr/bin/python3 -m unittest discover -s tests/integration -t . -v
"""
