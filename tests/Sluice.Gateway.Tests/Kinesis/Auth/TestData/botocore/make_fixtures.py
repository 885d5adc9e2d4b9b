#!/usr/bin/env python3
"""Writes Kinesis requests signed by botocore (the AWS CLI's and boto3's signer) as JSON fixtures.

An independent SigV4 implementation for SigV4VerifierTests: each fixture is exactly what
botocore would send (headers, body, Authorization), captured before it leaves the process.

    python3 make_fixtures.py    # needs python3-botocore; rewrites the *.json beside this file
"""
import json
import os
from urllib.parse import urlsplit

import botocore
import botocore.session
from botocore.awsrequest import AWSResponse

ACCESS_KEY_ID = "SLUABCDEFGHIJKLMNOPQ"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
HERE = os.path.dirname(os.path.abspath(__file__))


class _EmptyBody:
    def stream(self, **_):
        yield b"{}"


def capture(name, endpoint, region, operation, params):
    captured = {}

    def before_send(request, **_):
        url = urlsplit(request.url)
        headers = [[k, v.decode() if isinstance(v, bytes) else v] for k, v in request.headers.items()]
        # urllib3 adds Host when it sends; botocore signed the same value (netloc, port when not default).
        headers.insert(0, ["Host", url.netloc])
        body = request.body or b""
        captured.update({
            "name": name,
            "botocore": botocore.__version__,
            "accessKeyId": ACCESS_KEY_ID,
            "secretAccessKey": SECRET,
            "region": region,
            "service": "kinesis",
            "method": request.method,
            "rawPath": url.path or "/",
            "rawQuery": url.query,
            "headers": headers,
            "body": body.decode() if isinstance(body, bytes) else body,
        })
        return AWSResponse(request.url, 200, {"Content-Type": "application/x-amz-json-1.1"}, _EmptyBody())

    client = botocore.session.get_session().create_client(
        "kinesis", region_name=region, endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key=SECRET)
    client.meta.events.register(f"before-send.kinesis.{operation}", before_send)
    try:
        getattr(client, botocore.xform_name(operation))(**params)
    except Exception:  # the canned response need not parse; the request is what we keep
        pass
    amz_date = next(v for k, v in captured["headers"] if k == "X-Amz-Date")
    captured["time"] = amz_date
    with open(os.path.join(HERE, f"{name}.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(captured, f, indent=2)
        f.write("\n")


capture("put-record-http", "http://127.0.0.1:4567", "eu-west-1", "PutRecord",
        {"StreamName": "clicks", "Data": b"hello", "PartitionKey": "user-1"})
capture("list-streams-https", "https://kinesis.sluice.example", "us-east-1", "ListStreams", {"Limit": 10})
