#!/usr/bin/python3
"""Writes the AWS SigV4 test-suite vectors used by tests/unit/test_sigv4_vectors.c.

Source: the published "Signature Version 4 Test Suite" (docs.aws.amazon.com
general reference, now kept as tests/aws-signing-test-suite/v4 in awslabs/
aws-c-auth): fixed credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
region us-east-1, service "service", time 20150830T123600Z. Each case below
carries the request (.req) and the *published* signature. The .creq and .sts
are rebuilt here and written only if they reproduce that published signature,
so each file is pinned by AWS's own answer (a wrong canonical request cannot
hash to the right signature). Run once; the output is committed as data:

    /usr/bin/python3 tests/unit/sigv4-vectors/make_vectors.py
"""
import hashlib
import hmac
import os
import sys
from urllib.parse import quote, unquote_to_bytes

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SCOPE = "20150830/us-east-1/service/aws4_request"
DATE = "20150830T123600Z"
HOST = ("Host", "example.amazonaws.com")
XDATE = ("X-Amz-Date", DATE)
FORM_HASH = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"

# name, method, request target (as in the suite's .req), headers, body, published signature
CASES = [
    ("get-vanilla", "GET", "/", [HOST, XDATE], "",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    ("get-vanilla-query-order-key-case", "GET", "/?Param2=value2&Param1=value1", [HOST, XDATE], "",
     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
    ("get-vanilla-query-unreserved", "GET",
     "/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz="
     "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", [HOST, XDATE], "",
     "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
    ("get-vanilla-utf8-query", "GET", "/?\u1234=bar", [HOST, XDATE], "",
     "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
    ("get-vanilla-query-order-encoded", "GET", "/?Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
     [HOST, XDATE], "", "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"),
    ("get-vanilla-empty-query-key", "GET", "/?Param1=value1", [HOST, XDATE], "",
     "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
    ("get-vanilla-with-session-token", "GET", "/",
     [HOST, XDATE, ("X-Amz-Security-Token",
                    "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267")], "",
     "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"),
    ("get-header-key-duplicate", "GET", "/",
     [HOST, ("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1"), XDATE],
     "", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
    ("get-header-value-order", "GET", "/",
     [HOST, ("My-Header1", "value4"), ("My-Header1", "value1"), ("My-Header1", "value3"),
      ("My-Header1", "value2"), XDATE],
     "", "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
    ("get-header-value-trim", "GET", "/",
     [HOST, ("My-Header1", " value1"), ("My-Header2", ' "a   b   c"'), XDATE], "",
     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
    ("get-unreserved", "GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
     [HOST, XDATE], "", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
    ("get-utf8", "GET", "/\u1234", [HOST, XDATE], "",
     "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
    ("get-space", "GET", "/example space/", [HOST, XDATE], "",
     "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),
    # normalize-path cases: the non-S3 rules Certain (an ACM/PCA endpoint) follows.
    ("get-slash", "GET", "//", [HOST, XDATE], "",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    ("get-slashes", "GET", "//example//", [HOST, XDATE], "",
     "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"),
    ("get-slash-dot-slash", "GET", "/./", [HOST, XDATE], "",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    ("get-slash-pointless-dot", "GET", "/./example", [HOST, XDATE], "",
     "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"),
    ("get-relative", "GET", "/example/..", [HOST, XDATE], "",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    ("get-relative-relative", "GET", "/example1/example2/../..", [HOST, XDATE], "",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    ("post-vanilla", "POST", "/", [HOST, XDATE], "",
     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
    ("post-vanilla-query", "POST", "/?Param1=value1", [HOST, XDATE], "",
     "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
    ("post-header-key-sort", "POST", "/", [HOST, ("My-Header1", "value1"), XDATE], "",
     "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"),
    ("post-header-value-case", "POST", "/", [HOST, ("My-Header1", "VALUE1"), XDATE], "",
     "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
    ("post-x-www-form-urlencoded", "POST", "/",
     [("Content-Type", "application/x-www-form-urlencoded"), HOST, ("Content-Length", "13"),
      XDATE, ("X-Amz-Content-Sha256", FORM_HASH)], "Param1=value1",
     "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"),
    ("post-x-www-form-urlencoded-parameters", "POST", "/",
     [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), HOST,
      ("Content-Length", "13"), XDATE, ("X-Amz-Content-Sha256", FORM_HASH)], "Param1=value1",
     "328d1b9eaadca9f5818ef05e8392801e091653bafec24fcab71e7344e7f51422"),
]


def canonical_path(path):
    # botocore's remove_dot_segments: drop "", "." and resolve ".."; trailing "/" kept
    # only when a segment remains.
    out = []
    for seg in path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if out:
                out.pop()
        else:
            out.append(seg)
    norm = "/" + "/".join(out) + ("/" if out and path.endswith("/") else "")
    return quote(norm.encode(), safe="/-_.~")


def canonical_query(query):
    pairs = []
    for piece in query.split("&") if query else []:
        if not piece:
            continue
        k, _, v = piece.partition("=")
        pairs.append((quote(unquote_to_bytes(k), safe="-_.~"),
                      quote(unquote_to_bytes(v), safe="-_.~")))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def trimall(v):
    return " ".join(v.split())


def build(method, target, headers, body):
    path, _, query = target.partition("?")
    names = sorted({n.lower() for n, _ in headers})
    lines = [f"{n}:" + ",".join(trimall(v) for hn, v in headers if hn.lower() == n)
             for n in names]
    signed = ";".join(names)
    creq = "\n".join([method, canonical_path(path), canonical_query(query)] + lines +
                     ["", signed, hashlib.sha256(body.encode()).hexdigest()])
    sts = "\n".join(["AWS4-HMAC-SHA256", DATE, SCOPE,
                     hashlib.sha256(creq.encode()).hexdigest()])
    key = ("AWS4" + SECRET).encode()
    for part in ("20150830", "us-east-1", "service", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    return creq, sts, signed, sig


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    bad = 0
    for name, method, target, headers, body, published in CASES:
        creq, sts, signed, sig = build(method, target, headers, body)
        if sig != published:
            print(f"{name}: computed {sig}, published {published}", file=sys.stderr)
            bad += 1
            continue
        d = os.path.join(here, name)
        os.makedirs(d, exist_ok=True)
        req = f"{method} {target} HTTP/1.1\n" + "".join(f"{n}:{v}\n" for n, v in headers)
        files = {
            ".req": req + "\n" + body,
            ".creq": creq,
            ".sts": sts,
            ".authz": f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{SCOPE}, "
                      f"SignedHeaders={signed}, Signature={published}",
        }
        for ext, text in files.items():
            with open(os.path.join(d, name + ext), "w", encoding="utf-8", newline="") as f:
                f.write(text)
    print(f"{len(CASES) - bad} vectors written, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
