#!/usr/bin/python3
"""Records real SigV4-signed requests as fixtures for tests/unit/test_sigv4_vectors.c:
Debian's python3-botocore 1.29.27, Debian's aws CLI v2 (/usr/bin/aws, 2.9.19),
and whichever `aws` is first on PATH (the committed one: aws-cli 1.45.11 /
botocore 1.43.11), each against a local recorder that answers {} and keeps the request
bytes exactly as received. Run once; the output is committed as data:

    /usr/bin/python3 tests/unit/sigv4-vectors/make_botocore.py

Each fixture NAME/ holds NAME.req (request line, headers as sent, blank line,
body) and NAME.meta (access key id, secret, region, service: one per line).
The credentials are AWS's documentation examples, not real keys.
"""
import http.server
import os
import subprocess
import sys
import threading

import botocore.session

AKID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
HERE = os.path.dirname(os.path.abspath(__file__))
recorded = []


class Recorder(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        recorded.append((self.requestline, list(self.headers.items()), body))
        out = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("x-amzn-RequestId", "00000000-0000-4000-8000-000000000000")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


def save(name, service):
    requestline, headers, body = recorded.pop()
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name + ".req"), "wb") as f:
        f.write(requestline.encode() + b"\n")
        for k, v in headers:
            f.write(f"{k}:{v}\n".encode())
        f.write(b"\n" + body)
    with open(os.path.join(d, name + ".meta"), "w") as f:
        f.write(f"{AKID}\n{SECRET}\n{REGION}\n{service}\n")
    print(f"{name}: {requestline}")


def main():
    srv = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_port}"
    session = botocore.session.get_session()
    for service, call, kwargs, name in [
        ("acm-pca", "list_certificate_authorities", {"MaxResults": 10},
         "botocore-acm-pca-list"),
        ("acm", "list_certificates", {"CertificateStatuses": ["ISSUED"]},
         "botocore-acm-list"),
    ]:
        client = session.create_client(service, region_name=REGION, endpoint_url=url,
                                       aws_access_key_id=AKID, aws_secret_access_key=SECRET)
        getattr(client, call)(**kwargs)
        save(name, service)
    env = dict(os.environ, AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET,
               AWS_DEFAULT_REGION=REGION, AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_PAGER="")
    ca_arn = ("arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/"
              "0b1e2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
    # Debian's awscli 2.9.19 (the client floor) by its path, since a pip or pyenv
    # `aws` may come first on PATH; then whichever `aws` PATH finds.
    for cli, args, name, service in [
        ("/usr/bin/aws", ["acm", "describe-certificate", "--certificate-arn",
                          "arn:aws:acm:us-east-1:123456789012:certificate/"
                          "0b1e2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"],
         "awscli2-acm-describe", "acm"),
        ("aws", ["acm-pca", "describe-certificate-authority",
                 "--certificate-authority-arn", ca_arn],
         "awscli-acm-pca-describe", "acm-pca"),
    ]:
        subprocess.run([cli] + args + ["--endpoint-url", url], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        save(name, service)
    srv.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
