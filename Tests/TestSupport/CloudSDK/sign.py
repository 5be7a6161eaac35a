"""Signatures of the official Python SDKs for fixed inputs (stdin: a JSON list of cases).

RPC: aliyun-python-sdk-core's composer, with its clock and nonce pinned to the case's.
V3: alibabacloud-tea-openapi's get_authorization over the case's headers.
Prints a JSON list: per case the signed parameters (RPC) or the Authorization value (V3)."""
import json
import sys

from aliyunsdkcore.auth.composer import rpc_signature_composer
from aliyunsdkcore.utils import parameter_helper
from alibabacloud_tea_openapi.utils import Utils
from darabonba.request import DaraRequest

if len(sys.argv) == 3 and sys.argv[1] == "bench":
    # Cost of signing one AssignPrivateIpAddresses in each style, in microseconds.
    import time
    n = int(sys.argv[2])
    params = {"RegionId": "cn-hangzhou", "NetworkInterfaceId": "eni-bp1abcdefghijklmnopq",
              "SecondaryPrivateIpAddressCount": "10", "ClientToken": "0c593ea1-3bea-11e9-b96b-88e9fe637760",
              "Action": "AssignPrivateIpAddresses", "Version": "2014-05-26", "Format": "JSON"}
    start = time.perf_counter()
    for i in range(n):
        rpc_signature_composer.get_signed_url(dict(params), "LTAI-lab", "lab-secret", "JSON", "POST", {})
    print("rpc", (time.perf_counter() - start) * 1e6 / n)
    start = time.perf_counter()
    for i in range(n):
        request = DaraRequest()
        request.method, request.pathname, request.query = "POST", "/", dict(params)
        request.headers = {"host": "ecs.cn-hangzhou.aliyuncs.com", "x-acs-action": "AssignPrivateIpAddresses",
                           "x-acs-version": "2014-05-26", "x-acs-date": "2026-12-01T00:30:00Z",
                           "x-acs-signature-nonce": str(i), "accept": "application/json",
                           "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}
        Utils.get_authorization(request, "ACS3-HMAC-SHA256", request.headers["x-acs-content-sha256"], "LTAI-lab", "lab-secret")
    print("v3", (time.perf_counter() - start) * 1e6 / n)
    sys.exit(0)

out = []
for case in json.load(sys.stdin):
    if case["style"] == "rpc":
        parameter_helper.get_iso_8061_date = lambda: case["timestamp"]
        parameter_helper.get_uuid = lambda: case["nonce"]
        params = dict(case["parameters"])
        url, string_to_sign = rpc_signature_composer.get_signed_url(
            params, case["accessKeyId"], case["secret"], "JSON", case["method"], {})
        out.append({"stringToSign": string_to_sign, "parameters": params})
    else:
        request = DaraRequest()
        request.method = case["method"]
        request.pathname = "/"
        request.query = dict(case["parameters"])
        request.headers = dict(case["headers"])
        out.append({"authorization": Utils.get_authorization(
            request, "ACS3-HMAC-SHA256", case["payloadHash"], case["accessKeyId"], case["secret"])})
json.dump(out, sys.stdout)
